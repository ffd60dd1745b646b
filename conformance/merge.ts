import { createModels } from '../machines/index.ts';
import { resolveDeclarations } from './declarations.ts';
import type { MachineResult, ProfileResult, SuiteResult } from './results.ts';
import { profileResult } from './suite.ts';

/**
 * Joins the results of the shards of one run (`imflow check --shard i/n`, each written by the
 * JSON reporter) into the result that one unsharded run would have given: each machine's
 * result comes from the one shard that ran it, and the verdicts per requirement and the
 * verdict are computed again over all of them. The run's duration is the longest shard's.
 */

/** Shard results that cannot be merged: not shards, of different runs, or some missing. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** What every shard of one run must agree on, as text for the error message. */
function runIdentity(result: SuiteResult): string {
  return JSON.stringify({
    adapter: result.adapter,
    adapterModule: result.adapterModule,
    seed: result.seed,
    runs: result.runs,
    only: result.only,
    shards: result.shard?.count,
    profiles: result.profiles.map((p) => p.profile),
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

/** The machines of one profile from every shard, in the order one run lists them. */
function mergeMachines(
  profile: ProfileResult['profile'],
  parts: readonly (readonly MachineResult[])[],
  origins: readonly string[],
): MachineResult[] {
  const order = createModels(profile).map((model) => model.id);
  const found = new Map<string, { machine: MachineResult; origin: string }>();
  parts.forEach((machines, i) => {
    for (const machine of machines) {
      const before = found.get(machine.machine);
      if (before) {
        throw new MergeError(
          `The machine ${machine.machine} of profile ${profile.name} is in two shard reports: ${before.origin} and ${origins[i]}.`,
        );
      }
      found.set(machine.machine, { machine, origin: origins[i] ?? '?' });
    }
  });
  return [...found.values()]
    .map(({ machine }) => machine)
    .sort((a, b) => order.indexOf(a.machine) - order.indexOf(b.machine));
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
  const profiles = first.profiles.map((profile, p) =>
    profileResult(
      profile.profile,
      mergeMachines(
        profile.profile,
        shards.map((shard) => shard.profiles[p]?.machines ?? []),
        origins,
      ),
      resolveDeclarations(first.declarations),
      first.only,
    ),
  );
  const notes = shards.flatMap((shard) => shard.notes ?? []);
  return {
    adapter: first.adapter,
    ...(first.adapterModule ? { adapterModule: first.adapterModule } : {}),
    ...(first.only ? { only: first.only } : {}),
    ...(first.strict ? { strict: true } : {}),
    ...(first.declarations ? { declarations: first.declarations } : {}),
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
