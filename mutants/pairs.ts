/**
 * Pairs of bugs: two mutants of different requirement groups planted in one copy. A kit that
 * stops at the first failure names one of them and hides the other; the bar is that one run
 * names both rules in at least 90% of the pairs (`npm run mutants`).
 */
import { findBuiltInProfile, findRequirement, type RequirementGroup } from '../machines/index.ts';
import { mutateSource, type PatchSet } from './apply.ts';
import type { Mutant } from './catalogue.ts';
import { failedRequirements, type KillOptions, runPatched } from './kill.ts';

export interface MutantPair {
  readonly first: Mutant;
  readonly second: Mutant;
}

export interface PairResult {
  readonly first: string;
  readonly second: string;
  readonly profile: string;
  /** The run was strict (one of the mutants breaks only a should-rule). */
  readonly strict: boolean;
  readonly requirementsReported: readonly string[];
  readonly namesFirst: boolean;
  readonly namesSecond: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

export const PAIRS_BAR = 0.9;

function groupOf(mutant: Mutant): RequirementGroup | undefined {
  return findRequirement(mutant.requirement)?.group;
}

/** Both patches apply together: a shared file still holds each snippet exactly once. */
function compatible(pair: MutantPair, read: (file: string) => string): boolean {
  const { first, second } = pair;
  if (first.file !== second.file) return true;
  try {
    mutateSource(second, mutateSource(first, read(first.file)));
    return true;
  } catch {
    return false;
  }
}

/** The machine whose tests see a group's rules. */
const machineOf = (group: RequirementGroup | undefined) =>
  group === 'mcu-session' ? 'mcuSession' : 'imFlow';

/**
 * Up to `count` pairs, deterministically: mutants of different groups of the same machine (so
 * that a failure of one could hide the other) and under the same profile (one run checks one
 * profile), whose patches apply together. Each round takes the next
 * unused partner for every mutant in catalogue order, so the pairs spread over all mutants
 * instead of piling onto the first ones.
 */
export function pairsOf(
  list: readonly Mutant[],
  count: number,
  read: (file: string) => string,
): MutantPair[] {
  const pairs: MutantPair[] = [];
  const seen = new Set<string>();
  const key = (a: Mutant, b: Mutant) => [a.id, b.id].sort().join('+');
  const partners = list.map((mutant) =>
    list.filter(
      (other) =>
        other !== mutant &&
        other.profile === mutant.profile &&
        groupOf(other) !== undefined &&
        groupOf(other) !== groupOf(mutant) &&
        machineOf(groupOf(other)) === machineOf(groupOf(mutant)),
    ),
  );
  for (let round = 0; pairs.length < count; round++) {
    let added = false;
    for (const [index, mutant] of list.entries()) {
      if (pairs.length >= count) break;
      const candidates = partners[index] ?? [];
      // Start each mutant's partners at a different place, so that rounds differ.
      for (let offset = 0; offset < candidates.length; offset++) {
        const other = candidates[(index + round + offset) % candidates.length] as Mutant;
        const pair = { first: mutant, second: other };
        if (seen.has(key(mutant, other)) || !compatible(pair, read)) continue;
        seen.add(key(mutant, other));
        pairs.push(pair);
        added = true;
        break;
      }
    }
    if (!added) break;
  }
  return pairs;
}

export function pairPatchSet({ first, second }: MutantPair): PatchSet {
  const id = `${first.id}+${second.id}`;
  return { id, label: `mutants ${id}`, patches: [first, second] };
}

/**
 * Runs the suite once on both bugs together and says which of their rules it named; strict
 * when either mutant is (its rule fails only then, and the other's must-rule fails either way).
 */
export async function runPair(pair: MutantPair, options: KillOptions): Promise<PairResult> {
  const started = performance.now();
  const base = {
    first: pair.first.id,
    second: pair.second.id,
    profile: pair.first.profile,
    strict: pair.first.strict === true || pair.second.strict === true,
  };
  const profile = findBuiltInProfile(pair.first.profile);
  try {
    if (!profile) throw new Error(`unknown profile ${pair.first.profile}`);
    const strict = pair.first.strict === true || pair.second.strict === true;
    const { result } = await runPatched(pairPatchSet(pair), profile, { ...options, strict });
    const reported = failedRequirements(result);
    return {
      ...base,
      requirementsReported: reported,
      namesFirst: reported.includes(pair.first.requirement),
      namesSecond: reported.includes(pair.second.requirement),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      ...base,
      requirementsReported: [],
      namesFirst: false,
      namesSecond: false,
      durationMs: Math.round(performance.now() - started),
      error: (error as Error)?.message ?? String(error),
    };
  }
}
