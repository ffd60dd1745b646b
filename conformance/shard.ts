/**
 * Sharding: one share of a conformance run, so that a team can spread it across CI jobs and
 * merge the shards' JSON reports afterwards (`imflow merge-reports`).
 *
 * The unit is one machine of one profile, with its path tests and its property phase: its
 * result, coverage included, is then exactly that of an unsharded run with the same seed, and
 * a shard plans only its own machines (planning is most of a machine's time). With more
 * shards than units, some shards run nothing.
 */

/** Shard `index` of `count`, both counted from 1 (`--shard 2/3`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** One indivisible piece of work, named by a key every shard computes alike. */
export interface ShardUnit {
  readonly key: string;
  /** Estimated cost, in any unit common to all units. */
  readonly weight: number;
}

/**
 * The keys of the units `shard` runs: heaviest units first, each to the shard with the least
 * work so far (the lowest index on a tie). Every shard computes the same assignment from the
 * same units, so the shards' units are disjoint and together are all of them.
 */
export function shardKeys(units: readonly ShardUnit[], shard: Shard): Set<string> {
  const load = Array.from({ length: shard.count }, () => 0);
  const mine = new Set<string>();
  const ordered = [...units].sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : 1));
  for (const unit of ordered) {
    let lightest = 0;
    for (let i = 1; i < load.length; i++) if ((load[i] ?? 0) < (load[lightest] ?? 0)) lightest = i;
    load[lightest] = (load[lightest] ?? 0) + unit.weight;
    if (lightest === shard.index - 1) mine.add(unit.key);
  }
  return mine;
}

/** Reads `i/n`; undefined when the text is not of that form or `i` is not between 1 and n. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index < 1 || index > count || count > 1000) return undefined;
  return { index, count };
}
