import { beforeAll, describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import {
  builtInProfiles,
  createModels,
  declaredTransitions,
  requirements,
} from '../machines/index.ts';
import type { ProfileResult } from './results.ts';
import { runSuite } from './suite.ts';

/** Coverage statuses that are not gaps: the profile rules the transition out, or the implementation chose. */
const excused = new Set(['not-claimed', 'other-reading', 'not-chosen']);

const fail = (): never => {
  throw new Error('no model for a machine of the result');
};

describe.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
  'the reference adapter under %s',
  (_name, profile) => {
    let result: ProfileResult;
    beforeAll(async () => {
      const suite = await runSuite({
        adapter: referenceAdapter,
        profiles: [profile],
        seed: 2024,
        runs: 40,
      });
      expect(suite.profiles).toHaveLength(1);
      result = suite.profiles[0] as ProfileResult;
    }, 60_000);

    it('is conformant, with no failing test case', () => {
      expect(result.verdict).toBe('conformant');
      for (const machine of result.machines) {
        const failing = machine.pathCases.filter((trace) => trace.verdict !== 'pass');
        expect(
          failing.map((trace) => trace.steps.at(-1)?.failure),
          machine.machine,
        ).toEqual([]);
        if (machine.status === 'run') {
          expect(machine.property?.passed, machine.property?.error).toBe(true);
          expect(machine.property?.runs).toBe(40);
        }
      }
    });

    it('fails no requirement; only unclaimed or undrivable ones are inconclusive', () => {
      for (const verdict of result.requirements) {
        expect(verdict.failures, verdict.requirement.id).toEqual([]);
        expect(verdict.verdict, verdict.requirement.id).not.toBe('fail');
        if (verdict.requirement.untestable) expect(verdict.verdict).toBe('untestable');
        if (verdict.verdict === 'inconclusive') {
          // The reference's call has no flow before it is established: its adapter declares
          // the flow operations there unsupported, so the rule about them cannot be exercised.
          expect(verdict.reason, verdict.requirement.id).toMatch(
            verdict.requirement.id === 'LIFE-3'
              ? /declares unsupported: app\.send, .* while flowState is idle/
              : /does not claim/,
          );
        }
      }
      expect(result.requirements.map((v) => v.requirement.id)).toEqual(
        requirements.map((r) => r.id),
      );
    });

    it('runs the machines whose capability the profile claims, and only those', () => {
      for (const machine of result.machines) {
        const claimed = machine.machine === 'imFlow' || profile.capabilities.mcuSession;
        expect(machine.status, machine.machine).toBe(claimed ? 'run' : 'not-claimed');
        if (!claimed) {
          expect(machine.pathCases).toEqual([]);
          expect(new Set(Object.values(machine.coverage.transitions))).toEqual(
            new Set(['not-claimed']),
          );
        }
      }
    });

    it('covers with path tests every transition not ruled out by the profile or left to the implementation', () => {
      for (const machine of result.machines.filter((m) => m.status === 'run')) {
        const statuses = Object.entries(machine.coverage.transitions);
        expect(statuses.length).toBe(machine.plan.transitions);
        const gaps = statuses.filter(([, status]) => !excused.has(status) && status !== 'covered');
        expect(gaps, machine.machine).toEqual([]);
        expect(statuses.some(([, status]) => status === 'covered')).toBe(true);
        // Every planned path ran to its end.
        expect(machine.pathCases).toHaveLength(machine.plan.paths);
        const steps = machine.pathCases.reduce((sum, trace) => sum + trace.steps.length, 0);
        expect(steps).toBeGreaterThanOrEqual(machine.plan.totalSteps);
      }
    });

    it('visits every state of each machine it runs, except those the profile rules out', () => {
      for (const machine of result.machines.filter((m) => m.status === 'run')) {
        const model = createModels(profile).find((m) => m.id === machine.machine);
        const into = declaredTransitions(model?.machine ?? fail()).map((t) => ({
          targets: t.targets,
          status: machine.coverage.transitions[t.meta.id],
        }));
        for (const state of machine.coverage.states.uncovered) {
          const ways = into.filter((t) => t.targets.includes(state));
          expect(ways.length, state).toBeGreaterThan(0);
          for (const way of ways)
            expect(['not-claimed', 'other-reading'], state).toContain(way.status);
        }
        expect(machine.coverage.states.covered).toBe(
          machine.coverage.states.total - machine.coverage.states.uncovered.length,
        );
      }
    });
  },
);
