import { describe, expect, it } from 'vitest';
import { createModels, declaredTransitions, guideProfile } from '../machines/index.ts';
import { runProperty } from './properties.ts';
import { blamedInCase, failingCases } from './reporters/format.ts';
import { runSuite } from './suite.ts';
import { twoBugs } from './test-adapters/declared.ts';

const limits = { stepTimeoutMs: 2000, drainTurns: 20 };
const failedRules = (result: Awaited<ReturnType<typeof runSuite>>) =>
  result.profiles[0]?.requirements
    .filter((v) => v.verdict === 'fail')
    .map((v) => v.requirement.id) ?? [];

/** The path tests alone of the two-bug adapter: one run, which both tests below read. */
let twoBugsRun: ReturnType<typeof runSuite> | undefined;
const pathTestsOfTwoBugs = () => {
  twoBugsRun ??= runSuite({
    adapter: twoBugs,
    profiles: [guideProfile],
    machine: 'imFlow',
    seed: 1,
    runs: 0,
    limits,
  });
  return twoBugsRun;
};

describe('one run reports every distinct failing rule', () => {
  it('names both of two independent bugs with path tests alone', async () => {
    const result = await pathTestsOfTwoBugs();
    expect(failedRules(result)).toEqual(expect.arrayContaining(['LC-2', 'DN-3']));
    const distinct = failingCases(result.profiles[0] as never);
    // A case names the rules of all its failing steps (it may go on after the first).
    const named = distinct.map((c) => blamedInCase(c.trace));
    // Each distinct failure once: no two listed cases name the same rules.
    expect(new Set(named.map((rules) => rules?.join())).size).toBe(distinct.length);
    // Each listed case is the shortest of those naming its rules.
    for (const failing of distinct) {
      for (const other of failing.alsoIn) {
        const trace = result.profiles[0]?.machines[0]?.pathCases.find((c) => c.name === other);
        expect(trace?.steps.length).toBeGreaterThanOrEqual(failing.trace.steps.length);
      }
    }
  });

  it('steers re-planned cases away from the rules that already failed', async () => {
    const result = await pathTestsOfTwoBugs();
    const machine = result.profiles[0]?.machines[0];
    expect(machine?.plan.replans).toBeGreaterThan(0);
    const firstRound = machine?.pathCases.filter((c) => !c.name.includes(' re-plan ')) ?? [];
    const secondRound = machine?.pathCases.filter((c) => c.name.includes(' re-plan 1 ')) ?? [];
    expect(secondRound.length).toBeGreaterThan(0);
    const failedFirst = new Set(
      firstRound.flatMap((c) =>
        c.steps.filter((s) => s.verdict === 'fail').flatMap((s) => s.failure?.requirements ?? []),
      ),
    );
    const model = createModels(guideProfile)[0];
    const avoided = new Set(
      (model ? declaredTransitions(model.machine) : [])
        .filter((t) => t.meta.requirements.some((id) => failedFirst.has(id)))
        .map((t) => t.meta.id),
    );
    expect(avoided.size).toBeGreaterThan(0);
    for (const trace of secondRound) {
      for (const step of trace.steps) {
        for (const id of step.transitions)
          expect(avoided.has(id), `${trace.name}: ${id}`).toBe(false);
      }
    }
  });

  it('goes on searching for counterexamples of other rules after the first one', async () => {
    const model = createModels(guideProfile)[0];
    if (!model) throw new Error('no flow model');
    const result = await runProperty({
      adapter: twoBugs,
      model,
      runs: 100,
      seed: 1,
      limits,
      replayCommand: (seed, path) => `--seed ${seed} --path ${path}`,
    });
    const named = [result.failure, ...(result.further ?? [])].map(
      (f) => f?.trace.steps.find((s) => s.verdict === 'fail')?.failure?.requirements ?? [],
    );
    expect(named.length).toBeGreaterThan(1);
    expect(named.flat()).toEqual(expect.arrayContaining(['LC-2', 'DN-3']));
    // Each further counterexample names a rule none before it named.
    for (const [index, rules] of named.entries()) {
      const before = new Set(named.slice(0, index).flat());
      if (index > 0) expect(rules.some((rule) => !before.has(rule))).toBe(true);
    }
    // Each replays with its own seed.
    for (const failure of result.further ?? [])
      expect(failure.replay).toMatch(/--seed \d+ --path \S+/);
  });
});
