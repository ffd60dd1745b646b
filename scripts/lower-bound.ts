/**
 * A lower bound on the steps of any path suite that covers what the planner's first plan
 * covers, for `npm run bench`: a linear program over the planner's own graph (see
 * `coverageProblem`), solved with HiGHS.
 *
 * Each edge e gets x_e ≥ 0, the number of times the suite takes it; the suite's cases start
 * at the initial node (s of them, free of charge: a fresh system costs no step) and end
 * anywhere (t_v at node v). Flow is conserved at every node, each goal is taken at least once
 * by some edge that covers it, and the objective is the number of steps, Σ x_e. Every real
 * suite is a solution, so the optimum bounds them all from below.
 *
 * The program lets flow circle in a cycle that no case reaches from the initial node, which
 * weakens the bound; cuts that forbid it (every set of nodes that holds the start of each edge
 * covering a goal, but not the initial node, is entered at least once) did not raise it in 40
 * rounds on the built-in profiles, and were left out.
 */

import type { Highs } from 'highs';
import * as highsModule from 'highs';
import type { CoverageProblem } from '../conformance/paths.ts';

// The package's one declaration file is read as its CommonJS build's, which puts the loader a
// level too deep; Node's import of its ES build gives the loader as the default export.
const loadHighs = highsModule.default as unknown as () => Promise<Highs>;

export interface LowerBound {
  /** The bound, in whole steps. */
  readonly steps: number;
  readonly ms: number;
}

const TOLERANCE = 1e-6;

let solver: Promise<Highs> | undefined;

/** Terms `+ name` of a row or the objective, a few per line. */
function terms(names: readonly string[], sign: '+' | '-' = '+'): string {
  const lines: string[] = [];
  for (let at = 0; at < names.length; at += 12) {
    lines.push(
      names
        .slice(at, at + 12)
        .map((name) => `${sign} ${name}`)
        .join(' '),
    );
  }
  return lines.join('\n   ');
}

const column = (edge: number) => `x${edge}`;

/** The program in CPLEX LP text, the form HiGHS reads. */
export function lpText(problem: CoverageProblem): string {
  const into = new Map<number, string[]>();
  const outOf = new Map<number, string[]>();
  const covering = new Map(problem.goals.map((goal) => [goal, [] as string[]]));
  const add = (map: Map<number, string[]>, node: number, name: string) => {
    const list = map.get(node);
    if (list) list.push(name);
    else map.set(node, [name]);
  };
  problem.edges.forEach(({ from, to, covers }, index) => {
    add(outOf, from, column(index));
    add(into, to, column(index));
    for (const goal of covers) covering.get(goal)?.push(column(index));
  });
  const rows: string[] = [];
  for (const node of new Set([problem.start, ...into.keys(), ...outOf.keys()])) {
    const source = node === problem.start ? ' + s' : '';
    rows.push(
      ` n${node}: ${terms(into.get(node) ?? [])} ${terms(outOf.get(node) ?? [], '-')}${source} - t${node} = 0`,
    );
  }
  let index = 0;
  for (const [goal, edges] of covering) {
    if (edges.length === 0) throw new Error(`no edge covers the goal ${goal}`);
    rows.push(` g${index++}: ${terms(edges)} >= 1`);
  }
  return [
    'Minimize',
    ` steps: ${terms(problem.edges.map((_, at) => column(at)))}`,
    'Subject To',
    ...rows,
    'End',
  ].join('\n');
}

/** The bound for one problem. */
export async function lowerBound(problem: CoverageProblem): Promise<LowerBound> {
  const started = performance.now();
  solver ??= loadHighs();
  const highs = await solver;
  const solution = highs.solve(lpText(problem), { output_flag: false });
  if (solution.Status !== 'Optimal') {
    throw new Error(`the coverage program of ${problem.machine} ended ${solution.Status}`);
  }
  // Steps are whole: the bound rounds up, forgiving the solver's tolerance.
  const steps = Math.ceil(solution.ObjectiveValue - TOLERANCE);
  return { steps, ms: performance.now() - started };
}
