import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import { type CoverageProblem, coverageProblem, planPaths } from '../conformance/paths.ts';
import { basicProfile, createModels } from '../machines/index.ts';
import { lowerBound } from './lower-bound.ts';

const problem = (edges: CoverageProblem['edges'], goals: string[]): CoverageProblem => ({
  machine: 'imFlow',
  start: 0,
  edges,
  goals,
});

describe('the lower bound on a path suite', () => {
  it('is the shortest suite on a graph where the flow cannot circle', async () => {
    // Two branches from the start: 0 → 1 → 2 covers a and b, 0 → 3 covers c; the way back
    // to the start costs nothing (a new case), so the best suite takes 3 steps.
    const bound = await lowerBound(
      problem(
        [
          { from: 0, to: 1, covers: ['a'] },
          { from: 1, to: 2, covers: ['b'] },
          { from: 0, to: 3, covers: ['c'] },
          { from: 3, to: 1, covers: [] },
        ],
        ['a', 'b', 'c'],
      ),
    );
    expect(bound.steps).toBe(3);
  });

  it('counts a goal reached twice over one edge once', async () => {
    const bound = await lowerBound(
      problem(
        [
          { from: 0, to: 1, covers: [] },
          { from: 1, to: 2, covers: ['a', 'b'] },
        ],
        ['a', 'b'],
      ),
    );
    expect(bound.steps).toBe(2);
  });

  it('names a goal no edge covers instead of bounding nothing', async () => {
    await expect(
      lowerBound(problem([{ from: 0, to: 1, covers: ['a'] }], ['a', 'unreachable goal'])),
    ).rejects.toThrow('no edge covers the goal unreachable goal');
  });

  it('stays at or below the planned suite of a built-in profile, whose goals it counts', async () => {
    const declarations = resolveDeclarations(referenceAdapter.declarations);
    const model = createModels(basicProfile)[0];
    if (!model) throw new Error('the basic profile has no flow machine');
    const plan = planPaths(model, { declarations });
    const coverage = coverageProblem(model, { declarations });
    const planned = [...plan.transitions].filter(([, status]) => status === 'planned');
    expect(coverage.goals).toEqual(expect.arrayContaining(planned.map(([id]) => id)));
    for (const goal of coverage.goals) {
      expect(coverage.edges.some((edge) => edge.covers.includes(goal))).toBe(true);
    }
    const bound = await lowerBound(coverage);
    expect(bound.steps).toBeGreaterThan(planned.length / 4);
    expect(bound.steps).toBeLessThanOrEqual(plan.totalSteps);
  });
});
