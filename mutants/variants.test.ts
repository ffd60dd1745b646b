import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contradictions, openPoints } from '../machines/index.ts';
import { mutateSource, repositoryRoot } from './apply.ts';
import { checkVariantsPass } from './variant-runs.ts';
import { variantProfile, variants } from './variants.ts';

/**
 * Every variant takes a legitimate behaviour, so the kit must pass it: a failure here is a
 * false failure of the kit, not a bug of the variant.
 */
describe('variants: each legitimate behaviour passes under the profile it states', () => {
  it('has unique ids, valid profiles and patches that still apply', () => {
    expect(new Set(variants.map((v) => v.id)).size).toBe(variants.length);
    for (const variant of variants) {
      expect(() => variantProfile(variant)).not.toThrow();
      for (const patch of variant.patches) {
        const source = readFileSync(join(repositoryRoot, patch.file), 'utf8');
        expect(mutateSource({ id: variant.id, ...patch }, source)).not.toBe(source);
      }
    }
  });

  it('covers every contradiction with a profile option by a variant of it or of its option', () => {
    const covered = new Set(variants.map((v) => v.openPoint));
    for (const contradiction of contradictions) {
      if (!contradiction.option) continue;
      expect(
        covered.has(contradiction.id) || covered.has(contradiction.option),
        `no variant for ${contradiction.id} (${contradiction.option})`,
      ).toBe(true);
    }
  });

  it('covers every open point that leaves a choice: an allowed branch by a variant of it, a profile option by a variant of it or of its option', () => {
    const covered = new Set(variants.map((v) => v.openPoint));
    const contradictionOf = new Map(contradictions.map((c) => [c.option, c.id]));
    for (const point of openPoints) {
      if (point.resolution !== 'allowed branch' && point.resolution !== 'profile option') continue;
      const option = point.option;
      const viaOption =
        option !== undefined &&
        (covered.has(option) || covered.has(contradictionOf.get(option) ?? option));
      expect(covered.has(point.id) || viaOption, `no variant for ${point.id}`).toBe(true);
    }
  });

  // The first half of the variants; `variants-second-half.test.ts` runs the rest beside it.
  checkVariantsPass(variants.slice(0, Math.ceil(variants.length / 2)));
});
