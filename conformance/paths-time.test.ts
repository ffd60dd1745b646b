import { describe, expect, it } from 'vitest';
import {
  basicProfile,
  builtInProfiles,
  createModels,
  explorationEvents,
  guideProfile,
  type MachineModel,
  type Profile,
  referencePageProfile,
  type Timing,
} from '../machines/index.ts';
import { guardKey, guardOutcomes } from './guards.ts';
import { forgetPlansInMemory, type PathPlan, planPaths } from './paths.ts';
import { CACHE_DIR_VARIABLE } from './plan-cache.ts';

const flowOf = (profile: Profile): MachineModel => {
  const model = createModels(profile).find((m) => m.id === 'imFlow');
  if (!model) throw new Error('no imFlow model');
  return model;
};

const withTiming = (base: Profile, timing: Partial<Timing>): Profile => ({
  ...base,
  name: `${base.name} ${JSON.stringify(timing)}`,
  timing: { ...base.timing, ...timing },
});

const plannedOf = (plan: PathPlan) =>
  [...plan.transitions]
    .filter(([, status]) => status === 'planned')
    .map(([id]) => id)
    .sort();

const reachedSituations = (plan: PathPlan) =>
  [...plan.situations]
    .filter(([, reached]) => reached)
    .map(([name]) => name)
    .sort();

/** Replays every path on the concrete model: the transitions and guard outcomes it takes. */
function replay(model: MachineModel, plan: PathPlan) {
  const taken = new Set<string>();
  const guards = new Set<string>();
  for (const path of plan.paths) {
    let snapshot = model.initial();
    const onPath = new Set<string>();
    for (const stimulus of path.stimuli) {
      const offered = explorationEvents(model, snapshot);
      expect(offered, `${path.name}: ${JSON.stringify(stimulus)}`).toContainEqual(stimulus);
      const result = model.step(snapshot, stimulus);
      for (const outcome of guardOutcomes(model, snapshot, stimulus, result.transitions))
        guards.add(guardKey(outcome));
      for (const meta of result.transitions) onPath.add(meta.id);
      snapshot = result.snapshot;
    }
    for (const id of path.covers) expect(onPath, `${path.name} covers ${id}`).toContain(id);
    for (const id of onPath) taken.add(id);
  }
  return { taken, guards };
}

/**
 * Off-grid timer values, each beside a profile whose timing constants come in the same order
 * and whose concrete graph stays small enough to enumerate (on the 1000-ms grid, or off it
 * in one value only): the plans must cover the same.
 */
const oddProfiles: [string, Profile, Profile][] = [
  [
    'composing time-out 3001 ms',
    withTiming(guideProfile, { composingTimeoutMs: 3001 }),
    withTiming(guideProfile, { composingTimeoutMs: 3000 }),
  ],
  [
    'composing time-out 7777 ms',
    withTiming(guideProfile, { composingTimeoutMs: 7777 }),
    withTiming(guideProfile, { composingTimeoutMs: 8000 }),
  ],
  [
    'composing time-out 29999 ms',
    withTiming(basicProfile, { composingTimeoutMs: 29_999 }),
    withTiming(basicProfile, { composingTimeoutMs: 29_000 }),
  ],
  [
    'composing time-out 29999 ms, revert tolerance 3333 ms',
    withTiming(guideProfile, { composingTimeoutMs: 29_999, revertToleranceMs: 3333 }),
    withTiming(guideProfile, { composingTimeoutMs: 29_999, revertToleranceMs: 4000 }),
  ],
  [
    'revert tolerance 3333 ms',
    withTiming(guideProfile, { revertToleranceMs: 3333 }),
    withTiming(guideProfile, { revertToleranceMs: 4000 }),
  ],
  [
    'remote idle 6001 ms',
    withTiming(referencePageProfile, { remoteIdleMs: 6001 }),
    withTiming(referencePageProfile, { remoteIdleMs: 7000 }),
  ],
  [
    'time-out 7777, tolerance 3333 and remote idle 6001 ms',
    withTiming(referencePageProfile, {
      composingTimeoutMs: 7777,
      revertToleranceMs: 3333,
      remoteIdleMs: 6001,
    }),
    withTiming(referencePageProfile, {
      composingTimeoutMs: 8000,
      revertToleranceMs: 4000,
      remoteIdleMs: 7000,
    }),
  ],
];

describe.each(oddProfiles)('planning with off-grid timers: %s', (_name, odd, onGrid) => {
  const model = flowOf(odd);
  const plan = planPaths(model);

  it('replays every path on the concrete machine as the abstract graph predicted', () => {
    expect(plan.stepsDisagreeing).toBe(0);
    expect([...(plan.notPlanned ?? new Map())]).toEqual([]);
    const { taken, guards } = replay(model, plan);
    for (const id of plannedOf(plan)) expect(taken, id).toContain(id);
    for (const goal of plan.guardGoals) expect(guards, goal).toContain(goal);
  });

  it('plans every transition of a composing episode left to run out, deadline by deadline', () => {
    // Concrete timing decides where a refresh falls against the time-out and the window
    // (29999 ms leaves the refresh 1 ms into a 3333 ms window): the plan must know it.
    let snapshot = model.initial();
    const taken = new Set<string>();
    const stimuli = [
      { type: 'app.establish', template: null },
      { type: 'app.setComposing' },
    ] as const;
    for (const stimulus of stimuli) snapshot = model.step(snapshot, stimulus).snapshot;
    for (let deadline = model.nextDeadlineMs(snapshot); deadline !== null; ) {
      const result = model.step(snapshot, { type: 'clock.advance', ms: deadline });
      for (const meta of result.transitions) taken.add(meta.id);
      snapshot = result.snapshot;
      deadline = model.nextDeadlineMs(snapshot);
    }
    expect(taken.size).toBeGreaterThan(1);
    const planned = plannedOf(plan);
    for (const id of taken) expect(planned, id).toContain(id);
  });

  it('keeps the graph as small as an on-grid profile', () => {
    // Concrete amounts off the grid give hundreds of thousands of states.
    expect(plan.reachableStates).toBeLessThan(3000);
  });

  it('plans what the concrete machine of the on-grid profile can take', () => {
    const reference = planPaths(flowOf(onGrid), { abstraction: 'concrete' });
    expect(plannedOf(plan)).toEqual(plannedOf(reference));
    expect([...plan.guardGoals].sort()).toEqual([...reference.guardGoals].sort());
    expect(reachedSituations(plan)).toEqual(reachedSituations(reference));
  });
});

describe.each(
  builtInProfiles.flatMap((profile) =>
    createModels(profile)
      .filter((model) => !model.capability || profile.capabilities[model.capability])
      .map((model) => [`${profile.name} ${model.id}`, model] as const),
  ),
)('abstract and concrete planning agree: %s', (_name, model) => {
  it('covers every transition, guard outcome and situation the concrete graph offers', () => {
    const abstract = planPaths(model);
    const concrete = planPaths(model, { abstraction: 'concrete' });
    expect(abstract.stepsDisagreeing).toBe(0);
    expect(concrete.stepsDisagreeing).toBe(0);
    expect(plannedOf(abstract)).toEqual(plannedOf(concrete));
    expect([...abstract.guardGoals].sort()).toEqual([...concrete.guardGoals].sort());
    expect(reachedSituations(abstract)).toEqual(reachedSituations(concrete));
    expect(abstract.reachableStates).toBeLessThanOrEqual(concrete.reachableStates);
  });
});

const longTimeouts: [string, Profile][] = [
  ...builtInProfiles.map((profile): [string, Profile] => [
    `${profile.name} (its templates set long time-outs)`,
    profile,
  ]),
  [
    'ucma-reference, time-out 29999 ms',
    withTiming(referencePageProfile, { composingTimeoutMs: 29_999 }),
  ],
  [
    'ucma-guide, time-out 29999 ms, revert tolerance 3333 ms',
    withTiming(guideProfile, { composingTimeoutMs: 29_999, revertToleranceMs: 3333 }),
  ],
];

describe.each(longTimeouts)(
  'the middle refresh cycles of a long time-out, run by the clock alone: %s',
  (_name, profile) => {
    it('plan all that exploring every stimulus in them plans, from a smaller graph', () => {
      const model = flowOf(profile);
      // The same machine explored everywhere: a model the plan cache cannot tell apart, so the
      // cache stays out of this comparison.
      const everywhere: MachineModel = { ...model, explores: () => 'everything' };
      const before = process.env[CACHE_DIR_VARIABLE];
      process.env[CACHE_DIR_VARIABLE] = 'off';
      forgetPlansInMemory();
      try {
        const pruned = planPaths(model);
        forgetPlansInMemory();
        const full = planPaths(everywhere);
        expect(pruned.stepsDisagreeing).toBe(0);
        expect(plannedOf(pruned)).toEqual(plannedOf(full));
        expect([...pruned.guardGoals].sort()).toEqual([...full.guardGoals].sort());
        expect(reachedSituations(pruned)).toEqual(reachedSituations(full));
        expect(pruned.edges).toBeLessThan(full.edges);
        expect(pruned.reachableStates).toBeLessThan(full.reachableStates);
      } finally {
        if (before === undefined) delete process.env[CACHE_DIR_VARIABLE];
        else process.env[CACHE_DIR_VARIABLE] = before;
        forgetPlansInMemory();
      }
    });
  },
);
