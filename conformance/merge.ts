import { createModels } from '../machines/index.ts';
import type { MachineResult, ProfileResult, SuiteResult } from './results.ts';
import { machineResult, planMachine, profileResult } from './suite.ts';
import type { Trace } from './trace.ts';

/**
 * Joins the results of the shards of one run (`imflow check --shard i/n`, each written by the
 * JSON reporter) into the result that one unsharded run would have given: the same test
 * cases, coverage, verdicts per requirement and verdict. Durations add up.
 */

/** Shard results that cannot be merged: not shards, of different runs, or some missing. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** What every shard of one run must agree on, as text for the error message. */
function runIdentity(result: SuiteResult): string {
  return JSON.stringify({
    adapter: result.adapter,
    seed: result.seed,
    runs: result.runs,
    only: result.only,
    shards: result.shard?.count,
    profiles: result.profiles.map((p) => ({
      profile: p.profile,
      machines: p.machines.map((m) => m.machine),
    })),
  });
}

function describeRun(result: SuiteResult, origin: string): string {
  return `${origin} (adapter ${result.adapter}, seed ${result.seed}, ${result.runs ?? '?'} runs, profiles ${result.profiles.map((p) => p.profile.name).join(', ')})`;
}

/**
 * Checks that `shards` are every shard of one run, once each. `origins` names where each came
 * from (a file), for the messages.
 */
function assertCompleteRun(shards: readonly SuiteResult[], origins: readonly string[]) {
  if (shards.length === 0) throw new MergeError('No shard reports to merge.');
  shards.forEach((result, i) => {
    if (!result.shard) {
      throw new MergeError(
        `${origins[i]} is the report of an unsharded run: merge only reports of "imflow check --shard i/n".`,
      );
    }
  });
  const first = shards[0] as SuiteResult;
  const count = first.shard?.count ?? 0;
  const identity = runIdentity(first);
  shards.forEach((result, i) => {
    if (runIdentity(result) !== identity) {
      throw new MergeError(
        `${describeRun(result, origins[i] ?? '?')} is not a shard of the same run as ${describeRun(first, origins[0] ?? '?')}: every shard needs the same adapter, profiles, --seed, --runs, --only and shard count.`,
      );
    }
  });
  const seen = new Map<number, string>();
  shards.forEach((result, i) => {
    const index = result.shard?.index ?? 0;
    const before = seen.get(index);
    if (before !== undefined) {
      throw new MergeError(`Shard ${index}/${count} is given twice: ${before} and ${origins[i]}.`);
    }
    seen.set(index, origins[i] ?? '?');
  });
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new MergeError(
      `Shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: a merged verdict needs every shard of the run.`,
    );
  }
}

function mergeMachine(
  profile: ProfileResult['profile'],
  parts: readonly MachineResult[],
): MachineResult {
  const first = parts[0] as MachineResult;
  const model = createModels(profile).find((m) => m.id === first.machine);
  if (!model) throw new MergeError(`The model has no machine "${first.machine}".`);
  const planned = planMachine(model);
  // Path cases in plan order, as one run executes them.
  const order = new Map(planned.plan.paths.map((path, index) => [path.name, index]));
  const pathCases: Trace[] = parts
    .flatMap((part) => part.pathCases)
    .sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  const property = parts.find((part) => part.property)?.property;
  return machineResult({
    ...planned,
    planMs: first.plan.planMs,
    pathCases,
    ...(property ? { property } : {}),
    durationMs: parts.reduce((sum, part) => sum + part.durationMs, 0),
  });
}

/**
 * Merges the shard results of one run. Throws MergeError when they are not all the shards of
 * one run, each once. `origins` names each result's source for the messages.
 */
export function mergeShards(
  shards: readonly SuiteResult[],
  origins: readonly string[] = shards.map((_, i) => `shard report ${i + 1}`),
): SuiteResult {
  assertCompleteRun(shards, origins);
  const first = shards[0] as SuiteResult;
  const profiles = first.profiles.map((profile, p) => {
    const machines = profile.machines.map((_, m) =>
      mergeMachine(
        profile.profile,
        shards.map((shard) => shard.profiles[p]?.machines[m] as MachineResult),
      ),
    );
    return profileResult(profile.profile, machines, first.only);
  });
  const notes = shards.flatMap((shard) => shard.notes ?? []);
  return {
    adapter: first.adapter,
    ...(first.only ? { only: first.only } : {}),
    seed: first.seed,
    ...(first.runs === undefined ? {} : { runs: first.runs }),
    profiles,
    verdict:
      profiles.every((p) => p.verdict === 'conformant') && notes.length === 0
        ? 'conformant'
        : 'not-conformant',
    durationMs: Math.max(...shards.map((shard) => shard.durationMs)),
    ...(notes.length > 0 ? { notes } : {}),
  };
}
