import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SuiteResult } from '../conformance/results.ts';
import { runInProcess } from './test-support.ts';

/** `imflow check --jobs`: profiles side by side in host processes of their own. */

const run = runInProcess;

let dir: string;
const reports: Record<string, SuiteResult> = {};
const texts: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-jobs-'));
  for (const jobs of ['1', '3']) {
    const out = join(dir, jobs);
    const r = await run(
      ...['check', '--profile', 'all', '--seed', '11', '--runs', '4', '--jobs', jobs],
      ...['--reporter', 'console,json', '--out', out],
    );
    expect(r.code, r.errors).toBe(0);
    texts[jobs] = r.text;
    reports[jobs] = JSON.parse(await readFile(join(out, 'imflow-report.json'), 'utf8'));
  }
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imflow check --jobs', () => {
  it('judges as a check in turn does, profile by profile', () => {
    const judged = (r: SuiteResult) =>
      r.profiles.map((p) => ({
        profile: p.profile.name,
        verdict: p.verdict,
        requirements: p.requirements.map((v) => [v.requirement.id, v.verdict, v.tests]),
        cases: p.machines.map((m) => m.pathCases.map((c) => [c.name, c.verdict, c.steps.length])),
      }));
    expect(judged(reports['3'] as SuiteResult)).toEqual(judged(reports['1'] as SuiteResult));
    expect(reports['3']?.verdict).toBe('conformant');
  });

  it('prints the profiles in the order they were asked for', () => {
    const order = (text: string) => [...text.matchAll(/^Profile ([\w-]+):/gm)].map((m) => m[1]);
    expect(order(texts['3'] as string)).toEqual(['ucma-guide', 'ucma-reference', 'basic']);
    expect(order(texts['3'] as string)).toEqual(order(texts['1'] as string));
  });
});
