import { getAdjacencyMap } from 'xstate/graph';
import {
  declaredTransitions,
  explorationEvents,
  formatOutput,
  type MachineModel,
  type ModelSnapshot,
  type Output,
  type Profile,
  type Queries,
  type Stimulus,
} from '../machines/index.ts';

/** A generated test case: a sequence of stimuli from the initial state. */
export interface PlannedPath {
  readonly name: string;
  readonly stimuli: readonly Stimulus[];
  /** Transition IDs this path is the first to cover. */
  readonly covers: readonly string[];
}

export interface PathPlan {
  readonly machine: MachineModel['id'];
  readonly paths: readonly PlannedPath[];
  /** Every declared transition, by ID, with why it is or is not planned. */
  readonly transitions: ReadonlyMap<
    string,
    'planned' | 'spontaneous' | 'not-claimed' | 'unreachable'
  >;
  readonly reachableStates: number;
  readonly edges: number;
  readonly totalSteps: number;
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly stimulus: Stimulus;
  readonly transitionIds: readonly string[];
  /** Whether taking the edge shows: it changes the state or produces an output. */
  readonly effective: boolean;
}

/** How far the planner looks for a sequence that tells a silent transition's effect. */
const DISTINGUISH_DEPTH = 4;
const DISTINGUISH_BUDGET = 4000;

function sameObservation(
  left: { outputs: readonly Output[]; queries: Queries },
  right: { outputs: readonly Output[]; queries: Queries },
): boolean {
  const texts = (outputs: readonly Output[]) => outputs.map(formatOutput).sort().join('\n');
  return (
    texts(left.outputs) === texts(right.outputs) &&
    JSON.stringify(left.queries) === JSON.stringify(right.queries)
  );
}

/** Applies a stimulus, cutting a clock advance at the model's deadlines as the runner does. */
function stepCut(model: MachineModel, snapshot: ModelSnapshot, stimulus: Stimulus) {
  if (stimulus.type !== 'clock.advance') return model.step(snapshot, stimulus);
  const outputs: Output[] = [];
  let current = snapshot;
  let remaining = stimulus.ms;
  while (remaining > 0) {
    const deadline = model.nextDeadlineMs(current);
    const ms = deadline === null ? remaining : Math.min(remaining, deadline);
    const result = model.step(current, { type: 'clock.advance', ms });
    outputs.push(...result.outputs);
    current = result.snapshot;
    remaining -= ms;
  }
  return { snapshot: current, outputs };
}

function claimed(profile: Profile, capability: keyof Profile['capabilities'] | undefined): boolean {
  return capability === undefined || profile.capabilities[capability];
}

/**
 * Plans path tests that take every reachable transition of the model at least once, timer
 * boundaries included, with few steps in total.
 *
 * `xstate/graph` enumerates the reachable state graph (events come from the model, clock steps
 * to just before and exactly at each deadline included). A greedy walk then repeatedly goes,
 * by a shortest route, to the nearest edge that takes a transition not yet covered, starting a
 * new case when going back to the start is cheaper (a fresh system costs no steps).
 */
export function planPaths(model: MachineModel): PathPlan {
  // Plans depend only on the machine's definition and the profile; reuse them within a process.
  const key = `${model.id}:${JSON.stringify(model.profile)}`;
  const known = planCache.get(key);
  if (known) return known;
  const plan = computePlan(model);
  planCache.set(key, plan);
  return plan;
}

const planCache = new Map<string, PathPlan>();

function computePlan(model: MachineModel): PathPlan {
  const serialize = (snapshot: ModelSnapshot) => model.serialize(snapshot);
  const adjacency = getAdjacencyMap(model.machine, {
    events: (snapshot) => explorationEvents(model, snapshot as ModelSnapshot) as never,
    serializeState: (snapshot) => serialize(snapshot as ModelSnapshot),
  });
  const outgoing = new Map<string, Edge[]>();
  let edgeCount = 0;
  for (const [from, { state, transitions }] of Object.entries(adjacency)) {
    const edges: Edge[] = [];
    for (const { event, state: next } of Object.values(transitions) as {
      event: unknown;
      state: unknown;
    }[]) {
      const stimulus = event as unknown as Stimulus;
      const taken = model.transitionsTaken(state as ModelSnapshot, stimulus);
      const to = serialize(next as ModelSnapshot);
      edges.push({
        from,
        to,
        stimulus,
        transitionIds: taken.map((t) => t.id),
        effective: to !== from || model.step(state as ModelSnapshot, stimulus).outputs.length > 0,
      });
    }
    outgoing.set(from, edges);
    edgeCount += edges.length;
  }

  const status = new Map<string, 'planned' | 'spontaneous' | 'not-claimed' | 'unreachable'>();
  const onSomeEdge = new Set([...outgoing.values()].flat().flatMap((edge) => edge.transitionIds));
  // Moves the implementation makes by itself are never planned, but they must be possible.
  const spontaneousHere = new Set<string>();
  for (const { state } of Object.values(adjacency)) {
    for (const move of model.spontaneous(state as ModelSnapshot)) {
      for (const meta of model.transitionsTaken(state as ModelSnapshot, move))
        spontaneousHere.add(meta.id);
    }
  }
  for (const transition of declaredTransitions(model.machine)) {
    const { id, capability, spontaneous } = transition.meta;
    if (
      !claimed(model.profile, capability) ||
      (model.capability && !claimed(model.profile, model.capability))
    ) {
      status.set(id, 'not-claimed');
    } else if (spontaneous) status.set(id, spontaneousHere.has(id) ? 'spontaneous' : 'unreachable');
    else status.set(id, onSomeEdge.has(id) ? 'planned' : 'unreachable');
  }
  const uncovered = new Set([...status].filter(([, s]) => s === 'planned').map(([id]) => id));
  const start = serialize(model.initial());

  const states = new Map(
    Object.entries(adjacency).map(([key, value]) => [key, value.state as ModelSnapshot]),
  );
  const snapshotOf = (key: string) => states.get(key) as ModelSnapshot;
  const boundary = new Set(
    declaredTransitions(model.machine)
      .filter((t) => t.meta.boundary)
      .map((t) => t.meta.id),
  );
  // A transition that shows somewhere should be covered where it shows: taking it where it
  // changes nothing would let an implementation that ignores it pass.
  const showsSomewhere = new Set(
    [...outgoing.values()]
      .flat()
      .filter((edge) => edge.effective)
      .flatMap((edge) => edge.transitionIds),
  );
  const coversNew = (edge: Edge) =>
    edge.transitionIds.some(
      (id) => uncovered.has(id) && (edge.effective || !showsSomewhere.has(id)),
    );

  /** Shortest route from `origin` to an edge that covers something new, or undefined. */
  const routeToNewCoverage = (origin: string): Edge[] | undefined => {
    const cameBy = new Map<string, Edge | null>([[origin, null]]);
    const queue = [origin];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as string;
      for (const edge of outgoing.get(node) ?? []) {
        if (coversNew(edge)) {
          const route = [edge];
          for (let back = cameBy.get(node); back; back = cameBy.get(back.from)) route.unshift(back);
          return route;
        }
        if (!cameBy.has(edge.to)) {
          cameBy.set(edge.to, edge);
          queue.push(edge.to);
        }
      }
    }
    return undefined;
  };

  /**
   * After a transition that shows nothing by itself (a timer that silently expires, say), the
   * shortest continuation whose outputs or states differ from what the state before it would
   * give: an implementation that skipped the transition fails there instead of passing.
   */
  const distinguishing = (edge: Edge): Edge[] => {
    const before = snapshotOf(edge.from);
    const after = snapshotOf(edge.to);
    if (edge.from === edge.to || edge.transitionIds.some((id) => boundary.has(id))) return [];
    const taken = model.step(before, edge.stimulus);
    const stood = { outputs: [], queries: model.queries(before) };
    if (!sameObservation({ outputs: taken.outputs, queries: model.queries(after) }, stood))
      return [];
    const queue: { ghost: ModelSnapshot; key: string; route: Edge[] }[] = [
      { ghost: before, key: edge.to, route: [] },
    ];
    const seen = new Set<string>();
    for (let head = 0, budget = DISTINGUISH_BUDGET; head < queue.length && budget > 0; head++) {
      const { ghost, key, route } = queue[head] as (typeof queue)[number];
      if (route.length >= DISTINGUISH_DEPTH) continue;
      for (const next of outgoing.get(key) ?? []) {
        budget--;
        const real = model.step(snapshotOf(key), next.stimulus);
        const shadow = stepCut(model, ghost, next.stimulus);
        const extended = [...route, next];
        if (
          !sameObservation(
            { outputs: real.outputs, queries: model.queries(real.snapshot) },
            { outputs: shadow.outputs, queries: model.queries(shadow.snapshot) },
          )
        ) {
          return extended;
        }
        const pair = `${serialize(shadow.snapshot)}|${next.to}`;
        if (!seen.has(pair)) {
          seen.add(pair);
          queue.push({ ghost: shadow.snapshot, key: next.to, route: extended });
        }
      }
    }
    return [];
  };

  const paths: PlannedPath[] = [];
  while (uncovered.size > 0) {
    const stimuli: Stimulus[] = [];
    const covers: string[] = [];
    let at = start;
    for (;;) {
      const here = routeToNewCoverage(at);
      if (!here) break;
      if (stimuli.length > 0) {
        const fresh = routeToNewCoverage(start);
        if (fresh && fresh.length < here.length) break;
      }
      const covering = here[here.length - 1] as Edge;
      for (const edge of [...here, ...distinguishing(covering)]) {
        stimuli.push(edge.stimulus);
        for (const id of edge.transitionIds) {
          if (uncovered.delete(id)) covers.push(id);
        }
        at = edge.to;
      }
    }
    if (stimuli.length === 0) break;
    paths.push({ name: `${model.id} path ${paths.length + 1}`, stimuli, covers });
  }
  return {
    machine: model.id,
    paths,
    transitions: status,
    reachableStates: outgoing.size,
    edges: edgeCount,
    totalSteps: paths.reduce((sum, path) => sum + path.stimuli.length, 0),
  };
}
