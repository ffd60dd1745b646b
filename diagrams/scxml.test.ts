import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { modelReport } from '../cli/commands/model.ts';
import { createModels, defaultProfile } from '../machines/index.ts';
import { IMFLOW_NS, renderScxml, SCXML_NS, scxmlId } from './scxml.ts';
import { describeMachine } from './structure.ts';

type Element = { [key: string]: unknown };

const STATE_ELEMENTS = ['state', 'parallel', 'final'] as const;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  isArray: (name) => ['state', 'parallel', 'final', 'transition'].includes(name),
});

function children(element: Element, name: string): Element[] {
  return (element[name] as Element[] | undefined) ?? [];
}

/** Every state-like element under `element`, depth first, with its tag name. */
function stateElements(element: Element): { tag: string; element: Element }[] {
  return STATE_ELEMENTS.flatMap((tag) =>
    children(element, tag).flatMap((child) => [{ tag, element: child }, ...stateElements(child)]),
  );
}

const report = modelReport(defaultProfile);

describe.each(createModels(defaultProfile))('SCXML of $id', (model) => {
  const diagram = describeMachine(model);
  const text = renderScxml(diagram);
  const document = parser.parse(text) as Element;
  const scxml = document.scxml as Element;
  const all = stateElements(scxml);
  const ids = all.map((entry) => String(entry.element['@_id']));
  const transitions = all.flatMap((entry) => children(entry.element, 'transition'));
  const counts = report.machines.find((machine) => machine.id === model.id)?.counts;

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(text)).toBe(true);
  });

  it('has an scxml root with the SCXML namespace, version 1.0 and an existing initial state', () => {
    expect(scxml).toBeDefined();
    expect(scxml['@_xmlns']).toBe(SCXML_NS);
    expect(scxml['@_xmlns:imflow']).toBe(IMFLOW_NS);
    expect(scxml['@_version']).toBe('1.0');
    expect(ids).toContain(scxml['@_initial']);
  });

  it('wraps the machine in one <state> with the machine id', () => {
    const top = children(scxml, 'state');
    expect(top).toHaveLength(1);
    expect(top[0]?.['@_id']).toBe(model.id);
    expect(children(scxml, 'parallel')).toHaveLength(0);
  });

  it('gives every state a unique, valid XML ID', () => {
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]*$/);
  });

  it('round-trips the counts of `imflow model --json`', () => {
    expect(counts).toBeDefined();
    // One element more than the machine has states: the wrapper that stands for the machine.
    expect(all.length - 1).toBe(counts?.states);
    expect(transitions.length).toBe(counts?.transitions);
  });

  it('has an element for every declared state, <parallel> for a parallel one', () => {
    const declared = report.machines.find((machine) => machine.id === model.id)?.states ?? [];
    expect([...ids].sort()).toEqual(
      [model.id, ...declared.map((path) => scxmlId(diagram, path))].sort(),
    );
    for (const path of declared) {
      const node = path
        .split('.')
        .reduce((parent, key) => parent.states[key] as typeof parent, model.machine.root);
      const entry = all.find((candidate) => candidate.element['@_id'] === scxmlId(diagram, path));
      expect(entry?.tag, path).toBe(node.type === 'parallel' ? 'parallel' : 'state');
    }
    if (model.id === 'imFlow') {
      expect(
        all.filter((entry) => entry.tag === 'parallel').map((entry) => entry.element['@_id']),
      ).toEqual(['imFlow.active']);
    }
  });

  it('gives every transition an event, and only targets that exist', () => {
    for (const transition of transitions) {
      expect(transition['@_event']).toEqual(expect.stringMatching(/\S/));
      const target = transition['@_target'];
      if (target === undefined) continue;
      for (const id of String(target).split(' ')) expect(ids).toContain(id);
    }
  });

  it('keeps each transition with its source, target, guard and requirements, in order', () => {
    const written = all.flatMap((entry) =>
      children(entry.element, 'transition').map((transition) => ({
        source: String(entry.element['@_id']),
        event: transition['@_event'],
        target: transition['@_target'],
        cond: transition['@_cond'],
        requirements: transition['@_imflow:requirements'],
        id: transition['@_imflow:id'],
      })),
    );
    const expected = report.machines
      .find((machine) => machine.id === model.id)
      ?.transitions.map((t) => ({
        source: scxmlId(diagram, t.source === '(root)' ? '' : t.source),
        event: t.event,
        target:
          t.targets.length === 0
            ? undefined
            : t.targets.map((path) => scxmlId(diagram, path)).join(' '),
        cond: t.guard?.split(' and ').join(' && '),
        requirements: t.requirements.join(' '),
        id: t.id,
      }));
    // Written depth first per state, declared per state too: compare as sets of rows, then the
    // order within each state.
    const key = (row: object) => JSON.stringify(row);
    expect(written.map(key).sort()).toEqual((expected ?? []).map(key).sort());
    for (const source of new Set(written.map((row) => row.source))) {
      expect(written.filter((row) => row.source === source).map(key)).toEqual(
        (expected ?? []).filter((row) => row.source === source).map(key),
      );
    }
  });

  it('uses no comments for the requirement bookkeeping', () => {
    expect(text).not.toContain('<!--');
  });
});
