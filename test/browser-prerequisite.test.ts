import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The report's browser test on a machine without Chromium: outside CI it ends with a visible
 * skip naming the install command; under CI it fails. Run in a nested Vitest with the
 * browser's path pointed at nothing.
 */

const root = fileURLToPath(new URL('..', import.meta.url));

async function browserTest(ci: boolean) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    IMFLOW_CHROMIUM: '/nonexistent/chromium',
    IMFLOW_SKIP_BUILD: '1',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  delete env.CI;
  if (ci) env.CI = 'true';
  const run = promisify(execFile)(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', 'report/browser.test.ts', '--reporter', 'verbose'],
    { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
  );
  return run.then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: `${error.stdout}${error.stderr}`,
    }),
  );
}

const INSTALL = 'sudo apt-get install --no-install-recommends chromium fonts-liberation';

// Two nested runs, independent of each other: side by side.
describe.concurrent('the browser test without a browser', () => {
  it('skips visibly outside CI, naming the install command', async () => {
    const { code, output } = await browserTest(false);
    expect(code, output).toBe(0);
    expect(output).toContain(`SKIPPING the HTML report's browser test`);
    expect(output).toContain(`needs Debian's Chromium at /nonexistent/chromium: ${INSTALL}`);
    expect(output).toMatch(/Tests\s+\d+ skipped/);
    expect(output).not.toMatch(/Tests .*passed/);
  });

  it('fails under CI', async () => {
    const { code, output } = await browserTest(true);
    expect(code).toBe(1);
    expect(output).toContain('No browser at /nonexistent/chromium: CI must install');
  });
});
