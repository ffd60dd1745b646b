import type { MachineCoverage, TransitionCoverage } from '../conformance/results.ts';
import {
  allStates,
  type DiagramState,
  type DiagramTransition,
  type DiagramView,
  type DotAttributes,
  describeMachine,
  diagramViews,
  renderDot,
  renderSvg,
} from '../diagrams/index.ts';
import type { MachineModel } from '../machines/index.ts';
import { escapeHtml } from './escape.ts';

/**
 * A machine's Graphviz drawings (the whole machine and each smaller view, see
 * `diagrams/views.ts`) with its coverage on them, ready to inline in the report: every
 * transition entry tinted and every edge coloured by its coverage, states never visited dashed
 * and grey. Its elements carry what the page script needs to highlight a trace step:
 *
 * - a state (node or cluster): `class="… state"` and `data-state="<path>"`;
 * - an edge: `class="… transition-edge"`, `data-transitions="<id> <id>…"` and `data-status`;
 * - a transition's entry in a label: `class="transition"`, `data-transition="<id>"` and
 *   `data-status` (a transition with several targets has an entry on each of its edges).
 *
 * Element ids are `<prefix>v<view>s<n>`, `…e<n>` and `a_…t<n>`, unique in the page. A state or
 * transition drawn in several views has an element in each.
 */

export interface CoverageStyle {
  readonly label: string;
  /** Edge colour. */
  readonly line: string;
  /** Background of a transition's entry. */
  readonly tint: string;
  readonly meaning: string;
}

/** The coverage statuses in the order the legend lists them, with their colours. */
export const COVERAGE_STYLES: Readonly<Record<TransitionCoverage, CoverageStyle>> = {
  covered: {
    label: 'covered',
    line: '#2f8f46',
    tint: '#dcf1e1',
    meaning: 'taken in a passing step',
  },
  failed: {
    label: 'failed',
    line: '#d03b3b',
    tint: '#fbdcdc',
    meaning: 'taken in the step where a test failed',
  },
  'not-reached': {
    label: 'not reached',
    line: '#c98500',
    tint: '#fcefc9',
    meaning: 'planned but never taken (a test failed before it)',
  },
  'not-chosen': {
    label: 'not chosen',
    line: '#4f86b5',
    tint: '#e2edf7',
    meaning: 'a move the implementation was free not to make',
  },
  'other-reading': {
    label: 'other reading',
    line: '#8a66bd',
    tint: '#ece5f6',
    meaning: "belongs to another reading of the pages (the profile's options)",
  },
  'not-claimed': {
    label: 'not claimed',
    line: '#9aa1aa',
    tint: '#eceef0',
    meaning: 'needs a capability the profile does not claim',
  },
};

export const STATE_STYLES = {
  covered: { line: '#2f5f8a', meaning: 'visited by a test' },
  uncovered: { line: '#9aa1aa', fill: '#f1f2f4', meaning: 'never visited (dashed)' },
} as const;

/** When one edge carries transitions of several statuses, it takes the first of these. */
const EDGE_PRIORITY: readonly TransitionCoverage[] = [
  'failed',
  'covered',
  'not-reached',
  'not-chosen',
  'other-reading',
  'not-claimed',
];

export interface CoverageDiagram {
  /** The view drawn: its file-name stem (`imFlow.localComposing`), kind and short label. */
  readonly view: Pick<DiagramView, 'name' | 'kind' | 'label' | 'focus'>;
  /** The `<svg>` element, without XML prolog, comments, fixed size or namespaces. */
  readonly svg: string;
  /** Width and height of the drawing in CSS pixels at 100 %. */
  readonly width: number;
  readonly height: number;
  /** The transitions the view draws, by id. */
  readonly transitions: readonly string[];
}

interface ElementData {
  readonly classes: string;
  readonly data: Readonly<Record<string, string>>;
}

/** ` data-<key>="<value>"` for each of an element's data attributes. */
function dataAttributes(element: ElementData): string {
  return Object.entries(element.data)
    .map(([key, value]) => ` data-${key}="${escapeHtml(value)}"`)
    .join('');
}

/**
 * Renders every view of `model` (the whole machine, its top level, each region) with
 * `coverage`; `prefix` keeps their element ids unique in the page.
 */
export async function coverageDiagrams(
  model: MachineModel,
  coverage: MachineCoverage,
  prefix: string,
): Promise<CoverageDiagram[]> {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(prefix)) {
    throw new Error(`A diagram prefix must be letters and digits, got "${prefix}".`);
  }
  const views = diagramViews(describeMachine(model));
  const drawn: CoverageDiagram[] = [];
  for (const [index, view] of views.entries()) {
    drawn.push(await coverageView(view, coverage, `${prefix}v${index}`));
  }
  return drawn;
}

async function coverageView(
  view: DiagramView,
  coverage: MachineCoverage,
  prefix: string,
): Promise<CoverageDiagram> {
  const { diagram } = view;
  const uncovered = new Set(coverage.states.uncovered);
  const statusOf = (t: DiagramTransition): TransitionCoverage =>
    coverage.transitions[t.id] ?? 'not-reached';
  const elements = new Map<string, ElementData>();
  let states = 0;
  let edges = 0;
  let cells = 0;

  const svg = await renderSvg(
    renderDot(diagram, {
      state(state: DiagramState): DotAttributes | undefined {
        if (state.kind === 'root') return undefined;
        const id = `${prefix}s${states++}`;
        const visited = !uncovered.has(state.path);
        elements.set(id, {
          classes: `state ${visited ? 'visited' : 'unvisited'}`,
          data: { state: state.path },
        });
        if (visited || state.outside) return { id };
        const cluster = state.kind !== 'atomic' && state.kind !== 'final';
        return cluster
          ? { id, color: STATE_STYLES.uncovered.line, style: 'dashed,rounded,filled' }
          : {
              id,
              color: STATE_STYLES.uncovered.line,
              fillcolor: STATE_STYLES.uncovered.fill,
              fontcolor: '#5c636b',
              style: 'dashed,rounded,filled',
            };
      },
      edge(transitions) {
        const id = `${prefix}e${edges++}`;
        const statuses = new Set(transitions.map(statusOf));
        const status = EDGE_PRIORITY.find((s) => statuses.has(s)) ?? 'not-reached';
        elements.set(id, {
          classes: `transition-edge status-${status}`,
          data: { transitions: transitions.map((t) => t.id).join(' '), status },
        });
        return {
          id,
          color: COVERAGE_STYLES[status].line,
          penwidth: status === 'failed' ? '2.4' : '1.6',
        };
      },
      transition(t) {
        const id = `${prefix}t${cells++}`;
        const status = statusOf(t);
        elements.set(`a_${id}`, {
          classes: `transition status-${status}`,
          data: { transition: t.id, status },
        });
        return {
          id,
          bgcolor: COVERAGE_STYLES[status].tint,
          tooltip: `${t.id}: ${COVERAGE_STYLES[status].label}`,
        };
      },
    }),
  );
  const expected = allStates(diagram.root).length - 1;
  if (states !== expected) {
    throw new Error(`The diagram ${view.name} drew ${states} states of ${expected}.`);
  }
  const inline = inlineSvg(svg, elements, `${diagram.title} (${diagram.id})`, prefix);
  const { name, kind, label, focus } = view;
  return {
    view: { name, kind, label, focus },
    ...inline,
    transitions: diagram.transitions.map((t) => t.id),
  };
}

/** Graphviz's SVG made fit for an HTML page, with the element data added to its groups. */
function inlineSvg(
  svg: string,
  elements: ReadonlyMap<string, ElementData>,
  title: string,
  prefix: string,
): Pick<CoverageDiagram, 'svg' | 'width' | 'height'> {
  const start = svg.indexOf('<svg');
  if (start === -1) throw new Error('Graphviz returned no <svg> element.');
  let body = svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '');
  const open = /^<svg\b[^>]*>/.exec(body)?.[0];
  if (!open) throw new Error('Graphviz returned a malformed <svg> element.');
  const viewBox = /viewBox="([^"]+)"/.exec(open)?.[1] ?? '0 0 100 100';
  const [, , w = 100, h = 100] = viewBox.split(/\s+/).map(Number);
  body = body.replace(
    open,
    `<svg class="diagram-svg" viewBox="${viewBox}" role="img" aria-label="${escapeHtml(title)}" preserveAspectRatio="xMinYMin meet">`,
  );
  let decorated = 0;
  body = body.replace(
    /<g id="([A-Za-z0-9_]+)"(?: class="([^"]*)")?>/g,
    (whole, id: string, classes: string | undefined) => {
      const element = elements.get(id);
      if (!element) return whole;
      decorated++;
      const all = [classes, element.classes].filter(Boolean).join(' ');
      return `<g id="${id}" class="${all}"${dataAttributes(element)}>`;
    },
  );
  if (decorated !== elements.size) {
    throw new Error(`Graphviz drew ${decorated} of the ${elements.size} decorated elements.`);
  }
  // Graphviz numbers the other elements the same way in every drawing (`graph0`, `node1`):
  // prefixed, they stay unique in a page that holds several drawings.
  body = body.replace(/ id="([^"]+)"/g, (whole, id: string) =>
    elements.has(id) || elements.has(id.replace(/^a_/, '')) ? whole : ` id="${prefix}_${id}"`,
  );
  // Points are 4/3 of a CSS pixel.
  return { svg: body.trim(), width: Math.round((w * 4) / 3), height: Math.round((h * 4) / 3) };
}

/**
 * The view a failing case opens on, so that its labels can be read at 100 %: of the smaller
 * views (top level, regions), the one that draws most of the transitions of the failing step
 * (the model's expected ones), else most of those that realise the requirements it names; the
 * first smaller view (the top level) when neither tells; the whole machine when it has no
 * smaller view.
 */
export function openingViewFor(
  diagrams: readonly CoverageDiagram[],
  stepTransitions: readonly string[],
  requirementTransitions: readonly string[],
): string {
  const smaller = diagrams.filter((diagram) => diagram.view.kind !== 'machine');
  const count = (diagram: CoverageDiagram, ids: readonly string[]) =>
    ids.filter((id) => diagram.transitions.includes(id)).length;
  for (const ids of [stepTransitions, requirementTransitions]) {
    let best: CoverageDiagram | undefined;
    for (const diagram of smaller) {
      if (count(diagram, ids) > (best ? count(best, ids) : 0)) best = diagram;
    }
    if (best) return best.view.name;
  }
  return (smaller[0] ?? diagrams[0])?.view.name ?? '';
}
