import { describe, expect, it } from 'vitest';
import { DEFAULT_RUNS } from '../conformance/suite.ts';
import { mutants } from './catalogue.ts';
import { baselinesFor, runBaseline, runMutant } from './kill.ts';

/**
 * Runs the kit against every mutant, one after another (each run materialises a copy and loads
 * it, so running them concurrently buys little and muddles the timings). The same seed and
 * runs as `npm run mutants`, so the test and the printed kill matrix agree: a few mutants
 * (a notification for an unknown message while another one waits, say) are killed only by the
 * property tests.
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

describe('mutants: every mutant is killed and its report names its requirement', () => {
  for (const mutant of mutants) {
    if (!mutant.knownKitGap) {
      it(`${mutant.id} (${mutant.requirement}, ${mutant.profile})`, { timeout }, async () => {
        const result = await runMutant(mutant, options);
        expect(result.error).toBeUndefined();
        expect(result.killed, `${mutant.id} survived`).toBe(true);
        expect(result.requirementsReported).toContain(mutant.requirement);
        expect(result.namesItsRequirement).toBe(true);
        expect(result.strict).toBe(mutant.strict === true);
        // A patch of the implementation leaves the model's inputs alone: one plan serves all.
        expect(result.sharesPlan).toBe(true);
      });
    } else {
      // A documented gap of the kit: the mutant must still load and run, and still fall short.
      // When the kit closes the gap this fails: remove the mutant's knownKitGap note.
      it(`${mutant.id} (${mutant.requirement}, ${mutant.profile}): known kit gap`, {
        timeout,
      }, async () => {
        const result = await runMutant(mutant, options);
        expect(result.error).toBeUndefined();
        expect(
          result.killed && result.namesItsRequirement,
          `${mutant.id} is now killed and named: remove its knownKitGap note`,
        ).toBe(false);
      });
    }
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
