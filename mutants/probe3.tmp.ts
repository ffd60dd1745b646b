import { runMutant } from './kill.ts';
import { findMutant } from './catalogue.ts';
const ids = process.argv[2]!.split(',');
const runs = Number(process.argv[3] ?? 100);
const seeds = (process.argv[4] ?? '1,2,3,4,5').split(',').map(Number);
for (const id of ids) {
  const out: string[] = [];
  for (const seed of seeds) {
    const base = findMutant(id)!; const r = await runMutant(process.argv[5] ? { ...base, profile: process.argv[5] as never } : base, { seed, runs });
    out.push(`${seed}:${r.killed ? r.killedBy.join('+') : 'S'}${r.killed ? `(${r.requirementsReported.join(' ')};${r.shrunkSteps})` : ''}`);
  }
  console.log(id, runs, out.join('  '));
}
