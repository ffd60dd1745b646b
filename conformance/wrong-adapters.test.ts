import { describe, expect, it } from 'vitest';
import {
  basicProfile,
  findRequirement,
  guideProfile,
  type MachineModel,
  type Profile,
  type RequirementGroup,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import type { ProfileResult } from './results.ts';
import { runSuite } from './suite.ts';
import * as wrong from './test-adapters/wrong.ts';

interface WrongCase {
  readonly adapter: Adapter;
  readonly profile: Profile;
  readonly machine: MachineModel['id'];
  /** The rules the fault breaks, by the catalogue's text: the kit must name each of them. */
  readonly breaks: readonly string[];
  /** Where any rule the kit blames must come from: nothing outside the fault's area. */
  readonly within: readonly RequirementGroup[];
  /** The fault departs only from a should-rule the model allows: it fails under `--strict`. */
  readonly strict?: true;
}

/**
 * Each wrong adapter breaks one rule. The IDs below come from the catalogue's wording:
 *  - LC-2 "repeats the Typing notification once every refresh period";
 *  - LC-3 "reverts to Idle by itself", LC-5 "the revert may lag the time-out by up to the
 *    tolerance window, and no later" (the basic profile has no window: both at once);
 *  - LC-9 "setting the local composing state raises no RemoteComposingStateChanged", RC-1
 *    "raised only when a composing notification arrives from the remote participant";
 *  - DN-3 "a second notification for the same message is refused";
 *  - CONF-3 "Initialize called outside the configuration handler is refused" (accepting it
 *    without effect is an allowed branch, so that case runs strict);
 *  - MCU-6 "Retrying returns to Active when the failover completes".
 */
const cases: Record<string, WrongCase> = {
  'wrong refresh period (basic)': {
    adapter: wrong.wrongRefreshPeriod,
    profile: basicProfile,
    machine: 'imFlow',
    breaks: ['LC-2'],
    within: ['local-composing'],
  },
  'wrong refresh period (ucma-guide)': {
    adapter: wrong.wrongRefreshPeriod,
    profile: guideProfile,
    machine: 'imFlow',
    breaks: ['LC-2'],
    within: ['local-composing'],
  },
  'no revert after the composing time-out': {
    adapter: wrong.noRevert,
    profile: basicProfile,
    machine: 'imFlow',
    breaks: ['LC-3', 'LC-5'],
    within: ['local-composing'],
  },
  'revert later than the tolerance': {
    adapter: wrong.lateRevert,
    profile: basicProfile,
    machine: 'imFlow',
    breaks: ['LC-5'],
    within: ['local-composing'],
  },
  'refresh later than due': {
    adapter: wrong.lateRefresh,
    profile: guideProfile,
    machine: 'imFlow',
    breaks: ['LC-2'],
    within: ['local-composing'],
  },
  'RemoteComposingStateChanged raised on a local Idle': {
    adapter: wrong.remoteEventOnLocalIdle,
    profile: guideProfile,
    machine: 'imFlow',
    breaks: ['LC-9', 'RC-1'],
    within: ['local-composing', 'remote-composing'],
  },
  'second delivery notification accepted': {
    adapter: wrong.secondNotificationAccepted,
    profile: guideProfile,
    machine: 'imFlow',
    breaks: ['DN-3'],
    // It repeats a notification after the flow terminated too, which LIFE-6 forbids.
    within: ['delivery-notifications', 'flow-lifecycle'],
  },
  'Initialize accepted outside the configuration window': {
    adapter: wrong.initializeAnywhere,
    profile: guideProfile,
    machine: 'imFlow',
    breaks: ['CONF-3'],
    // On a terminated flow the same refusal is also LIFE-6's ("every operation is refused").
    within: ['configuration', 'flow-lifecycle'],
    // Accepted without effect: an allowed branch of CONF-3, an advisory unless strict.
    strict: true,
  },
  'MCU session stuck in Retrying': {
    adapter: wrong.mcuStuckRetrying,
    profile: guideProfile,
    machine: 'mcuSession',
    breaks: ['MCU-6'],
    within: ['mcu-session'],
  },
};

async function check(test: WrongCase): Promise<ProfileResult> {
  const suite = await runSuite({
    adapter: test.adapter,
    profiles: [test.profile],
    machine: test.machine,
    seed: 11,
    runs: 20,
    ...(test.strict ? { strict: test.strict } : {}),
  });
  expect(suite.verdict).toBe('not-conformant');
  return suite.profiles[0] as ProfileResult;
}

const failing = (result: ProfileResult) =>
  result.requirements.filter((v) => v.verdict === 'fail').map((v) => v.requirement.id);

describe.each(Object.entries(cases))('the kit catches: %s', (_name, test) => {
  it('fails the run, names the broken rules, and blames nothing outside their area', async () => {
    const result = await check(test);
    expect(result.verdict).toBe('not-conformant');
    const blamed = failing(result);
    for (const id of test.breaks) expect(blamed).toContain(id);
    for (const id of blamed) expect(test.within, id).toContain(findRequirement(id)?.group);

    // A failing path test names the rule at the step that broke it. It ends there, or goes on
    // from the model state the observation leaves (the step says which): every later failure
    // is marked as coming after the first, and the case ends at its last failure or later.
    const machine = result.machines.find((m) => m.machine === test.machine);
    const failed = machine?.pathCases.filter((trace) => trace.verdict === 'fail') ?? [];
    expect(failed.length).toBeGreaterThan(0);
    for (const trace of failed) {
      const failures = trace.steps.filter((step) => step.verdict === 'fail');
      const first = trace.steps.findIndex((step) => step.verdict === 'fail');
      expect(failures.length).toBeGreaterThan(0);
      expect(failures[0]?.failure?.after).toBeUndefined();
      for (const later of failures.slice(1)) expect(later.failure?.after).toBe(first + 1);
      for (const step of failures) expect(step.failure?.requirements.length).toBeGreaterThan(0);
      const last = trace.steps.map((step) => step.verdict).lastIndexOf('fail');
      if (last < trace.steps.length - 1) expect(trace.steps[last]?.continuation).toBeDefined();
    }
    const named = new Set(
      failed.flatMap((trace) =>
        trace.steps.flatMap(
          (step) => (step.verdict === 'fail' ? step.failure?.requirements : []) ?? [],
        ),
      ),
    );
    expect(test.breaks.some((id) => named.has(id))).toBe(true);
  });
});

describe('a fault in a capability the profile does not claim', () => {
  it('is not held against the implementation: the rule is inconclusive', async () => {
    // basic claims no proxied consumption, so no test reaches a second delivery notification.
    const suite = await runSuite({
      adapter: wrong.secondNotificationAccepted,
      profiles: [basicProfile],
      machine: 'imFlow',
      seed: 11,
      runs: 20,
    });
    expect(suite.verdict).toBe('conformant');
    const dn3 = suite.profiles[0]?.requirements.find((v) => v.requirement.id === 'DN-3');
    expect(dn3?.verdict).toBe('inconclusive');
    expect(dn3?.reason).toMatch(/does not claim/);
  });
});
