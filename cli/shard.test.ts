import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteResult } from '../conformance/results.ts';
import { runInProcess } from './test-support.ts';

/** `imflow check --shard i/n` in three jobs, then `imflow merge-reports`, as a CI would. */

const run = runInProcess;

const common = ['check', '--profile', 'all', '--seed', '99', '--runs', '8'];
let dir: string;
let shards: Awaited<ReturnType<typeof run>>[];
let merged: Awaited<ReturnType<typeof run>>;

async function report(out: string): Promise<SuiteResult> {
  return JSON.parse(await readFile(join(dir, out, 'imflow-report.json'), 'utf8'));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-shards-'));
  shards = [];
  for (const i of [1, 2, 3]) {
    shards.push(await run(...common, '--shard', `${i}/3`, '--out', join(dir, `shard-${i}`)));
  }
  const whole = await run(...common, '--reporter', 'json', '--out', join(dir, 'whole'));
  expect(whole.code, whole.errors).toBe(0);
  merged = await run(
    'merge-reports',
    ...[1, 2, 3].map((i) => join(dir, `shard-${i}`)),
    '--reporter',
    'json,junit,html,console',
    '--out',
    join(dir, 'merged'),
  );
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imflow check --shard and imflow merge-reports', () => {
  it('runs each shard with the JSON report that merging needs', async () => {
    for (const [index, shard] of shards.entries()) {
      expect(shard.code, shard.errors).toBe(0);
      expect(shard.text).toContain(`shard ${index + 1}/3`);
      expect((await report(`shard-${index + 1}`)).shard).toEqual({ index: index + 1, count: 3 });
    }
  });

  it('merges into the verdicts and coverage of one unsharded run', async () => {
    expect(merged.code, merged.errors).toBe(0);
    const one = await report('whole');
    const all = await report('merged');
    expect(all.verdict).toBe(one.verdict);
    const verdicts = (r: SuiteResult) =>
      r.profiles.map((p) => p.requirements.map((v) => [v.requirement.id, v.verdict, v.tests]));
    expect(verdicts(all)).toEqual(verdicts(one));
    const coverage = (r: SuiteResult) => r.profiles.map((p) => p.machines.map((m) => m.coverage));
    expect(coverage(all)).toEqual(coverage(one));
  });

  it('writes every other reporter from the merged result', async () => {
    expect(merged.text).toMatch(/imflow: CONFORMANT$/);
    expect(merged.text).toContain('merged 3 shards');
    const junit = new XMLParser({ ignoreAttributes: false }).parse(
      await readFile(join(dir, 'merged', 'imflow-junit.xml'), 'utf8'),
    );
    expect(Number(junit.testsuites['@_failures'])).toBe(0);
    expect(Number(junit.testsuites['@_tests'])).toBeGreaterThan(0);
    const html = await readFile(join(dir, 'merged', 'imflow-report.html'), 'utf8');
    expect(html).toContain('imflow reference implementation');
    for (const profile of ['ucma-guide', 'ucma-reference', 'basic'])
      expect(html).toContain(profile);
  });

  it('refuses an incomplete set of shards, naming the missing one', async () => {
    const r = await run('merge-reports', join(dir, 'shard-1'), join(dir, 'shard-3'));
    expect(r.code).toBe(2);
    expect(r.errors).toContain('Shard 2/3 missing');
  });

  it('refuses an unsharded report and a directory without a report', async () => {
    const unsharded = await run('merge-reports', join(dir, 'whole'));
    expect(unsharded.code).toBe(2);
    expect(unsharded.errors).toMatch(/report of an unsharded run/);
    const nothing = await run('merge-reports', join(dir, 'nowhere'));
    expect(nothing.code).toBe(2);
    expect(nothing.errors).toMatch(/No shard report at .*nowhere/);
  });

  it('refuses a bad --shard, and --shard with --path', async () => {
    for (const bad of ['4/3', '0/2', 'two']) {
      const r = await run('check', '--shard', bad);
      expect(r.code).toBe(2);
      expect(r.errors).toContain(
        `--shard must be i/n, shard i of n counted from 1 (such as 2/3), got "${bad}"`,
      );
    }
    const unseeded = await run('check', '--shard', '1/2');
    expect(unseeded.code).toBe(2);
    expect(unseeded.errors).toMatch(/--shard needs --seed/);
    const r = await run(
      'check',
      '--shard',
      '1/2',
      '--machine',
      'imFlow',
      '--seed',
      '1',
      '--path',
      '1:0',
    );
    expect(r.code).toBe(2);
    expect(r.errors).toMatch(/cannot be sharded/);
  });
});

describe('merging the shards of a failing run', () => {
  const adapter = fileURLToPath(
    new URL('../conformance/test-adapters/refuses-nothing.ts', import.meta.url),
  );

  it('fails, and writes the failing traces with their adapter module and replay command', async () => {
    const args = ['check', '--adapter', adapter, '--seed', '5', '--runs', '0'];
    for (const i of [1, 2]) {
      const shard = await run(...args, '--shard', `${i}/2`, '--out', join(dir, `failing-${i}`));
      expect(shard.errors).toBe('');
    }
    const out = join(dir, 'failing-merged');
    const merged = await run(
      'merge-reports',
      join(dir, 'failing-1'),
      join(dir, 'failing-2'),
      '--out',
      out,
    );
    expect(merged.code).toBe(1);
    expect(merged.text).toMatch(/imflow: NOT CONFORMANT$/);
    // Every failing case's trace is written, each with its replay command naming the adapter.
    const replays = [...merged.text.matchAll(/replay: npx imflow replay (\S+) --adapter (\S+)/g)];
    expect(replays.length).toBeGreaterThan(0);
    for (const [, , named] of replays) expect(named).toBe(adapter);
    const file = replays[0]?.[1] as string;
    expect(file.startsWith(join(out, 'traces', 'ucma-guide-imflow-path-'))).toBe(true);
    const trace = JSON.parse(await readFile(file, 'utf8'));
    expect(trace.adapterModule).toBe(adapter);
  });
});
