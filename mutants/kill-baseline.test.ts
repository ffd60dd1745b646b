import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNS } from '../conformance/suite.ts';
import { mutants } from './catalogue.ts';
import { baselinesFor, runBaseline, runMutant } from './kill.ts';

/**
 * The other half of the kill test (`kill.test.ts`, same seed and runs), in a file of its own
 * so that a second worker runs it beside the kills: the unmutated reference passes the very
 * tests the mutants fail, and a strict mutant passes an ordinary run.
 */
const options = { seed: 1, runs: DEFAULT_RUNS } as const;
const timeout = 600_000;

describe('mutants: baseline', () => {
  for (const { profile, strict } of baselinesFor(mutants)) {
    it(`the unmutated reference is conformant under ${profile}${strict ? ', strict' : ''}`, {
      timeout,
    }, async () => {
      const baseline = await runBaseline(profile, { ...options, strict });
      expect(baseline.requirementsReported).toEqual([]);
      expect(baseline.conformant).toBe(true);
    });
  }
});

// A strict mutant takes a branch the model allows: an ordinary run passes it and lists the
// advisory of its rule, which the strict run above turned into the failure.
describe('mutants: a strict mutant passes an ordinary run with an advisory of its rule', () => {
  for (const mutant of mutants.filter((m) => m.strict && !m.knownKitGap)) {
    it(`${mutant.id} (${mutant.requirement}, ${mutant.profile})`, { timeout }, async () => {
      const result = await runMutant(mutant, { ...options, strict: false });
      expect(result.error).toBeUndefined();
      expect(result.strict).toBe(false);
      expect(result.requirementsReported).toEqual([]);
      expect(result.killed).toBe(false);
      expect(result.advisoriesReported).toContain(mutant.requirement);
    });
  }
});
