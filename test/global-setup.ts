import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
/** What dist/ is compiled from (tsconfig.build.json's include), and what compiles it. */
const SOURCE_DIRS = [
  'adapters',
  'cli',
  'conformance',
  'diagrams',
  'machines',
  'reference',
  'report',
];
const BUILD_FILES = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'scripts/build.mjs',
  'node_modules/typescript/package.json',
];
/** Outside dist/, which npm pack ships whole. */
const STAMP = join(root, 'node_modules', '.cache', 'imflow-build', 'sources.sha256');

/**
 * A digest of the path, size and modification time of every file and folder dist/ is built
 * from: any edit, added or deleted file, or another compiler changes it.
 */
function sourcesDigest(): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) {
      hash.update(`${path}\0missing\n`);
      return;
    }
    hash.update(`${path}\0${stat.size}\0${stat.mtimeMs}\n`);
    if (!stat.isDirectory()) return;
    for (const entry of readdirSync(path).sort()) visit(join(path, entry));
  };
  for (const name of [...BUILD_FILES, ...SOURCE_DIRS]) visit(join(root, name));
  return hash.digest('hex');
}

/**
 * Builds dist/ once before the tests: the command-line tests run `bin/imflow.mjs`, which runs
 * the compiled CLI, and must not run a stale build of it. A build from exactly the sources on
 * disk now (same digest) is kept: compiling again would give the same files.
 */
export default function build() {
  // A nested Vitest run inside the test suite must not rebuild dist/ under the running tests.
  if (process.env.IMFLOW_SKIP_BUILD) return;
  const digest = sourcesDigest();
  const built =
    existsSync(join(root, 'dist', 'cli', 'main.js')) &&
    existsSync(STAMP) &&
    readFileSync(STAMP, 'utf8') === digest;
  if (built) return;
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  mkdirSync(dirname(STAMP), { recursive: true });
  writeFileSync(STAMP, digest);
}
