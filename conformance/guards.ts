import {
  type DeclaredTransition,
  declaredTransitions,
  type MachineModel,
  type ModelEvent,
  type ModelSnapshot,
  type TransitionMeta,
} from '../machines/index.ts';
import { stepEvents, type TraceStep } from './trace.ts';

/**
 * Guard outcomes: for every guarded transition, whether a test saw its guard hold (the
 * transition was taken) and fail (the event came where the transition is declared, and a later
 * candidate, or none, was taken instead). Transition coverage sees only the first.
 */
export interface GuardOutcome {
  readonly transition: string;
  readonly held: boolean;
}

/** A machine's declared transitions, by source state and then by event, in their order. */
type Candidates = Map<string, Map<string, DeclaredTransition[]>>;

const candidatesByMachine = new WeakMap<object, Candidates>();

function candidates(model: MachineModel): Candidates {
  const known = candidatesByMachine.get(model.machine);
  if (known) return known;
  const bySource: Candidates = new Map();
  for (const transition of declaredTransitions(model.machine)) {
    let byEvent = bySource.get(transition.source);
    if (!byEvent) {
      byEvent = new Map();
      bySource.set(transition.source, byEvent);
    }
    const list = byEvent.get(transition.event);
    if (list) list.push(transition);
    else byEvent.set(transition.event, [transition]);
  }
  candidatesByMachine.set(model.machine, bySource);
  return bySource;
}

const chainsBySnapshot = new WeakMap<object, readonly (readonly string[])[]>();

/**
 * For each active leaf state, the states a transition is looked for in, leaf first, root
 * last. Kept per snapshot: a traversal asks for every event it tries from one snapshot.
 */
function chainsOf(model: MachineModel, snapshot: ModelSnapshot): readonly (readonly string[])[] {
  const known = chainsBySnapshot.get(snapshot);
  if (known) return known;
  const active = model.activeStates(snapshot);
  const leaves = active.filter((state) => !active.some((other) => other.startsWith(`${state}.`)));
  const chains = leaves.map((leaf) => {
    const chain: string[] = [];
    for (
      let node = leaf;
      node !== '';
      node = node.includes('.') ? node.slice(0, node.lastIndexOf('.')) : ''
    )
      chain.push(node);
    chain.push('(root)');
    return chain;
  });
  chainsBySnapshot.set(snapshot, chains);
  return chains;
}

/** The IDs of every guarded transition of a machine. */
export function guardedTransitions(model: MachineModel): string[] {
  return declaredTransitions(model.machine)
    .filter((t) => t.guard !== undefined)
    .map((t) => t.meta.id);
}

/**
 * The guards `event` evaluates in `snapshot`, and how each came out. The machine looks for a
 * transition from each active leaf state upwards, trying a node's candidates in order: every
 * guarded candidate before the one taken failed, the one taken held.
 */
export function guardOutcomes(
  model: MachineModel,
  snapshot: ModelSnapshot,
  event: ModelEvent,
  /** The transitions `event` takes here, when the caller already knows them. */
  transitions: readonly TransitionMeta[] = model.transitionsTaken(snapshot, event),
): GuardOutcome[] {
  const bySource = candidates(model);
  const outcomes = new Map<string, boolean>();
  for (const chain of chainsOf(model, snapshot)) {
    let decided = false;
    for (const node of chain) {
      for (const candidate of bySource.get(node)?.get(event.type) ?? []) {
        const id = candidate.meta.id;
        if (transitions.some((t) => t.id === id)) {
          if (candidate.guard !== undefined) outcomes.set(id, true);
          decided = true;
          break;
        }
        // An unguarded candidate not taken lost to another region's choice: nothing is known.
        if (candidate.guard === undefined) {
          decided = true;
          break;
        }
        if (!outcomes.has(id)) outcomes.set(id, false);
      }
      if (decided) break;
    }
  }
  return [...outcomes].map(([transition, held]) => ({ transition, held }));
}

/**
 * Walks the model along the passing steps of a recorded case, following the branch each step
 * took, and calls `visit` with the snapshot before each event.
 */
export function walkPassingSteps(
  model: MachineModel,
  steps: readonly TraceStep[],
  visit: (snapshot: ModelSnapshot, event: ModelEvent, after: ModelSnapshot) => void,
): void {
  let snapshot = model.initial();
  for (const step of steps) {
    if (step.verdict !== 'pass') return;
    for (const event of stepEvents(step)) {
      const next = model.step(snapshot, event).snapshot;
      visit(snapshot, event, next);
      snapshot = next;
    }
  }
}

/** Guard outcomes seen, as `id` (held) and `id:false` (failed) keys. */
export function guardKey(outcome: GuardOutcome): string {
  return outcome.held ? `${outcome.transition}:true` : `${outcome.transition}:false`;
}
