/**
 * Materialises a patch set (a mutant, a pair of mutants, a variant): a temporary copy of
 * `reference/` and `adapters/` with its replacements applied, and the patched reference adapter
 * loaded from it.
 *
 * Layout of the copy (`<tmp>/imflow-mutant-<id>-XXXXXX/`):
 *   reference/    copied, patched files replaced (test files left out)
 *   adapters/     copied; `adapters/reference.ts` imports `../reference/index.ts`, so it picks
 *                 up the patched copy (a variant may patch the adapter itself)
 *   conformance/, machines/, node_modules/, tsconfig.json   symlinks to the real ones
 *   package.json  `"type": "module"`, so the copy loads as ESM like the project
 */
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';
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
  /** The temporary copy. */
  readonly directory: string;
  /** The mutated reference adapter, loaded from the copy. */
  readonly adapter: Adapter;
  /** Removes the temporary copy. */
  cleanup(): Promise<void>;
}

export interface MaterialiseOptions {
  /** Where `reference/` and `adapters/` are read from. Default: this repository. */
  readonly root?: string;
  /** Where the copy is made. Default: the OS temporary folder. */
  readonly tmpRoot?: string;
}

const linked = ['conformance', 'machines', 'node_modules', 'tsconfig.json'] as const;

/**
 * Copies the reference and its adapter, applies the patches, and loads the patched adapter.
 * The copy is removed again if anything fails; otherwise call `cleanup()` when done.
 *
 * @throws MutantApplyError naming the mutant when its snippet does not match exactly once, or
 *   when the mutated copy does not load (a mutant that does not compile is an error, not a kill).
 */
export async function materialise(
  set: PatchSet,
  options: MaterialiseOptions = {},
): Promise<MaterialisedMutant> {
  const root = options.root ?? repositoryRoot;
  // Check the snippets before copying anything: a stale catalogue entry fails fast.
  const patched = await patchedFiles(set, root);
  const safeId = set.id.replace(/[^a-zA-Z0-9-]/g, '_');
  const directory = await mkdtemp(join(options.tmpRoot ?? tmpdir(), `imflow-mutant-${safeId}-`));
  const cleanup = () => rm(directory, { recursive: true, force: true });
  try {
    const notATest = (source: string) => !source.endsWith('.test.ts');
    await cp(join(root, 'reference'), join(directory, 'reference'), {
      recursive: true,
      filter: notATest,
    });
    await cp(join(root, 'adapters'), join(directory, 'adapters'), {
      recursive: true,
      filter: notATest,
    });
    for (const name of linked) {
      await symlink(join(root, name), join(directory, name)).catch(
        (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
        },
      );
    }
    await writeFile(
      join(directory, 'package.json'),
      `${JSON.stringify({ name: `imflow-mutant-${safeId}`, private: true, type: 'module' }, null, 2)}\n`,
    );
    for (const [file, text] of patched) await writeFile(join(directory, file), text);
    let loaded: { default?: unknown };
    try {
      loaded = await tsImport(pathToFileURL(join(directory, 'adapters', 'reference.ts')).href, {
        parentURL: import.meta.url,
        tsconfig: false,
      });
    } catch (error) {
      throw new MutantApplyError(
        set.id,
        `the mutated adapter does not load: ${(error as Error)?.message ?? String(error)}`,
      );
    }
    const adapter = loaded.default as Adapter | undefined;
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.create !== 'function') {
      throw new MutantApplyError(
        set.id,
        'the mutated adapters/reference.ts has no default export with create().',
      );
    }
    return {
      set,
      directory,
      adapter: { ...adapter, name: `${adapter.name} [${set.label}]` },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
