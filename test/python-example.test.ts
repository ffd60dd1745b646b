/**
 * The Python example (examples/python/) checked through the adapter protocol, as a user runs
 * it: conformant as written, and caught with each planted bug, naming the rule it breaks.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);

/**
 * Runs the example. A planted bug needs only the tests of the group its rule belongs to:
 * the run still plans, drives and judges those through the protocol, and catches it there.
 */
async function check(bug?: { readonly name: string; readonly group: string }, ...extra: string[]) {
  const env = { ...process.env };
  if (bug) env.IMFLOW_PLANTED_BUG = bug.name;
  else delete env.IMFLOW_PLANTED_BUG;
  const argv = [
    'bin/imflow.mjs',
    'check',
    '--adapter-command',
    'python3 examples/python/adapter.py',
    '--seed',
    '7',
    '--runs',
    '30',
    ...(bug ? ['--only', bug.group] : []),
    ...extra,
  ];
  return exec(process.execPath, argv, { cwd: root, env }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

// The three runs are processes of their own, which mostly wait on each other's answers, so they
// run side by side.
describe.concurrent('the Python example over the protocol', () => {
  it('is conformant to the profile it claims', async () => {
    const { code, stdout } = await check();
    expect(stdout).toMatch(/^imflow check: imflow Python example\n {2}profile python-example;/);
    expect(stdout).toMatch(/path suite {3}(\d+) of \1 cases run/);
    expect(stdout).toMatch(/property {5}30 runs, seed 7: passed/);
    expect(stdout).toMatch(
      /InstantMessagingMcuSession \(mcuSession\)\n\s+not claimed: the profile does not claim/,
    );
    expect(stdout.endsWith('imflow: CONFORMANT\n')).toBe(true);
    expect(code).toBe(0);
  });

  it('is caught with a refresh 1 ms late, naming the refresh rule', async () => {
    const { code, stdout } = await check({ name: 'late-refresh', group: 'local-composing' });
    expect(stdout).toMatch(/^ {2}1\. LC-2: imFlow (path \d+|property counterexample)/m);
    expect(stdout.endsWith('imflow: NOT CONFORMANT\n')).toBe(true);
    expect(code).toBe(1);
  });

  it('is caught accepting a format the flow does not support, naming the 415 rule', async () => {
    // Consuming an unsupported type is an allowed branch of MSG-5 (an advisory): strict fails it.
    const { code, stdout } = await check({ name: 'no-415', group: 'messaging' }, '--strict');
    expect(stdout).toMatch(
      /^ {2}1\. ([A-Z]+-\d+, )*MSG-5(, [A-Z]+-\d+)*: imFlow (path \d+|property counterexample)/m,
    );
    expect(stdout).toMatch(/departs from MSG-5 \(receive\.unsupportedFormat\.accepted\)/);
    expect(code).toBe(1);
  });
});
