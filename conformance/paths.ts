import {
  type ClockStepKind,
  clockSteps,
  declaredTransitions,
  explorationEvents,
  formatOutput,
  INVALID_COMPOSING_TIMEOUTS,
  type MachineModel,
  type ModelSnapshot,
  type Output,
  type Profile,
  type Queries,
  type RequirementGroup,
  requirements,
  type Stimulus,
  stepAcrossDeadlines,
  type TransitionMeta,
} from '../machines/index.ts';
import { type ResolvedDeclarations, resolveDeclarations } from './declarations.ts';
import { guardedTransitions, guardOutcomes } from './guards.ts';
import { planKey, readCachedPlan, sourceDigest, writeCachedPlan } from './plan-cache.ts';

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
  /**
   * Goals (transition IDs, `id:false` guard keys, situation names) the graph offered but no
   * concrete path reaches, with the reason; they are left out of the plan's goals.
   */
  readonly notPlanned?: ReadonlyMap<string, string>;
  /** Steps whose concrete replay took other transitions than the explored graph said. */
  readonly stepsDisagreeing?: number;
  /** Goals the abstract plan missed that a search over concrete snapshots reached instead. */
  readonly repaired?: readonly string[];
}

/** What a plan depends on besides the model. */
export interface PlanOptions {
  readonly declarations?: ResolvedDeclarations;
  /** Plan only for the rules of one requirement group, and only the stimuli they need. */
  readonly only?: RequirementGroup;
  /**
   * How the planner tells snapshots apart: `abstract` (the default) by the shape of time of
   * their timers (`MachineModel.abstractKey`), so that the graph does not grow with timer
   * values; `concrete` by their exact remaining times, as a reference to compare with.
   */
  readonly abstraction?: Abstraction;
}

export type Abstraction = 'abstract' | 'concrete';

/** How many concrete snapshots a repair of an abstract plan may explore. */
const REPAIR_STATE_LIMIT = 20_000;
/** At most this many passes that leave each case out in turn (see `draftsFor`). */
const ELIMINATION_PASSES = 3;

/** A place where the value a stimulus carries matters (which message it names, say). */
interface ValuedPlace {
  readonly transitions: readonly string[];
  readonly stimulus: (stimulus: Stimulus) => boolean;
}
/** A place of a situation: the transitions that may take it, and maybe which stimuli may. */
type Place = readonly string[] | ValuedPlace;

// Array.isArray does not narrow a readonly array type.
const isPlain = (place: Place): place is readonly string[] => Array.isArray(place);
const transitionsOf = (place: Place) => (isPlain(place) ? place : place.transitions);

/** Whether a step, by its transitions and its stimulus, takes the place. */
function takesPlace(
  place: Place | undefined,
  transitionIds: readonly string[],
  stimulus: Stimulus,
): boolean {
  if (!place || !transitionIds.some((id) => transitionsOf(place).includes(id))) return false;
  return isPlain(place) || place.stimulus(stimulus);
}

const LOCAL_TIMEOUT = ['local.timeout', 'local.timeout.instant', 'local.timeout.instant.notified'];

/**
 * Sequences that matter although each of their transitions is covered elsewhere: bugs hide
 * where state left over from one step meets the next. Each element lists the transitions that
 * may take that place; between elements only time may pass (clock steps), so nothing washes the
 * leftover away. Sequences whose transitions a machine lacks are skipped.
 */
const SITUATIONS: readonly {
  readonly name: string;
  readonly sequence: readonly Place[];
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
    // A covered notification may name the first message, which a counter of sent messages that
    // never moves on names rightly too.
    name: 'an incoming delivery notification for the second message sent',
    sequence: [
      {
        transitions: [
          'consumed.deliveryNotificationReceived',
          'proxied.deliveryNotificationReceived',
        ],
        stimulus: (stimulus) =>
          stimulus.type === 'remote.deliveryNotification' && stimulus.message === 2,
      },
    ],
  },
  // A refused template shows at once; that the flow kept its default time-out, and not the
  // refused one, shows only as time passes: still Composing some time before the default
  // time-out (a time-out of 0 or 1.5 ms would be over, and perhaps silently), then its end.
  ...INVALID_COMPOSING_TIMEOUTS.map((composingTimeoutMs) => ({
    name: `a template refused for its ${composingTimeoutMs} ms time-out, then the default time-out`,
    sequence: [
      {
        transitions: ['establish.invalidTemplate'],
        stimulus: (stimulus: Stimulus) =>
          stimulus.type === 'app.establish' &&
          stimulus.template?.composingTimeoutMs === composingTimeoutMs,
      },
      ['local.startComposing'],
      ['local.composing.wait'],
      LOCAL_TIMEOUT,
    ],
  })),
  {
    name: 'Composing again inside the revert window, then a refresh and a full time-out',
    sequence: [
      ['local.reverting.composingAgain', 'local.reverting.composingAgain.notified'],
      ['local.refresh'],
      LOCAL_TIMEOUT,
    ],
  },
  {
    name: 'Composing set again while the time-out runs, then the restarted time-out',
    sequence: [
      ['local.refresh', 'local.composing.wait'],
      ['local.composingAgain', 'local.composingAgain.notified'],
      LOCAL_TIMEOUT,
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
      LOCAL_TIMEOUT,
    ],
  },
];

/** One step of the explored graph, computed once with `model.step`. */
interface Edge {
  readonly from: NodeId;
  readonly to: NodeId;
  /** The stimulus, with the amount a clock step has from the node's representative. */
  readonly stimulus: Stimulus;
  /** For a clock step, where it goes; a path turns it into an amount when it is replayed. */
  readonly clock?: ClockStepKind;
  readonly transitionIds: readonly string[];
  readonly outputs: readonly Output[];
  /**
   * The node's representative snapshot. Where the step takes it is not kept: the target's
   * representative reads the same, and the few searches that need the very snapshot step
   * again, while keeping one per edge made most of the search's garbage collection.
   */
  readonly before: ModelSnapshot;
  /** Whether taking the edge shows: it changes the state or produces an output. */
  readonly effective: boolean;
  /** Guarded transitions whose guard this edge sees fail, as `id:false` keys. */
  readonly guardFalse: readonly string[];
  /** Set when the adapter declares the stimulus unsupported here. */
  readonly unsupported: boolean;
  /** The stimulus's values as a goal (see `valueGoal`). */
  readonly value: string | undefined;
}

/**
 * A node of the explored graph, by the order the search found it: the searches below key
 * their maps by it, where the long text of a snapshot's key would be hashed again each time.
 */
type NodeId = number;

/**
 * A stimulus's values as a goal of the first plan, `value:...`: every value the model offers
 * (each failure code, template and content type, chosen at the boundaries of their ranges) is
 * driven at least once. Several values take one transition, so covering the transitions
 * alone could leave out the one value an implementation gets wrong (a failure code of 699
 * refused, say). Which message a stimulus names, and a body's text, are no values of this kind.
 */
export function valueGoal(stimulus: Stimulus): string | undefined {
  if (stimulus.type === 'clock.advance') return undefined;
  const {
    message: _message,
    body: _body,
    ...values
  } = stimulus as Stimulus & {
    message?: unknown;
    body?: unknown;
  };
  return `value:${JSON.stringify(values)}`;
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

/**
 * Whether a step left the snapshot as it was: the same state value and context. A context
 * the step did not assign is the same object, so most comparisons stop at once.
 */
function unchanged(before: ModelSnapshot, after: ModelSnapshot): boolean {
  if (JSON.stringify(before.value) !== JSON.stringify(after.value)) return false;
  const was = before.context as Record<string, unknown>;
  const now = after.context as Record<string, unknown>;
  if (was === now) return true;
  for (const field in now) {
    const left = was[field];
    const right = now[field];
    if (
      left !== right &&
      (typeof right !== 'object' || JSON.stringify(left) !== JSON.stringify(right))
    )
      return false;
  }
  return true;
}

/** The guards of `guarded` that a step sees fail, as `id:false` goals. */
function failedGuards(
  model: MachineModel,
  snapshot: ModelSnapshot,
  stimulus: Stimulus,
  transitions: readonly TransitionMeta[],
  guarded: ReadonlySet<string>,
): string[] {
  const failed: string[] = [];
  for (const outcome of guardOutcomes(model, snapshot, stimulus, transitions)) {
    if (!outcome.held && guarded.has(outcome.transition))
      failed.push(`${outcome.transition}:false`);
  }
  return failed;
}

function claimed(profile: Profile, capability: keyof Profile['capabilities'] | undefined): boolean {
  return capability === undefined || profile.capabilities[capability];
}

/**
 * Plans path tests that take every reachable transition of the model at least once, timer
 * boundaries included, see every guard both hold and fail, and reach the situations above,
 * with few steps in total.
 *
 * A breadth-first search over `model.step` explores the state graph, one step per edge, with
 * the events of `explorationEvents` (clock steps to just before and exactly at each deadline,
 * and part-way into a lone timer, included). Snapshots are told apart by their abstract key:
 * the discrete state, the context and the shape of time of their timers, not the amounts, so
 * odd timer values do not blow the graph up; each node keeps the first snapshot that reached
 * it. A greedy walk then repeatedly goes, by a shortest route, to the nearest edge that covers
 * something not yet covered, starting a new case when going back to the start is cheaper (a
 * fresh system costs no steps). Each route is then replayed on the concrete model from the
 * initial snapshot, its clock steps turned into amounts there; what a path covers is what
 * that replay takes. Goals a replay misses are searched for among concrete snapshots, within
 * a budget, and those still missed are reported in `notPlanned`. Stimuli the adapter declares
 * unsupported, and under `only` those the group does not need, are never planned.
 *
 * The search replaces `xstate/graph`'s `getAdjacencyMap`, which computed each edge once for
 * the map and twice more to learn its transitions and outputs: see `npm run bench`.
 */
export function planPaths(model: MachineModel, options: PlanOptions = {}): PathPlan {
  const key = keyOf(model, options);
  const known = plans.get(key) ?? readCachedPlan(model, key);
  if (known) {
    plans.set(key, known);
    return known;
  }
  const plan = graphFor(model, options, key).planFor(new Set(), new Set(), 'path', true);
  plans.set(key, plan);
  writeCachedPlan(key, plan);
  return plan;
}

/**
 * Forgets the plans and graphs this process keeps in memory, so that the next planning is
 * served from the disk cache or planned afresh.
 */
export function forgetPlansInMemory(): void {
  plans.clear();
  graphs.clear();
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
  return graphFor(model, options, keyOf(model, options)).planFor(
    covered,
    avoid,
    `re-plan ${round} path`,
    false,
  ).paths;
}

/**
 * What the first plan must cover, as a graph: every usable edge reachable from the start,
 * with the goals taking it covers under the planner's own rule (a transition where it shows,
 * unless it shows nowhere; a guard seen failing; a stimulus's values), and the situations the
 * plan reaches, by the places each edge may take. The continuations that tell a silent step
 * apart are left out: a bound computed from it is a bound for every suite that covers at least
 * these goals and reaches these situations.
 */
export interface CoverageProblem {
  readonly machine: MachineModel['id'];
  readonly start: number;
  readonly edges: readonly CoverageEdge[];
  readonly goals: readonly string[];
  /** Each situation's name and its number of places, in the order `CoverageEdge.takes` counts. */
  readonly situations: readonly { readonly name: string; readonly places: number }[];
}

export interface CoverageEdge {
  readonly from: number;
  readonly to: number;
  readonly covers: readonly string[];
  /** A clock step: the only kind that may pass between the places of a situation. */
  readonly clock: boolean;
  /** `[situation, place]` pairs, by index, for each place of a situation this edge takes. */
  readonly takes: readonly (readonly [number, number])[];
}

/** The coverage problem of the plan `planPaths` makes with the same options. */
export function coverageProblem(model: MachineModel, options: PlanOptions = {}): CoverageProblem {
  const plan = planPaths(model, options);
  const goals = new Set(
    [...plan.transitions]
      .filter(([, status]) => status === 'planned')
      .map(([id]) => id)
      .concat(plan.guardGoals.filter((goal) => goal.endsWith(':false'))),
  );
  const problem = graphFor(model, options, keyOf(model, options)).coverage();
  // The values the plan drives: a value no replay reached is dropped from the plan's goals.
  for (const path of plan.paths) {
    for (const stimulus of path.stimuli) {
      const value = valueGoal(stimulus);
      if (value !== undefined && problem.valueGoals.has(value)) goals.add(value);
    }
  }
  // The situations the plan reaches, renumbered; an edge keeps only its places of those.
  const kept = problem.situations.flatMap((situation, index) =>
    plan.situations.get(situation.name) ? [{ ...situation, index }] : [],
  );
  const renumbered = new Map(kept.map(({ index }, at) => [index, at]));
  const edges = problem.edges.map((edge) => ({
    ...edge,
    covers: edge.covers.filter((goal) => goals.has(goal)),
    takes: edge.takes.flatMap(([situation, place]) => {
      const at = renumbered.get(situation);
      return at === undefined ? [] : [[at, place] as const];
    }),
  }));
  return {
    machine: model.id,
    start: problem.start,
    edges,
    goals: [...goals],
    situations: kept.map(({ name, places }) => ({ name, places })),
  };
}

interface Graph {
  coverage(): {
    start: number;
    edges: CoverageEdge[];
    valueGoals: ReadonlySet<string>;
    situations: { name: string; places: number }[];
  };
  planFor(
    covered: ReadonlySet<string>,
    avoid: ReadonlySet<string>,
    label: string,
    withSituations: boolean,
  ): PathPlan;
}

// Plans and graphs depend only on the machine's definition, the profile and the options.
const plans = new Map<string, PathPlan>();
let plannerDigest: string | undefined;
const graphs = new Map<string, Graph>();

function keyOf(model: MachineModel, options: PlanOptions): string {
  // The text of the modules that decide a plan, so that a changed planner never reuses one.
  plannerDigest ??= sourceDigest(import.meta.url, [
    './paths',
    './guards',
    './declarations',
    '../machines/model',
    '../machines/alphabet',
  ]);
  return planKey(model, {
    planner: plannerDigest,
    declarations: (options.declarations ?? resolveDeclarations(undefined)).key,
    only: options.only ?? '',
    abstraction: options.abstraction ?? 'abstract',
  });
}

function graphFor(model: MachineModel, options: PlanOptions, key: string): Graph {
  const known = graphs.get(key);
  if (known) return known;
  const graph = buildGraph(
    model,
    options.declarations ?? resolveDeclarations(undefined),
    options.only,
    options.abstraction ?? 'abstract',
  );
  graphs.set(key, graph);
  return graph;
}

/** A route of the explored graph, from the start. */
interface Draft {
  readonly edges: readonly Edge[];
}

/** The reachable graph under a key, breadth first from the initial snapshot. */
function explore(
  model: MachineModel,
  keyOf: (snapshot: ModelSnapshot) => string,
  declarations: ResolvedDeclarations,
  guarded: ReadonlySet<string>,
  stateLimit: number,
) {
  const initial = model.initial();
  const start: NodeId = 0;
  const ids = new Map<string, NodeId>([[keyOf(initial), start]]);
  const nodes: ModelSnapshot[] = [initial];
  const raw: Edge[] = [];
  for (let from = 0; from < nodes.length; from++) {
    const before = nodes[from] as ModelSnapshot;
    const clock = new Map(clockSteps(model, before).map(({ kind, ms }) => [ms, kind]));
    const queries = model.queries(before);
    for (const stimulus of explorationEvents(model, before)) {
      const { snapshot: after, outputs, transitions } = model.step(before, stimulus);
      const key = keyOf(after);
      let to = ids.get(key);
      if (to === undefined) {
        if (nodes.length >= stateLimit) continue;
        to = nodes.length;
        ids.set(key, to);
        nodes.push(after);
      }
      const kind = stimulus.type === 'clock.advance' ? clock.get(stimulus.ms) : undefined;
      raw.push({
        from,
        to,
        stimulus,
        ...(kind ? { clock: kind } : {}),
        transitionIds: transitions.map((t) => t.id),
        outputs,
        before,
        effective: outputs.length > 0 || !unchanged(before, after),
        guardFalse: failedGuards(model, before, stimulus, transitions, guarded),
        unsupported:
          stimulus.type !== 'clock.advance' && !declarations.supported(stimulus, queries),
        value: valueGoal(stimulus),
      });
    }
  }
  return { start, nodes, raw, complete: nodes.length < stateLimit };
}

/** Edges grouped by one of their ends. */
function edgesAt<E extends { from: NodeId; to: NodeId }>(
  edges: readonly E[],
  end: 'from' | 'to',
): Map<NodeId, E[]> {
  const grouped = new Map<NodeId, E[]>();
  for (const edge of edges) {
    const list = grouped.get(edge[end]);
    if (list) list.push(edge);
    else grouped.set(edge[end], [edge]);
  }
  return grouped;
}

const outgoingOf = <E extends { from: NodeId; to: NodeId }>(edges: readonly E[]) =>
  edgesAt(edges, 'from');

/**
 * The shortest walk from the starting states to a move that finishes it, breadth first, or
 * undefined; none longer than `within` moves is looked for.
 */
function shortestWalk<E>(
  starts: readonly number[],
  expand: (state: number, visit: (edge: E, to: number, finishes: boolean) => boolean) => void,
  within = Number.POSITIVE_INFINITY,
): E[] | undefined {
  const cameBy = new Map<number, { edge: E; previous: number } | null>();
  const queue: number[] = [];
  const depth = new Map<number, number>();
  for (const state of starts) {
    if (cameBy.has(state)) continue;
    cameBy.set(state, null);
    depth.set(state, 0);
    queue.push(state);
  }
  let found: { edge: E; previous: number } | undefined;
  let from = 0;
  // Returns whether the search is over.
  const visit = (edge: E, to: number, finishes: boolean) => {
    if (finishes) {
      found = { edge, previous: from };
      return true;
    }
    if (!cameBy.has(to)) {
      cameBy.set(to, { edge, previous: from });
      depth.set(to, (depth.get(from) ?? 0) + 1);
      queue.push(to);
    }
    return false;
  };
  for (let head = 0; head < queue.length && !found; head++) {
    from = queue[head] as number;
    if ((depth.get(from) ?? 0) >= within) break;
    expand(from, visit);
  }
  if (!found) return undefined;
  const { edge, previous } = found as { edge: E; previous: number };
  const route = [edge];
  for (let back = cameBy.get(previous); back; back = cameBy.get(back.previous))
    route.unshift(back.edge);
  return route;
}

/** The shortest route from a node whose last edge is wanted (see `shortestWalk`). */
function shortestRoute<E extends { from: NodeId; to: NodeId }>(
  start: NodeId,
  outgoing: ReadonlyMap<NodeId, readonly E[]>,
  wanted: (edge: E) => boolean,
  allowed: (edge: E) => boolean = () => true,
): E[] | undefined {
  return shortestWalk<E>([start], (node, visit) => {
    for (const edge of outgoing.get(node) ?? [])
      if (allowed(edge) && visit(edge, edge.to, wanted(edge))) return;
  });
}

/**
 * How runs of a situation's sequence over steps taken in order fare: whether one takes the
 * whole sequence, only time between its places, and how far those still open at the end got.
 */
function sequenceProgress(
  steps: readonly { readonly stimulus: Stimulus; readonly transitionIds: readonly string[] }[],
  sequence: readonly Place[],
): { taken: boolean; open: number[] } {
  const open: number[] = [];
  for (let first = 0; first < steps.length; first++) {
    let progress = 0;
    let broken = false;
    for (let at = first; at < steps.length && progress < sequence.length; at++) {
      const step = steps[at] as (typeof steps)[number];
      if (takesPlace(sequence[progress], step.transitionIds, step.stimulus)) progress++;
      else if (progress === 0 || step.stimulus.type !== 'clock.advance') {
        broken = true;
        break;
      }
    }
    if (progress === sequence.length) return { taken: true, open: [] };
    if (!broken) open.push(progress);
  }
  return { taken: false, open };
}

const takesSequence = (
  steps: Parameters<typeof sequenceProgress>[0],
  sequence: readonly Place[],
): boolean => sequenceProgress(steps, sequence).taken;

function buildGraph(
  model: MachineModel,
  declarations: ResolvedDeclarations,
  only: RequirementGroup | undefined,
  abstraction: Abstraction,
  stateLimit = Number.POSITIVE_INFINITY,
) {
  const keyOf =
    abstraction === 'abstract'
      ? (snapshot: ModelSnapshot) => model.abstractKey(snapshot)
      : (snapshot: ModelSnapshot) => model.serialize(snapshot);
  const declared = declaredTransitions(model.machine);
  const guarded = new Set(guardedTransitions(model));
  const { start, nodes, raw } = explore(model, keyOf, declarations, guarded, stateLimit);
  const inGroup = (ids: readonly string[]) => {
    if (!only) return true;
    const rules = new Set(requirements.filter((r) => r.group === only).map((r) => r.id));
    return ids.some((id) => rules.has(id));
  };
  const groupTransitions = new Set(
    declared.filter((t) => inGroup(t.meta.requirements)).map((t) => t.meta.id),
  );
  const carries = (id: string) => (edge: Edge) => edge.transitionIds.includes(id);

  // Under --only, the stimuli the group's transitions react to, plus those on the way to them.
  const supportedEdges = raw.filter((edge) => !edge.unsupported);
  const supportedOutgoing = outgoingOf(supportedEdges);
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
        if (drivable.some((edge) => carries(id)(edge) && reached.has(edge.from))) continue;
        for (const edge of shortestRoute(start, supportedOutgoing, carries(id)) ?? []) {
          if (!stimulusTypes.has(edge.stimulus.type)) {
            stimulusTypes.add(edge.stimulus.type);
            grown = true;
          }
        }
      }
    }
  }
  // The edges the planner may drive: the adapter supports them and `--only` needs them.
  const usableEdges = raw.filter(
    (edge) => !edge.unsupported && stimulusTypes.has(edge.stimulus.type),
  );
  const reachedNodes = reachable(start, usableEdges);
  const outgoing = outgoingOf(usableEdges);
  // What the reachable usable edges offer, in one pass over the edges.
  const onUsableEdge = new Set<string>();
  const guardFalseSeen = new Set<string>();
  const valueGoals = new Set<string>();
  // A transition that shows somewhere should be covered where it shows: taking it where it
  // changes nothing would let an implementation that ignores it pass.
  const showsSomewhere = new Set<string>();
  for (const edge of usableEdges) {
    if (edge.effective) for (const id of edge.transitionIds) showsSomewhere.add(id);
    if (!reachedNodes.has(edge.from)) continue;
    for (const id of edge.transitionIds) onUsableEdge.add(id);
    for (const goal of edge.guardFalse) guardFalseSeen.add(goal);
    if (edge.value !== undefined) valueGoals.add(edge.value);
  }
  /**
   * What taking an edge covers under the planner's rule: its transitions where they show
   * (or where they show nowhere), the guards it sees fail and its stimulus's values.
   */
  const goalsOf = new Map(
    usableEdges.map((edge) => [
      edge,
      [
        ...edge.transitionIds.filter((id) => edge.effective || !showsSomewhere.has(id)),
        ...edge.guardFalse,
        ...(edge.value === undefined ? [] : [edge.value]),
      ],
    ]),
  );
  const onSomeEdge = new Set<string>();
  for (const edge of raw) for (const id of edge.transitionIds) onSomeEdge.add(id);
  const rawOutgoing = outgoingOf(raw);

  const status = new Map<string, PlanStatus>();
  const unsupportedNeeds = new Map<string, readonly string[]>();
  // Moves the implementation makes by itself, and the allowed branches it may take instead of
  // the preferred handling of a stimulus, are never planned: they must be possible, though.
  // Each lookup asks xstate for the transitions again: the search for an event's branches
  // stops once each of them has been found.
  const spontaneousHere = new Set<string>();
  const unfound = (ids: readonly string[] | undefined) =>
    ids?.some((id) => !spontaneousHere.has(id)) ?? false;
  const branchesByEvent = new Map<string, string[]>();
  for (const { event, meta } of declared) {
    if (meta.choice === undefined && !meta.spontaneous) continue;
    const ids = branchesByEvent.get(event);
    if (ids) ids.push(meta.id);
    else branchesByEvent.set(event, [meta.id]);
  }
  for (const snapshot of nodes) {
    if (!unfound(branchesByEvent.get('sut.revert'))) break;
    for (const move of model.spontaneous(snapshot))
      for (const meta of model.transitionsTaken(snapshot, move)) spontaneousHere.add(meta.id);
  }
  for (const edge of raw) {
    if (!unfound(branchesByEvent.get(edge.stimulus.type))) continue;
    for (const move of model.alternatives(edge.before, edge.stimulus))
      for (const meta of model.transitionsTaken(edge.before, move)) spontaneousHere.add(meta.id);
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
      const route = shortestRoute(start, rawOutgoing, carries(id)) ?? [];
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
  const guardGoals = plannedTransitions
    .filter((id) => guarded.has(id))
    .flatMap((id) => [`${id}:true`, ...(guardFalseSeen.has(`${id}:false`) ? [`${id}:false`] : [])]);

  const boundary = new Set(declared.filter((t) => t.meta.boundary).map((t) => t.meta.id));
  // The readings of a node: those of its representative, which every snapshot of its key shares.
  const queriesAt = (node: NodeId) => model.queries(nodes[node] as ModelSnapshot);

  /**
   * What an implementation that got a step half right would be left in, where nothing in the
   * step itself tells: for a step that shows nothing (a timer that silently expires, say), the
   * state before it, as if skipped; for a step that shows its outputs but also restarts a
   * running timer (Composing set again), the state after it with that timer left running on.
   */
  const ghostOf = (edge: Edge): ModelSnapshot | undefined => {
    if (edge.from === edge.to || edge.transitionIds.some((id) => boundary.has(id)))
      return undefined;
    const stood = { outputs: [], queries: model.queries(edge.before) };
    if (sameObservation({ outputs: edge.outputs, queries: queriesAt(edge.to) }, stood))
      return edge.before;
    return edge.stimulus.type === 'clock.advance'
      ? undefined
      : model.timersKept(edge.before, model.step(edge.before, edge.stimulus).snapshot);
  };

  /**
   * After a step that leaves a half-right implementation unseen (see `ghostOf`), the shortest
   * continuation whose outputs or states differ between the two: such an implementation fails
   * there instead of passing.
   */
  const distinguishing = (edge: Edge, allowed: (edge: Edge) => boolean): Edge[] => {
    const start = ghostOf(edge);
    if (!start) return [];
    const queue: { ghost: ModelSnapshot; node: NodeId; route: Edge[] }[] = [
      { ghost: start, node: edge.to, route: [] },
    ];
    const seen = new Set<string>();
    for (let head = 0, budget = DISTINGUISH_BUDGET; head < queue.length && budget > 0; head++) {
      const { ghost, node, route } = queue[head] as (typeof queue)[number];
      if (route.length >= DISTINGUISH_DEPTH) continue;
      for (const next of outgoing.get(node) ?? []) {
        if (!allowed(next)) continue;
        budget--;
        const shadow = stepAcrossDeadlines(model, ghost, next.stimulus);
        const extended = [...route, next];
        if (
          !sameObservation(
            { outputs: next.outputs, queries: queriesAt(next.to) },
            { outputs: shadow.outputs, queries: model.queries(shadow.snapshot) },
          )
        ) {
          return extended;
        }
        const pair = `${keyOf(shadow.snapshot)}|${next.to}`;
        if (!seen.has(pair)) {
          seen.add(pair);
          queue.push({ ghost: shadow.snapshot, node: next.to, route: extended });
        }
      }
    }
    return [];
  };

  /**
   * The shortest route from a node that takes a situation's sequence, or undefined: a route
   * may finish a run the steps before the node left open (`open`, how far each got). None
   * longer than `within` steps is looked for.
   */
  const situationRoute = (
    sequence: readonly Place[],
    allowed: (edge: Edge) => boolean,
    from: NodeId = start,
    within = Number.POSITIVE_INFINITY,
    open: readonly number[] = [],
  ) => {
    // A node and how much of the sequence is behind, as one number.
    const width = sequence.length + 1;
    return shortestWalk<Edge>(
      [0, ...open].map((progress) => from * width + progress),
      (state, visit) => {
        const progress = state % width;
        for (const edge of outgoing.get((state - progress) / width) ?? []) {
          if (!allowed(edge)) continue;
          const matches = takesPlace(sequence[progress], edge.transitionIds, edge.stimulus);
          // Once the sequence has begun, only time may pass between its elements.
          if (!matches && progress > 0 && edge.stimulus.type !== 'clock.advance') continue;
          const next = matches ? progress + 1 : progress;
          if (visit(edge, edge.to * width + next, next === sequence.length)) return;
        }
      },
      within,
    );
  };

  // A situation is planned only where each of its places can be taken, and it concerns the group.
  const plannable = new Set(plannedTransitions);
  const situations = SITUATIONS.filter(
    (situation) =>
      situation.sequence.every((place) => transitionsOf(place).some((id) => plannable.has(id))) &&
      situation.sequence.some((place) =>
        transitionsOf(place).some((id) => groupTransitions.has(id)),
      ),
  );

  const incoming = edgesAt(usableEdges, 'to');
  /** The nodes from which an allowed route leads to an edge that takes a place. */
  const leadingTo = (place: Place, allowed: (edge: Edge) => boolean): Set<NodeId> => {
    const found = new Set<NodeId>();
    const queue: NodeId[] = [];
    for (const edge of usableEdges) {
      if (
        allowed(edge) &&
        !found.has(edge.from) &&
        takesPlace(place, edge.transitionIds, edge.stimulus)
      ) {
        found.add(edge.from);
        queue.push(edge.from);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      for (const edge of incoming.get(queue[head] as NodeId) ?? []) {
        if (allowed(edge) && !found.has(edge.from)) {
          found.add(edge.from);
          queue.push(edge.from);
        }
      }
    }
    return found;
  };

  interface Target {
    readonly route: readonly Edge[];
    readonly situation?: string;
  }
  interface Case {
    readonly edges: Edge[];
    at: NodeId;
    /** The nearest target from the end, `null` for none, `undefined` while unknown. */
    next: Target | null | undefined;
  }
  /** What is left to cover and to reach, and what taking an edge of a case leaves. */
  interface Wanted {
    readonly uncovered: Set<string>;
    readonly unreached: Map<string, readonly Place[]>;
  }
  const take = (wanted: Wanted, edge: Edge) => {
    for (const id of edge.transitionIds) wanted.uncovered.delete(id);
    for (const goal of edge.guardFalse) wanted.uncovered.delete(goal);
    if (edge.value !== undefined) wanted.uncovered.delete(edge.value);
  };
  const reachIn = (wanted: Wanted, edges: readonly Edge[]) => {
    for (const [name, sequence] of wanted.unreached)
      if (takesSequence(edges, sequence)) wanted.unreached.delete(name);
  };

  /**
   * Extends `cases` greedily until `wanted` is empty or out of reach: each step of the search
   * takes the nearest goal or situation from the end of any case, or from the start as a new
   * case, so that a case goes on wherever it is nearest.
   */
  const extendCases = (
    cases: Case[],
    wanted: Wanted,
    allowed: (edge: Edge) => boolean,
    beginnings: Map<string, Set<NodeId>>,
  ) => {
    const { uncovered, unreached } = wanted;
    const canBegin = (name: string, sequence: readonly Place[], node: NodeId) => {
      let nodes = beginnings.get(name);
      if (!nodes) {
        nodes = leadingTo(sequence[0] as Place, allowed);
        beginnings.set(name, nodes);
      }
      return nodes.has(node);
    };
    const coversNew = (edge: Edge) =>
      allowed(edge) && (goalsOf.get(edge)?.some((goal) => uncovered.has(goal)) ?? false);
    const nearest = (from: NodeId, behind: readonly Edge[]): Target | null => {
      let best: Target | null = null;
      const toGoal =
        uncovered.size > 0 && unreached.size === 0
          ? shortestRoute(from, outgoing, coversNew, allowed)
          : undefined;
      if (toGoal) best = { route: toGoal };
      for (const [name, sequence] of unreached) {
        const { open } = sequenceProgress(behind, sequence);
        if (open.length === 0 && !canBegin(name, sequence, from)) continue;
        const within = best ? best.route.length - 1 : Number.POSITIVE_INFINITY;
        const route = situationRoute(sequence, allowed, from, within, open);
        if (route) best = { route, situation: name };
      }
      return best;
    };
    // Within a phase, goals and situations only ever leave: a target still wanted is still
    // the nearest.
    const stillWanted = (target: Target) =>
      target.situation === undefined
        ? coversNew(target.route[target.route.length - 1] as Edge)
        : unreached.has(target.situation);
    const fresh: Case = { edges: [], at: start, next: undefined };
    for (const known of cases) known.next = undefined;
    // Situations are sought first, goals once none is left: a situation's case is long and
    // takes many goals on its way, and where goals went first, each took the short way from
    // the start that a situation's case would have taken anyway.
    let situationsFirst = unreached.size > 0;
    for (;;) {
      if (situationsFirst && unreached.size === 0) {
        situationsFirst = false;
        for (const known of [...cases, fresh]) known.next = undefined;
      }
      let chosen: Case | undefined;
      let length = Number.POSITIVE_INFINITY;
      // Cases first: a new case is opened only where it is strictly nearer.
      for (const candidate of [...cases, fresh]) {
        if (candidate.next === undefined || (candidate.next && !stillWanted(candidate.next)))
          candidate.next = nearest(candidate.at, candidate.edges);
        if (candidate.next && candidate.next.route.length < length) {
          chosen = candidate;
          length = candidate.next.route.length;
        }
      }
      const target = chosen?.next;
      if (!chosen || !target) break;
      if (chosen === fresh) {
        chosen = { edges: [], at: start, next: undefined };
        cases.push(chosen);
        fresh.next = undefined;
      }
      const covering = target.route[target.route.length - 1] as Edge;
      const continuation = target.situation ? [] : distinguishing(covering, allowed);
      for (const edge of [...target.route, ...continuation]) {
        chosen.edges.push(edge);
        take(wanted, edge);
        chosen.at = edge.to;
      }
      chosen.next = undefined;
      reachIn(wanted, chosen.edges);
    }
  };

  /**
   * The routes that cover what `goals` holds and take the named situations: greedy cases
   * (see `extendCases`), then each case in turn left out where the others, extended, cover
   * and reach what it alone did in fewer steps.
   */
  const draftsFor = (
    goals: ReadonlySet<string>,
    allowed: (edge: Edge) => boolean,
    situationNames: readonly string[] = [],
  ): Draft[] => {
    const situationsNamed = situationNames.flatMap((name) => {
      const situation = SITUATIONS.find((s) => s.name === name);
      return situation ? [[name, situation.sequence] as const] : [];
    });
    const wantedAll = (): Wanted => ({
      uncovered: new Set(goals),
      unreached: new Map(situationsNamed),
    });
    const beginnings = new Map<string, Set<NodeId>>();
    let cases: Case[] = [];
    const wanted = wantedAll();
    extendCases(cases, wanted, allowed, beginnings);
    const steps = (list: readonly Case[]) => list.reduce((sum, { edges }) => sum + edges.length, 0);
    // What is left wanted once some cases are taken; goals no case covers stay out of it.
    const leftAfter = (kept: readonly Case[]): Wanted => {
      const left = wantedAll();
      for (const goal of wanted.uncovered) left.uncovered.delete(goal);
      for (const name of wanted.unreached.keys()) left.unreached.delete(name);
      for (const { edges } of kept) {
        for (const edge of edges) take(left, edge);
        reachIn(left, edges);
      }
      return left;
    };
    // Each case in turn is left out, and the others are extended to make up for it: kept if
    // no longer, so that a later case may gain from the change.
    for (let pass = 0; pass < ELIMINATION_PASSES; pass++) {
      for (let at = 0; at < cases.length; at++) {
        const others = cases.filter((_, index) => index !== at);
        const left = leftAfter(others);
        const trial = others.map(({ edges, at: end }) => ({
          edges: [...edges],
          at: end,
          next: undefined,
        }));
        extendCases(trial, left, allowed, beginnings);
        const complete = left.uncovered.size === 0 && left.unreached.size === 0;
        if (complete && steps(trial) <= steps(cases)) cases = trial;
      }
    }
    return cases.map(({ edges }) => ({ edges }));
  };

  const situationDraft = (name: string, allowed: (edge: Edge) => boolean): Draft | undefined => {
    const situation = SITUATIONS.find((s) => s.name === name);
    const route = situation && situationRoute(situation.sequence, allowed);
    return route ? { edges: route } : undefined;
  };

  /** A route replayed on the concrete model from its initial snapshot. */
  const replay = (draft: Draft) => {
    let snapshot = model.initial();
    const steps: {
      stimulus: Stimulus;
      transitionIds: string[];
      effective: boolean;
      guardFalse: string[];
    }[] = [];
    let disagreeing = 0;
    for (const edge of draft.edges) {
      const clock = edge.clock;
      let stimulus = edge.stimulus;
      if (clock) {
        const step = clockSteps(model, snapshot).find(({ kind }) => kind === clock);
        if (!step) {
          disagreeing++;
          break;
        }
        stimulus = { type: 'clock.advance', ms: step.ms };
      }
      const result = model.step(snapshot, stimulus);
      const transitionIds = result.transitions.map((t) => t.id);
      if (transitionIds.join() !== edge.transitionIds.join()) disagreeing++;
      steps.push({
        stimulus,
        transitionIds,
        effective: result.outputs.length > 0 || !unchanged(snapshot, result.snapshot),
        guardFalse: failedGuards(model, snapshot, stimulus, result.transitions, guarded),
      });
      snapshot = result.snapshot;
    }
    return { steps, disagreeing };
  };

  let repairGraph: ReturnType<typeof buildGraph> | undefined;
  const graph = {
    draftsFor,
    situationDraft,
    coverage() {
      return {
        start,
        edges: usableEdges
          .filter((edge) => reachedNodes.has(edge.from))
          .map((edge) => ({
            from: edge.from,
            to: edge.to,
            covers: goalsOf.get(edge) ?? [],
            clock: edge.stimulus.type === 'clock.advance',
            takes: situations.flatMap(({ sequence }, situation) =>
              sequence.flatMap((place, at) =>
                takesPlace(place, edge.transitionIds, edge.stimulus)
                  ? [[situation, at] as const]
                  : [],
              ),
            ),
          })),
        valueGoals,
        situations: situations.map(({ name, sequence }) => ({ name, places: sequence.length })),
      };
    },
    planFor(
      covered: ReadonlySet<string>,
      avoid: ReadonlySet<string>,
      label: string,
      withSituations: boolean,
    ): PathPlan {
      const allowed = (edge: Edge) => !edge.transitionIds.some((id) => avoid.has(id));
      const goals = new Set(
        [...plannedTransitions, ...guardGoals.filter((goal) => goal.endsWith(':false'))].filter(
          (goal) =>
            !covered.has(goal) && !avoid.has(goal) && !avoid.has(goal.replace(/:false$/, '')),
        ),
      );
      // Values are goals of the first plan only: a re-plan after failures looks for what the
      // failures left uncovered, and values were offered once already.
      if (withSituations) for (const goal of valueGoals) if (!covered.has(goal)) goals.add(goal);
      const wantedSituations = withSituations ? situations.map((s) => s.name) : [];
      const paths: PlannedPath[] = [];
      const done = new Set<string>();
      const reachedSituations = new Map<string, boolean>();
      let stepsDisagreeing = 0;
      /** Replays drafts and keeps those that cover something new, with what they cover. */
      const materialise = (drafts: readonly Draft[]) => {
        for (const draft of drafts) {
          const { steps, disagreeing } = replay(draft);
          stepsDisagreeing += disagreeing;
          const covers: string[] = [];
          const reaches: string[] = [];
          let drivesNewValue = false;
          for (const step of steps) {
            for (const id of step.transitionIds) {
              if (goals.has(id) && !done.has(id) && (step.effective || !showsSomewhere.has(id))) {
                done.add(id);
                covers.push(id);
              }
            }
            for (const goal of step.guardFalse) {
              if (goals.has(goal) && !done.has(goal)) {
                done.add(goal);
                reaches.push(goal);
              }
            }
            const value = valueGoal(step.stimulus);
            if (value && goals.has(value) && !done.has(value)) {
              done.add(value);
              drivesNewValue = true;
            }
          }
          for (const situation of SITUATIONS) {
            if (reachedSituations.get(situation.name) !== false) continue;
            if (takesSequence(steps, situation.sequence)) {
              reaches.push(situation.name);
              reachedSituations.set(situation.name, true);
            }
          }
          if (covers.length === 0 && reaches.length === 0 && !drivesNewValue) continue;
          paths.push({
            name: `${model.id} ${label} ${paths.length + 1}`,
            stimuli: steps.map((step) => step.stimulus),
            covers,
            reaches,
          });
        }
      };
      for (const name of wantedSituations) reachedSituations.set(name, false);
      materialise(draftsFor(goals, allowed, wantedSituations));
      // What the abstract routes missed on the concrete model: search concrete snapshots.
      const missed = () => [...goals].filter((goal) => !done.has(goal));
      const missedSituations = () =>
        wantedSituations.filter((name) => !reachedSituations.get(name));
      const repaired: string[] = [];
      if (abstraction === 'abstract' && (missed().length > 0 || missedSituations().length > 0)) {
        repairGraph ??= buildGraph(model, declarations, only, 'concrete', REPAIR_STATE_LIMIT);
        const before = new Set(done);
        const concreteAllowed = (edge: Edge) => !edge.transitionIds.some((id) => avoid.has(id));
        materialise(repairGraph.draftsFor(new Set(missed()), concreteAllowed));
        for (const name of missedSituations()) {
          const draft = repairGraph.situationDraft(name, concreteAllowed);
          if (draft) materialise([draft]);
          if (reachedSituations.get(name)) repaired.push(name);
        }
        repaired.push(
          ...[...done].filter((goal) => !before.has(goal) && !goal.startsWith('value:')),
        );
      }
      const notPlanned = new Map<string, string>();
      const reason =
        abstraction === 'abstract'
          ? `no concrete replay of the abstract plan reaches it, nor a search of ${REPAIR_STATE_LIMIT} concrete states`
          : 'no path of the explored graph reaches it';
      // A value left out is no rule left out: the transitions it takes are goals of their own.
      for (const goal of missed()) if (!goal.startsWith('value:')) notPlanned.set(goal, reason);
      for (const name of missedSituations()) notPlanned.set(name, reason);
      const finalStatus = new Map(status);
      for (const goal of notPlanned.keys())
        if (finalStatus.get(goal) === 'planned') finalStatus.set(goal, 'unreachable');
      return {
        machine: model.id,
        paths,
        transitions: finalStatus,
        unsupportedNeeds,
        guardGoals: guardGoals.filter(
          (goal) => !notPlanned.has(goal) && !notPlanned.has(goal.replace(/:true$/, '')),
        ),
        situations: reachedSituations,
        stimulusTypes,
        reachableStates: nodes.length,
        edges: raw.length,
        totalSteps: paths.reduce((sum, path) => sum + path.stimuli.length, 0),
        notPlanned,
        stepsDisagreeing,
        repaired,
      };
    },
  };
  return graph;
}

function reachable(start: NodeId, edges: readonly { from: NodeId; to: NodeId }[]): Set<NodeId> {
  const outgoing = outgoingOf(edges);
  const seen = new Set([start]);
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    for (const { to: next } of outgoing.get(queue[head] as NodeId) ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}
