import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once before the tests: the command-line tests run `bin/imflow.mjs`, which runs
 * the compiled CLI, and must not run a stale build of it.
 */
export default function build() {
  // A nested Vitest run inside the test suite must not rebuild dist/ under the running tests.
  if (process.env.IMFLOW_SKIP_BUILD) return;
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
}
