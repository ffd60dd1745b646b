/**
 * Shared by the report's tests: a wrong adapter whose run fails in several ways and whose
 * strings try to break out of the page.
 */
import referenceAdapter from '../adapters/reference.ts';
import type { Adapter } from '../conformance/adapter.ts';
import type { SuiteResult } from '../conformance/results.ts';
import { runSuite } from '../conformance/suite.ts';
import type { Profile } from '../machines/index.ts';

/** What the wrong adapter reports as the body of every message it receives. */
export const EVIL_BODY =
  '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">';
/** Its name, shown in the report's header. */
export const EVIL_NAME = 'wrong <img src=x onerror="window.__pwned=3"> & co';

/**
 * The reference implementation, wrapped so that it is wrong twice: it drops the Typing
 * refreshes (a Typing notification sent while time passes rather than when the application
 * asked) and rewrites the body of every message it reports received to `EVIL_BODY`.
 */
export const wrongAdapter: Adapter = {
  name: EVIL_NAME,
  profile: 'ucma-guide',
  // What the reference cannot be driven with, this wrapper cannot either.
  ...(referenceAdapter.declarations ? { declarations: referenceAdapter.declarations } : {}),
  async create(context) {
    let appliedAt = -1;
    const inner = await referenceAdapter.create({
      ...context,
      observe: (output) => {
        if (output.channel === 'wire' && output.kind === 'composing' && output.state === 'typing') {
          if (context.clock.now() !== appliedAt) return;
        }
        if (output.channel === 'event' && output.name === 'messageReceived') {
          context.observe({ ...output, body: EVIL_BODY });
          return;
        }
        context.observe(output);
      },
    });
    return {
      apply: async (stimulus) => {
        appliedAt = context.clock.now();
        await inner.apply(stimulus);
      },
      query: () => inner.query(),
      settle: () => inner.settle?.() ?? Promise.resolve(),
      dispose: () => inner.dispose?.(),
    };
  },
};

/** A failing run of the wrong adapter: one profile, a few property runs, a fixed seed. */
export function failingRun(profile: Profile, runs = 10): Promise<SuiteResult> {
  return runSuite({ adapter: wrongAdapter, profiles: [profile], seed: 20_240_611, runs });
}
