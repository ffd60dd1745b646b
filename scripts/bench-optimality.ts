/**
 * How close the path suites come to the shortest suite that could cover the same goals and
 * reach the same situations, for `npm run bench`: per built-in profile and machine, the
 * suite's steps, the project's own lower bound (`lower-bound.ts`), and the bound the goals
 * alone would give, which shows what the situations cost.
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
      'situations',
      'steps',
      'lower bound',
      'steps ÷ bound',
      'bound for the goals alone',
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
      const goalsAlone = await lowerBound({ ...problem, situations: [] });
      const ratio = plan.totalSteps / bound.steps;
      const label = `${profile.name} ${model.id}`;
      rows.push([
        label,
        String(problem.goals.length),
        String(problem.situations.length),
        String(plan.totalSteps),
        String(bound.steps),
        ratio.toFixed(2),
        String(goalsAlone.steps),
        bound.ms.toFixed(0),
      ]);
      if (profile.name === defaultProfile.name && model.id === 'imFlow') {
        barRow = [
          `bar: ${label} steps ÷ lower bound`,
          ratio.toFixed(3),
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
