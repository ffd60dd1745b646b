import type { AnyStateNode } from 'xstate';
import {
  declaredStates,
  declaredTransitions,
  type MachineModel,
  type TransitionMeta,
} from '../machines/index.ts';

/**
 * A machine's structure in the shape every diagram format draws from: the state tree and the
 * declared transitions, both in declaration order. Read once from the machine definition, so the
 * formats never walk XState internals themselves.
 */

export type StateKind = 'root' | 'compound' | 'parallel' | 'atomic' | 'final';

export interface DiagramState {
  /** Dotted path from the root, e.g. `active.localComposing.idle`; `''` for the root. */
  readonly path: string;
  /** The state's own name; the machine id for the root. */
  readonly key: string;
  readonly kind: StateKind;
  readonly description?: string;
  /** Path of the initial child of a compound state (or the root). */
  readonly initial?: string;
  readonly children: readonly DiagramState[];
  /**
   * Only in a view (`views.ts`): a parallel state drawn as one box, without its regions, whose
   * names this lists.
   */
  readonly folded?: readonly string[];
  /** Only in a view: a state outside the region drawn, that a transition comes from or goes to. */
  readonly outside?: true;
}

export interface DiagramTransition {
  /** Meta id, unique within the machine. */
  readonly id: string;
  /** Path of the state that declares the transition; `''` for the root. */
  readonly source: string;
  readonly event: string;
  /** Target paths; empty for a targetless transition (actions only, no state is left). */
  readonly targets: readonly string[];
  /** The guard as a conjunction of named guards; empty when unguarded. */
  readonly guards: readonly string[];
  /**
   * Unguarded, but declared after guarded candidates for the same event on the same state:
   * it is taken only when none of them is (XState and SCXML both try candidates in order).
   */
  readonly otherwise: boolean;
  readonly requirements: readonly string[];
  readonly capability?: TransitionMeta['capability'];
  readonly spontaneous: boolean;
  readonly boundary: boolean;
  /**
   * Only in a view: the ends the transition has in the whole machine, when the view draws it
   * between other states (the folded box that stands for a state inside it, or only the targets
   * inside a region).
   */
  readonly drawnFor?: { readonly source: string; readonly targets: readonly string[] };
}

export interface MachineDiagram {
  /** The machine id (`imFlow`, `mcuSession`), also the file name stem. */
  readonly id: string;
  readonly title: string;
  /** Name of the profile the machine was built for (the structure is the same in every one). */
  readonly profile: string;
  readonly root: DiagramState;
  readonly transitions: readonly DiagramTransition[];
}

function kindOf(node: AnyStateNode, isRoot: boolean): StateKind {
  switch (node.type) {
    case 'atomic':
    case 'parallel':
    case 'final':
      return node.type;
    case 'compound':
      return isRoot ? 'root' : 'compound';
    default:
      throw new Error(
        `State ${node.path.join('.')} is of type "${node.type}", which the diagrams do not draw yet.`,
      );
  }
}

function readState(node: AnyStateNode): DiagramState {
  const isRoot = node.path.length === 0;
  const initial = node.type === 'compound' ? node.initial?.target?.[0] : undefined;
  return {
    path: node.path.join('.'),
    key: node.key,
    kind: kindOf(node, isRoot),
    ...(node.description ? { description: node.description } : {}),
    ...(initial ? { initial: (initial as AnyStateNode).path.join('.') } : {}),
    children: (Object.values(node.states) as AnyStateNode[]).map(readState),
  };
}

/** Every state of the tree, depth first, the root first. */
export function allStates(root: DiagramState): DiagramState[] {
  const result: DiagramState[] = [];
  const visit = (state: DiagramState) => {
    result.push(state);
    for (const child of state.children) visit(child);
  };
  visit(root);
  return result;
}

/** Reads the structure of a model's machine. */
export function describeMachine(model: MachineModel): MachineDiagram {
  const root = readState(model.machine.root as AnyStateNode);
  const walked = allStates(root)
    .slice(1)
    .map((state) => state.path);
  const declared = declaredStates(model.machine);
  if (walked.join('\n') !== declared.join('\n')) {
    throw new Error(`The state tree of ${model.id} does not match its declared states.`);
  }
  const guardedSoFar = new Set<string>();
  const transitions = declaredTransitions(model.machine).map((t): DiagramTransition => {
    const source = t.source === '(root)' ? '' : t.source;
    const key = `${source}\u0000${t.event}`;
    const guards = t.guard === undefined ? [] : t.guard.split(' and ');
    const otherwise = guards.length === 0 && guardedSoFar.has(key);
    if (guards.length > 0) guardedSoFar.add(key);
    return {
      id: t.meta.id,
      source,
      event: t.event,
      targets: t.targets,
      guards,
      otherwise,
      requirements: t.meta.requirements,
      ...(t.meta.capability ? { capability: t.meta.capability } : {}),
      spontaneous: t.meta.spontaneous === true,
      boundary: t.meta.boundary === true,
    };
  });
  return {
    id: model.id,
    title: model.title,
    profile: model.profile.name,
    root: { ...root, key: model.id },
    transitions,
  };
}

/** The deepest state that contains (or is) every one of the paths; `''` is the root. */
export function commonAncestor(paths: readonly string[]): string {
  const split = paths.map((path) => (path === '' ? [] : path.split('.')));
  const first = split[0] ?? [];
  let depth = 0;
  while (depth < first.length && split.every((parts) => parts[depth] === first[depth])) depth++;
  return first.slice(0, depth).join('.');
}

/** The path of the state that contains `path`; `''` for a top-level state. */
export function parentPath(path: string): string {
  const at = path.lastIndexOf('.');
  return at === -1 ? '' : path.slice(0, at);
}
