import { describe, expect, it } from 'vitest';
import {
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
    expect(model.nextDeadlineMs(timedOut)).toBe(revertToleranceMs);
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
