import { describe, expect, it } from 'vitest';
import {
  branchEvent,
  createModels,
  guideProfile,
  type MachineModel,
  type ModelSnapshot,
  type Output,
  type Profile,
  type Queries,
  referencePageProfile,
  rulesForQuery,
  rulesForUnexpectedOutput,
  type Stimulus,
} from '../machines/index.ts';
import { judgeStep } from './oracle.ts';

const flowOf = (profile: Profile): MachineModel => {
  const model = createModels(profile).find((m) => m.id === 'imFlow');
  if (!model) throw new Error('no imFlow model');
  return model;
};

/** The model's snapshot after `stimuli`, applied from the initial state. */
function snapshotAfter(model: MachineModel, stimuli: readonly Stimulus[]): ModelSnapshot {
  return stimuli.reduce(
    (snapshot, stimulus) => model.step(snapshot, stimulus).snapshot,
    model.initial(),
  );
}

const configurationRequested: Output = { channel: 'event', name: 'flowConfigurationRequested' };
const active: Output = { channel: 'event', name: 'flowStateChanged', state: 'active' };
const typing: Output = { channel: 'wire', kind: 'composing', state: 'typing' };
const idleNotification: Output = { channel: 'wire', kind: 'composing', state: 'idle' };
const bye: Output = { channel: 'wire', kind: 'bye' };

const establish: Stimulus = { type: 'app.establish', template: null };
const setComposing: Stimulus = { type: 'app.setComposing' };
const advance = (ms: number): Stimulus => ({ type: 'clock.advance', ms });
const activeIdle: Queries = { flowState: 'active', localComposingState: 'idle' };
const activeComposing: Queries = { flowState: 'active', localComposingState: 'composing' };

describe('judgeStep: outputs compared as a multiset', () => {
  const model = flowOf(guideProfile);
  const start = model.initial();

  it('accepts exactly the expected outputs, in any order', () => {
    for (const outputs of [
      [configurationRequested, active],
      [active, configurationRequested],
    ]) {
      const judgement = judgeStep(model, start, establish, { outputs, queries: activeIdle });
      expect(judgement.ok).toBe(true);
      if (!judgement.ok) continue;
      expect(judgement.transitions.map((t) => t.id)).toEqual(['establish']);
      expect(model.queries(judgement.snapshot)).toEqual(activeIdle);
    }
  });

  it('refuses a missing output and names it', () => {
    const judgement = judgeStep(model, start, establish, {
      outputs: [configurationRequested],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.missing).toEqual([active]);
    expect(judgement.unexpected).toEqual([]);
    // StateChanged must report every change of state (LIFE-1).
    expect(judgement.requirements).toContain('LIFE-1');
  });

  it('refuses an output seen twice: one copy is expected, the other is not', () => {
    const judgement = judgeStep(model, start, establish, {
      outputs: [configurationRequested, active, active],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.missing).toEqual([]);
    expect(judgement.unexpected).toEqual([active]);
  });

  it('refuses an output no continuation allows, naming the rules that govern it', () => {
    const judgement = judgeStep(model, start, establish, {
      outputs: [configurationRequested, active, bye],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.unexpected).toEqual([bye]);
    expect(judgement.requirements.length).toBeGreaterThan(0);
    for (const id of judgement.requirements) expect(rulesForUnexpectedOutput(bye)).toContain(id);
  });

  it('compares field by field: the same kind with another value is a different output', () => {
    const wrongState: Output = { channel: 'event', name: 'flowStateChanged', state: 'terminated' };
    const judgement = judgeStep(model, start, establish, {
      outputs: [configurationRequested, wrongState],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.missing).toEqual([active]);
    expect(judgement.unexpected).toEqual([wrongState]);
  });
});

describe('judgeStep: state readings', () => {
  const model = flowOf(guideProfile);
  const start = model.initial();

  it('reports a query that differs, with both values, against the rules of that query', () => {
    const judgement = judgeStep(model, start, establish, {
      outputs: [configurationRequested, active],
      queries: { flowState: 'idle', localComposingState: 'idle' },
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.queryMismatches).toEqual([
      { query: 'flowState', expected: 'active', observed: 'idle' },
    ]);
    expect(judgement.missing).toEqual([]);
    expect(judgement.unexpected).toEqual([]);
    expect(judgement.requirements).toContain('LIFE-1');
    for (const id of judgement.requirements) expect(rulesForQuery('flowState')).toContain(id);
  });

  it('does not compare what the implementation cannot tell', () => {
    for (const queries of [{}, { flowState: 'active' }] as Queries[]) {
      const judgement = judgeStep(model, start, establish, {
        outputs: [configurationRequested, active],
        queries,
      });
      expect(judgement.ok).toBe(true);
    }
  });

  it('reports the expected observation along with the verdict', () => {
    const judgement = judgeStep(model, start, establish, { outputs: [], queries: {} });
    expect(judgement.expected.outputs).toEqual([configurationRequested, active]);
    expect(judgement.expected.queries).toEqual(activeIdle);
  });
});

describe('judgeStep: the spontaneous revert and its tolerance window', () => {
  // ucma-reference: time-out 3 s, tolerance 2 s, an Idle notification marks the revert.
  const model = flowOf(referencePageProfile);
  const { composingTimeoutMs, revertToleranceMs } = referencePageProfile.timing;
  const composing = snapshotAfter(model, [establish, setComposing]);
  const timedOut = snapshotAfter(model, [establish, setComposing, advance(composingTimeoutMs)]);

  it('has a window to judge in: the time-out leaves the model reverting', () => {
    expect(model.activeStates(timedOut)).toContain('active.localComposing.reverting');
    // The refresh cadence runs on inside the window: its next tick may come before the end.
    const { refreshPeriodMs } = referencePageProfile.timing;
    expect(model.nextDeadlineMs(timedOut)).toBe(Math.min(revertToleranceMs, refreshPeriodMs));
    expect(model.spontaneous(timedOut)).toEqual([{ type: 'sut.revert' }]);
  });

  it('accepts the revert at the very instant of the time-out', () => {
    const judgement = judgeStep(model, composing, advance(composingTimeoutMs), {
      outputs: [idleNotification],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.branch).toEqual(['clock.advance', 'sut.revert']);
    expect(judgement.transitions.map((t) => t.id)).toContain('local.revert.notified');
  });

  it('accepts the revert anywhere inside the window, even before the clock step ends', () => {
    const observation = { outputs: [idleNotification], queries: activeIdle };
    for (const early of [[], [idleNotification]]) {
      const judgement = judgeStep(model, timedOut, advance(revertToleranceMs / 2), {
        ...observation,
        early,
      });
      expect(judgement.ok).toBe(true);
      if (!judgement.ok) continue;
      expect(judgement.branch).toContain('sut.revert');
      expect(model.queries(judgement.snapshot)).toEqual(activeIdle);
    }
  });

  it('accepts an implementation that has not reverted yet while the window is open', () => {
    const judgement = judgeStep(model, timedOut, advance(revertToleranceMs - 1), {
      outputs: [],
      queries: activeComposing,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.branch).toEqual(['clock.advance']);
  });

  it('refuses an implementation still composing when the window has closed (LC-5)', () => {
    const judgement = judgeStep(model, timedOut, advance(revertToleranceMs), {
      outputs: [],
      queries: activeComposing,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.queryMismatches).toEqual([
      { query: 'localComposingState', expected: 'idle', observed: 'composing' },
    ]);
    expect(judgement.missing).toEqual([idleNotification]);
    expect(judgement.requirements).toContain('LC-5');
  });

  it('refuses a revert that comes after the window has closed', () => {
    const closed = model.step(timedOut, advance(revertToleranceMs)).snapshot;
    expect(model.queries(closed)).toEqual(activeIdle);
    const judgement = judgeStep(model, closed, advance(1), {
      outputs: [idleNotification],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.unexpected).toEqual([idleNotification]);
  });

  it('refuses a revert before the time-out (LC-3: composing lasts the whole time-out)', () => {
    const judgement = judgeStep(model, composing, advance(composingTimeoutMs - 1), {
      outputs: [idleNotification],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.unexpected).toEqual([idleNotification]);
    expect(judgement.queryMismatches.map((m) => m.query)).toEqual(['localComposingState']);
  });

  it('never offers a spontaneous move on a stimulus other than a clock step', () => {
    const judgement = judgeStep(
      model,
      timedOut,
      { type: 'remote.typing' },
      {
        outputs: [
          { channel: 'event', name: 'remoteComposingStateChanged', state: 'composing' },
          idleNotification,
        ],
        queries: activeIdle,
      },
    );
    expect(judgement.ok).toBe(false);
  });
});

describe('judgeStep: the time of outputs within a clock step', () => {
  // ucma-guide, with a template whose time-out outlasts two refreshes: refreshes at 5 s and 10 s.
  const model = flowOf(guideProfile);
  const { refreshPeriodMs } = guideProfile.timing;
  const composing = snapshotAfter(model, [
    { type: 'app.establish', template: { composingTimeoutMs: 2 * refreshPeriodMs + 1000 } },
    setComposing,
  ]);

  it('accepts a refresh reported at the end of the step, when it is due', () => {
    const judgement = judgeStep(model, composing, advance(refreshPeriodMs), {
      outputs: [typing],
      queries: activeComposing,
      early: [],
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.transitions.map((t) => t.id)).toEqual(['local.refresh']);
  });

  it('refuses the same refresh reported before it was due, blaming the refresh period (LC-2)', () => {
    const judgement = judgeStep(model, composing, advance(refreshPeriodMs), {
      outputs: [typing],
      queries: activeComposing,
      early: [typing],
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.missing).toEqual([]);
    expect(judgement.unexpected).toEqual([]);
    expect(judgement.untimely).toEqual([typing]);
    expect(judgement.requirements).toEqual(['LC-2']);
  });

  it('refuses a refresh inside the period, before any is due (LC-2)', () => {
    const judgement = judgeStep(model, composing, advance(refreshPeriodMs - 1), {
      outputs: [typing],
      queries: activeComposing,
      early: [typing],
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.unexpected).toEqual([typing]);
    expect(judgement.requirements).toEqual(['LC-2']);
  });
});

describe('judgeStep: allowed branches and their advisories', () => {
  const model = flowOf(guideProfile);
  const established = snapshotAfter(model, [establish]);
  const terminate: Stimulus = { type: 'app.terminate' };
  const terminated: Output = { channel: 'event', name: 'flowStateChanged', state: 'terminated' };
  const afterTermination: Queries = { flowState: 'terminated' };

  it('takes the preferred branch without advisory when the implementation follows it', () => {
    const judgement = judgeStep(model, established, terminate, {
      outputs: [terminated, bye],
      queries: afterTermination,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories).toEqual([]);
    expect(judgement.transitions.map((t) => t.id)).toEqual(['terminate']);
    expect(judgement.branch).toEqual(['app.terminate']);
  });

  it('accepts a terminate without BYE as an allowed branch, with an advisory for LIFE-8', () => {
    const judgement = judgeStep(model, established, terminate, {
      outputs: [terminated],
      queries: afterTermination,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories).toEqual([
      { requirement: 'LIFE-8', transition: 'terminate.noBye' },
    ]);
    expect(judgement.branch).toEqual(['app.terminate#noBye']);
    expect(branchEvent(terminate, judgement.branch[0] as string)).toEqual({
      ...terminate,
      choice: 'noBye',
    });
    // The model follows the branch taken: the flow is terminated and refuses what follows.
    const next = judgeStep(
      model,
      judgement.snapshot,
      { type: 'app.send', body: 'late', contentType: 'text/plain' },
      {
        outputs: [{ channel: 'error', operation: 'app.send', kind: 'invalid-operation' }],
        queries: afterTermination,
      },
    );
    expect(next.ok).toBe(true);
  });

  it('prefers the branch with the fewest departures when several explain what was seen', () => {
    // An adapter that cannot see the BYE cannot tell the two terminations apart.
    const judgement = judgeStep(
      model,
      established,
      terminate,
      { outputs: [terminated], queries: afterTermination },
      { observable: (output) => !(output.channel === 'wire' && output.kind === 'bye') },
    );
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories).toEqual([]);
    expect(judgement.transitions.map((t) => t.id)).toEqual(['terminate']);
  });

  it('still fails what no branch allows, naming the rules', () => {
    const judgement = judgeStep(model, established, terminate, {
      outputs: [bye],
      queries: { flowState: 'active' },
    });
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.requirements).toContain('LIFE-1');
  });

  it('accepts a second terminate that does nothing, with an advisory for LIFE-6', () => {
    const ended = snapshotAfter(model, [establish, terminate]);
    const judgement = judgeStep(model, ended, terminate, {
      outputs: [],
      queries: afterTermination,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories).toEqual([
      { requirement: 'LIFE-6', transition: 'terminated.terminate.ignored' },
    ]);
  });

  it('accepts a terminate before establishment that does nothing, with an advisory for LIFE-3', () => {
    const judgement = judgeStep(model, model.initial(), terminate, {
      outputs: [],
      queries: { flowState: 'idle' },
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories.map((a) => a.requirement)).toEqual(['LIFE-3']);
  });

  it('accepts a failure code outside 400 to 699 with an advisory for DN-9, and sends that code', () => {
    const proxied = snapshotAfter(model, [
      { type: 'app.establish', template: { consumptionMode: 'proxied-to-remote-entity' } },
      { type: 'remote.message', body: 'hi', contentType: 'text/plain' },
    ]);
    const stimulus: Stimulus = { type: 'app.deliveryFailure', message: 1, code: 200 };
    const accepted = judgeStep(model, proxied, stimulus, {
      outputs: [
        { channel: 'wire', kind: 'deliveryNotification', message: 1, status: 'failure', code: 200 },
      ],
      queries: activeIdle,
    });
    expect(accepted.ok).toBe(true);
    if (!accepted.ok) return;
    expect(accepted.advisories.map((a) => a.requirement)).toEqual(['DN-9']);
    const refused = judgeStep(model, proxied, stimulus, {
      outputs: [{ channel: 'error', operation: 'app.deliveryFailure', kind: 'invalid-argument' }],
      queries: activeIdle,
    });
    expect(refused.ok).toBe(true);
    if (!refused.ok) return;
    expect(refused.advisories).toEqual([]);
    // Another code than the one given is not a branch: DN-2 is a must.
    const wrongCode = judgeStep(model, proxied, stimulus, {
      outputs: [
        { channel: 'wire', kind: 'deliveryNotification', message: 1, status: 'failure', code: 480 },
      ],
      queries: activeIdle,
    });
    expect(wrongCode.ok).toBe(false);
  });

  it('accepts a refresh at the time-out instant with an advisory for LC-10', () => {
    const reference = flowOf(referencePageProfile);
    const composing = snapshotAfter(reference, [establish, setComposing]);
    const { composingTimeoutMs } = referencePageProfile.timing;
    const judgement = judgeStep(reference, composing, advance(composingTimeoutMs), {
      outputs: [typing],
      queries: activeComposing,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories).toEqual([
      { requirement: 'LC-10', transition: 'local.timeout.refreshSent' },
    ]);
    expect(reference.activeStates(judgement.snapshot)).toContain('active.localComposing.reverting');
  });

  it('accepts a refresh and the revert in the same clock step', () => {
    const reference = flowOf(referencePageProfile);
    const composing = snapshotAfter(reference, [establish, setComposing]);
    const { composingTimeoutMs } = referencePageProfile.timing;
    const judgement = judgeStep(reference, composing, advance(composingTimeoutMs), {
      outputs: [typing, idleNotification],
      queries: activeIdle,
    });
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.branch).toEqual(['clock.advance#refreshSent', 'sut.revert']);
    expect(judgement.advisories.map((a) => a.requirement)).toEqual(['LC-10']);
  });

  it('accepts, under on-change, a Typing after the presumption that raises nothing (RC-5 advisory)', () => {
    const reference = flowOf(referencePageProfile);
    const { remoteIdleMs } = referencePageProfile.timing;
    const silent = snapshotAfter(reference, [
      establish,
      { type: 'remote.typing' },
      advance(remoteIdleMs),
    ]);
    const judgement = judgeStep(
      reference,
      silent,
      { type: 'remote.typing' },
      {
        outputs: [],
        queries: activeIdle,
      },
    );
    expect(judgement.ok).toBe(true);
    if (!judgement.ok) return;
    expect(judgement.advisories.map((a) => a.requirement)).toEqual(['RC-5']);
  });
});

describe('judgeStep: declared queries must be answered in every state', () => {
  const model = flowOf(guideProfile);
  it.each([
    ['before establishment', [] as Stimulus[], { flowState: 'idle' } as Queries],
    ['while active', [establish], activeIdle],
    [
      'after termination',
      [establish, { type: 'app.terminate' } as Stimulus],
      { flowState: 'terminated' } as Queries,
    ],
  ])('%s: expects exactly the readings the state defines', (_label, stimuli, expected) => {
    expect(model.queries(snapshotAfter(model, stimuli))).toEqual(expected);
  });

  it('a declared query left unanswered is a mismatch', () => {
    const judgement = judgeStep(
      model,
      model.initial(),
      establish,
      { outputs: [configurationRequested, active], queries: { flowState: 'active' } },
      { answered: ['flowState', 'localComposingState'] },
    );
    expect(judgement.ok).toBe(false);
    if (judgement.ok) return;
    expect(judgement.queryMismatches).toEqual([
      { query: 'localComposingState', expected: 'idle', observed: '(no answer)' },
    ]);
  });
});
