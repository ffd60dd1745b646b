/**
 * The project's own test command, timed, for `npm run bench`: `npm test` (type check, lint and
 * every test file) as a developer runs it, its wall time, Vitest's own duration and the CPU
 * time of everything it started. Run last and alone, since it loads every core.
 * `npm run bench -- --skip-test-suite` leaves it out.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childrenCpuSeconds } from './bench-isolation.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const BAR_S = 60;
/** Lines of a failed run's output shown, so that the table says why. */
const FAILURE_TAIL = 15;

export async function benchTestSuite(): Promise<string[][]> {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const { code, output } = await exec(npm, ['test'], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: unknown; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      output: `${error.stdout ?? ''}${error.stderr ?? String(error)}`,
    }),
  );
  const wallS = (performance.now() - started) / 1000;
  const cpuAfter = childrenCpuSeconds();
  const vitestS = /^\s*Duration\s+([\d.]+)s/m.exec(output)?.[1];
  const tests = /^\s*Tests\s+(.+)$/m.exec(output)?.[1]?.trim();
  if (code !== 0) {
    const failed = [...new Set(output.split('\n').filter((line) => /^\s*FAIL\s/.test(line)))];
    console.log(`npm test failed with exit code ${code}${failed.length ? ':' : ''}`);
    for (const line of failed) console.log(line.trim());
    // A failure under the bench's load may not come again: its whole output is kept.
    const kept = join(mkdtempSync(join(tmpdir(), 'imflow-bench-tests-')), 'npm-test.log');
    writeFileSync(kept, output);
    console.log(`Its whole output is in ${kept}; it ends:`);
    console.log(output.trimEnd().split('\n').slice(-FAILURE_TAIL).join('\n'));
  }
  return [
    ['npm test', 'wall s', 'Vitest s', 'CPU s', 'tests', 'bar', ''],
    [
      code === 0 ? 'passed' : `FAILED (exit ${code})`,
      wallS.toFixed(1),
      vitestS ?? '-',
      cpuBefore === undefined || cpuAfter === undefined ? '-' : (cpuAfter - cpuBefore).toFixed(1),
      tests ?? '-',
      `≤ ${BAR_S}`,
      code === 0 && wallS <= BAR_S ? 'met' : 'NOT MET',
    ],
  ];
}
