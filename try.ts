import { createModels, builtInProfiles, formatOutput } from './machines/index.ts';
import { planPaths, CaseRun } from './conformance/index.ts';
import adapter from './adapters/reference.ts';
for (const profile of builtInProfiles) for (const model of createModels(profile)) {
  const plan = planPaths(model);
  const t = performance.now();
  let fails = 0;
  for (const path of plan.paths) {
    const run = await CaseRun.start({ adapter, model, name: path.name, origin: 'path' });
    for (const s of path.stimuli) if (!(await run.step(s))) break;
    await run.close();
    if (run.failed) {
      fails++;
      const last = run.steps[run.steps.length - 1]!;
      console.log(profile.name, path.name, 'FAIL at step', run.steps.length, JSON.stringify(last.stimulus), last.failure?.message, last.failure?.requirements);
      console.log('   missing', last.failure?.missing?.map(formatOutput), 'unexpected', last.failure?.unexpected?.map(formatOutput), JSON.stringify(last.failure?.queryMismatches));
      console.log('   prev', run.steps.slice(-4, -1).map((s) => JSON.stringify(s.stimulus)).join(' '));
    }
  }
  console.log(profile.name, model.id, 'paths', plan.paths.length, 'fails', fails, Math.round(performance.now() - t), 'ms');
}
