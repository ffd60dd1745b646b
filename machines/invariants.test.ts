import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelEvent, Output } from './alphabet.ts';
import { createModels, type MachineModel, type ModelSnapshot } from './model.ts';
import { builtInProfiles, guideProfile } from './profile.ts';
import { flowModel, isTyping, mcuModel } from './test-support.ts';

const RUNS = 200;
/**
 * One seed for every property of the file (random per run, printed by fast-check on failure):
 * the properties of a profile then see the same walks, which are played once and cached.
 */
const SEED = Math.floor(Math.random() * 0x7fffffff);
const settings = { numRuns: RUNS, seed: SEED };

/**
 * One move of a random walk: an offered stimulus, a stretch of time, or a spontaneous move.
 * `ending` lets the stimulus be one that ends the call; without it those are skipped, so that
 * walks last long enough to reach proxying, refreshes and revert windows.
 */
type Move =
  | { readonly kind: 'stimulus'; readonly pick: number; readonly ending: boolean }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'spontaneous' };

const moveArbitrary: fc.Arbitrary<Move> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('stimulus' as const),
      pick: fc.nat(),
      ending: fc.integer({ min: 0, max: 11 }).map((n) => n === 0),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 1, max: 8000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'spontaneous' as const }) },
);

const walkArbitrary = fc.array(moveArbitrary, { minLength: 1, maxLength: 60, size: 'max' });

const endsTheCall = (event: ModelEvent) =>
  event.type === 'app.terminate' || event.type === 'remote.bye' || event.type === 'conf.leave';

/** One step of a walk: the snapshot before, the event, and what the model answered. */
interface TraceStep {
  readonly before: ModelSnapshot;
  readonly event: ModelEvent;
  readonly outputs: readonly Output[];
  readonly after: ModelSnapshot;
}

/**
 * Plays the moves on the model: stimuli are drawn from `model.stimuli(snapshot)`, time advances
 * are split so that no clock step crosses `nextDeadlineMs`.
 */
const walks = new Map<string, TraceStep[]>();

function walk(
  model: MachineModel,
  moves: readonly Move[],
  prefix: readonly ModelEvent[] = [],
): TraceStep[] {
  const key = JSON.stringify([model.profile.name, model.id, prefix, moves]);
  const cached = walks.get(key);
  if (cached) return cached;
  const trace = play(model, moves, prefix);
  walks.set(key, trace);
  return trace;
}

function play(model: MachineModel, moves: readonly Move[], prefix: readonly ModelEvent[]) {
  const trace: TraceStep[] = [];
  let snapshot = model.initial();
  const apply = (event: ModelEvent) => {
    const result = model.step(snapshot, event);
    trace.push({ before: snapshot, event, outputs: result.outputs, after: result.snapshot });
    snapshot = result.snapshot;
  };
  for (const event of prefix) apply(event);
  for (const move of moves) {
    if (move.kind === 'stimulus') {
      const all = model.stimuli(snapshot);
      const lasting = all.filter((stimulus) => !endsTheCall(stimulus));
      const offered = move.ending || lasting.length === 0 ? all : lasting;
      const stimulus = offered[move.pick % offered.length];
      if (stimulus) apply(stimulus);
    } else if (move.kind === 'spontaneous') {
      const [spontaneous] = model.spontaneous(snapshot);
      if (spontaneous) apply(spontaneous);
    } else {
      let remaining = move.ms;
      while (remaining > 0) {
        const deadline = model.nextDeadlineMs(snapshot);
        // A timer standing at zero would never be crossed: stop, the invariant below catches it.
        if (deadline !== null && deadline <= 0) return trace;
        const ms = deadline === null ? remaining : Math.min(remaining, deadline);
        apply({ type: 'clock.advance', ms });
        remaining -= ms;
      }
    }
  }
  return trace;
}

const profiles = builtInProfiles.map((profile) => [profile.name, profile] as const);

describe.each(profiles)('flow invariants (%s)', (_name, profile) => {
  const model = flowModel(profile);
  const terminated = (snapshot: ModelSnapshot) =>
    model.queries(snapshot).flowState === 'terminated';

  it('LIFE-6: Terminated is absorbing: every later stimulus keeps it and outputs only errors', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves);
        const end = trace.findIndex((step) => terminated(step.after));
        if (end === -1) return;
        for (const step of trace.slice(end + 1)) {
          expect(terminated(step.after)).toBe(true);
          expect(step.outputs.every((output) => output.channel === 'error')).toBe(true);
          expect(model.nextDeadlineMs(step.after)).toBeNull();
        }
      }),
      settings,
    );
  });

  it('LIFE-6: from any reachable terminated snapshot, every offered stimulus is refused with exactly one error', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves);
        const last = trace.at(-1)?.after;
        if (!last || !terminated(last)) return;
        for (const stimulus of model.stimuli(last)) {
          const result = model.step(last, stimulus);
          expect(result.outputs).toEqual([
            { channel: 'error', operation: stimulus.type, kind: 'invalid-operation' },
          ]);
          expect(terminated(result.snapshot)).toBe(true);
        }
      }),
      settings,
    );
  });

  it('DN-1, DN-3: a proxied message never gets two delivery notifications on the wire', () => {
    // Where the profile claims proxying, walks start on a proxied flow to exercise it often.
    const prefix: ModelEvent[] = profile.capabilities.proxiedConsumption
      ? [{ type: 'app.establish', template: { consumptionMode: 'proxied-to-remote-entity' } }]
      : [];
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves, prefix);
        const notified = trace
          .flatMap((step) => step.outputs)
          .flatMap((output) =>
            output.channel === 'wire' && output.kind === 'deliveryNotification'
              ? [output.message]
              : [],
          );
        expect(new Set(notified).size).toBe(notified.length);
      }),
      settings,
    );
  });

  it('LC-2, LC-11: a clock advance outputs Typing only while local composing is Composing', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves);
        for (const step of trace) {
          if (step.event.type !== 'clock.advance' || !step.outputs.some(isTyping)) continue;
          expect(model.activeStates(step.before)).toContain('active.localComposing.composing');
          expect(step.outputs.filter(isTyping)).toHaveLength(1);
        }
      }),
      settings,
    );
  });

  it('LC-2, LC-3, LC-5, RC-2: nextDeadlineMs is never negative (nor zero: no expired timer is left)', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves);
        expect(model.nextDeadlineMs(model.initial())).toBeNull();
        for (const step of trace) {
          const deadline = model.nextDeadlineMs(step.after);
          if (deadline !== null) expect(deadline).toBeGreaterThan(0);
        }
      }),
      settings,
    );
  });

  it('LC-2, LC-3, LC-5, RC-2: a clock step that stops short of the deadline outputs nothing', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        for (const step of walk(model, moves)) {
          if (step.event.type !== 'clock.advance') continue;
          const deadline = model.nextDeadlineMs(step.before);
          if (deadline !== null && step.event.ms < deadline) expect(step.outputs).toEqual([]);
        }
      }),
      settings,
    );
  });

  it('LIFE-1: every change of flow state raises exactly one StateChanged with the new state', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        for (const step of walk(model, moves)) {
          const before = model.queries(step.before).flowState;
          const after = model.queries(step.after).flowState;
          const reported = step.outputs.filter(
            (output) => output.channel === 'event' && output.name === 'flowStateChanged',
          );
          expect(reported).toEqual(
            before === after ? [] : [{ channel: 'event', name: 'flowStateChanged', state: after }],
          );
        }
      }),
      settings,
    );
  });

  it('LC-5: sut.revert is offered exactly while the revert window is open', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        for (const step of walk(model, moves)) {
          const reverting = model
            .activeStates(step.after)
            .includes('active.localComposing.reverting');
          expect(model.spontaneous(step.after).length > 0).toBe(reverting);
          if (profile.timing.revertToleranceMs === 0) expect(reverting).toBe(false);
        }
      }),
      settings,
    );
  });
});

describe.each(profiles)('MCU session invariants (%s)', (_name, profile) => {
  const model = mcuModel(profile);

  it('MCU-9: Terminated is absorbing: every later stimulus keeps it and outputs only errors', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        const trace = walk(model, moves);
        const end = trace.findIndex((step) => model.queries(step.after).mcuState === 'terminated');
        if (end === -1) return;
        for (const step of trace.slice(end + 1)) {
          expect(model.queries(step.after).mcuState).toBe('terminated');
          expect(step.outputs.every((output) => output.channel === 'error')).toBe(true);
        }
      }),
      settings,
    );
  });

  it('MCU-4, MCU-5: the MCU call is terminated only by a failover, never by a focus reconnection', () => {
    fc.assert(
      fc.property(walkArbitrary, (moves) => {
        for (const step of walk(model, moves)) {
          const ended = step.outputs.some(
            (output) => output.channel === 'wire' && output.kind === 'mcuCallTerminated',
          );
          expect(ended).toBe(step.event.type === 'server.mcuFailover');
        }
      }),
      settings,
    );
  });
});

describe('timers a step restarts', () => {
  const model = createModels(guideProfile).find((m) => m.id === 'imFlow') as MachineModel;
  const stepped = (snapshot: ModelSnapshot, ...events: ModelEvent[]) =>
    events.reduce((current, event) => model.step(current, event).snapshot, snapshot);
  const composing = stepped(
    model.initial(),
    { type: 'app.establish', template: null },
    { type: 'app.setComposing' },
  );

  it('are kept running on from where they stood when the step restarted one', () => {
    const waited = stepped(composing, { type: 'clock.advance', ms: 1000 });
    const again = stepped(waited, { type: 'app.setComposing' });
    const kept = model.timersKept(waited, again);
    expect(kept).toBeDefined();
    expect(model.nextDeadlineMs(again)).toBe(guideProfile.timing.composingTimeoutMs);
    expect(kept && model.nextDeadlineMs(kept)).toBe(guideProfile.timing.composingTimeoutMs - 1000);
    expect(kept && [...model.activeStates(kept)].sort()).toEqual(
      [...model.activeStates(again)].sort(),
    );
  });

  it('are none when the step restarted nothing, or restarted a timer at the instant it was set', () => {
    const again = stepped(composing, { type: 'app.setComposing' });
    expect(model.timersKept(composing, again)).toBeUndefined();
    const sent = stepped(composing, {
      type: 'remote.message',
      body: 'hi',
      contentType: 'text/plain',
    });
    expect(model.timersKept(composing, sent)).toBeUndefined();
  });
});
