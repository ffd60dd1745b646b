import { getAdjacencyMap } from 'xstate/graph';
import {
  declaredTransitions,
  explorationEvents,
  formatOutput,
  type MachineModel,
  type ModelEvent,
  type ModelSnapshot,
  type Output,
  type Profile,
  type Queries,
  type RequirementGroup,
  requirements,
  type Stimulus,
} from '../machines/index.ts';
import { type ResolvedDeclarations, resolveDeclarations } from './declarations.ts';
import { guardedTransitions, guardOutcomes } from './guards.ts';

/** A generated test case: a sequence of stimuli from the initial state. */
export interface PlannedPath {
  readonly name: string;
  readonly stimuli: readonly Stimulus[];
  /** Transition IDs this path is the first to cover. */
  readonly covers: readonly string[];
  /** Guard outcomes (`id:false`) and situations this path is the first to reach. */
  readonly reaches: readonly string[];
}

export type PlanStatus =
  | 'planned'
  | 'spontaneous'
  | 'not-claimed'
  | 'unreachable'
  /** Reached only through a stimulus the adapter declares unsupported. */
  | 'unsupported'
  /** Outside the requirement group `--only` selects. */
  | 'other-group';

export interface PathPlan {
  readonly machine: MachineModel['id'];
  readonly paths: readonly PlannedPath[];
  /** Every declared transition, by ID, with why it is or is not planned. */
  readonly transitions: ReadonlyMap<string, PlanStatus>;
  /** For transitions `unsupported`: the unsupported stimuli on the way to them. */
  readonly unsupportedNeeds: ReadonlyMap<string, readonly string[]>;
  /** Guard outcomes the model can show through this adapter (`id:true`, `id:false`). */
  readonly guardGoals: readonly string[];
  /** Situations (named sequences no single transition captures) and whether a path reaches each. */
  readonly situations: ReadonlyMap<string, boolean>;
  /** Stimulus types the plan may drive (all, or those `--only` needs), for property runs too. */
  readonly stimulusTypes: ReadonlySet<string>;
  readonly reachableStates: number;
  readonly edges: number;
  readonly totalSteps: number;
}

/** What a plan depends on besides the model. */
export interface PlanOptions {
  readonly declarations?: ResolvedDeclarations;
  /** Plan only for the rules of one requirement group, and only the stimuli they need. */
  readonly only?: RequirementGroup;
}

/**
 * Sequences that matter although each of their transitions is covered elsewhere: bugs hide
 * where state left over from one step meets the next. Each element lists the transitions that
 * may take that place; between elements only time may pass (clock steps), so nothing washes the
 * leftover away. Sequences whose transitions a machine lacks are skipped.
 */
const SITUATIONS: readonly {
  readonly name: string;
  readonly sequence: readonly (readonly string[])[];
}[] = [
  {
    name: 'BeginJoin callback after the MCU became active',
    sequence: [['activate'], ['joinCallback']],
  },
  {
    name: 'a second proxied message while the first awaits its notification',
    sequence: [['receive.proxied'], ['receive.proxied']],
  },
  {
    name: 'second delivery notification after a failure notification',
    sequence: [['deliveryFailure'], ['deliverySuccess.second', 'deliveryFailure.second']],
  },
  {
    name: 'Composing again inside the revert window, then a refresh and a full time-out',
    sequence: [
      ['local.reverting.composingAgain', 'local.reverting.composingAgain.notified'],
      ['local.refresh'],
      ['local.timeout', 'local.timeout.instant', 'local.timeout.instant.notified'],
    ],
  },
  {
    name: 'Composing set again while the time-out runs, then the restarted time-out',
    sequence: [
      ['local.refresh', 'local.composing.wait'],
      ['local.composingAgain', 'local.composingAgain.notified'],
      ['local.timeout', 'local.timeout.instant', 'local.timeout.instant.notified'],
    ],
  },
  {
    name: 'a timer of an earlier composing episode left running into the next one',
    sequence: [
      ['local.startComposing'],
      ['local.refresh', 'local.composing.wait'],
      [
        'local.setIdle.notified',
        'local.setIdle.silent',
        'local.send.idleNotification',
        'local.send.messageOnly',
      ],
      ['local.startComposing'],
      ['local.timeout', 'local.timeout.instant', 'local.timeout.instant.notified'],
    ],
  },
];

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly stimulus: Stimulus;
  readonly transitionIds: readonly string[];
  /** Whether taking the edge shows: it changes the state or produces an output. */
  readonly effective: boolean;
  /** Guarded transitions whose guard this edge sees fail, as `id:false` keys. */
  readonly guardFalse: readonly string[];
  /** Whether the planner may drive it: the adapter supports it and `--only` needs it. */
  readonly usable: boolean;
  /** Set when the adapter declares the stimulus unsupported here. */
  readonly unsupported: boolean;
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
 * boundaries included, see every guard both hold and fail, and reach the situations above,
 * with few steps in total.
 *
 * `xstate/graph` enumerates the reachable state graph (events come from the model, clock steps
 * to just before and exactly at each deadline included). A greedy walk then repeatedly goes,
 * by a shortest route, to the nearest edge that covers something not yet covered, starting a
 * new case when going back to the start is cheaper (a fresh system costs no steps). Stimuli the
 * adapter declares unsupported, and under `only` those the group does not need, are never
 * planned.
 */
export function planPaths(model: MachineModel, options: PlanOptions = {}): PathPlan {
  const graph = graphFor(model, options);
  const known = graph.plan;
  if (known) return known;
  const plan = graph.planFor(new Set(), new Set(), 'path', true);
  graph.plan = plan;
  return plan;
}

/**
 * Plans fresh cases for what is still uncovered after some cases failed: nothing that takes a
 * transition in `avoid` (those whose steps failed), so that the next bug, not the same one,
 * shows. `covered` holds transition IDs and guard keys already covered.
 */
export function replanPaths(
  model: MachineModel,
  options: PlanOptions,
  covered: ReadonlySet<string>,
  avoid: ReadonlySet<string>,
  round: number,
): readonly PlannedPath[] {
  return graphFor(model, options).planFor(covered, avoid, `re-plan ${round} path`, false).paths;
}

interface Graph {
  plan?: PathPlan;
  planFor(
    covered: ReadonlySet<string>,
    avoid: ReadonlySet<string>,
    label: string,
    withSituations: boolean,
  ): PathPlan;
}

// Graphs depend only on the machine's definition, the profile and the options; reuse them.
const graphCache = new Map<string, Graph>();

function graphFor(model: MachineModel, options: PlanOptions): Graph {
  const declarations = options.declarations ?? resolveDeclarations(undefined);
  const key = `${model.id}:${JSON.stringify(model.profile)}:${declarations.key}:${options.only ?? ''}`;
  const known = graphCache.get(key);
  if (known) return known;
  const graph = buildGraph(model, declarations, options.only);
  graphCache.set(key, graph);
  return graph;
}

function buildGraph(
  model: MachineModel,
  declarations: ResolvedDeclarations,
  only: RequirementGroup | undefined,
): Graph {
  const serialize = (snapshot: ModelSnapshot) => model.serialize(snapshot);
  const adjacency = getAdjacencyMap(model.machine, {
    events: (snapshot) => explorationEvents(model, snapshot as ModelSnapshot) as never,
    serializeState: (snapshot) => serialize(snapshot as ModelSnapshot),
  });
  const declared = declaredTransitions(model.machine);
  const guarded = new Set(guardedTransitions(model));
  const inGroup = (ids: readonly string[]) => {
    if (!only) return true;
    const rules = new Set(requirements.filter((r) => r.group === only).map((r) => r.id));
    return ids.some((id) => rules.has(id));
  };
  const groupTransitions = new Set(
    declared.filter((t) => inGroup(t.meta.requirements)).map((t) => t.meta.id),
  );
  const raw: Omit<Edge, 'usable'>[] = [];
  for (const [from, { state, transitions }] of Object.entries(adjacency)) {
    for (const { event, state: next } of Object.values(transitions) as {
      event: unknown;
      state: unknown;
    }[]) {
      const stimulus = event as unknown as Stimulus;
      const snapshot = state as ModelSnapshot;
      const to = serialize(next as ModelSnapshot);
      raw.push({
        from,
        to,
        stimulus,
        transitionIds: model.transitionsTaken(snapshot, stimulus).map((t) => t.id),
        effective: to !== from || model.step(snapshot, stimulus).outputs.length > 0,
        guardFalse: guardOutcomes(model, snapshot, stimulus)
          .filter((o) => !o.held && guarded.has(o.transition))
          .map((o) => `${o.transition}:false`),
        unsupported:
          stimulus.type !== 'clock.advance' &&
          !declarations.supported(stimulus, model.queries(snapshot)),
      });
    }
  }
  const start = serialize(model.initial());

  /** Shortest route over `edges` from the start to an edge `wanted` accepts. */
  const shortest = (
    edges: readonly Omit<Edge, 'usable'>[],
    wanted: (edge: Omit<Edge, 'usable'>) => boolean,
  ) => {
    const outgoing = new Map<string, Omit<Edge, 'usable'>[]>();
    for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
    const cameBy = new Map<string, Omit<Edge, 'usable'> | null>([[start, null]]);
    const queue = [start];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head] as string;
      for (const edge of outgoing.get(node) ?? []) {
        if (wanted(edge)) {
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

  // Under --only, the stimuli the group's transitions react to, plus those on the way to them.
  const supportedEdges = raw.filter((edge) => !edge.unsupported);
  const stimulusTypes = new Set(
    only
      ? declared
          .filter((t) => groupTransitions.has(t.meta.id) && !t.meta.spontaneous)
          .map((t) => t.event)
      : raw.map((edge) => edge.stimulus.type),
  );
  if (only) {
    for (let grown = true; grown; ) {
      grown = false;
      const drivable = supportedEdges.filter((edge) => stimulusTypes.has(edge.stimulus.type));
      const reached = reachable(start, drivable);
      for (const id of groupTransitions) {
        const carries = (edge: Omit<Edge, 'usable'>) => edge.transitionIds.includes(id);
        if (drivable.some((edge) => carries(edge) && reached.has(edge.from))) continue;
        for (const edge of shortest(supportedEdges, carries) ?? []) {
          if (!stimulusTypes.has(edge.stimulus.type)) {
            stimulusTypes.add(edge.stimulus.type);
            grown = true;
          }
        }
      }
    }
  }
  const edges: Edge[] = raw.map((edge) => ({
    ...edge,
    usable: !edge.unsupported && stimulusTypes.has(edge.stimulus.type),
  }));
  const usableEdges = edges.filter((edge) => edge.usable);
  const reachedNodes = reachable(start, usableEdges);
  const outgoing = new Map<string, Edge[]>();
  for (const edge of usableEdges)
    outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge]);
  const onUsableEdge = new Set(
    usableEdges.filter((edge) => reachedNodes.has(edge.from)).flatMap((edge) => edge.transitionIds),
  );
  const onSomeEdge = new Set(edges.flatMap((edge) => edge.transitionIds));

  const status = new Map<string, PlanStatus>();
  const unsupportedNeeds = new Map<string, readonly string[]>();
  // Moves the implementation makes by itself, and the allowed branches it may take instead of
  // the preferred handling of a stimulus, are never planned: they must be possible, though.
  const spontaneousHere = new Set<string>();
  for (const { state, transitions } of Object.values(adjacency)) {
    const snapshot = state as ModelSnapshot;
    const moves: ModelEvent[] = [...model.spontaneous(snapshot)];
    for (const { event } of Object.values(transitions) as { event: unknown }[])
      moves.push(...model.alternatives(snapshot, event as Stimulus));
    for (const move of moves) {
      for (const meta of model.transitionsTaken(snapshot, move)) spontaneousHere.add(meta.id);
    }
  }
  for (const transition of declared) {
    const { id, capability, spontaneous } = transition.meta;
    if (
      !claimed(model.profile, capability) ||
      (model.capability && !claimed(model.profile, model.capability))
    ) {
      status.set(id, 'not-claimed');
    } else if (!groupTransitions.has(id)) status.set(id, 'other-group');
    else if (spontaneous) status.set(id, spontaneousHere.has(id) ? 'spontaneous' : 'unreachable');
    else if (onUsableEdge.has(id)) status.set(id, 'planned');
    else if (onSomeEdge.has(id)) {
      const route = shortest(raw, (edge) => edge.transitionIds.includes(id)) ?? [];
      const needs = [
        ...new Set(route.filter((edge) => edge.unsupported).map((edge) => edge.stimulus.type)),
      ];
      if (needs.length > 0) {
        status.set(id, 'unsupported');
        unsupportedNeeds.set(id, needs);
      } else status.set(id, 'unreachable');
    } else status.set(id, 'unreachable');
  }
  const plannedTransitions = [...status].filter(([, s]) => s === 'planned').map(([id]) => id);
  const guardFalseSeen = new Set(
    usableEdges.filter((edge) => reachedNodes.has(edge.from)).flatMap((edge) => edge.guardFalse),
  );
  const guardGoals = plannedTransitions
    .filter((id) => guarded.has(id))
    .flatMap((id) => [`${id}:true`, ...(guardFalseSeen.has(`${id}:false`) ? [`${id}:false`] : [])]);

  const states = new Map(
    Object.entries(adjacency).map(([key, value]) => [key, value.state as ModelSnapshot]),
  );
  const snapshotOf = (key: string) => states.get(key) as ModelSnapshot;
  const boundary = new Set(declared.filter((t) => t.meta.boundary).map((t) => t.meta.id));
  // A transition that shows somewhere should be covered where it shows: taking it where it
  // changes nothing would let an implementation that ignores it pass.
  const showsSomewhere = new Set(
    usableEdges.filter((edge) => edge.effective).flatMap((edge) => edge.transitionIds),
  );

  /**
   * What an implementation that got a step half right would be left in, where nothing in the
   * step itself tells: for a step that shows nothing (a timer that silently expires, say), the
   * state before it, as if skipped; for a step that shows its outputs but also restarts a
   * running timer (Composing set again), the state after it with that timer left running on.
   */
  const ghostOf = (edge: Edge): ModelSnapshot | undefined => {
    const before = snapshotOf(edge.from);
    const after = snapshotOf(edge.to);
    if (edge.from === edge.to || edge.transitionIds.some((id) => boundary.has(id)))
      return undefined;
    const taken = model.step(before, edge.stimulus);
    const stood = { outputs: [], queries: model.queries(before) };
    if (sameObservation({ outputs: taken.outputs, queries: model.queries(after) }, stood))
      return before;
    return edge.stimulus.type === 'clock.advance' ? undefined : model.timersKept(before, after);
  };

  /**
   * After a step that leaves a half-right implementation unseen (see `ghostOf`), the shortest
   * continuation whose outputs or states differ between the two: such an implementation fails
   * there instead of passing.
   */
  const distinguishing = (edge: Edge, allowed: (edge: Edge) => boolean): Edge[] => {
    const start = ghostOf(edge);
    if (!start) return [];
    const queue: { ghost: ModelSnapshot; key: string; route: Edge[] }[] = [
      { ghost: start, key: edge.to, route: [] },
    ];
    const seen = new Set<string>();
    for (let head = 0, budget = DISTINGUISH_BUDGET; head < queue.length && budget > 0; head++) {
      const { ghost, key, route } = queue[head] as (typeof queue)[number];
      if (route.length >= DISTINGUISH_DEPTH) continue;
      for (const next of outgoing.get(key) ?? []) {
        if (!allowed(next)) continue;
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

  /** The shortest route from the start that takes a situation's sequence, or undefined. */
  const situationRoute = (
    sequence: readonly (readonly string[])[],
    allowed: (edge: Edge) => boolean,
  ) => {
    const cameBy = new Map<string, { edge: Edge; previous: string } | null>([[`${start}#0`, null]]);
    const queue: [string, number][] = [[start, 0]];
    for (let head = 0; head < queue.length; head++) {
      const [node, progress] = queue[head] as [string, number];
      for (const edge of outgoing.get(node) ?? []) {
        if (!allowed(edge)) continue;
        const matches = edge.transitionIds.some((id) => sequence[progress]?.includes(id));
        // Once the sequence has begun, only time may pass between its elements.
        if (!matches && progress > 0 && edge.stimulus.type !== 'clock.advance') continue;
        const next = matches ? progress + 1 : progress;
        const key = `${edge.to}#${next}`;
        if (cameBy.has(key)) continue;
        cameBy.set(key, { edge, previous: `${node}#${progress}` });
        if (next === sequence.length) {
          const route: Edge[] = [];
          for (let back = cameBy.get(key); back; back = cameBy.get(back.previous))
            route.unshift(back.edge);
          return route;
        }
        queue.push([edge.to, next]);
      }
    }
    return undefined;
  };

  // A situation is planned only where each of its places can be taken, and it concerns the group.
  const plannable = new Set(plannedTransitions);
  const situations = SITUATIONS.filter(
    (situation) =>
      situation.sequence.every((place) => place.some((id) => plannable.has(id))) &&
      situation.sequence.some((place) => place.some((id) => groupTransitions.has(id))),
  );

  const graph: Graph = {
    planFor(covered, avoid, label, withSituations) {
      const allowed = (edge: Edge) => !edge.transitionIds.some((id) => avoid.has(id));
      const uncovered = new Set(
        [...plannedTransitions, ...guardGoals.filter((goal) => goal.endsWith(':false'))].filter(
          (goal) =>
            !covered.has(goal) && !avoid.has(goal) && !avoid.has(goal.replace(/:false$/, '')),
        ),
      );
      const coversNew = (edge: Edge) =>
        allowed(edge) &&
        (edge.transitionIds.some(
          (id) => uncovered.has(id) && (edge.effective || !showsSomewhere.has(id)),
        ) ||
          edge.guardFalse.some((goal) => uncovered.has(goal)));

      /** Shortest route from `origin` to an edge that covers something new, or undefined. */
      const routeToNewCoverage = (origin: string): Edge[] | undefined => {
        const cameBy = new Map<string, Edge | null>([[origin, null]]);
        const queue = [origin];
        for (let head = 0; head < queue.length; head++) {
          const node = queue[head] as string;
          for (const edge of outgoing.get(node) ?? []) {
            if (!allowed(edge)) continue;
            if (coversNew(edge)) {
              const route = [edge];
              for (let back = cameBy.get(node); back; back = cameBy.get(back.from))
                route.unshift(back);
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

      const paths: PlannedPath[] = [];
      const name = () => `${model.id} ${label} ${paths.length + 1}`;
      const take = (edge: Edge, covers: string[], reaches: string[]) => {
        for (const id of edge.transitionIds) if (uncovered.delete(id)) covers.push(id);
        for (const goal of edge.guardFalse) if (uncovered.delete(goal)) reaches.push(goal);
      };
      while (uncovered.size > 0) {
        const stimuli: Stimulus[] = [];
        const covers: string[] = [];
        const reaches: string[] = [];
        let at = start;
        for (;;) {
          const here = routeToNewCoverage(at);
          if (!here) break;
          if (stimuli.length > 0) {
            const fresh = routeToNewCoverage(start);
            if (fresh && fresh.length < here.length) break;
          }
          const covering = here[here.length - 1] as Edge;
          for (const edge of [...here, ...distinguishing(covering, allowed)]) {
            stimuli.push(edge.stimulus);
            take(edge, covers, reaches);
            at = edge.to;
          }
        }
        if (stimuli.length === 0) break;
        paths.push({ name: name(), stimuli, covers, reaches });
      }
      const reachedSituations = new Map<string, boolean>();
      if (withSituations) {
        for (const situation of situations) {
          const route = situationRoute(situation.sequence, allowed);
          reachedSituations.set(situation.name, route !== undefined);
          if (!route) continue;
          const covers: string[] = [];
          const reaches: string[] = [situation.name];
          for (const edge of route) take(edge, covers, reaches);
          paths.push({
            name: name(),
            stimuli: route.map((edge) => edge.stimulus),
            covers,
            reaches,
          });
        }
      }
      return {
        machine: model.id,
        paths,
        transitions: status,
        unsupportedNeeds,
        guardGoals,
        situations: reachedSituations,
        stimulusTypes,
        reachableStates: Object.keys(adjacency).length,
        edges: edges.length,
        totalSteps: paths.reduce((sum, path) => sum + path.stimuli.length, 0),
      };
    },
  };
  return graph;
}

function reachable(start: string, edges: readonly { from: string; to: string }[]): Set<string> {
  const outgoing = new Map<string, string[]>();
  for (const edge of edges) outgoing.set(edge.from, [...(outgoing.get(edge.from) ?? []), edge.to]);
  const seen = new Set([start]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const next of outgoing.get(queue[head] as string) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}
