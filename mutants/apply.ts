/**
 * Materialises a patch set (a mutant, a pair of mutants, a variant): a copy of `reference/` and
 * `adapters/` with its replacements applied (test files left out), bundled in memory from
 * `adapters/reference.ts`, which imports `../reference/index.ts` and so picks up the patched
 * files (a variant may patch the adapter itself), and the patched reference adapter loaded
 * from the bundle.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import type { Adapter } from '../conformance/index.ts';
import type { Mutant } from './catalogue.ts';

/** The repository root (the folder holding `reference/` and `adapters/`). */
export const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** A mutant that cannot be materialised: its snippet is gone, or the copy does not load. */
export class MutantApplyError extends Error {
  override readonly name = 'MutantApplyError';
  constructor(
    readonly mutantId: string,
    message: string,
  ) {
    super(`Mutant ${mutantId}: ${message}`);
  }
}

/** Number of (non-overlapping) occurrences of `find` in `source`. */
export function countOccurrences(source: string, find: string): number {
  if (find.length === 0) return 0;
  let count = 0;
  for (let at = source.indexOf(find); at !== -1; at = source.indexOf(find, at + find.length)) {
    count++;
  }
  return count;
}

/** One exact replacement in one file of the copy. */
export interface Patch {
  /** Repository-relative path; under `reference/` or `adapters/`. */
  readonly file: string;
  /** An exact snippet of the current source of `file`, occurring exactly once. */
  readonly find: string;
  readonly replace: string;
}

/**
 * What a copy is made from: a mutant (one patch), a pair of mutants, or a variant (a legitimate
 * behaviour of its own, see `variants.ts`). `label` is what the adapter's name gains.
 */
export interface PatchSet {
  readonly id: string;
  readonly label: string;
  readonly patches: readonly Patch[];
}

export function patchSetOf(mutant: Mutant): PatchSet {
  return { id: mutant.id, label: `mutant ${mutant.id}`, patches: [mutant] };
}

/**
 * The mutated text of `source`.
 * @throws MutantApplyError unless `patch.find` occurs exactly once, or if nothing changes.
 */
export function mutateSource(patch: Patch & { readonly id: string }, source: string): string {
  const count = countOccurrences(source, patch.find);
  if (count !== 1) {
    throw new MutantApplyError(
      patch.id,
      `its snippet occurs ${count} times in ${patch.file} (it must occur exactly once); update the catalogue entry to the current source.`,
    );
  }
  const mutated = source.replace(patch.find, () => patch.replace);
  if (mutated === source) {
    throw new MutantApplyError(patch.id, 'its replacement leaves the source unchanged.');
  }
  return mutated;
}

/** Checks that a patch names a TypeScript file inside `reference/` or `adapters/`. */
function copiedFile(id: string, patch: Patch): string {
  const normalised = patch.file.replaceAll('\\', '/');
  if (!/^(reference|adapters)\/[^/].*\.ts$/.test(normalised) || normalised.includes('..')) {
    throw new MutantApplyError(
      id,
      `file ${JSON.stringify(patch.file)} must be a .ts path under reference/ or adapters/.`,
    );
  }
  return normalised;
}

/** The patched text of every file a patch set touches; patches of one file apply in order. */
async function patchedFiles(set: PatchSet, root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const patch of set.patches) {
    const file = copiedFile(set.id, patch);
    const source = files.get(file) ?? (await readFile(join(root, file), 'utf8'));
    files.set(file, mutateSource({ id: set.id, ...patch }, source));
  }
  return files;
}

export interface MaterialisedMutant {
  readonly set: PatchSet;
  /** The mutated reference adapter, loaded from the patched copy. */
  readonly adapter: Adapter;
  /** Releases the copy (it lives in memory: nothing is left to remove). */
  cleanup(): Promise<void>;
}

export interface MaterialiseOptions {
  /** Where `reference/` and `adapters/` are read from. Default: this repository. */
  readonly root?: string;
  /**
   * The adapter bundled, relative to the root: the reference adapter by default, or the
   * reference on the wire (`adapters/reference-sip.ts`), whose SIP stack and XML parser stay
   * packages of their own.
   */
  readonly entry?: 'adapters/reference.ts' | 'adapters/reference-sip.ts';
}

/** The sources of `reference/` and `adapters/` by root, read once: every copy is made of them. */
const sourcesByRoot = new Map<string, Promise<Map<string, string>>>();

/** Every file of `reference/` and `adapters/` but the tests, by repository-relative path. */
function copiedSources(root: string): Promise<Map<string, string>> {
  let sources = sourcesByRoot.get(root);
  if (!sources) {
    sources = (async () => {
      const files = new Map<string, string>();
      for (const folder of ['reference', 'adapters']) {
        const entries = await readdir(join(root, folder), { recursive: true, withFileTypes: true });
        for (const entry of entries) {
          if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
          const file = toPosix(relative(root, join(entry.parentPath, entry.name)));
          files.set(file, await readFile(join(root, file), 'utf8'));
        }
      }
      return files;
    })();
    sourcesByRoot.set(root, sources);
  }
  return sources;
}

const toPosix = (path: string) => path.replaceAll('\\', '/');

/**
 * Bundles the patched reference and its adapter, from memory, and loads the patched adapter.
 * The reference depends on nothing and the adapter imports only types from the kit, so the
 * bundle is the whole program: esbuild makes it in a few milliseconds, and a module of its own
 * (a `data:` URL) gives each copy fresh state. A copy on disk loaded through a TypeScript
 * loader cost 100 to 400 ms a mutant, most of a kill.
 *
 * @throws MutantApplyError naming the mutant when its snippet does not match exactly once, or
 *   when the mutated copy does not build or load (a mutant that does not compile is an error,
 *   not a kill).
 */
export async function materialise(
  set: PatchSet,
  options: MaterialiseOptions = {},
): Promise<MaterialisedMutant> {
  const root = options.root ?? repositoryRoot;
  const entry = options.entry ?? 'adapters/reference.ts';
  // Packages left out of the bundle are found from a module file beside node_modules; a
  // bundle of the reference alone needs none, and loads from memory.
  const withPackages = entry !== 'adapters/reference.ts';
  // Check the snippets before building anything: a stale catalogue entry fails fast.
  const patched = await patchedFiles(set, root);
  const sources = await copiedSources(root);
  let code: string;
  try {
    const built = await build({
      entryPoints: [join(root, entry)],
      bundle: true,
      ...(withPackages ? { packages: 'external' as const } : {}),
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'silent',
      plugins: [
        {
          name: 'patched-copy',
          setup(builder) {
            builder.onLoad({ filter: /\.ts$/ }, (file) => {
              const path = toPosix(relative(root, file.path));
              const text = patched.get(path) ?? sources.get(path);
              return text === undefined ? undefined : { contents: text, loader: 'ts' };
            });
          },
        },
      ],
    });
    code = built.outputFiles[0]?.text ?? '';
  } catch (error) {
    throw new MutantApplyError(
      set.id,
      `the mutated adapter does not build: ${(error as Error)?.message ?? String(error)}`,
    );
  }
  let loaded: { default?: unknown };
  let file: string | undefined;
  try {
    if (withPackages) {
      const folder = join(root, 'node_modules', '.cache', 'imflow', 'mutants');
      await mkdir(folder, { recursive: true });
      file = join(folder, `${set.id}-${process.pid}-${Date.now()}.mjs`);
      await writeFile(file, code);
      loaded = await import(pathToFileURL(file).href);
    } else {
      loaded = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
    }
  } catch (error) {
    throw new MutantApplyError(
      set.id,
      `the mutated adapter does not load: ${(error as Error)?.message ?? String(error)}`,
    );
  }
  const adapter = loaded.default as Adapter | undefined;
  if (typeof adapter !== 'object' || adapter === null || typeof adapter.create !== 'function') {
    throw new MutantApplyError(set.id, `the mutated ${entry} has no default export with create().`);
  }
  return {
    set,
    adapter: { ...adapter, name: `${adapter.name} [${set.label}]` },
    cleanup: async () => {
      if (file) await rm(file, { force: true });
    },
  };
}
