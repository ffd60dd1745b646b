import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../conformance/suite.ts';
import refusesNothing from '../conformance/test-adapters/refuses-nothing.ts';
import { findBuiltInProfile, type Profile } from '../machines/index.ts';
import { runInProcess } from './test-support.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const refusesNothingModule = join(root, 'conformance', 'test-adapters', 'refuses-nothing.ts');
// Under this profile the first failing case of the flow has path cases after it to leave out.
const profile = findBuiltInProfile('ucma-reference') as Profile;

const run = runInProcess;

describe('bail: the check stops at the first failing test case', () => {
  it('runs nothing after the first failure, says what it left out and is not conformant', async () => {
    const full = await runSuite({ adapter: refusesNothing, profiles: [profile], seed: 1, runs: 5 });
    const bailed = await runSuite({
      adapter: refusesNothing,
      profiles: [profile],
      seed: 1,
      runs: 5,
      bail: true,
    });
    const failing = (result: typeof full) =>
      result.profiles
        .flatMap((p) => p.machines)
        .flatMap((m) => [
          ...m.pathCases,
          ...(m.property?.failure ? [m.property.failure.trace] : []),
        ])
        .filter((trace) => trace.verdict === 'fail');
    // Without bail the run goes on past its first failure; with it, that failure is the last case.
    expect(failing(full).length).toBeGreaterThan(1);
    expect(failing(bailed).map((trace) => trace.name)).toEqual([failing(full)[0]?.name]);
    const machines = bailed.profiles.flatMap((p) => p.machines);
    expect(machines.at(-1)?.pathCases.at(-1)?.verdict).toBe('fail');
    expect(machines.some((m) => m.property)).toBe(false);
    expect(bailed.bailed?.after).toBe(failing(full)[0]?.name);
    expect(bailed.bailed?.notRun).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ucma-reference imFlow: \d+ of \d+ path cases$/),
        'ucma-reference imFlow: property tests',
        'ucma-reference mcuSession: every test',
      ]),
    );
    expect(bailed.verdict).toBe('not-conformant');
    expect(full.bailed).toBeUndefined();
  });

  it('imflow check --bail reports the early stop and what was not run, with exit 1', async () => {
    const r = await run(
      'check',
      '--adapter',
      refusesNothingModule,
      '--in-process',
      '--profile',
      'ucma-guide',
      '--seed',
      '1',
      '--runs',
      '5',
      '--bail',
    );
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/Stopped early \(--bail\) at the first failure, imFlow path \S+/);
    expect(r.text).toContain('  - ucma-guide imFlow: property tests');
    expect(r.text).toContain('  - ucma-guide mcuSession: every test');
    expect(r.text).not.toContain('CONFORMANT\n');
    expect(r.text.split('\n').at(-1)).toBe('imflow: NOT CONFORMANT');
  });

  it('changes nothing for a conforming implementation: it runs to the end', async () => {
    const r = await run(
      'check',
      '--profile',
      'ucma-guide',
      '--only',
      'delivery-notifications',
      '--in-process',
      '--seed',
      '1',
      '--runs',
      '5',
      '--bail',
    );
    expect(r.code).toBe(0);
    expect(r.text).not.toContain('Stopped early');
    expect(r.text.split('\n').at(-1)).toBe('imflow: CONFORMANT');
  });

  it('refuses a value given to --bail, with exit 2', async () => {
    const r = await run('check', '--bail=yes');
    expect(r.code).toBe(2);
    expect(r.errors).toMatch(/--bail takes no value|Unused args: `yes`/);
  });
});
