import { describe, expect, it } from 'vitest';
import {
  basicProfile,
  createModels,
  declaredTransitions,
  explorationEvents,
  guideProfile,
  INVALID_COMPOSING_TIMEOUTS,
  type MachineModel,
  type Profile,
  referencePageProfile,
} from '../machines/index.ts';
import { guardKey, guardOutcomes } from './guards.ts';
import { type PathPlan, planPaths } from './paths.ts';

const modelOf = (profile: Profile, id: MachineModel['id']): MachineModel => {
  const model = createModels(profile).find((m) => m.id === id);
  if (!model) throw new Error(`no ${id} model`);
  return model;
};

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Walks every path on the model; returns the transitions each one takes, in order. */
function walk(model: MachineModel, plan: PathPlan): string[][] {
  return plan.paths.map((path) => {
    let snapshot = model.initial();
    const taken: string[] = [];
    path.stimuli.forEach((stimulus, index) => {
      const offered = explorationEvents(model, snapshot);
      if (!offered.some((event) => same(event, stimulus))) {
        throw new Error(
          `${path.name}, step ${index + 1}: ${JSON.stringify(stimulus)} is not among the events explored in ${model.serialize(snapshot)}`,
        );
      }
      const result = model.step(snapshot, stimulus);
      taken.push(...result.transitions.map((t) => t.id));
      snapshot = result.snapshot;
    });
    return taken;
  });
}

const cases: [string, Profile, MachineModel['id']][] = [
  ['basic flow', basicProfile, 'imFlow'],
  ['ucma-guide flow', guideProfile, 'imFlow'],
  ['ucma-guide MCU session', guideProfile, 'mcuSession'],
  ['ucma-reference MCU session', referencePageProfile, 'mcuSession'],
];

describe.each(cases)('planPaths: %s', (_name, profile, id) => {
  const model = modelOf(profile, id);
  const plan = planPaths(model);
  const declared = declaredTransitions(model.machine).map((t) => t.meta);

  it('classifies every declared transition, and plans some', () => {
    expect([...plan.transitions.keys()].sort()).toEqual(declared.map((meta) => meta.id).sort());
    expect([...plan.transitions.values()]).toContain('planned');
    expect(plan.machine).toBe(id);
  });

  it('plans no transition the profile does not claim, and no spontaneous move', () => {
    for (const meta of declared) {
      const status = plan.transitions.get(meta.id);
      if (meta.capability && !profile.capabilities[meta.capability]) {
        expect(status, meta.id).toBe('not-claimed');
      }
      if (meta.spontaneous) expect(status, meta.id).not.toBe('planned');
    }
  });

  it('starts every path from the initial state, with stimuli the model explores there', () => {
    expect(plan.paths.length).toBeGreaterThan(0);
    for (const path of plan.paths) expect(path.stimuli.length, path.name).toBeGreaterThan(0);
    expect(() => walk(model, plan)).not.toThrow();
  });

  it('takes every planned transition on some path, where the path says it covers it', () => {
    const taken = walk(model, plan);
    const planned = [...plan.transitions].filter(([, s]) => s === 'planned').map(([t]) => t);
    const covered = plan.paths.flatMap((path) => path.covers);
    expect([...covered].sort()).toEqual([...planned].sort());
    plan.paths.forEach((path, index) => {
      for (const transition of path.covers) expect(taken[index], path.name).toContain(transition);
    });
  });

  it('claims each transition for one path only', () => {
    const covered = plan.paths.flatMap((path) => path.covers);
    expect(new Set(covered).size).toBe(covered.length);
  });

  it('reports its totals', () => {
    expect(plan.totalSteps).toBe(plan.paths.reduce((sum, path) => sum + path.stimuli.length, 0));
    expect(new Set(plan.paths.map((path) => path.name)).size).toBe(plan.paths.length);
    expect(plan.reachableStates).toBeGreaterThan(1);
    expect(plan.edges).toBeGreaterThanOrEqual(plan.reachableStates - 1);
  });
});

describe('planPaths: timers', () => {
  it('tests the composing time-out on both sides of its boundary', () => {
    const model = modelOf(basicProfile, 'imFlow');
    const probes: string[] = [];
    for (const path of planPaths(model).paths) {
      let snapshot = model.initial();
      let oneShort = false;
      for (const stimulus of path.stimuli) {
        const result = model.step(snapshot, stimulus);
        const ids = result.transitions.map((t) => t.id);
        if (ids.includes('local.timeout.instant')) {
          // Reached either in one step, or one millisecond after a step that stopped short.
          probes.push(
            oneShort && stimulus.type === 'clock.advance' && stimulus.ms === 1
              ? 'after probe'
              : 'at once',
          );
        }
        // A step that leaves the model composing, one millisecond short of a deadline.
        oneShort =
          ids.includes('local.composing.wait') && model.nextDeadlineMs(result.snapshot) === 1;
        snapshot = result.snapshot;
      }
    }
    expect(probes).toContain('after probe');
  });

  it('never plans a clock step across a deadline of the model', () => {
    const model = modelOf(guideProfile, 'imFlow');
    for (const path of planPaths(model).paths) {
      let snapshot = model.initial();
      for (const stimulus of path.stimuli) {
        const deadline = model.nextDeadlineMs(snapshot);
        if (stimulus.type === 'clock.advance' && deadline !== null) {
          expect(stimulus.ms, path.name).toBeLessThanOrEqual(deadline);
        }
        snapshot = model.step(snapshot, stimulus).snapshot;
      }
    }
  });
});

describe('guard outcomes and situations', () => {
  /** Every guard outcome (`id:true`, `id:false`) the paths show, walking the model. */
  function outcomesOf(model: MachineModel, plan: PathPlan): Set<string> {
    const seen = new Set<string>();
    for (const path of plan.paths) {
      let snapshot = model.initial();
      for (const stimulus of path.stimuli) {
        for (const outcome of guardOutcomes(model, snapshot, stimulus)) seen.add(guardKey(outcome));
        snapshot = model.step(snapshot, stimulus).snapshot;
      }
    }
    return seen;
  }

  for (const profile of [guideProfile, referencePageProfile]) {
    it(`plans every guard seen holding and failing under ${profile.name}`, () => {
      for (const id of ['imFlow', 'mcuSession'] as const) {
        const model = modelOf(profile, id);
        const plan = planPaths(model);
        expect(plan.guardGoals.length, id).toBeGreaterThan(5);
        const seen = outcomesOf(model, plan);
        const spontaneous = new Set(
          declaredTransitions(model.machine)
            .filter((t) => t.meta.spontaneous)
            .map((t) => t.meta.id),
        );
        // The implementation's own moves are never planned; every other outcome is.
        const missing = plan.guardGoals.filter(
          (goal) => !seen.has(goal) && !spontaneous.has(goal.split(':')[0] as string),
        );
        expect(missing, id).toEqual([]);
      }
    });

    it(`reaches the situations no transition captures under ${profile.name}`, () => {
      const flow = planPaths(modelOf(profile, 'imFlow'));
      expect(flow.situations.size).toBe(10);
      expect([...flow.situations].filter(([, reached]) => !reached)).toEqual([]);
      expect(
        flow.situations.get(
          'Composing set again while the time-out runs, then the restarted time-out',
        ),
      ).toBe(true);
      const mcu = planPaths(modelOf(profile, 'mcuSession'));
      expect(mcu.situations.get('BeginJoin callback after the MCU became active')).toBe(true);
      const flowModel = modelOf(profile, 'imFlow');
      const taken = walk(flowModel, flow);
      const inOrder = (ids: readonly (readonly string[])[]) =>
        taken.some((path) => {
          let at = 0;
          for (const id of path) if (ids[at]?.includes(id)) at++;
          return at === ids.length;
        });
      expect(
        inOrder([['deliveryFailure'], ['deliverySuccess.second', 'deliveryFailure.second']]),
      ).toBe(true);
      expect(inOrder([['receive.proxied'], ['receive.proxied']])).toBe(true);
      expect(
        inOrder([
          ['local.reverting.composingAgain', 'local.reverting.composingAgain.notified'],
          ['local.refresh'],
          ['local.timeout', 'local.timeout.instant', 'local.timeout.instant.notified'],
        ]),
      ).toBe(true);
    });

    it(`probes what a refused template and a second message leave behind under ${profile.name}`, () => {
      const model = modelOf(profile, 'imFlow');
      const plan = planPaths(model);
      const taken = walk(model, plan);
      expect(
        plan.paths.some((path) =>
          path.stimuli.some(
            (stimulus) => stimulus.type === 'remote.deliveryNotification' && stimulus.message === 2,
          ),
        ),
      ).toBe(true);
      // Each refused time-out opens a case that composes, is still Composing some time on, and
      // waits out the default time-out.
      for (const composingTimeoutMs of INVALID_COMPOSING_TIMEOUTS) {
        const probes = plan.paths.filter((path, index) => {
          const [first] = path.stimuli;
          const ids = taken[index] ?? [];
          const waited = ids.indexOf('local.composing.wait');
          return (
            first?.type === 'app.establish' &&
            first.template?.composingTimeoutMs === composingTimeoutMs &&
            ids[0] === 'establish.invalidTemplate' &&
            ids.indexOf('local.startComposing') === 1 &&
            waited > 1 &&
            ids.slice(waited).some((id) => id.startsWith('local.timeout'))
          );
        });
        expect(probes.length, `${composingTimeoutMs} ms`).toBeGreaterThan(0);
      }
    });
  }
});

describe('--only plans what the group needs', () => {
  it('drives local composing with establish, composing, idle, send and the clock only', () => {
    const model = modelOf(guideProfile, 'imFlow');
    const plan = planPaths(model, { only: 'local-composing' });
    expect([...plan.stimulusTypes].sort()).toEqual(
      ['app.establish', 'app.send', 'app.setComposing', 'app.setIdle', 'clock.advance'].sort(),
    );
    const driven = new Set(plan.paths.flatMap((p) => p.stimuli.map((s) => s.type)));
    expect([...driven].every((type) => plan.stimulusTypes.has(type))).toBe(true);
    // Only the group's transitions are goals; the rest are marked as another group's.
    for (const [id, status] of plan.transitions) {
      const meta = declaredTransitions(model.machine).find((t) => t.meta.id === id)?.meta;
      const inGroup = meta?.requirements.some((r) => r.startsWith('LC-'));
      if (!inGroup) expect(status, id).toBe('other-group');
    }
    expect(plan.totalSteps).toBeLessThan(planPaths(model).totalSteps);
  });
});
