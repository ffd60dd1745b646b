import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModels, defaultProfile } from '../machines/index.ts';
import { renderDot, triggerLines } from './dot.ts';
import { triggerText } from './notation.ts';
import { allStates, describeMachine } from './structure.ts';
import { renderSvg } from './svg.ts';

/** The text nodes of an SVG, entities decoded (Graphviz writes `-` as `&#45;`). */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) =>
    (match[1] as string)
      .replaceAll('&lt;', '<')
      .replaceAll('&gt;', '>')
      .replaceAll('&quot;', '"')
      .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
      .replaceAll('&amp;', '&'),
  );
}

describe.each(createModels(defaultProfile))('SVG of $id', (model) => {
  const diagram = describeMachine(model);
  let svg: string;
  beforeAll(async () => {
    svg = await renderSvg(renderDot(diagram));
  });

  it('is well-formed XML with an <svg> root', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    const document = new XMLParser({ ignoreAttributes: false }).parse(svg) as Record<
      string,
      unknown
    >;
    expect(document.svg).toBeDefined();
    expect(svg).toMatch(/<svg\b[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  });

  it('has a text node for every state name and the machine title', () => {
    const found = texts(svg);
    for (const state of allStates(diagram.root).slice(1))
      expect(found, state.path).toContain(state.key);
    expect(found).toContain(diagram.title);
  });

  it('shows every transition with its guard and requirement IDs', () => {
    const found = texts(svg);
    for (const t of diagram.transitions) {
      for (const line of triggerLines(t)) expect(found, t.id).toContain(line);
      expect(triggerLines(t).join(' '), t.id).toBe(triggerText(t));
      expect(found, t.id).toContain(t.requirements.join(' '));
    }
  });

  it('draws the regions of a parallel state as dashed clusters', () => {
    const dot = renderDot(diagram);
    for (const state of allStates(diagram.root).filter((s) => s.kind === 'parallel')) {
      for (const region of state.children) {
        const cluster = dot.slice(dot.indexOf(`subgraph "cluster:${region.path}" {`));
        expect(cluster.split('\n').slice(0, 4).join('\n')).toContain('dashed');
      }
    }
  });
});
