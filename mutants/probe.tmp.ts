import { findBuiltInProfile } from '../machines/index.ts';
import { runSuite } from '../conformance/suite.ts';
import { materialise } from './apply.ts';
import { findMutant } from './catalogue.ts';
const id = process.argv[2]!;
const runs = Number(process.argv[3] ?? 100);
const m = findMutant(id)!;
const mat = await materialise(m);
const t = performance.now();
const r = await runSuite({ adapter: mat.adapter, profiles: [findBuiltInProfile(m.profile)!], seed: 1, runs });
console.log(id, Math.round(performance.now() - t), 'ms');
for (const mach of r.profiles[0]!.machines) {
  console.log(mach.machine, mach.status, 'paths', mach.pathCases.length, mach.pathCases.map((p) => p.steps.length + p.verdict), 'prop', mach.property?.runs, mach.property?.passed, mach.property?.error, mach.durationMs, mach.plan);
  const cov = Object.entries(mach.coverage.transitions).filter(([, s]) => s !== 'covered');
  console.log(' not covered:', JSON.stringify(cov));
}
await mat.cleanup();
