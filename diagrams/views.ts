import {
  allStates,
  type DiagramState,
  type DiagramTransition,
  type MachineDiagram,
} from './structure.ts';

/**
 * Views of a machine small enough to read at 100 %: besides the whole machine, its top level
 * (every parallel state drawn as one box) and each region of each parallel state on its own.
 * The views are found from the machine's structure, never from state names, so a machine that
 * gains states, regions or transitions gets its views without any change here.
 *
 * A view is itself a {@link MachineDiagram}, so every format draws it as it draws a whole
 * machine. States keep their paths from the whole machine (the report's coverage and trace
 * stepper find them by path in every view); a view only leaves states out, folds a parallel
 * state into one box, or adds a box for a state outside it that one of its transitions comes
 * from or goes to.
 */

export type ViewKind = 'machine' | 'top-level' | 'region';

export interface DiagramView {
  /** File name stem: `imFlow` for the whole machine, `imFlow.top-level`, `imFlow.localComposing`. */
  readonly name: string;
  readonly kind: ViewKind;
  /** Short name for links and buttons: `whole machine`, `top level`, `region localComposing`. */
  readonly label: string;
  /** Path of the state the view is about: `''` for the whole machine and its top level. */
  readonly focus: string;
  /** What the view draws. */
  readonly diagram: MachineDiagram;
  /**
   * Transitions of enclosing states that apply inside a region too but are drawn in the top
   * level (such as leaving the parallel state); empty for the other views.
   */
  readonly enclosing: readonly DiagramTransition[];
}

/** The file-name stem of the top-level view. */
export const TOP_LEVEL = 'top-level';

const inside = (path: string, ancestor: string) =>
  ancestor === '' || path === ancestor || path.startsWith(`${ancestor}.`);
const strictlyInside = (path: string, ancestor: string) =>
  path !== ancestor && inside(path, ancestor);

/** The regions of every parallel state, outermost first. */
export function regionsOf(diagram: MachineDiagram): DiagramState[] {
  return allStates(diagram.root)
    .filter((state) => state.kind === 'parallel')
    .flatMap((state) => state.children);
}

/**
 * The state tree with every parallel state below `root` folded: it keeps its own box, without
 * children, and names its regions in `folded`.
 */
function fold(state: DiagramState, isRoot: boolean): DiagramState {
  if (state.kind === 'parallel' && !isRoot) {
    const { initial: _initial, ...rest } = state;
    return { ...rest, kind: 'atomic', folded: state.children.map((r) => r.key), children: [] };
  }
  return { ...state, children: state.children.map((child) => fold(child, false)) };
}

/**
 * The top level: the machine with every parallel state folded into one box. Transitions inside
 * a folded state are left to its regions' views; one that leaves it starts at its box, and one
 * that enters a state inside it ends at its box.
 */
function topLevelDiagram(diagram: MachineDiagram): MachineDiagram {
  const root = fold(diagram.root, true);
  const shown = allStates(root);
  const folded = shown.filter((state) => state.folded !== undefined).map((state) => state.path);
  /** The state of the view that stands for `path`: itself or the folded state around it. */
  const standIn = (path: string) => folded.find((f) => strictlyInside(path, f)) ?? path;
  const transitions: DiagramTransition[] = [];
  for (const t of diagram.transitions) {
    const source = standIn(t.source);
    const targets = [...new Set(t.targets.map(standIn))];
    const within = folded.find((f) => strictlyInside(t.source, f));
    const staysWithin =
      within !== undefined && t.targets.every((target) => strictlyInside(target, within));
    if (staysWithin) continue;
    transitions.push(
      source === t.source && targets.join() === t.targets.join()
        ? t
        : { ...t, source, targets, drawnFor: { source: t.source, targets: t.targets } },
    );
  }
  return { ...diagram, title: `${diagram.title}, top level`, root, transitions };
}

/**
 * One region: a box for the region with its states, and a box for each state outside it that a
 * transition of the region comes from or goes to. Transitions of the enclosing states (such as
 * leaving the parallel state) apply in every region; they are returned apart, for a note.
 */
function regionDiagram(
  diagram: MachineDiagram,
  region: DiagramState,
): { diagram: MachineDiagram; enclosing: DiagramTransition[] } {
  const within = (path: string) => inside(path, region.path);
  const outside = new Set<string>();
  const transitions: DiagramTransition[] = [];
  const enclosing: DiagramTransition[] = [];
  for (const t of diagram.transitions) {
    const targetsWithin = t.targets.filter(within);
    if (within(t.source)) {
      for (const target of t.targets) if (!within(target)) outside.add(target);
      transitions.push(t);
    } else if (targetsWithin.length > 0) {
      outside.add(t.source);
      transitions.push(
        targetsWithin.length === t.targets.length
          ? t
          : {
              ...t,
              targets: targetsWithin,
              drawnFor: { source: t.source, targets: t.targets },
            },
      );
    } else if (inside(region.path, t.source)) {
      enclosing.push(t);
    }
  }
  const byPath = new Map(allStates(diagram.root).map((state) => [state.path, state]));
  const outsideStates = [...outside].map((path): DiagramState => {
    const state = byPath.get(path);
    if (!state) throw new Error(`Unknown state ${path} in the region ${region.path}.`);
    return { path, key: state.key, kind: 'atomic', outside: true, children: [] };
  });
  // The machine's box holds the region and the states outside it, and no initial arrow: the
  // region is entered when its parallel state is.
  const { description: _description, initial: _initial, ...root } = diagram.root;
  return {
    diagram: {
      ...diagram,
      title: `${diagram.title}, region ${region.key}`,
      root: {
        ...root,
        children: [{ ...fold(region, true), kind: 'compound' }, ...outsideStates],
      },
      transitions,
    },
    enclosing,
  };
}

/** The file-name stem of a region's view: the region's name, its path when the name repeats. */
function regionName(region: DiagramState, regions: readonly DiagramState[]): string {
  const repeated = regions.filter((other) => other.key === region.key).length > 1;
  return repeated ? region.path.replaceAll('.', '-') : region.key;
}

/**
 * Every view of a machine: the whole machine first, then (for a machine with parallel states)
 * its top level and each region, in declaration order. A machine without parallel states is
 * its own top level and has only the whole view.
 */
export function diagramViews(diagram: MachineDiagram): DiagramView[] {
  const views: DiagramView[] = [
    {
      name: diagram.id,
      kind: 'machine',
      label: 'whole machine',
      focus: '',
      diagram,
      enclosing: [],
    },
  ];
  const regions = regionsOf(diagram);
  if (regions.length === 0) return views;
  views.push({
    name: `${diagram.id}.${TOP_LEVEL}`,
    kind: 'top-level',
    label: 'top level',
    focus: '',
    diagram: topLevelDiagram(diagram),
    enclosing: [],
  });
  for (const region of regions) {
    const drawn = regionDiagram(diagram, region);
    views.push({
      name: `${diagram.id}.${regionName(region, regions)}`,
      kind: 'region',
      label: `region ${region.key}`,
      focus: region.path,
      diagram: drawn.diagram,
      enclosing: drawn.enclosing,
    });
  }
  return views;
}
