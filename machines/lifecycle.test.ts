import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT, type Stimulus } from './alphabet.ts';
import { basicProfile, builtInProfiles, guideProfile, referencePageProfile } from './profile.ts';
import {
  bye,
  composingFlow,
  configurationRequested,
  Driver,
  establishedFlow,
  flowModel,
  flowStateChanged,
  ids,
  messageReceived,
  refused,
  requirementsOf,
  response,
  wireMessage,
} from './test-support.ts';

describe.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
  'flow lifecycle (%s)',
  (_name, profile) => {
    it('LIFE-1: starts Idle and reports Idle -> Active -> Terminated with StateChanged', () => {
      const flow = new Driver(flowModel(profile));
      expect(flow.queries()).toEqual({ flowState: 'idle' });

      const established = flow.step({ type: 'app.establish', template: null });
      expect(established.outputs).toEqual([configurationRequested, flowStateChanged('active')]);
      expect(flow.queries().flowState).toBe('active');
      expect(requirementsOf(established)).toContain('LIFE-1');

      const terminated = flow.step({ type: 'app.terminate' });
      expect(terminated.outputs).toContainEqual(flowStateChanged('terminated'));
      expect(flow.queries()).toEqual({ flowState: 'terminated' });
      expect(requirementsOf(terminated)).toContain('LIFE-1');
    });

    it('LIFE-1: steps that keep the flow state raise no StateChanged', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.steps(
        { type: 'app.send', body: 'hello', contentType: PLAIN_TEXT },
        { type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT },
        { type: 'app.setComposing' },
        { type: 'remote.typing' },
      );
      expect(outcome.outputs.filter((output) => 'name' in output)).not.toContainEqual(
        expect.objectContaining({ name: 'flowStateChanged' }),
      );
      expect(flow.queries().flowState).toBe('active');
    });

    it('LIFE-2: an Active flow sends and receives messages', () => {
      const flow = establishedFlow(profile);
      const sent = flow.step({ type: 'app.send', body: 'hello', contentType: PLAIN_TEXT });
      expect(sent.outputs).toEqual([wireMessage('hello', PLAIN_TEXT)]);
      expect(requirementsOf(sent)).toContain('LIFE-2');

      const received = flow.step({ type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT });
      expect(received.outputs).toEqual([messageReceived('hi', PLAIN_TEXT), response(1, 200)]);
      expect(requirementsOf(received)).toContain('LIFE-2');
    });

    it('LIFE-3: before the call is established, send and setComposing are invalid operations', () => {
      const flow = new Driver(flowModel(profile));
      const send = flow.step({ type: 'app.send', body: 'too early', contentType: PLAIN_TEXT });
      expect(send.outputs).toEqual([refused('app.send', 'invalid-operation')]);
      expect(ids(send)).toEqual(['idle.send.rejected']);

      const compose = flow.step({ type: 'app.setComposing' });
      expect(compose.outputs).toEqual([refused('app.setComposing', 'invalid-operation')]);
      expect(ids(compose)).toEqual(['idle.setComposing.rejected']);
      expect(requirementsOf(compose)).toEqual(['LIFE-3']);

      expect(flow.queries()).toEqual({ flowState: 'idle' });
      expect(flow.deadline()).toBeNull();
    });

    it('LIFE-4: terminating makes the flow Terminated, raises StateChanged and sends BYE', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.step({ type: 'app.terminate' });
      expect(outcome.outputs).toEqual([flowStateChanged('terminated'), bye]);
      expect(ids(outcome)).toEqual(['terminate']);
      expect(requirementsOf(outcome)).toContain('LIFE-4');
      expect(flow.queries()).toEqual({ flowState: 'terminated' });
    });

    it('LIFE-5: a remote BYE makes the flow Terminated and raises StateChanged, without a BYE back', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.step({ type: 'remote.bye' });
      expect(outcome.outputs).toEqual([flowStateChanged('terminated')]);
      expect(outcome.outputs).not.toContainEqual(bye);
      expect(ids(outcome)).toEqual(['remoteBye']);
      expect(requirementsOf(outcome)).toContain('LIFE-5');
      expect(flow.queries()).toEqual({ flowState: 'terminated' });
    });

    it.each([
      ['app.terminate', { type: 'app.terminate' }],
      ['remote.bye', { type: 'remote.bye' }],
    ] as const)(
      'LIFE-6: after %s every offered stimulus is refused as invalid and nothing else happens',
      (_label, ending) => {
        const flow = establishedFlow(profile);
        flow.step(ending);
        const offered = flow.stimuli();
        expect(offered.length).toBeGreaterThan(0);
        for (const stimulus of offered) {
          const probe = new Driver(flow.model);
          probe.snapshot = flow.snapshot;
          const result = probe.step(stimulus);
          expect(result.outputs).toEqual([refused(stimulus.type, 'invalid-operation')]);
          expect(requirementsOf(result)).toContain('LIFE-6');
          expect(probe.queries()).toEqual({ flowState: 'terminated' });
        }
      },
    );

    it('LIFE-6: remote stimuli on a terminated flow raise nothing and send nothing', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'app.terminate' });
      const outcome = flow.steps(
        { type: 'remote.message', body: 'late', contentType: PLAIN_TEXT },
        { type: 'remote.typing' },
        { type: 'remote.idle' },
        { type: 'remote.deliveryNotification', message: 1, status: 'success' },
        { type: 'remote.bye' },
      );
      expect(outcome.outputs).toEqual([]);
      expect(flow.queries()).toEqual({ flowState: 'terminated' });
    });

    it('LIFE-7: terminating stops the refresh, revert and presumed-idle timers', () => {
      const flow = composingFlow(profile, { composingTimeoutMs: 30_000 });
      flow.step({ type: 'remote.typing' });
      expect(flow.deadline()).not.toBeNull();
      const outcome = flow.step({ type: 'app.terminate' });
      expect(requirementsOf(outcome)).toContain('LIFE-7');
      expect(flow.deadline()).toBeNull();
      const later = flow.advance(
        30_000 + profile.timing.revertToleranceMs + profile.timing.remoteIdleMs,
      );
      expect(later.outputs).toEqual([]);
      expect(flow.spontaneous()).toEqual([]);
    });

    it('LIFE-7: a remote BYE at the time-out (inside the revert window, if any) leaves no timer', () => {
      const flow = composingFlow(profile);
      flow.advance(profile.timing.composingTimeoutMs);
      flow.step({ type: 'remote.bye' });
      expect(flow.deadline()).toBeNull();
      expect(flow.spontaneous()).toEqual([]);
      expect(flow.advance(profile.timing.revertToleranceMs + 1).outputs).toEqual([]);
    });
  },
);

describe.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
  'operations the pages never mention: allowed branches (%s)',
  (_name, profile) => {
    const branchOf = (flow: Driver, stimulus: Stimulus) =>
      flow.model.alternatives(flow.snapshot, stimulus).map((event) => {
        const result = flow.model.step(flow.snapshot, event);
        return {
          choice: 'choice' in event ? event.choice : undefined,
          outputs: result.outputs,
          transitions: result.transitions.map((t) => [t.id, t.deviates]),
        };
      });
    const terminate: Stimulus = { type: 'app.terminate' };

    it('LIFE-8: terminating may put no BYE on the wire, departing from LIFE-8 only', () => {
      const flow = establishedFlow(profile);
      expect(branchOf(flow, terminate)).toEqual([
        {
          choice: 'noBye',
          outputs: [flowStateChanged('terminated')],
          transitions: [['terminate.noBye', ['LIFE-8']]],
        },
      ]);
      expect(requirementsOf(flow.step(terminate))).toContain('LIFE-8');
    });

    /** The branches a refusal only a should-rule asks for allows: the other kind, or nothing. */
    const refusalBranches = (
      operation: Stimulus['type'],
      stem: string,
      rules: readonly string[],
      otherKind: 'invalid-operation' | 'invalid-argument' = 'invalid-argument',
    ) => [
      { choice: 'ignored', outputs: [], transitions: [[`${stem}.ignored`, rules]] },
      {
        choice: 'otherRefusal',
        outputs: [refused(operation, otherKind)],
        transitions: [[`${stem}.otherRefusal`, rules]],
      },
    ];

    it('LIFE-3: an operation before establishment may be refused with the other kind, or do nothing', () => {
      const flow = new Driver(flowModel(profile));
      expect(branchOf(flow, terminate)).toEqual(
        refusalBranches('app.terminate', 'idle.terminate', ['LIFE-3']),
      );
      const send: Stimulus = { type: 'app.send', body: 'early', contentType: PLAIN_TEXT };
      // Accepted, a send must still put nothing on the wire: no branch sends the message.
      expect(branchOf(flow, send)).toEqual(refusalBranches('app.send', 'idle.send', ['LIFE-3']));
      expect(flow.step(terminate).outputs).toEqual([refused('app.terminate', 'invalid-operation')]);
      expect(flow.queries().flowState).toBe('idle');
    });

    it('LIFE-6: an operation on a terminated flow may be refused with the other kind, or do nothing', () => {
      const flow = establishedFlow(profile);
      flow.step(terminate);
      expect(branchOf(flow, terminate)).toEqual(
        refusalBranches('app.terminate', 'terminated.terminate', ['LIFE-6']),
      );
      const send: Stimulus = { type: 'app.send', body: 'late', contentType: PLAIN_TEXT };
      expect(branchOf(flow, send)).toEqual(
        refusalBranches('app.send', 'terminated.send', ['LIFE-6']),
      );
    });

    it('LIFE-9: a second establish on an Active flow is refused, or does nothing', () => {
      const flow = establishedFlow(profile);
      const establish: Stimulus = { type: 'app.establish', template: null };
      expect(flow.stimuli()).toContainEqual(establish);
      expect(branchOf(flow, establish)).toEqual(
        refusalBranches('app.establish', 'active.establish', ['LIFE-9']),
      );
      const again = flow.step(establish);
      expect(again.outputs).toEqual([refused('app.establish', 'invalid-operation')]);
      expect(ids(again)).toEqual(['active.establish.rejected']);
      expect(flow.queries().flowState).toBe('active');
    });

    it('CONF-3: Initialize outside its handler may be refused with the other kind or do nothing, never apply', () => {
      const flow = establishedFlow(profile);
      const initialize: Stimulus = {
        type: 'app.initialize',
        template: { composingTimeoutMs: 10_000 },
      };
      expect(branchOf(flow, initialize)).toEqual(
        refusalBranches('app.initialize', 'active.initialize', ['CONF-3']),
      );
      // Doing nothing keeps the settings: CONF-2 (a must) still holds on that branch.
      const [ignored] = flow.model.alternatives(flow.snapshot, initialize);
      if (!ignored) throw new Error('no ignored branch');
      const after = flow.model.step(flow.snapshot, ignored).snapshot;
      expect(after.context).toEqual(flow.snapshot.context);
    });
  },
);

describe('flow lifecycle across profiles', () => {
  it('LIFE-1: the lifecycle does not depend on the profile', () => {
    const traces = [guideProfile, referencePageProfile, basicProfile].map((profile) => {
      const flow = new Driver(flowModel(profile));
      return [
        flow.step({ type: 'app.establish', template: null }).outputs,
        flow.step({ type: 'app.terminate' }).outputs,
      ];
    });
    expect(traces[1]).toEqual(traces[0]);
    expect(traces[2]).toEqual(traces[0]);
  });
});
