import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import {
  type CoverageEdge,
  type CoverageProblem,
  coverageProblem,
  planPaths,
} from '../conformance/paths.ts';
import { basicProfile, createModels } from '../machines/index.ts';
import { lowerBound } from './lower-bound.ts';

type Sketch = Pick<CoverageEdge, 'from' | 'to' | 'covers'> & Partial<CoverageEdge>;

const problem = (
  edges: readonly Sketch[],
  goals: string[],
  situations: CoverageProblem['situations'] = [],
): CoverageProblem => ({
  machine: 'imFlow',
  start: 0,
  edges: edges.map((edge) => ({ clock: false, takes: [], ...edge })),
  goals,
  situations,
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

  it('counts the steps a situation takes beyond the goals, clock steps between its places', async () => {
    // The goal lies one step away; the situation's two places lie further on, a clock step
    // between them.
    const edges: Sketch[] = [
      { from: 0, to: 1, covers: ['a'] },
      { from: 1, to: 2, covers: [], takes: [[0, 0]] },
      { from: 2, to: 3, covers: [], clock: true },
      { from: 3, to: 4, covers: [], takes: [[0, 1]] },
    ];
    expect((await lowerBound(problem(edges, ['a']))).steps).toBe(1);
    const bound = await lowerBound(problem(edges, ['a'], [{ name: 'two places', places: 2 }]));
    expect(bound.steps).toBe(4);
  });

  it('lets no step but a clock step pass between the places of a situation', async () => {
    // 0 → 1 → 2 → 3 takes both places with a stimulus between, which breaks the run; the
    // longer way 0 → 4 → 5 → 6 → 7 has nothing between them.
    const edges: Sketch[] = [
      { from: 0, to: 1, covers: [], takes: [[0, 0]] },
      { from: 1, to: 2, covers: [] },
      { from: 2, to: 3, covers: [], takes: [[0, 1]] },
      { from: 0, to: 4, covers: [] },
      { from: 4, to: 5, covers: [] },
      { from: 5, to: 6, covers: [], takes: [[0, 0]] },
      { from: 6, to: 7, covers: [], takes: [[0, 1]] },
    ];
    const bound = await lowerBound(problem(edges, [], [{ name: 'two places', places: 2 }]));
    expect(bound.steps).toBe(4);
  });

  it('names a situation no walk reaches instead of bounding nothing', async () => {
    const edges: Sketch[] = [{ from: 0, to: 1, covers: [], takes: [[0, 1]] }];
    await expect(
      lowerBound(problem(edges, [], [{ name: 'never begun', places: 2 }])),
    ).rejects.toThrow('no walk of the graph reaches the situation never begun');
  });

  it('stays at or below the planned suite of a built-in profile, whose goals and situations it counts', async () => {
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
    const reached = [...plan.situations].filter(([, taken]) => taken).map(([name]) => name);
    expect(coverage.situations.map((situation) => situation.name)).toEqual(reached);
    expect(reached.length).toBeGreaterThan(0);
    const bound = await lowerBound(coverage);
    const goalsAlone = await lowerBound({ ...coverage, situations: [] });
    expect(bound.steps).toBeGreaterThan(goalsAlone.steps);
    expect(bound.steps).toBeLessThanOrEqual(plan.totalSteps);
    // The planner's own bar, on the profile small enough to bound in a test.
    expect(plan.totalSteps / bound.steps).toBeLessThanOrEqual(1.1);
  });
});
