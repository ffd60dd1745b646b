import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The installed package's root, found upwards from this module: the CLI runs from the
 * sources in a clone (cli/) and from dist/cli/ in an installed package.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'imflow') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('imflow cannot find its own package.json.');
    dir = parent;
  }
}

export const PACKAGE_ROOT = packageRoot();

/** The package version, for `imflow --version`. */
export const VERSION: string = JSON.parse(
  readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'),
).version;

/** Where the JSON Schema of traces is, relative to the package root (it ships in the package). */
export const TRACE_SCHEMA_PATH = 'docs/schema/trace.schema.json';
