/**
 * How close the path suites come to the shortest suite that could cover the same goals, for
 * `npm run bench`: per built-in profile and machine, the suite's steps, the steps of the cases
 * that reach a situation only, and the project's own lower bound (`lower-bound.ts`).
 */
import referenceAdapter from '../adapters/reference.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import { coverageProblem, planPaths } from '../conformance/paths.ts';
import { builtInProfiles, createModels, defaultProfile } from '../machines/index.ts';
import { lowerBound } from './lower-bound.ts';

const BAR = 1.1;

export async function benchOptimality(): Promise<string[][]> {
  const declarations = resolveDeclarations(referenceAdapter.declarations);
  const rows: string[][] = [
    [
      'path suite',
      'goals',
      'steps',
      'situation cases steps',
      'lower bound',
      'steps ÷ bound',
      'without situation cases ÷ bound',
      'bound ms',
    ],
  ];
  let barRow: string[] | undefined;
  for (const profile of builtInProfiles) {
    for (const model of createModels(profile)) {
      if (model.capability && !profile.capabilities[model.capability]) continue;
      const plan = planPaths(model, { declarations });
      const problem = coverageProblem(model, { declarations });
      const bound = await lowerBound(problem);
      // A case that reaches a situation and nothing else is there for the situation alone.
      const situationSteps = plan.paths
        .filter(
          (path) =>
            path.covers.length === 0 &&
            path.reaches.length > 0 &&
            path.reaches.every((goal) => plan.situations.has(goal)),
        )
        .reduce((sum, path) => sum + path.stimuli.length, 0);
      const ratio = plan.totalSteps / bound.steps;
      const label = `${profile.name} ${model.id}`;
      rows.push([
        label,
        String(problem.goals.length),
        String(plan.totalSteps),
        String(situationSteps),
        String(bound.steps),
        ratio.toFixed(2),
        ((plan.totalSteps - situationSteps) / bound.steps).toFixed(2),
        bound.ms.toFixed(0),
      ]);
      if (profile.name === defaultProfile.name && model.id === 'imFlow') {
        barRow = [
          `bar: ${label} steps ÷ lower bound`,
          ratio.toFixed(2),
          `≤ ${BAR}`,
          ratio <= BAR ? 'met' : 'NOT MET',
          '',
          '',
          '',
          '',
        ];
      }
    }
  }
  if (barRow) rows.push(barRow);
  return rows;
}
