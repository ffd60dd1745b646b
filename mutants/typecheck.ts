/**
 * Type-checks every mutant at once: each mutated copy of `reference/` and `adapters/` goes in
 * its own folder of one temporary project, and one `tsc --noEmit` run checks them all. A copy
 * holds only the patched file and those importing it, whose imports of anything else point at
 * the project's own files, so one program holds the unchanged files once instead of once per
 * mutant. Loading a mutant with tsx only strips types, so this is what proves that
 * each mutant is a compiling program and not a type error in disguise.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { mutateSource, repositoryRoot } from './apply.ts';
import type { Mutant } from './catalogue.ts';

export interface TypecheckResult {
  /** Type errors by mutant id; a mutant without errors is absent. */
  readonly errors: ReadonlyMap<string, string[]>;
  /** tsc output that names no mutant folder (a problem of the setup, not of a mutant). */
  readonly other: readonly string[];
}

/** The files of `reference/` and `adapters/` a mutant can patch or be imported by: no tests. */
async function projectSources(root: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  for (const folder of ['reference', 'adapters']) {
    for (const entry of await readdir(join(root, folder), {
      recursive: true,
      withFileTypes: true,
    })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      if (entry.name.endsWith('.test.ts') || entry.name.endsWith('test-helpers.ts')) continue;
      const file = relative(root, join(entry.parentPath, entry.name)).split(sep).join('/');
      sources.set(file, await readFile(join(root, file), 'utf8'));
    }
  }
  return sources;
}

/** A relative import or re-export, its specifier captured. */
const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

/**
 * The text of `file` as its copy in `folder`: imports of files that are not copied point at
 * the project's own file. (Links would not do: TypeScript 7 keeps a linked file under the
 * link's path, so every copy would load the kit and xstate once more.) Only specifiers change,
 * so error positions stay those of the source.
 */
function pointingHome(
  file: string,
  text: string,
  copied: ReadonlySet<string>,
  folder: string,
  root: string,
): string {
  return text.replace(RELATIVE_IMPORT, (statement, specifier: string) => {
    const target = posix.normalize(posix.join(posix.dirname(file), specifier));
    if (copied.has(target)) return statement;
    const from = dirname(join(folder, file));
    let home = relative(from, join(root, target)).split(sep).join('/');
    if (!home.startsWith('.')) home = `./${home}`;
    return statement.replace(`'${specifier}'`, `'${home}'`);
  });
}

/**
 * The patched file and every file that imports it, directly or not: the only files whose
 * types a patch can change. The rest of a mutant's copy links to the project's own files,
 * which TypeScript reads once for all mutants (it follows links to the real path).
 */
function dependentsOf(patched: string, sources: ReadonlyMap<string, string>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [file, text] of sources) {
    for (const [, specifier] of text.matchAll(RELATIVE_IMPORT)) {
      const target = posix.normalize(posix.join(posix.dirname(file), specifier as string));
      importers.set(target, [...(importers.get(target) ?? []), file]);
    }
  }
  const dependents = new Set([patched]);
  for (const file of dependents)
    for (const importer of importers.get(file) ?? []) dependents.add(importer);
  return dependents;
}

export async function typecheckMutants(
  list: readonly Mutant[],
  root = repositoryRoot,
): Promise<TypecheckResult> {
  const directory = await mkdtemp(join(tmpdir(), 'imflow-mutants-tsc-'));
  try {
    await symlink(join(root, 'node_modules'), join(directory, 'node_modules'));
    await writeFile(join(directory, 'package.json'), '{ "private": true, "type": "module" }\n');
    const sources = await projectSources(root);
    const roots: string[] = [];
    for (const mutant of list) {
      const folder = join(directory, mutant.id);
      const copied = dependentsOf(mutant.file, sources);
      for (const file of copied) {
        const target = join(folder, file);
        await mkdir(dirname(target), { recursive: true });
        const text = sources.get(file) as string;
        const source = file === mutant.file ? mutateSource(mutant, text) : text;
        await writeFile(target, pointingHome(file, source, copied, folder, root));
      }
      roots.push(...[...copied].map((file) => `${mutant.id}/${file}`));
    }
    const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
    delete tsconfig.include;
    tsconfig.files = roots;
    await writeFile(join(directory, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    let output = '';
    try {
      await promisify(execFile)(
        tsc,
        ['--noEmit', '--pretty', 'false', '-p', join(directory, 'tsconfig.json')],
        {
          maxBuffer: 16 * 1024 * 1024,
        },
      );
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      output = `${failure.stdout ?? ''}${failure.stderr ?? ''}` || failure.message;
    }
    const errors = new Map<string, string[]>();
    const other: string[] = [];
    // tsc names files relative to the working folder; the folder after the temporary one is the mutant.
    const folderOf = /imflow-mutants-tsc-[^/\\]+[/\\]([^/\\]+)[/\\](.*)$/;
    for (const line of output.split('\n').filter((l) => l.trim() !== '')) {
      const match = folderOf.exec(line);
      const owner = match ? list.find((mutant) => mutant.id === match[1]) : undefined;
      if (owner && match)
        errors.set(owner.id, [...(errors.get(owner.id) ?? []), match[2] as string]);
      else other.push(line);
    }
    return { errors, other };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}
