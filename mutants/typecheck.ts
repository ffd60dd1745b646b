/**
 * Type-checks every mutant at once: each mutated copy of `reference/` and `adapters/` goes in
 * its own folder of one temporary project, and one `tsc --noEmit` run checks them all. A copy
 * holds real files only for the patched file and those importing it; the rest link to the
 * project, so one program holds the unchanged files once instead of once per mutant. Loading a mutant with tsx only strips types, so this is what proves that
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

/**
 * The patched file and every file that imports it, directly or not: the only files whose
 * types a patch can change. The rest of a mutant's copy links to the project's own files,
 * which TypeScript reads once for all mutants (it follows links to the real path).
 */
function dependentsOf(patched: string, sources: ReadonlyMap<string, string>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const [file, text] of sources) {
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
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
      for (const [file, text] of sources) {
        const target = join(folder, file);
        await mkdir(dirname(target), { recursive: true });
        if (!copied.has(file)) await symlink(join(root, file), target);
        else await writeFile(target, file === mutant.file ? mutateSource(mutant, text) : text);
      }
      for (const name of ['conformance', 'machines'])
        await symlink(join(root, name), join(folder, name));
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
