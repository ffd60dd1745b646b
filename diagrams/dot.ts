import { isClock, notationNotes, plainNote, triggerText } from './notation.ts';
import {
  allStates,
  type DiagramState,
  type DiagramTransition,
  type MachineDiagram,
} from './structure.ts';

/**
 * Graphviz DOT for a machine, laid out top to bottom:
 * - an atomic state is a rounded box; a compound state, a parallel state and the machine itself
 *   are clusters, and each region of a parallel state is a dashed cluster inside it, side by
 *   side in declaration order;
 * - a state box shows its name and description; the machine's box, its title, id and profile;
 * - a black dot points at the initial child of every compound state;
 * - targetless transitions (actions only, the state is not left) are listed in a compartment
 *   under the state's name, as UML draws internal transitions, rather than as a tangle of
 *   self-loops (those of the machine itself under its title: they apply in every state);
 * - transitions between the same two states share one edge, one entry per transition;
 *   spontaneous ones have their own dashed edge, and clock (timer) triggers are orange;
 * - a legend under the diagram explains the notation the machine uses;
 * - a caller may decorate states, edges and transition entries (ids, classes, colours, as the
 *   HTML report does to draw coverage); without decorations the drawing is the plain one.
 *
 * Only the text of one label line is one run of text (see `triggerHtml`), and only fonts with
 * Graphviz's built-in metrics are named, so the layout does not depend on installed fonts.
 */

// The WebAssembly Graphviz has no font files, only built-in metrics for a few families.
const FONT = 'Helvetica';
const COLORS = {
  state: '#2f5f8a',
  stateFill: '#e9f1fa',
  compoundFill: '#f6f8fb',
  parallelFill: '#fbf7ec',
  parallel: '#8a6d2f',
  region: '#8a6d2f',
  edge: '#4d4d4d',
  text: '#1a1a1a',
  clock: '#b35c00',
  requirements: '#5f6b7a',
  description: '#555555',
  outside: '#8c939b',
} as const;

/** Escapes text for a Graphviz HTML-like label. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** Extra DOT attributes by name (values are quoted when written), such as `id` or `class`. */
export type DotAttributes = Readonly<Record<string, string>>;

/** How one transition's entry in a label is decorated: its table cell's ID, background, tooltip. */
export interface TransitionCellDecoration {
  /**
   * ID of the cell. Graphviz writes the cell as its own SVG group (`<g id="a_<id>">`) only when
   * it also has a tooltip; keep to letters and digits, which SVG output leaves as they are.
   */
  readonly id?: string;
  readonly bgcolor?: string;
  readonly tooltip?: string;
}

/**
 * Optional decorations over the plain drawing, such as coverage; none by default, so the
 * generated diagrams do not change. Every hook returns extra attributes or nothing.
 */
export interface DotDecoration {
  /** For a state's node (atomic and final states) or cluster (the others, the machine too). */
  readonly state?: (state: DiagramState) => DotAttributes | undefined;
  /** For an edge, given the transitions it carries. */
  readonly edge?: (transitions: readonly DiagramTransition[]) => DotAttributes | undefined;
  /** For one transition's entry, on an edge or under a state's name. */
  readonly transition?: (transition: DiagramTransition) => TransitionCellDecoration | undefined;
}

/** Quotes a DOT identifier or attribute value. */
function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/** ` key="value"` for each extra attribute. */
function extraAttributes(attributes: DotAttributes | undefined): string {
  return Object.entries(attributes ?? {})
    .map(([key, value]) => ` ${key}=${quote(value)}`)
    .join('');
}

/** ` ID="…" BGCOLOR="…" TOOLTIP="…"` for a table cell, as far as given. */
function cellAttributes(cell: TransitionCellDecoration | undefined): string {
  if (!cell) return '';
  const pairs: [string, string | undefined][] = [
    ['ID', cell.id],
    ['BGCOLOR', cell.bgcolor],
    ['TOOLTIP', cell.tooltip],
  ];
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined)
    .map(([key, value]) => ` ${key}="${escapeHtml(value)}"`)
    .join('');
}

const nodeId = (path: string) => quote(path);
const clusterId = (path: string) => quote(`cluster:${path}`);
const initId = (path: string) => quote(`init:${path}`);

/** Breaks text into lines of at most `width` characters, at spaces. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Characters on one line of a transition's label before it breaks (at a space, so a long guard
 * continues on the next line): a long guard no longer widens the whole drawing.
 */
export const LABEL_WIDTH = 24;

/** The lines of a transition's label: `event [guard] (markers)` broken at {@link LABEL_WIDTH}. */
export function triggerLines(transition: DiagramTransition): string[] {
  return wrap(triggerText(transition), LABEL_WIDTH);
}

/** Characters on one line of the legend under the diagram. */
const LEGEND_WIDTH = 100;

/**
 * `event [guard] (markers)` as one run of text per line: Graphviz places each run at a position computed
 * from estimated font metrics, so a bold event followed by a plain guard would overlap wherever
 * the viewer's font is wider than the estimate.
 */
function triggerHtml(transition: DiagramTransition): string {
  const text = triggerLines(transition).map(escapeHtml).join('<BR/>');
  return `<FONT COLOR="${isClock(transition) ? COLORS.clock : COLORS.text}">${text}</FONT>`;
}

function requirementsHtml(transition: DiagramTransition): string {
  return `<FONT POINT-SIZE="9" COLOR="${COLORS.requirements}">${escapeHtml(transition.requirements.join(' '))}</FONT>`;
}

/** In a view, where a transition drawn between other states really goes: `from …`, `to …`. */
export function drawnForText(transition: DiagramTransition): string | undefined {
  const real = transition.drawnFor;
  if (!real) return undefined;
  const parts: string[] = [];
  if (real.source !== transition.source) parts.push(`from ${real.source || '(any state)'}`);
  if (real.targets.join() !== transition.targets.join())
    parts.push(`to ${real.targets.join(', ')}`);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

/** One table row per transition: trigger, its requirement IDs, and where a view redraws it. */
function transitionRows(
  transitions: readonly DiagramTransition[],
  decoration: DotDecoration,
): string {
  return transitions
    .map((t) => {
      const redrawn = drawnForText(t);
      const where = redrawn
        ? `<BR/><FONT POINT-SIZE="9" COLOR="${COLORS.description}"><I>${escapeHtml(redrawn)}</I></FONT>`
        : '';
      return `<TR><TD ALIGN="LEFT" BALIGN="LEFT"${cellAttributes(decoration.transition?.(t))}>${triggerHtml(t)}<BR/>${requirementsHtml(t)}${where}</TD></TR>`;
    })
    .join('');
}

/** The label of a state: its name, its description, and its internal transitions. */
function stateLabel(
  title: string,
  description: string | undefined,
  internal: readonly DiagramTransition[],
  decoration: DotDecoration,
  subtitle?: string,
): string {
  const rows = [`<TR><TD><B>${escapeHtml(title)}</B></TD></TR>`];
  if (subtitle) {
    rows.push(
      `<TR><TD><FONT POINT-SIZE="9" COLOR="${COLORS.description}">${escapeHtml(subtitle)}</FONT></TD></TR>`,
    );
  }
  if (description) {
    const lines = wrap(description, 44).map(escapeHtml).join('<BR/>');
    rows.push(
      `<TR><TD><FONT POINT-SIZE="9" COLOR="${COLORS.description}"><I>${lines}</I></FONT></TD></TR>`,
    );
  }
  let table = `<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2">${rows.join('')}`;
  if (internal.length > 0) table += `<HR/>${transitionRows(internal, decoration)}`;
  return `<${table}</TABLE>>`;
}

interface Edge {
  readonly tail: string;
  readonly head: string;
  readonly spontaneous: boolean;
  readonly transitions: DiagramTransition[];
}

export function renderDot(diagram: MachineDiagram, decoration: DotDecoration = {}): string {
  const states = new Map(allStates(diagram.root).map((state) => [state.path, state]));
  const internal = new Map<string, DiagramTransition[]>();
  const edges = new Map<string, Edge>();
  for (const t of diagram.transitions) {
    if (t.targets.length === 0) {
      internal.set(t.source, [...(internal.get(t.source) ?? []), t]);
      continue;
    }
    for (const target of t.targets) {
      const key = `${t.source}\u0000${target}\u0000${t.spontaneous}`;
      const edge = edges.get(key) ?? {
        tail: t.source,
        head: target,
        spontaneous: t.spontaneous,
        transitions: [],
      };
      edge.transitions.push(t);
      edges.set(key, edge);
    }
  }

  /** A node inside a cluster state for edges to attach to (clipped at the cluster's border). */
  const anchor = (state: DiagramState): string => {
    if (state.kind === 'atomic' || state.kind === 'final') return nodeId(state.path);
    return initId(state.path);
  };
  const isCluster = (state: DiagramState) => state.kind !== 'atomic' && state.kind !== 'final';

  const lines: string[] = [];
  const emit = (depth: number, text: string) => lines.push(`${'  '.repeat(depth)}${text}`);

  const visit = (state: DiagramState, depth: number, inParallel: boolean) => {
    const own = internal.get(state.path) ?? [];
    if (!isCluster(state)) {
      const peripheries = state.kind === 'final' ? ' peripheries=2' : '';
      const extra = extraAttributes(decoration.state?.(state));
      let label: string;
      let look = '';
      if (state.folded !== undefined) {
        const regions = `parallel regions: ${state.folded.join(', ')}`;
        label = stateLabel(state.key, state.description, own, decoration, regions);
        look = ` color="${COLORS.parallel}" fillcolor="${COLORS.parallelFill}" penwidth=1.5`;
      } else if (state.outside) {
        label = stateLabel(state.key, undefined, own, decoration, 'outside the region');
        look = ` style="dashed,rounded,filled" color="${COLORS.outside}" fillcolor="white" fontcolor="${COLORS.description}"`;
      } else {
        label = stateLabel(state.key, state.description, own, decoration);
      }
      emit(depth, `${nodeId(state.path)} [label=${label}${peripheries}${look}${extra}]`);
      return;
    }
    emit(depth, `subgraph ${clusterId(state.path)} {`);
    const inner = depth + 1;
    emit(inner, `labelloc=t labeljust=${state.kind === 'root' ? 'l' : 'c'}`);
    if (state.kind === 'root') {
      emit(
        inner,
        `label=${stateLabel(diagram.title, state.description, own, decoration, `${diagram.id}, profile ${diagram.profile}`)}`,
      );
      emit(inner, `style="rounded" color="${COLORS.state}" penwidth=1.5`);
    } else if (state.kind === 'parallel') {
      emit(
        inner,
        `label=${stateLabel(state.key, state.description, own, decoration, 'parallel regions')}`,
      );
      emit(
        inner,
        `style="rounded,filled" color="${COLORS.parallel}" fillcolor="${COLORS.parallelFill}" penwidth=1.5`,
      );
    } else if (inParallel) {
      emit(inner, `label=${stateLabel(state.key, state.description, own, decoration, 'region')}`);
      emit(
        inner,
        `style="dashed,rounded,filled" color="${COLORS.region}" fillcolor="white" penwidth=1.2`,
      );
    } else {
      emit(inner, `label=${stateLabel(state.key, state.description, own, decoration)}`);
      emit(
        inner,
        `style="rounded,filled" color="${COLORS.state}" fillcolor="${COLORS.compoundFill}"`,
      );
    }
    const extra = extraAttributes(decoration.state?.(state)).trim();
    if (extra !== '') emit(inner, extra);
    if (state.kind === 'parallel') {
      // An invisible point above the regions: edges into the parallel state end there, and the
      // regions hang from it so that they start side by side.
      emit(
        inner,
        `${initId(state.path)} [shape=point style=invis width=0.01 label="" ordering=out]`,
      );
    } else if (state.initial !== undefined) {
      emit(inner, `${initId(state.path)} [shape=point width=0.12 label="" tooltip="initial"]`);
    } else {
      // No initial state (the machine's box in a region's view): an invisible point for edges.
      emit(inner, `${initId(state.path)} [shape=point style=invis width=0.01 label=""]`);
    }
    for (const child of state.children) visit(child, inner, state.kind === 'parallel');
    if (state.kind === 'parallel') {
      for (const region of state.children) {
        emit(inner, `${initId(state.path)} -> ${anchor(region)} [style=invis]`);
      }
    }
    if (state.initial !== undefined) {
      const initial = states.get(state.initial);
      if (!initial) throw new Error(`Unknown initial state ${state.initial}.`);
      const lhead = isCluster(initial) ? ` lhead=${clusterId(initial.path)}` : '';
      emit(inner, `${initId(state.path)} -> ${anchor(initial)} [arrowhead=normal${lhead}]`);
      // Every other child below the initial dot too, so that a state entered from outside is
      // not drawn above the start of its parent.
      for (const child of state.children) {
        if (child !== initial)
          emit(inner, `${initId(state.path)} -> ${anchor(child)} [style=invis]`);
      }
    }
    emit(depth, '}');
  };

  emit(0, `digraph ${quote(diagram.id)} {`);
  emit(
    1,
    `graph [rankdir=TB compound=true nodesep=0.1 ranksep=0.7 bgcolor="white" fontname="${FONT}" fontsize=12 labelloc=b labeljust=l label=${legend(diagram)}]`,
  );
  emit(
    1,
    `node [shape=box style="rounded,filled" fontname="${FONT}" fontsize=11 color="${COLORS.state}" fillcolor="${COLORS.stateFill}" margin="0.12,0.06"]`,
  );
  emit(1, `edge [fontname="${FONT}" fontsize=10 color="${COLORS.edge}" arrowsize=0.8]`);
  visit(diagram.root, 1, false);

  for (const edge of edges.values()) {
    const tail = states.get(edge.tail);
    const head = states.get(edge.head);
    if (!tail || !head) throw new Error(`Unknown state in edge ${edge.tail} -> ${edge.head}.`);
    const attributes = [
      `label=<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">${transitionRows(edge.transitions, decoration)}</TABLE>>`,
    ];
    if (isCluster(tail)) attributes.push(`ltail=${clusterId(tail.path)}`);
    if (isCluster(head)) attributes.push(`lhead=${clusterId(head.path)}`);
    if (edge.spontaneous) attributes.push('style=dashed');
    if (edge.transitions.every(isClock)) attributes.push(`color="${COLORS.clock}"`);
    const extra = extraAttributes(decoration.edge?.(edge.transitions)).trim();
    if (extra !== '') attributes.push(extra);
    emit(1, `${anchor(tail)} -> ${anchor(head)} [${attributes.join(' ')}]`);
    if (isCluster(tail)) {
      // An edge leaving a cluster starts at one node inside it; invisible edges from all of its
      // states keep the target below the whole cluster instead of beside it.
      for (const leaf of allStates(tail).filter((state) => !isCluster(state))) {
        emit(1, `${nodeId(leaf.path)} -> ${anchor(head)} [style=invis]`);
      }
    }
  }
  emit(0, '}');
  return `${lines.join('\n')}\n`;
}

/** The notes under the diagram: how to read labels, and the notation this machine uses. */
function legend(diagram: MachineDiagram): string {
  const notes = [
    'Labels: event [guard], and under it the requirement IDs the transition realises.',
    'Entries under a state name: its targetless transitions (actions only, the state is not left).',
    ...(diagram.transitions.some((t) => t.source === '')
      ? ["Entries under the machine's title: transitions that apply in every state."]
      : []),
    ...notationNotes(diagram).map(plainNote),
  ];
  if (diagram.transitions.some(isClock)) notes.push('Orange: clock (timer) transitions.');
  if (diagram.transitions.some((t) => t.spontaneous && t.targets.length > 0)) {
    notes.push('Dashed edge: spontaneous transitions.');
  }
  if (allStates(diagram.root).some((state) => state.kind === 'parallel')) {
    notes.push('Dashed boxes: the regions of a parallel state.');
  }
  const rows = notes
    .map(
      (note) =>
        `<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="9">${wrap(note, LEGEND_WIDTH).map(escapeHtml).join('<BR/>')}</FONT></TD></TR>`,
    )
    .join('');
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">${rows}</TABLE>>`;
}
