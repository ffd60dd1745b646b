import { describe, expect, it } from 'vitest';
import { createModels, defaultProfile } from '../machines/index.ts';
import { renderViewMarkdown } from './markdown.ts';
import { renderMermaid } from './mermaid.ts';
import {
  allStates,
  type DiagramState,
  type DiagramTransition,
  describeMachine,
  type MachineDiagram,
} from './structure.ts';
import { diagramViews, regionsOf } from './views.ts';

const inside = (path: string, ancestor: string) =>
  path === ancestor || path.startsWith(`${ancestor}.`);

/** A transition between two states, with defaults for what these tests do not look at. */
function transition(
  id: string,
  source: string,
  targets: string[],
  event = 'go',
): DiagramTransition {
  return {
    id,
    source,
    event,
    targets,
    guards: [],
    otherwise: false,
    requirements: [`R-${id}`],
    spontaneous: false,
    boundary: false,
  };
}

const leaf = (path: string): DiagramState => ({
  path,
  key: path.split('.').at(-1) as string,
  kind: 'atomic',
  children: [],
});

const region = (path: string, children: string[]): DiagramState => ({
  path,
  key: path.split('.').at(-1) as string,
  kind: 'compound',
  initial: `${path}.${children[0]}`,
  children: children.map((child) => leaf(`${path}.${child}`)),
});

/** Two parallel states whose regions share names, nested one level apart. */
const twoParallels: MachineDiagram = {
  id: 'toy',
  title: 'Toy',
  profile: 'none',
  root: {
    path: '',
    key: 'toy',
    kind: 'root',
    initial: 'off',
    children: [
      leaf('off'),
      {
        path: 'on',
        key: 'on',
        kind: 'parallel',
        children: [region('on.left', ['a', 'b']), region('on.right', ['c'])],
      },
      {
        path: 'other',
        key: 'other',
        kind: 'compound',
        initial: 'other.split',
        children: [
          {
            path: 'other.split',
            key: 'split',
            kind: 'parallel',
            children: [region('other.split.left', ['x']), region('other.split.right', ['y'])],
          },
        ],
      },
    ],
  },
  transitions: [
    transition('start', 'off', ['on']),
    transition('intoB', 'off', ['on.left.b']),
    transition('ab', 'on.left.a', ['on.left.b']),
    transition('stay', 'on.left.b', []),
    transition('escape', 'on.right.c', ['off']),
    transition('stop', 'on', ['off']),
    transition('toX', 'on.left.a', ['other.split.left.x']),
  ],
};

describe('views of a machine found from its parallel states', () => {
  const views = diagramViews(twoParallels);
  const byName = new Map(views.map((view) => [view.name, view]));

  it('has the whole machine, the top level and one view per region, names made unique', () => {
    expect(views.map((view) => view.name)).toEqual([
      'toy',
      'toy.top-level',
      'toy.on-left',
      'toy.on-right',
      'toy.other-split-left',
      'toy.other-split-right',
    ]);
    expect(views.map((view) => view.kind)).toEqual([
      'machine',
      'top-level',
      'region',
      'region',
      'region',
      'region',
    ]);
    expect(byName.get('toy')?.diagram).toBe(twoParallels);
  });

  it('folds every parallel state in the top level, keeping the transitions that cross it', () => {
    const top = byName.get('toy.top-level')?.diagram as MachineDiagram;
    const states = new Map(allStates(top.root).map((state) => [state.path, state]));
    expect(states.get('on')?.folded).toEqual(['left', 'right']);
    expect(states.get('on')?.children).toEqual([]);
    expect(states.get('other.split')?.folded).toEqual(['left', 'right']);
    expect(states.has('on.left.a')).toBe(false);
    const drawn = Object.fromEntries(top.transitions.map((t) => [t.id, [t.source, ...t.targets]]));
    expect(drawn).toEqual({
      start: ['off', 'on'],
      intoB: ['off', 'on'],
      escape: ['on', 'off'],
      stop: ['on', 'off'],
      toX: ['on', 'other.split'],
    });
    const intoB = top.transitions.find((t) => t.id === 'intoB');
    expect(intoB?.drawnFor).toEqual({ source: 'off', targets: ['on.left.b'] });
    expect(top.transitions.find((t) => t.id === 'start')?.drawnFor).toBeUndefined();
  });

  it('draws a region with its transitions, the states outside they touch, and its enclosing ones apart', () => {
    const left = byName.get('toy.on-left');
    const states = allStates(left?.diagram.root as DiagramState);
    expect(states.filter((s) => s.outside).map((s) => s.path)).toEqual([
      'off',
      'other.split.left.x',
    ]);
    expect(states.filter((s) => !s.outside).map((s) => s.path)).toEqual([
      '',
      'on.left',
      'on.left.a',
      'on.left.b',
    ]);
    expect(left?.diagram.transitions.map((t) => t.id)).toEqual(['intoB', 'ab', 'stay', 'toX']);
    expect(left?.enclosing.map((t) => t.id)).toEqual(['stop']);
    const right = byName.get('toy.on-right');
    expect(right?.diagram.transitions.map((t) => t.id)).toEqual(['escape']);
  });
});

describe.each(createModels(defaultProfile))('views of $id', (model) => {
  const diagram = describeMachine(model);
  const views = diagramViews(diagram);
  const smaller = views.filter((view) => view.kind !== 'machine');

  it('has a top level and a view per region exactly when the machine has parallel states', () => {
    const regions = regionsOf(diagram);
    expect(smaller).toHaveLength(regions.length === 0 ? 0 : regions.length + 1);
    for (const r of regions) {
      const view = smaller.find((candidate) => candidate.focus === r.path);
      expect(view?.kind, r.path).toBe('region');
      // The region keeps every state of the whole machine inside it, under the same path.
      const drawn = allStates(view?.diagram.root as DiagramState).map((state) => state.path);
      expect(drawn).toEqual(expect.arrayContaining(allStates(r).map((state) => state.path)));
    }
  });

  it('leaves no transition out: each is drawn in the top level or in a region', () => {
    if (smaller.length === 0) return;
    const drawn = new Set(smaller.flatMap((view) => view.diagram.transitions.map((t) => t.id)));
    expect(diagram.transitions.filter((t) => !drawn.has(t.id)).map((t) => t.id)).toEqual([]);
  });

  it('draws a region only with transitions that start or end inside it', () => {
    for (const view of smaller.filter((candidate) => candidate.kind === 'region')) {
      for (const t of view.diagram.transitions) {
        const ends = [t.source, ...t.targets];
        expect(
          ends.some((end) => inside(end, view.focus)),
          `${view.name}: ${t.id}`,
        ).toBe(true);
      }
    }
  });

  it('writes short Mermaid labels: events with numbers, no self-loop on a plain state', () => {
    for (const view of smaller) {
      const markdown = renderViewMarkdown(view, views);
      const mermaid = /```mermaid\n([\s\S]*?)```/.exec(markdown)?.[1] ?? '';
      const labels = [...mermaid.matchAll(/ : (.*)$/gm)].flatMap((m) =>
        (m[1] as string).split('<br/>'),
      );
      expect(labels.length, view.name).toBeGreaterThan(0);
      for (const label of labels) expect(label).toMatch(/^[\w.]+ \(\d+(, \d+)*\)$/);
      const numbers = labels.flatMap((label) =>
        [...label.matchAll(/\d+/g)].map((m) => Number(m[0])),
      );
      expect(numbers.sort((a, b) => a - b)).toEqual(
        view.diagram.transitions.map((_, index) => index + 1),
      );
      for (const match of mermaid.matchAll(/^\s*(\S+) --> (\S+)/gm)) {
        const state = allStates(view.diagram.root).find(
          (s) => s.path.replaceAll('.', '_') === match[1],
        );
        if (match[1] === match[2]) expect(state?.children.length, view.name).toBeGreaterThan(0);
      }
      // Every row of the table names the transition the label's number stands for.
      view.diagram.transitions.forEach((t, index) => {
        expect(markdown).toContain(`| ${index + 1} | \`${t.id}\` |`);
      });
    }
  });

  it('keeps the whole machine page in full labels', () => {
    const whole = renderMermaid(diagram);
    expect(whole).toContain(' / ');
  });
});
