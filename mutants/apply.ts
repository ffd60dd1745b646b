/**
 * Materialises a mutant: a temporary copy of `reference/` and `adapters/` with the mutant's one
 * replacement applied, and the mutated reference adapter loaded from it.
 *
 * Layout of the copy (`<tmp>/imflow-mutant-<id>-XXXXXX/`):
 *   reference/    copied, one file mutated (test files left out)
 *   adapters/     copied unchanged; `adapters/reference.ts` imports `../reference/index.ts`, so
 *                 it picks up the mutated copy
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

/**
 * The mutated text of `source`.
 * @throws MutantApplyError unless `mutant.find` occurs exactly once, or if nothing changes.
 */
export function mutateSource(mutant: Mutant, source: string): string {
  const count = countOccurrences(source, mutant.find);
  if (count !== 1) {
    throw new MutantApplyError(
      mutant.id,
      `its snippet occurs ${count} times in ${mutant.file} (it must occur exactly once); update the catalogue entry to the current source.`,
    );
  }
  const mutated = source.replace(mutant.find, () => mutant.replace);
  if (mutated === source) {
    throw new MutantApplyError(mutant.id, 'its replacement leaves the source unchanged.');
  }
  return mutated;
}

/** Checks that `file` names a TypeScript file inside `reference/`. */
function referenceFile(mutant: Mutant): string {
  const normalised = mutant.file.replaceAll('\\', '/');
  if (!/^reference\/[^/].*\.ts$/.test(normalised) || normalised.includes('..')) {
    throw new MutantApplyError(
      mutant.id,
      `file ${JSON.stringify(mutant.file)} must be a .ts path under reference/.`,
    );
  }
  return normalised;
}

export interface MaterialisedMutant {
  readonly mutant: Mutant;
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
 * Copies the reference and its adapter, applies the mutant, and loads the mutated adapter.
 * The copy is removed again if anything fails; otherwise call `cleanup()` when done.
 *
 * @throws MutantApplyError naming the mutant when its snippet does not match exactly once, or
 *   when the mutated copy does not load (a mutant that does not compile is an error, not a kill).
 */
export async function materialise(
  mutant: Mutant,
  options: MaterialiseOptions = {},
): Promise<MaterialisedMutant> {
  const root = options.root ?? repositoryRoot;
  const file = referenceFile(mutant);
  // Check the snippet before copying anything: a stale catalogue entry fails fast.
  const mutated = mutateSource(mutant, await readFile(join(root, file), 'utf8'));
  const safeId = mutant.id.replace(/[^a-zA-Z0-9-]/g, '_');
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
    await writeFile(join(directory, file), mutated);
    let loaded: { default?: unknown };
    try {
      loaded = await tsImport(pathToFileURL(join(directory, 'adapters', 'reference.ts')).href, {
        parentURL: import.meta.url,
        tsconfig: false,
      });
    } catch (error) {
      throw new MutantApplyError(
        mutant.id,
        `the mutated adapter does not load: ${(error as Error)?.message ?? String(error)}`,
      );
    }
    const adapter = loaded.default as Adapter | undefined;
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.create !== 'function') {
      throw new MutantApplyError(
        mutant.id,
        'the mutated adapters/reference.ts has no default export with create().',
      );
    }
    return {
      mutant,
      directory,
      adapter: { ...adapter, name: `${adapter.name} [mutant ${mutant.id}]` },
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
