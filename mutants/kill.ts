/**
 * Runs the conformance suite against one mutant and summarises what the kit saw: whether it
 * killed the mutant, by which kind of test, which requirements its report blames, how small the
 * shrunk counterexample is and how long the kit took to see the first failure.
 */

import referenceAdapter from '../adapters/reference.ts';
import type { Adapter } from '../conformance/adapter.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import type { SuiteResult } from '../conformance/results.ts';
import { runSuite } from '../conformance/suite.ts';
import type { Trace } from '../conformance/trace.ts';
import {
  createModels,
  findBuiltInProfile,
  findRequirement,
  type MachineModel,
  type Profile,
} from '../machines/index.ts';
import {
  type MaterialiseOptions,
  MutantApplyError,
  materialise,
  type PatchSet,
  patchSetOf,
} from './apply.ts';
import type { Mutant } from './catalogue.ts';

export interface KillOptions {
  /** Seed of the property tests (fixed, so a run is reproducible). */
  readonly seed: number;
  /** Property-test runs per machine. */
  readonly runs: number;
  /** Advisories fail, as with `--strict` (mutants that break only a should-rule). */
  readonly strict?: boolean;
  /**
   * Stop at the first failing case (as `--bail`), or at the first one a function accepts. A
   * baseline or an unkilled mutant runs to the end either way.
   */
  readonly bail?: boolean | ((failing: Trace) => boolean);
  /** Run only this machine's tests (as `--machine`). */
  readonly machine?: MachineModel['id'];
  readonly materialise?: MaterialiseOptions;
}

export interface MutantResult {
  readonly id: string;
  readonly requirement: string;
  readonly profile: string;
  /** The suite ran with advisories as failures. */
  readonly strict: boolean;
  /** A failing path case or a failing property. */
  readonly killed: boolean;
  readonly killedBy: ('path' | 'property')[];
  /** Requirements the report marks failed, sorted. */
  readonly requirementsReported: string[];
  /** Rules the report lists advisories for (departures from should-rules), sorted. */
  readonly advisoriesReported: string[];
  /** Whether `requirementsReported` includes the mutant's requirement. */
  readonly namesItsRequirement: boolean;
  /** Steps of the shrunk property counterexample, up to and including the failing one. */
  readonly shrunkSteps?: number;
  /** Shrinks fast-check performed on the property counterexample. */
  readonly shrinks?: number;
  /** 1-based index of the failing step in the first failing path case. */
  readonly pathFailureStep?: number;
  /** Real time from the start of the suite to the end of the first failing test case; -1 if none failed. */
  readonly msToFirstFailure: number;
  /** Real time of the whole run of this mutant (materialising included). */
  readonly durationMs: number;
  /**
   * The copy declares the reference's profile and declarations, so its run reuses the plans of
   * the unmutated reference (the planner keeps plans by model, profile and declarations).
   */
  readonly sharesPlan?: boolean;
  /**
   * Set when the mutant could not be run (its snippet no longer matches, the copy does not
   * load or compile, or the suite threw): an error, never a kill.
   */
  readonly error?: string;
}

const failingStepIndex = (trace: Trace): number | undefined => {
  const index = trace.steps.findIndex((step) => step.verdict === 'fail');
  return index === -1 ? undefined : index + 1;
};

/** Summarises a suite result of one mutant. */
export function summarise(
  mutant: Mutant,
  result: SuiteResult,
  timing: { msToFirstFailure: number; durationMs: number },
): MutantResult {
  const killedBy = new Set<'path' | 'property'>();
  const reported = new Set<string>();
  const advised = new Set<string>();
  let shrunkSteps: number | undefined;
  let shrinks: number | undefined;
  let pathFailureStep: number | undefined;
  for (const profile of result.profiles) {
    for (const advisory of profile.advisories) advised.add(advisory.requirement);
    for (const verdict of profile.requirements) {
      if (verdict.verdict === 'fail') reported.add(verdict.requirement.id);
    }
    for (const machine of profile.machines) {
      const failedPath = machine.pathCases.find((trace) => trace.verdict === 'fail');
      if (failedPath) {
        killedBy.add('path');
        pathFailureStep ??= failingStepIndex(failedPath);
      }
      const property = machine.property;
      if (property && !property.passed) {
        killedBy.add('property');
        if (property.failure) {
          shrunkSteps ??=
            failingStepIndex(property.failure.trace) ?? property.failure.trace.steps.length;
          shrinks ??= property.failure.shrinks;
        }
      }
    }
  }
  const requirementsReported = [...reported].sort();
  return {
    id: mutant.id,
    requirement: mutant.requirement,
    profile: mutant.profile,
    strict: result.strict === true,
    killed: killedBy.size > 0,
    killedBy: (['path', 'property'] as const).filter((kind) => killedBy.has(kind)),
    requirementsReported,
    advisoriesReported: [...advised].sort(),
    namesItsRequirement: requirementsReported.includes(mutant.requirement),
    ...(shrunkSteps === undefined ? {} : { shrunkSteps }),
    ...(shrinks === undefined ? {} : { shrinks }),
    ...(pathFailureStep === undefined ? {} : { pathFailureStep }),
    msToFirstFailure: timing.msToFirstFailure,
    durationMs: timing.durationMs,
  };
}

/** What one suite run on a patched copy gave, with its timings. */
export interface PatchedRun {
  readonly result: SuiteResult;
  /** Real time from the start of the suite to the end of the first failing case; -1 if none. */
  readonly msToFirstFailure: number;
  /** The patched adapter declares what the reference adapter declares (see `sharesPlan`). */
  readonly sharesPlan: boolean;
}

/**
 * Materialises `set`, runs the suite on it under `profile`, and cleans up. `adapt` lets a
 * variant declare its own profile and declarations on the patched adapter.
 *
 * @throws MutantApplyError when the copy cannot be made or loaded, or the suite's own error.
 */
export async function runPatched(
  set: PatchSet,
  profile: Profile,
  options: KillOptions,
  adapt: (adapter: Adapter) => Adapter = (adapter) => adapter,
): Promise<PatchedRun> {
  const materialised = await materialise(set, options.materialise);
  try {
    const adapter = adapt(materialised.adapter);
    const suiteStarted = performance.now();
    let firstFailureAt: number | undefined;
    const result = await runSuite({
      adapter,
      profiles: [profile],
      seed: options.seed,
      runs: options.runs,
      ...(options.strict ? { strict: true } : {}),
      ...(options.bail ? { bail: options.bail } : {}),
      ...(options.machine ? { machine: options.machine } : {}),
      listener: {
        onCaseEnd: (trace) => {
          if (firstFailureAt === undefined && trace.verdict === 'fail')
            firstFailureAt = performance.now();
        },
      },
    });
    const msToFirstFailure =
      firstFailureAt === undefined ? -1 : Math.round(firstFailureAt - suiteStarted);
    const sharesPlan =
      JSON.stringify(adapter.profile) === JSON.stringify(referenceAdapter.profile) &&
      resolveDeclarations(adapter.declarations).key ===
        resolveDeclarations(referenceAdapter.declarations).key;
    return { result, msToFirstFailure, sharesPlan };
  } catch (error) {
    if (error instanceof MutantApplyError) throw error;
    throw new Error(`${set.id}: the suite threw: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    await materialised.cleanup();
  }
}

/** Requirements a suite result marks failed, sorted. */
export function failedRequirements(result: SuiteResult): string[] {
  return result.profiles
    .flatMap((profile) => profile.requirements)
    .filter((verdict) => verdict.verdict === 'fail')
    .map((verdict) => verdict.requirement.id)
    .sort();
}

/** Whether a run of `mutant` is strict: `options.strict` when given, else the mutant's own. */
const strictFor = (mutant: Mutant, options: KillOptions) =>
  options.strict ?? mutant.strict === true;

/** The requirement keys the failing step of a case names. */
export const blamedBy = (trace: Trace): readonly string[] =>
  trace.steps.find((step) => step.verdict === 'fail')?.failure?.requirements ?? [];

/**
 * What a kill needs, and no more: the tests of the machine whose rules the mutant breaks (the
 * other machine's tests judge other rules, so they cannot name it), up to the first failing
 * case that names the mutant's rule. The rest of the run could only add to what the report
 * blames, never take the mutant's rule away; plans are shared across mutants anyway (the
 * planner keeps them by model, profile and declarations, and a mutant changes none of these).
 */
export function killTarget(
  mutant: Mutant,
  profile: Profile,
): Pick<KillOptions, 'bail' | 'machine'> {
  const group = findRequirement(mutant.requirement)?.group;
  const machine = createModels(profile).find((model) => group && model.groups.includes(group));
  return {
    bail: (failing) => blamedBy(failing).includes(mutant.requirement),
    ...(machine ? { machine: machine.id } : {}),
  };
}

/**
 * Materialises `mutant`, runs the suite on it under its profile (strict when the mutant says
 * so, unless `options.strict` decides), and cleans up.
 */
export async function runMutant(mutant: Mutant, options: KillOptions): Promise<MutantResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: unknown): MutantResult => ({
    id: mutant.id,
    requirement: mutant.requirement,
    profile: mutant.profile,
    strict: strictFor(mutant, options),
    killed: false,
    killedBy: [],
    requirementsReported: [],
    advisoriesReported: [],
    namesItsRequirement: false,
    msToFirstFailure: -1,
    durationMs: elapsed(),
    error: (error as Error)?.message ?? String(error),
  });
  const profile = findBuiltInProfile(mutant.profile);
  if (!profile) return failed(new Error(`Mutant ${mutant.id}: unknown profile ${mutant.profile}.`));
  try {
    const { result, msToFirstFailure, sharesPlan } = await runPatched(patchSetOf(mutant), profile, {
      ...killTarget(mutant, profile),
      ...options,
      strict: strictFor(mutant, options),
    });
    return {
      ...summarise(mutant, result, { msToFirstFailure, durationMs: elapsed() }),
      sharesPlan,
    };
  } catch (error) {
    return failed(error);
  }
}

/** The baseline runs a list of mutants needs: each profile, strict where a mutant is. */
export function baselinesFor(
  list: readonly Mutant[],
): { readonly profile: string; readonly strict: boolean }[] {
  const keys = new Set(list.map((mutant) => `${mutant.profile}|${mutant.strict === true}`));
  return [...keys].map((key) => {
    const [profile, strict] = key.split('|') as [string, string];
    return { profile, strict: strict === 'true' };
  });
}

export interface BaselineResult {
  readonly profile: string;
  readonly strict: boolean;
  readonly conformant: boolean;
  /** Requirements the report marks failed (empty when conformant). */
  readonly requirementsReported: string[];
  readonly durationMs: number;
}

/**
 * Runs the suite on the unmutated reference under `profile`, with the same seed, runs and
 * strictness as the mutants: a kill only means something if the original passes the very same
 * tests.
 */
export async function runBaseline(
  profileName: string,
  options: KillOptions,
): Promise<BaselineResult> {
  const started = performance.now();
  const profile = findBuiltInProfile(profileName);
  if (!profile) throw new Error(`Unknown built-in profile ${profileName}.`);
  const result = await runSuite({
    adapter: referenceAdapter,
    profiles: [profile],
    seed: options.seed,
    runs: options.runs,
    ...(options.strict ? { strict: true } : {}),
  });
  const requirementsReported = failedRequirements(result);
  return {
    profile: profileName,
    strict: options.strict === true,
    conformant: result.verdict === 'conformant',
    requirementsReported,
    durationMs: Math.round(performance.now() - started),
  };
}
