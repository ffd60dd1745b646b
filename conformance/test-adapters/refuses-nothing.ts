import referenceAdapter from '../../adapters/reference.ts';
import type { Adapter } from '../adapter.ts';

/**
 * The reference implementation with every refusal swallowed: errors are neither reported nor
 * thrown, so the kit sees an implementation that refuses nothing.
 */
const refusesNothing: Adapter = {
  name: 'refuses nothing',
  profile: 'ucma-guide',
  async create(context) {
    const inner = await referenceAdapter.create({
      ...context,
      observe: (output) => {
        if (output.channel !== 'error') context.observe(output);
      },
    });
    return {
      apply: async (stimulus) => {
        try {
          await inner.apply(stimulus);
        } catch {
          // The refusal is the bug this adapter exists to show.
        }
      },
      query: () => inner.query(),
      settle: () => inner.settle?.() ?? Promise.resolve(),
    };
  },
};

export default refusesNothing;
