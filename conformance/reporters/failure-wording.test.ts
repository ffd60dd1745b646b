import { describe, expect, it } from 'vitest';
import referenceAdapter from '../../adapters/reference.ts';
import { basicProfile, defaultProfile } from '../../machines/index.ts';
import type { Adapter } from '../adapter.ts';
import { runSuite } from '../suite.ts';
import { wrapReference } from '../test-adapters/wrap.ts';
import { failingCases, failingStep, failureDetails } from './format.ts';

/** An implementation that refreshes Typing 1 ms before the refresh period ends. */
const earlyRefresh: Adapter = {
  name: 'refresh one millisecond early',
  profile: defaultProfile.name,
  create: (context) =>
    referenceAdapter.create({
      ...context,
      profile: {
        ...context.profile,
        timing: {
          ...context.profile.timing,
          refreshPeriodMs: (context.profile.timing.refreshPeriodMs - 1) as 3000,
        },
      },
    }),
};

/** An implementation whose call cannot be established: the step that every path starts with. */
const brokenEstablish: Adapter = wrapReference('establishing fails', () => ({
  system: (inner) => ({
    ...inner,
    apply: (stimulus) => {
      if (stimulus.type === 'app.establish') throw new Error('no route to the remote party');
      return inner.apply(stimulus);
    },
    query: () => inner.query(),
  }),
}));

describe('the wording of a failure', () => {
  it('shows the time on both sides when only the timing of the same output differs', async () => {
    const result = await runSuite({
      adapter: earlyRefresh,
      profiles: [defaultProfile],
      machine: 'imFlow',
      only: 'local-composing',
      runs: 0,
    });
    // Some cases probe the millisecond before the deadline, where the early refresh has no
    // counterpart at all; the wording in question is that of a case that passes the deadline.
    const details = failingCases(result.profiles[0] as never).map((failing) =>
      failureDetails(failingStep(failing.trace as never)?.step as never),
    );
    expect(details.length).toBeGreaterThan(0);
    const lines =
      details.find((found) =>
        found.some((line) => /^expected:.*composing state=typing at t=/.test(line)),
      ) ?? (details[0] as string[]);
    const expected = lines.find((line) => line.startsWith('expected:')) ?? '';
    const observed = lines.find((line) => line.startsWith('observed:')) ?? '';
    const due = /composing state=typing at t=(\d+)/.exec(expected)?.[1];
    const seen = /composing state=typing at t=(\d+)/.exec(observed)?.[1];
    expect(due, lines.join('\n')).toBeDefined();
    expect(Number(seen)).toBe(Number(due) - 1);
  });

  it('tells requirements not reached after a failure from those not claimed', async () => {
    // The basic profile claims no MCU session. Every path starts by establishing the call, so
    // an implementation that breaks there leaves the rest unreached, even after re-planning.
    const result = await runSuite({
      adapter: brokenEstablish,
      profiles: [basicProfile],
      runs: 0,
    });
    const verdicts = result.profiles[0]?.requirements ?? [];
    const cause = (id: string) => verdicts.find((v) => v.requirement.id === id);
    const notClaimed = verdicts.filter((v) => v.cause === 'not-claimed');
    const notReached = verdicts.filter((v) => v.cause === 'not-reached');
    expect(notClaimed.map((v) => v.requirement.group)).toContain('mcu-session');
    expect(notReached.length).toBeGreaterThan(0);
    for (const v of notReached) {
      expect(v.verdict).toBe('inconclusive');
      expect(v.reason).toMatch(/^Not reached: a test failed at an earlier step/);
    }
    expect(cause('MCU-1')?.reason).toMatch(/^Not claimed: /);
  });
});
