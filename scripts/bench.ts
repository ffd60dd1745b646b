/**
 * `npm run bench`: how long planning and checking take, per profile and machine, against the
 * reference implementation. Prints a table; compare ratios within one run, not across machines.
 *
 *   npm run bench -- --runs 200
 *   npm run bench -- --skip-test-suite    (leaves out the timing of `npm test`)
 */
import referenceAdapter from '../adapters/reference.ts';
import { CaseRun } from '../conformance/case-run.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import { planPaths } from '../conformance/paths.ts';
import { runProperty } from '../conformance/properties.ts';
import { DEFAULT_RUNS } from '../conformance/suite.ts';
import { builtInProfiles, createModels } from '../machines/index.ts';
import { benchIsolation, printTable } from './bench-isolation.ts';

const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag === -1 ? DEFAULT_RUNS : Number(process.argv[runsFlag + 1]);
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs takes a whole number of at least 1.');
  process.exit(2);
}

printTable(await (await import('./bench-mutants.ts')).benchMutants());
const rows: string[][] = [
  [
    'profile',
    'machine',
    'states',
    'edges',
    'plan ms',
    'paths',
    'steps',
    'plannable transitions',
    'guard outcomes',
    'situations',
    'paths ms',
    'µs/step',
    `${runs} runs ms`,
  ],
];
// Planned as the check plans them: around what the adapter declares it cannot do.
const declarations = resolveDeclarations(referenceAdapter.declarations);
for (const profile of builtInProfiles) {
  for (const model of createModels(profile)) {
    if (model.capability && !profile.capabilities[model.capability]) continue;
    let started = performance.now();
    const plan = planPaths(model, { declarations });
    const planMs = performance.now() - started;
    started = performance.now();
    for (const path of plan.paths) {
      const run = await CaseRun.start({
        adapter: referenceAdapter,
        model,
        name: path.name,
        origin: 'path',
        declarations,
      });
      for (const stimulus of path.stimuli) await run.step(stimulus);
      await run.close();
    }
    const pathsMs = performance.now() - started;
    started = performance.now();
    await runProperty({
      adapter: referenceAdapter,
      model,
      runs,
      seed: 1,
      declarations,
      replayCommand: () => '',
    });
    const propertyMs = performance.now() - started;
    rows.push([
      profile.name,
      model.id,
      String(plan.reachableStates),
      String(plan.edges),
      planMs.toFixed(0),
      String(plan.paths.length),
      String(plan.totalSteps),
      String([...plan.transitions.values()].filter((status) => status === 'planned').length),
      String(plan.guardGoals.length),
      `${[...plan.situations.values()].filter(Boolean).length}/${plan.situations.size}`,
      pathsMs.toFixed(0),
      ((pathsMs * 1000) / Math.max(1, plan.totalSteps)).toFixed(0),
      propertyMs.toFixed(0),
    ]);
  }
}
printTable(rows);
printTable(await (await import('./bench-planning.ts')).benchPlanning());
printTable(await (await import('./bench-optimality.ts')).benchOptimality());
await benchIsolation();
if (!process.argv.includes('--skip-test-suite')) {
  printTable(await (await import('./bench-tests.ts')).benchTestSuite());
}
