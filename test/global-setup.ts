import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds dist/ once before the tests: the command-line tests run `bin/imflow.mjs`, which runs
 * the compiled CLI, and must not run a stale build of it.
 */
export default function build() {
  execFileSync(
    process.execPath,
    [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))],
    {
      stdio: 'inherit',
    },
  );
}
