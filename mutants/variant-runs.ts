import { expect, it } from 'vitest';
import { runVariant, type Variant } from './variants.ts';

/**
 * Registers one test per variant: it passes under the profile it states, and where it leaves
 * a should-rule's preferred branch, an advisory of that rule says so. Shared by the two test
 * files that split the variants between two workers.
 */
export function checkVariantsPass(list: readonly Variant[]): void {
  for (const variant of list) {
    it(`${variant.id} (${variant.openPoint})`, { timeout: 120_000 }, async () => {
      const result = await runVariant(variant, { seed: 1, runs: 100 });
      expect(result.error).toBeUndefined();
      expect(result.requirementsReported).toEqual([]);
      expect(result.conformant).toBe(true);
      // Leaving a should-rule's preferred branch is allowed, and said: an advisory of that rule.
      if (variant.advises) {
        expect(result.advisories).toBeGreaterThan(0);
        expect(result.advisoryRules).toContain(variant.advises);
      }
    });
  }
}
