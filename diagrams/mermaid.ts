import { triggerText } from './notation.ts';
import {
  allStates,
  commonAncestor,
  type DiagramState,
  type DiagramTransition,
  type MachineDiagram,
  parentPath,
} from './structure.ts';

/**
 * Mermaid `stateDiagram-v2` for a machine, as GitHub renders it:
 * - a state's Mermaid id is its dotted path with `_` for the dots (`active_messaging_proxied`),
 *   and it is shown under its own name (`state "proxied" as active_messaging_proxied`);
 * - compound states are composite states, and the regions of a parallel state are composite
 *   states separated by `--`;
 * - every transition is written inside the innermost composite state that holds both ends, so
 *   that Mermaid keeps nested states where they are; a targetless one is a self-loop;
 * - the transitions between the same two states share one edge, one label line (`<br/>`) each;
 * - when the machine itself has transitions, the whole diagram is wrapped in a composite state
 *   for the machine, which carries them as self-loops.
 */

/** Words Mermaid's state-diagram grammar treats as keywords; a state id may not be one. */
const RESERVED = new Set([
  'state',
  'note',
  'end',
  'as',
  'direction',
  'class',
  'classDef',
  'style',
  'click',
  'hide',
  'scale',
  'left',
  'right',
  'of',
  'default',
]);

/** The Mermaid identifier of a state: its path with `_` for dots, the machine id for the root. */
export function mermaidId(diagram: MachineDiagram, path: string): string {
  const id = path === '' ? diagram.id : path.replaceAll('.', '_');
  return RESERVED.has(id) ? `${id}_` : id;
}

/**
 * Escapes text for a Mermaid label or state name with entity codes, which Mermaid decodes
 * after parsing: `#` first, then the characters its grammar reads as syntax.
 */
export function escapeMermaid(text: string): string {
  const codes: Record<string, string> = {
    '#': '#35;',
    ':': '#58;',
    ';': '#59;',
    '"': '#quot;',
    '<': '#lt;',
    '>': '#gt;',
    '{': '#123;',
    '}': '#125;',
    '|': '#124;',
  };
  return text.replace(/[#:;"<>{}|]/g, (char) => codes[char] ?? char);
}

/** `event [guard] (markers) / REQ-1 REQ-2`, escaped. */
export function mermaidLabel(transition: DiagramTransition): string {
  return escapeMermaid(`${triggerText(transition)} / ${transition.requirements.join(' ')}`);
}

/**
 * Short labels: each edge names its events once, with the numbers of its transitions in a table
 * beside the diagram (`app.setIdle (5, 6)`), instead of a line per transition with its guard and
 * requirement IDs. The views use them: Mermaid gives a long label the width of the whole rank.
 */
export type TransitionNumbers = ReadonlyMap<string, number>;

/** `event (1, 2)` for each event of an edge's transitions, in order of their first number. */
export function shortLabels(
  transitions: readonly DiagramTransition[],
  numbers: TransitionNumbers,
): string[] {
  const byEvent = new Map<string, number[]>();
  for (const t of transitions) {
    const number = numbers.get(t.id);
    if (number === undefined) throw new Error(`Transition ${t.id} has no number.`);
    byEvent.set(t.event, [...(byEvent.get(t.event) ?? []), number]);
  }
  return [...byEvent].map(([event, list]) => escapeMermaid(`${event} (${list.join(', ')})`));
}

export interface MermaidOptions {
  /**
   * Numbers for short labels ({@link shortLabels}); without them every label is in full. With
   * them, the targetless transitions of a state without children are lines in its box rather
   * than self-loops.
   */
  readonly numbers?: TransitionNumbers;
  /**
   * Path of a composite state drawn without its own box, its states at the level around it (a
   * region's view: the page says which region it is, and Mermaid lays out the top level best).
   */
  readonly unwrap?: string;
}

/** Styles of the boxes only views have: a folded parallel state, a state outside the region. */
const CLASS_DEFS = {
  folded: 'fill:#fbf7ec,stroke:#8a6d2f,stroke-width:2px',
  outside: 'fill:#ffffff,stroke:#8c939b,stroke-dasharray:5 4,color:#555555',
} as const;

/** A state's name in the drawing; the boxes only views have say what they are. */
function displayName(state: DiagramState): string {
  if (state.folded !== undefined) return `${state.key} (parallel)`;
  if (state.outside) return `${state.key} (outside)`;
  return state.key;
}

export function renderMermaid(diagram: MachineDiagram, options: MermaidOptions = {}): string {
  const states = allStates(diagram.root);
  const byPath = new Map(states.map((state) => [state.path, state]));
  const ids = new Map<string, string>();
  for (const state of states) {
    const id = mermaidId(diagram, state.path);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) {
      throw new Error(`State ${state.path} has no safe Mermaid id (got "${id}").`);
    }
    const clash = [...ids].find(([, other]) => other === id);
    if (clash) throw new Error(`States ${clash[0]} and ${state.path} share the Mermaid id ${id}.`);
    ids.set(state.path, id);
  }
  const idOf = (path: string) => ids.get(path) as string;

  const rootHasTransitions = diagram.transitions.some((t) => t.source === '');
  /** The composite block a transition is written in; `null` for the top level. */
  const scopeOf = (t: DiagramTransition): string | null => {
    const ends = [t.source, ...t.targets];
    if (ends.includes('')) return null;
    let scope = commonAncestor(ends.map(parentPath));
    // Lines after a region separator would belong to the last region: lift them out.
    while (scope !== '' && byPath.get(scope)?.kind === 'parallel') scope = parentPath(scope);
    if (scope === '') return rootHasTransitions ? '' : null;
    return scope;
  };
  const transitionsIn = new Map<string | null, DiagramTransition[]>();
  for (const t of diagram.transitions) {
    const scope = scopeOf(t);
    transitionsIn.set(scope, [...(transitionsIn.get(scope) ?? []), t]);
  }

  const lines: string[] = ['stateDiagram-v2'];
  const emit = (depth: number, text: string) => lines.push(`${'  '.repeat(depth)}${text}`);
  const emitTransitions = (depth: number, scope: string | null) => {
    // Mermaid draws one edge per pair of states (it keeps only the last label of several
    // self-loops), so the transitions between the same two states share one edge, a line each.
    const edges = new Map<
      string,
      { source: string; target: string; transitions: DiagramTransition[] }
    >();
    for (const t of transitionsIn.get(scope) ?? []) {
      for (const target of t.targets.length === 0 ? [t.source] : t.targets) {
        const key = `${t.source}\u0000${target}`;
        const edge = edges.get(key) ?? { source: t.source, target, transitions: [] };
        edge.transitions.push(t);
        edges.set(key, edge);
      }
    }
    for (const edge of edges.values()) {
      const labels = options.numbers
        ? shortLabels(edge.transitions, options.numbers)
        : edge.transitions.map(mermaidLabel);
      const loop = edge.source === edge.target;
      if (options.numbers && loop && byPath.get(edge.source)?.children.length === 0) {
        // Lines in the state's box, under its name (as UML draws internal transitions): Mermaid
        // lays the labels of self-loops over their neighbours.
        for (const label of labels) emit(depth, `${idOf(edge.source)} : ${label}`);
        continue;
      }
      emit(depth, `${idOf(edge.source)} --> ${idOf(edge.target)} : ${labels.join('<br/>')}`);
    }
  };
  /** Writes the inside of a composite block: initial arrow, children, own transitions. */
  const emitBody = (state: DiagramState, depth: number) => {
    if (state.initial !== undefined) emit(depth, `[*] --> ${idOf(state.initial)}`);
    state.children.forEach((child, index) => {
      if (state.kind === 'parallel' && index > 0) emit(depth, '--');
      emitState(child, depth);
    });
    if (state.kind !== 'parallel') emitTransitions(depth, state.path);
  };
  const emitState = (state: DiagramState, depth: number) => {
    if (state.path === options.unwrap) {
      emitBody(state, depth);
      return;
    }
    const name = `state "${escapeMermaid(displayName(state))}" as ${idOf(state.path)}`;
    if (state.children.length === 0) {
      emit(depth, name);
      return;
    }
    emit(depth, `${name} {`);
    emitBody(state, depth + 1);
    emit(depth, '}');
  };

  if (rootHasTransitions) {
    emitState(diagram.root, 1);
    emit(1, `[*] --> ${idOf('')}`);
  } else {
    emitBody(diagram.root, 1);
  }
  emitTransitions(1, null);
  for (const [name, style] of Object.entries(CLASS_DEFS)) {
    const members = states.filter((state) =>
      name === 'folded' ? state.folded !== undefined : state.outside === true,
    );
    if (members.length === 0) continue;
    emit(1, `classDef ${name} ${style}`);
    emit(1, `class ${members.map((state) => idOf(state.path)).join(',')} ${name}`);
  }
  return `${lines.join('\n')}\n`;
}
