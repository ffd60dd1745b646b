import { describe, expect, it } from 'vitest';
import { createModels, defaultProfile } from '../machines/index.ts';
import { renderMarkdown } from './markdown.ts';
import { escapeMermaid, mermaidId, mermaidLabel, renderMermaid } from './mermaid.ts';
import { allStates, describeMachine } from './structure.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The statements of a Mermaid state diagram, read back into their parts. */
function parse(text: string) {
  const lines = text.trimEnd().split('\n');
  const statements = lines.slice(1).map((line) => line.trim());
  const ids: string[] = [];
  const edges: { from: string; to: string; labels: string[] }[] = [];
  const unknown: string[] = [];
  for (const statement of statements) {
    let match = /^state "([^"]*)" as (\S+)( \{)?$/.exec(statement);
    if (match) {
      ids.push(match[2] as string);
      continue;
    }
    match = /^(\[\*\]|\S+) --> (\S+)(?: : (.*))?$/.exec(statement);
    if (match) {
      const [, from, to, label] = match as unknown as [string, string, string, string?];
      if (from !== '[*]') ids.push(from);
      ids.push(to);
      edges.push({ from, to, labels: label === undefined ? [] : label.split('<br/>') });
      continue;
    }
    if (statement === '--' || statement === '}') continue;
    unknown.push(statement);
  }
  return { header: lines[0], ids, edges, unknown };
}

describe.each(createModels(defaultProfile))('Mermaid of $id', (model) => {
  const diagram = describeMachine(model);
  const text = renderMermaid(diagram);
  const parsed = parse(text);

  it('is a stateDiagram-v2 made only of states, transitions and region separators', () => {
    expect(parsed.header).toBe('stateDiagram-v2');
    expect(parsed.unknown).toEqual([]);
  });

  it('uses identifiers without dots or other unsafe characters', () => {
    expect(parsed.ids.length).toBeGreaterThan(0);
    for (const id of parsed.ids) expect(id).toMatch(IDENTIFIER);
    expect(text).not.toMatch(/^\s*state "[^"]*" as \S*\./m);
    expect(text).not.toMatch(/^\s*\S*\.\S* -->/m);
    expect(text).not.toMatch(/--> \S*\.\S*( :|$)/m);
  });

  it('declares every state once, under its own name', () => {
    const states = allStates(diagram.root).slice(1);
    for (const state of states) {
      const id = mermaidId(diagram, state.path);
      const declarations = text.match(new RegExp(`state "${state.key}" as ${id}(?: \\{)?$`, 'gm'));
      expect(declarations, state.path).toHaveLength(1);
    }
  });

  it('labels every transition with its event, guard and requirement IDs, on an edge between its states', () => {
    for (const t of diagram.transitions) {
      for (const target of t.targets.length === 0 ? [t.source] : t.targets) {
        const edge = parsed.edges.find(
          (candidate) =>
            candidate.from === mermaidId(diagram, t.source) &&
            candidate.to === mermaidId(diagram, target),
        );
        expect(edge, `${t.id}: ${t.source} -> ${target}`).toBeDefined();
        expect(edge?.labels).toContain(mermaidLabel(t));
      }
      expect(text).toContain(t.event);
      for (const requirement of t.requirements) expect(text).toContain(requirement);
    }
  });

  it('draws targetless transitions as self-loops and marks spontaneous ones', () => {
    for (const t of diagram.transitions.filter((candidate) => candidate.targets.length === 0)) {
      const id = mermaidId(diagram, t.source);
      expect(parsed.edges.some((edge) => edge.from === id && edge.to === id)).toBe(true);
    }
    for (const t of diagram.transitions.filter((candidate) => candidate.spontaneous)) {
      expect(mermaidLabel(t)).toContain('(spontaneous)');
    }
  });

  it('draws an initial arrow for every compound state', () => {
    for (const state of allStates(diagram.root)) {
      if (state.initial === undefined) continue;
      expect(parsed.edges).toContainEqual({
        from: '[*]',
        to: mermaidId(diagram, state.initial),
        labels: [],
      });
    }
  });

  it('separates the regions of a parallel state with --', () => {
    for (const state of allStates(diagram.root).filter((s) => s.kind === 'parallel')) {
      const open = text.indexOf(`as ${mermaidId(diagram, state.path)} {`);
      expect(open).toBeGreaterThan(-1);
      const body = text.slice(open).split('\n');
      const indent = (body[1] ?? '').search(/\S/);
      const separators = body.filter((line) => line === `${' '.repeat(indent)}--`);
      expect(separators.length).toBeGreaterThanOrEqual(state.children.length - 1);
    }
  });

  it('is embedded in the Markdown page with a table of every transition', () => {
    const markdown = renderMarkdown(diagram);
    expect(markdown).toMatch(new RegExp(`^# ${model.title} \\(\`${model.id}\`\\)`));
    expect(markdown).toContain(`\`\`\`mermaid\n${text}\`\`\``);
    for (const t of diagram.transitions) expect(markdown).toContain(`| \`${t.id}\` |`);
  });
});

describe('Mermaid escaping', () => {
  it('replaces the characters Mermaid reads as syntax with entity codes', () => {
    expect(escapeMermaid('a: "b" <c> #d; {e} |f')).toBe(
      'a#58; #quot;b#quot; #lt;c#gt; #35;d#59; #123;e#125; #124;f',
    );
  });
});
