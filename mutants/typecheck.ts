/**
 * Type-checks every mutant at once: each mutated copy of `reference/` and `adapters/` goes in
 * its own folder of one temporary project, and one `tsc --noEmit` run checks them all (about
 * half a minute). Loading a mutant with tsx only strips types, so this is what proves that
 * each mutant is a compiling program and not a type error in disguise.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { mutateSource, repositoryRoot } from './apply.ts';
import type { Mutant } from './catalogue.ts';

export interface TypecheckResult {
  /** Type errors by mutant id; a mutant without errors is absent. */
  readonly errors: ReadonlyMap<string, string[]>;
  /** tsc output that names no mutant folder (a problem of the setup, not of a mutant). */
  readonly other: readonly string[];
}

export async function typecheckMutants(
  list: readonly Mutant[],
  root = repositoryRoot,
): Promise<TypecheckResult> {
  const directory = await mkdtemp(join(tmpdir(), 'imflow-mutants-tsc-'));
  try {
    await symlink(join(root, 'node_modules'), join(directory, 'node_modules'));
    await writeFile(join(directory, 'package.json'), '{ "private": true, "type": "module" }\n');
    const keep = (source: string) =>
      !source.endsWith('.test.ts') && !source.endsWith('test-helpers.ts');
    for (const mutant of list) {
      const folder = join(directory, mutant.id);
      await mkdir(folder);
      await cp(join(root, 'reference'), join(folder, 'reference'), {
        recursive: true,
        filter: keep,
      });
      await cp(join(root, 'adapters'), join(folder, 'adapters'), { recursive: true, filter: keep });
      for (const name of ['conformance', 'machines'])
        await symlink(join(root, name), join(folder, name));
      const source = await readFile(join(root, mutant.file), 'utf8');
      await writeFile(join(folder, mutant.file), mutateSource(mutant, source));
    }
    const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
    tsconfig.include = ['*/reference', '*/adapters'];
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
