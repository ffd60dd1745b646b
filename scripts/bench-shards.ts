import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * Wall time of one `imflow check` against the same run split into shards that run at once,
 * then merged (`npm run bench:shards -- [shards] [runs]`). Prints a table; asserts nothing.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'imflow.mjs');
const count = Number(process.argv[2] ?? 3);
const runs = process.argv[3] ?? '100';
const common = ['check', '--profile', 'all', '--seed', '7', '--runs', runs, '--reporter', 'json'];
const exec = promisify(execFile);

async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action().catch((error: { code?: number }) => {
    if (error.code !== 1) throw error;
  });
  return (performance.now() - started) / 1000;
}

const dir = await mkdtemp(join(tmpdir(), 'imflow-bench-shards-'));
try {
  const one = await timed(() =>
    exec(process.execPath, [bin, ...common, '--out', join(dir, 'one')]),
  );
  const shards = Array.from({ length: count }, (_, i) => join(dir, `shard-${i + 1}`));
  // Alone, one after another: what each CI job of its own would take.
  const alone: number[] = [];
  for (const [i, out] of shards.entries()) {
    alone.push(
      await timed(() =>
        exec(process.execPath, [bin, ...common, '--shard', `${i + 1}/${count}`, '--out', out]),
      ),
    );
  }
  const each: number[] = [];
  const parallel = await timed(() =>
    Promise.all(
      shards.map(async (out, i) => {
        each[i] = await timed(() =>
          exec(process.execPath, [bin, ...common, '--shard', `${i + 1}/${count}`, '--out', out]),
        );
      }),
    ),
  );
  const merge = await timed(() =>
    exec(process.execPath, [bin, 'merge-reports', ...shards, '--out', join(dir, 'merged')]),
  );
  const row = (what: string, s: number) => `| ${what.padEnd(34)} | ${s.toFixed(1).padStart(6)} s |`;
  console.log(`profiles all, ${runs} property runs per machine, seed 7, ${count} shards at once\n`);
  console.log(`| ${'run'.padEnd(34)} | ${'wall'.padStart(8)} |`);
  console.log(`|${'-'.repeat(36)}|${'-'.repeat(10)}|`);
  console.log(row('one unsharded run', one));
  for (const [i, s] of alone.entries()) console.log(row(`shard ${i + 1}/${count} alone`, s));
  console.log(row(`slowest shard alone + merge`, Math.max(...alone) + merge));
  for (const [i, s] of each.entries()) console.log(row(`shard ${i + 1}/${count}, all at once`, s));
  console.log(row(`${count} shards at once`, parallel));
  console.log(row('merge-reports', merge));
  console.log(row(`${count} shards at once + merge`, parallel + merge));
  console.log(`\n(${cpus().length} cores here; the shards at once share them)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
