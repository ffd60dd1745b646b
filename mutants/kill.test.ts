import { describe, expect, it } from 'vitest';
import { mutants } from './catalogue.ts';
import { runBaseline, runMutant } from './kill.ts';

/**
 * Runs the kit against every mutant, one after another (each run materialises a copy and loads
 * it, so running them concurrently buys little and muddles the timings). Modest runs and a
 * fixed seed: the kills that count here come from the path tests, which need no luck.
 */
const options = { seed: 1, runs: 30 } as const;
const timeout = 600_000;

describe('mutants: baseline', () => {
  const profiles = [...new Set(mutants.map((mutant) => mutant.profile))];
  it.each(profiles)(
    'the unmutated reference is conformant under %s',
    { timeout },
    async (profile) => {
      const baseline = await runBaseline(profile, options);
      expect(baseline.requirementsReported).toEqual([]);
      expect(baseline.conformant).toBe(true);
    },
  );
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
