/**
 * A lower bound on the steps of any path suite that covers what the planner's first plan
 * covers and reaches the situations it reaches, for `npm run bench`: a linear program over the
 * planner's own graph (see `coverageProblem`) times the progress of each situation, solved
 * with HiGHS.
 *
 * Each edge e of that product gets x_e ≥ 0, the number of times the suite takes it; the
 * suite's cases start at the initial node (s of them, free of charge: a fresh system costs no
 * step) and end anywhere (t_v at node v). Flow is conserved at every node, each goal is taken
 * at least once by some edge that covers it, each situation is completed at least once by
 * some edge that takes its last place with the earlier ones behind, and the objective is the
 * number of steps, Σ x_e. Every real suite is a solution, so the optimum bounds them all from
 * below.
 *
 * The program lets flow circle in a cycle that no case reaches from the initial node, which
 * weakens the bound. Cuts that forbid it (every set of nodes that holds the start of an edge
 * counted as covering, but not the initial node, is entered at least as often as that edge
 * counts) did not raise it on the built-in profiles: 60 rounds on basic, 4 on ucma-guide, at
 * 2 to 45 s a round. They were left out.
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

function append<T>(map: Map<number, T[]>, key: number, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** An edge of the product graph: a base edge taken with some situations' progress behind. */
interface ProductEdge {
  readonly from: number;
  readonly to: number;
  readonly covers: readonly string[];
  /** The situations, by index, that this step completes. */
  readonly completes: readonly number[];
}

/**
 * The graph times the progress of every situation, so that a situation's constraint can ask
 * for a step that completes it. Progress is tracked as `takesSequence` reads a case: a run
 * may begin at any step that takes the first place, takes the next place when a step does,
 * lets clock steps that take nothing pass, and ends at any other step; several runs of one
 * situation may be alive at once, so each situation's progress is a set, kept as a bit mask.
 * Each case is one walk of this graph, which makes the program a relaxation of every suite.
 */
export function productGraph(problem: CoverageProblem): {
  start: number;
  edges: ProductEdge[];
} {
  const outgoing = new Map<number, CoverageProblem['edges'][number][]>();
  for (const edge of problem.edges) append(outgoing, edge.from, edge);
  const lengths = problem.situations.map((situation) => situation.places);
  const ids = new Map<string, number>();
  const states: { node: number; masks: number[] }[] = [];
  const idOf = (node: number, masks: number[]) => {
    const key = `${node}:${masks.join(',')}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = states.length;
      ids.set(key, id);
      states.push({ node, masks });
    }
    return id;
  };
  const start = idOf(
    problem.start,
    lengths.map(() => 0),
  );
  const edges: ProductEdge[] = [];
  for (let from = 0; from < states.length; from++) {
    const { node, masks } = states[from] as (typeof states)[number];
    for (const edge of outgoing.get(node) ?? []) {
      const completes: number[] = [];
      const next = masks.map((mask, situation) => {
        const length = lengths[situation] as number;
        let after = 0;
        for (let progress = 0; progress < length; progress++) {
          if (progress > 0 && (mask & (1 << progress)) === 0) continue;
          const takes = edge.takes.some(([s, place]) => s === situation && place === progress);
          if (takes) {
            if (progress + 1 === length) completes.push(situation);
            else after |= 1 << (progress + 1);
          } else if (progress > 0 && edge.clock) after |= 1 << progress;
        }
        return after;
      });
      edges.push({ from, to: idOf(edge.to, next), covers: edge.covers, completes });
    }
  }
  return { start, edges };
}

const column = (edge: number) => `x${edge}`;

/** The program in CPLEX LP text, the form HiGHS reads. */
export function lpText(problem: CoverageProblem): string {
  const product = productGraph(problem);
  const into = new Map<number, string[]>();
  const outOf = new Map<number, string[]>();
  const covering = new Map(problem.goals.map((goal) => [goal, [] as string[]]));
  const completing = problem.situations.map(() => [] as string[]);
  product.edges.forEach(({ from, to, covers, completes }, index) => {
    append(outOf, from, column(index));
    append(into, to, column(index));
    for (const goal of covers) covering.get(goal)?.push(column(index));
    for (const situation of completes) completing[situation]?.push(column(index));
  });
  const rows: string[] = [];
  for (const node of new Set([product.start, ...into.keys(), ...outOf.keys()])) {
    const source = node === product.start ? ' + s' : '';
    rows.push(
      ` n${node}: ${terms(into.get(node) ?? [])} ${terms(outOf.get(node) ?? [], '-')}${source} - t${node} = 0`,
    );
  }
  let index = 0;
  for (const [goal, edges] of covering) {
    if (edges.length === 0) throw new Error(`no edge covers the goal ${goal}`);
    rows.push(` g${index++}: ${terms(edges)} >= 1`);
  }
  completing.forEach((edges, situation) => {
    const name = problem.situations[situation]?.name;
    if (edges.length === 0) throw new Error(`no walk of the graph reaches the situation ${name}`);
    rows.push(` r${situation}: ${terms(edges)} >= 1`);
  });
  return [
    'Minimize',
    ` steps: ${terms(product.edges.map((_, at) => column(at)))}`,
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
  // The interior-point solver, with its crossover to a vertex, took a third of the simplex's time
  // on the product of the largest built-in problem.
  const solution = highs.solve(lpText(problem), { output_flag: false, solver: 'ipm' });
  if (solution.Status !== 'Optimal') {
    throw new Error(`the coverage program of ${problem.machine} ended ${solution.Status}`);
  }
  // Steps are whole: the bound rounds up, forgiving the solver's tolerance.
  const steps = Math.ceil(solution.ObjectiveValue - TOLERANCE);
  return { steps, ms: performance.now() - started };
}
