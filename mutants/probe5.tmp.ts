import { execFileSync } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutateSource } from './apply.ts';
import { mutants } from './catalogue.ts';
const root = '/work/main';
const t = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'tsc-mutants-'));
for (const n of ['node_modules']) await symlink(join(root, n), join(dir, n));
await writeFile(join(dir, 'package.json'), '{"type":"module"}');
for (const m of mutants) {
  const sub = join(dir, m.id);
  await mkdir(sub);
  await cp(join(root, 'reference'), join(sub, 'reference'), { recursive: true, filter: (s) => !s.endsWith('.test.ts') && !s.endsWith('test-helpers.ts') });
  await cp(join(root, 'adapters'), join(sub, 'adapters'), { recursive: true });
  for (const n of ['conformance', 'machines']) await symlink(join(root, n), join(sub, n));
  await writeFile(join(sub, m.file), mutateSource(m, await readFile(join(root, m.file), 'utf8')));
}
const tsconfig = JSON.parse(await readFile(join(root, 'tsconfig.json'), 'utf8'));
tsconfig.include = ['*/reference', '*/adapters'];
await writeFile(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
console.log('prep', Math.round(performance.now() - t));
try {
  execFileSync(join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', join(dir, 'tsconfig.json')], { stdio: 'pipe' });
  console.log('ok');
} catch (e) {
  console.log('FAIL', String((e as { stdout: Buffer }).stdout).replaceAll(dir, '<tmp>'));
}
console.log('total', Math.round(performance.now() - t));
await rm(dir, { recursive: true, force: true });
