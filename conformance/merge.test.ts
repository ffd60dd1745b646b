import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { builtInProfiles } from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { MergeError, mergeShards } from './merge.ts';
import type { SuiteResult } from './results.ts';
import { parseShard, type ShardUnit, shardKeys } from './shard.ts';
import { runSuite } from './suite.ts';
import { mcuStuckRetrying, wrongRefreshPeriod } from './test-adapters/wrong.ts';

const SEED = 424242;
const RUNS = 12;

/** A result as it comes back from a JSON report file, without what differs run to run. */
function comparable(result: SuiteResult): unknown {
  return JSON.parse(
    JSON.stringify(result, (key, value) =>
      key === 'durationMs' || key === 'planMs' || key === 'shard' ? undefined : value,
    ),
  );
}

async function run(adapter: Adapter, shard?: { index: number; count: number }) {
  return runSuite({
    adapter,
    profiles: builtInProfiles,
    seed: SEED,
    runs: RUNS,
    ...(shard ? { shard } : {}),
  });
}

/** The shards of a run as files would hold them: serialised and read back. */
async function shards(adapter: Adapter, count: number): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  for (let index = 1; index <= count; index++) {
    results.push(JSON.parse(JSON.stringify(await run(adapter, { index, count }))));
  }
  return results;
}

function pathCaseNames(result: SuiteResult): string[] {
  return result.profiles.flatMap((p) =>
    p.machines.flatMap((m) => m.pathCases.map((c) => `${p.profile.name}/${c.name}`)),
  );
}

describe('three shards merged', () => {
  it.each([
    ['a conformant implementation', referenceAdapter],
    ['a wrong refresh period', wrongRefreshPeriod],
    ['an MCU stuck in Retrying', mcuStuckRetrying],
  ])('give the verdicts and coverage of one run with the same seed: %s', async (_, adapter) => {
    const whole = await run(adapter);
    const parts = await shards(adapter, 3);
    // Each shard runs a part, no two the same, together all of them: whole machines.
    const machinesOf = (result: SuiteResult) =>
      result.profiles.flatMap((p) => p.machines.map((m) => `${p.profile.name}/${m.machine}`));
    expect(parts.flatMap(machinesOf).sort()).toEqual(machinesOf(whole).sort());
    const names = parts.map(pathCaseNames);
    const properties = parts.map((part) =>
      part.profiles.flatMap((p) =>
        p.machines.filter((m) => m.property).map((m) => `${p.profile.name}/${m.machine}`),
      ),
    );
    for (const [i] of parts.entries()) {
      expect((names[i]?.length ?? 0) + (properties[i]?.length ?? 0)).toBeGreaterThan(0);
    }
    expect(names.flat().sort()).toEqual(pathCaseNames(whole).sort());
    expect(properties.flat().length).toBe(
      whole.profiles.flatMap((p) => p.machines.filter((m) => m.property)).length,
    );
    expect(new Set(properties.flat()).size).toBe(properties.flat().length);

    const merged = mergeShards(parts);
    expect(merged.verdict).toBe(whole.verdict);
    expect(comparable(merged)).toEqual(comparable(whole));
    if (adapter !== referenceAdapter) expect(merged.verdict).toBe('not-conformant');
  });
});

describe('merging refuses what is not one whole run', () => {
  it('names the missing shard', async () => {
    const parts = await shards(referenceAdapter, 3);
    expect(() => mergeShards([parts[0], parts[2]] as SuiteResult[], ['a', 'c'])).toThrow(
      /Shard 2\/3 missing/,
    );
  });

  it('names a shard given twice', async () => {
    const parts = await shards(referenceAdapter, 2);
    expect(() =>
      mergeShards([parts[0], parts[0], parts[1]] as SuiteResult[], ['a', 'b', 'c']),
    ).toThrow(/Shard 1\/2 is given twice: a and b/);
  });

  it('refuses shards of different seeds', async () => {
    const one = JSON.parse(JSON.stringify(await run(referenceAdapter, { index: 1, count: 2 })));
    const other = JSON.parse(
      JSON.stringify(
        await runSuite({
          adapter: referenceAdapter,
          profiles: builtInProfiles,
          seed: SEED + 1,
          runs: RUNS,
          shard: { index: 2, count: 2 },
        }),
      ),
    );
    expect(() => mergeShards([one, other], ['one.json', 'other.json'])).toThrow(MergeError);
    expect(() => mergeShards([one, other], ['one.json', 'other.json'])).toThrow(
      /other\.json .*seed 424243.* is not a shard of the same run as one\.json/,
    );
  });

  it('refuses an unsharded report', async () => {
    const whole = await run(referenceAdapter);
    expect(() => mergeShards([whole], ['whole.json'])).toThrow(
      /whole\.json is the report of an unsharded run/,
    );
  });
});

describe('shard assignment', () => {
  const units: ShardUnit[] = Array.from({ length: 40 }, (_, i) => ({
    key: `unit-${i}`,
    weight: (i * 7) % 13 || 1,
  }));

  it('splits the units into disjoint shares that together are all of them', () => {
    const shares = [1, 2, 3].map((index) => shardKeys(units, { index, count: 3 }));
    const all = shares.flatMap((share) => [...share]);
    expect(all.sort()).toEqual(units.map((u) => u.key).sort());
    expect(new Set(all).size).toBe(units.length);
  });

  it('does not depend on the order the units are listed in', () => {
    const reversed = [...units].reverse();
    expect([...shardKeys(reversed, { index: 2, count: 3 })].sort()).toEqual(
      [...shardKeys(units, { index: 2, count: 3 })].sort(),
    );
  });

  it('balances the work', () => {
    const weights = [1, 2, 3].map((index) => {
      const share = shardKeys(units, { index, count: 3 });
      return units.filter((u) => share.has(u.key)).reduce((sum, u) => sum + u.weight, 0);
    });
    const heaviest = Math.max(...units.map((u) => u.weight));
    expect(Math.max(...weights) - Math.min(...weights)).toBeLessThanOrEqual(heaviest);
  });

  it('reads i/n and refuses anything else', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '3', '1/0', 'a/b', '1/3/4'])
      expect(parseShard(bad)).toBeUndefined();
  });
});
