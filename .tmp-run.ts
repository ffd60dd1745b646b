import reference from './adapters/reference.ts';
import { runSuite } from './conformance/suite.ts';
import { defaultProfile } from './machines/index.ts';
const t = performance.now();
const r = await runSuite({ adapter: reference, profiles: [defaultProfile], seed: 1, runs: 10 });
console.log(r.verdict, Math.round(performance.now() - t), r.profiles[0]?.machines.map((m) => [m.machine, m.pathCases.length, m.pathCases.reduce((s, c) => s + c.steps.length, 0)]));
