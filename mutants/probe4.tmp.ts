import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutateSource } from './apply.ts';
import { mutants } from './catalogue.ts';
const root = '/work/main';
for (const m of mutants) {
  const dir = await mkdtemp(join(tmpdir(), 'tsc-mutant-'));
  await cp(join(root, 'reference'), join(dir, 'reference'), { recursive: true });
  await cp(join(root, 'adapters'), join(dir, 'adapters'), { recursive: true });
  for (const n of ['conformance', 'machines', 'node_modules']) await symlink(join(root, n), join(dir, n));
  await writeFile(join(dir, 'package.json'), '{"type":"module"}');
  const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
  tsconfig.include = ['reference', 'adapters'];
  await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  await writeFile(join(dir, m.file), mutateSource(m, await readFile(join(root, m.file), 'utf8')));
  try {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', join(dir, 'tsconfig.json')], { stdio: 'pipe' });
    console.log('ok', m.id);
  } catch (e) {
    console.log('FAIL', m.id, String((e as { stdout: Buffer }).stdout).replaceAll(dir, '<tmp>'));
  }
  await rm(dir, { recursive: true, force: true });
}
