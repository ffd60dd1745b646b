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

export function renderMermaid(diagram: MachineDiagram): string {
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
    const edges = new Map<string, { source: string; target: string; labels: string[] }>();
    for (const t of transitionsIn.get(scope) ?? []) {
      for (const target of t.targets.length === 0 ? [t.source] : t.targets) {
        const key = `${t.source}\u0000${target}`;
        const edge = edges.get(key) ?? { source: t.source, target, labels: [] };
        edge.labels.push(mermaidLabel(t));
        edges.set(key, edge);
      }
    }
    for (const edge of edges.values()) {
      emit(depth, `${idOf(edge.source)} --> ${idOf(edge.target)} : ${edge.labels.join('<br/>')}`);
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
    const name = `state "${escapeMermaid(state.key)}" as ${idOf(state.path)}`;
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
  return `${lines.join('\n')}\n`;
}
