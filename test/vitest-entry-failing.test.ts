import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface AssertionResult {
  readonly title: string;
  readonly status: string;
  readonly failureMessages: readonly string[];
}

it('a wrong implementation fails inside its own Vitest run, on the requirement it breaks', async () => {
  const out = await mkdtemp(join(tmpdir(), 'imflow-vitest-'));
  try {
    const report = join(out, 'report.json');
    // A nested Vitest run in its own process, as an implementer's CI would start it.
    const run = promisify(execFile)(
      process.execPath,
      [
        join(root, 'node_modules', 'vitest', 'vitest.mjs'),
        'run',
        '--config',
        join(root, 'test', 'fixtures', 'vitest.config.ts'),
        '--reporter=json',
        `--outputFile=${report}`,
      ],
      { cwd: root, env: { ...process.env, CI: 'true' } },
    );
    await expect(run).rejects.toMatchObject({ code: 1 });
    const results = JSON.parse(await readFile(report, 'utf8')) as {
      testResults: { assertionResults: AssertionResult[] }[];
    };
    const tests = results.testResults.flatMap((file) => file.assertionResults);
    const refresh = tests.find((test) => test.title.startsWith('LC-2:'));
    expect(refresh?.status).toBe('failed');
    expect(refresh?.failureMessages.join('\n')).toMatch(/missing:\s+wire composing state=typing/);
    expect(refresh?.failureMessages.join('\n')).toMatch(/trace:/);
    // Requirements the bug does not touch still pass: the verdict is per requirement.
    expect(tests.find((test) => test.title.startsWith('LC-1:'))?.status).toBe('passed');
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
