import { beforeAll, describe, expect, it } from 'vitest';
import {
  builtInProfiles,
  findBuiltInProfile,
  type Profile,
  parseProfile,
  type RequirementGroup,
  requirements,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import type { Limits } from './case-run.ts';
import { formatFailure } from './reporters/format.ts';
import type { ProfileResult } from './results.ts';
import { runSuite } from './suite.ts';

/** Options of {@link conformanceSuite}; every one has a default. */
export interface ConformanceSuiteOptions {
  /** Profiles to check: `'all'` built-ins, names or profile objects. Default: the adapter's. */
  readonly profiles?: 'all' | readonly (string | Profile | Record<string, unknown>)[];
  /** Seed of the property tests; fixed by default so a suite is repeatable run to run. */
  readonly seed?: number;
  /** Property-test runs per machine. */
  readonly runs?: number;
  readonly only?: RequirementGroup;
  /** Advisories fail (as `--strict`); by default a rule with advisories passes. */
  readonly strict?: boolean;
  readonly limits?: Limits;
  /**
   * Stop each profile's run at its first failing test case (as `--bail`): the failing rule's
   * test fails, and the rules left unrun fail as not run rather than pass.
   */
  readonly bail?: boolean;
  /** Real-time budget of the whole run per profile, in milliseconds. */
  readonly timeoutMs?: number;
}

function resolveProfile(claim: string | Profile | Record<string, unknown>): Profile {
  if (typeof claim !== 'string') return parseProfile(claim, 'profile');
  const profile = findBuiltInProfile(claim);
  if (!profile) {
    throw new Error(
      `Unknown profile "${claim}"; built-in profiles: ${builtInProfiles.map((p) => p.name).join(', ')}.`,
    );
  }
  return profile;
}

/**
 * Registers the conformance suite in the calling Vitest file: one `describe` per profile and
 * one test per requirement, failing with the shrunk trace and its replay command.
 *
 * ```ts
 * import { conformanceSuite } from 'imflow/vitest';
 * import adapter from './my-adapter.ts';
 * conformanceSuite(adapter);
 * ```
 */
export function conformanceSuite(adapter: Adapter, options: ConformanceSuiteOptions = {}): void {
  const claims =
    options.profiles === 'all' ? builtInProfiles : (options.profiles ?? [adapter.profile]);
  const profiles = claims.map(resolveProfile);
  describe(`imflow conformance: ${adapter.name}`, () => {
    for (const profile of profiles) {
      describe(`profile ${profile.name}`, () => {
        let result: ProfileResult | undefined;
        beforeAll(async () => {
          const suite = await runSuite({
            adapter,
            profiles: [profile],
            seed: options.seed ?? 1,
            ...(options.runs === undefined ? {} : { runs: options.runs }),
            ...(options.only ? { only: options.only } : {}),
            ...(options.strict ? { strict: true } : {}),
            ...(options.limits ? { limits: options.limits } : {}),
            ...(options.bail ? { bail: true } : {}),
          });
          result = suite.profiles[0];
        }, options.timeoutMs ?? 300_000);
        for (const requirement of requirements.filter(
          (r) => !options.only || r.group === options.only,
        )) {
          it(`${requirement.id}: ${requirement.text}`, (context) => {
            const verdict = result?.requirements.find((v) => v.requirement.id === requirement.id);
            if (!result || !verdict)
              throw new Error('The conformance run did not produce a result.');
            if (verdict.verdict === 'untestable' || verdict.verdict === 'inconclusive') {
              context.skip(`${verdict.verdict}: ${verdict.reason ?? ''}`);
            }
            const failing = result.machines
              .flatMap((m) => [
                ...m.pathCases,
                ...(m.property?.failure ? [m.property.failure.trace] : []),
                ...(m.property?.further ?? []).map((f) => f.trace),
              ])
              .filter((trace) => verdict.failures.includes(trace.name))
              .map(formatFailure);
            // A departure from a should-rule the model allows passes (it fails only when strict).
            expect(['pass', 'advisory'], failing.join('\n\n')).toContain(verdict.verdict);
          });
        }
      });
    }
  });
}
