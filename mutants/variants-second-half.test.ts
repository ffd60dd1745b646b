import { describe } from 'vitest';
import { checkVariantsPass } from './variant-runs.ts';
import { variants } from './variants.ts';

// The second half of the variants of `variants.test.ts`, in a file of its own so that a second
// worker runs it beside the first half.
describe('variants: each legitimate behaviour passes under the profile it states (second half)', () => {
  checkVariantsPass(variants.slice(Math.ceil(variants.length / 2)));
});
