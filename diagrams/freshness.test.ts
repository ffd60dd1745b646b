import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModels, defaultProfile } from '../machines/index.ts';
import { type DiagramFile, describeMachine, diagramViews, generateDiagrams } from './index.ts';

/** The committed diagrams, next to this folder. */
const committed = fileURLToPath(new URL('../docs/diagrams/', import.meta.url));

describe('docs/diagrams', () => {
  let files: DiagramFile[];
  beforeAll(async () => {
    files = await generateDiagrams();
  });

  it('has Markdown, SVG and SCXML for each machine, Markdown and SVG for each smaller view, and an index', () => {
    const expected = createModels(defaultProfile).flatMap((model) => [
      `${model.id}.md`,
      `${model.id}.svg`,
      `${model.id}.scxml`,
      ...diagramViews(describeMachine(model))
        .filter((view) => view.kind !== 'machine')
        .flatMap((view) => [`${view.name}.md`, `${view.name}.svg`]),
    ]);
    expect(files.map((file) => file.name)).toEqual([...expected, 'README.md']);
    expect(files.map((file) => file.name)).toEqual(
      expect.arrayContaining([
        'imFlow.top-level.md',
        'imFlow.messaging.svg',
        'imFlow.localComposing.md',
        'imFlow.remoteComposing.svg',
      ]),
    );
  });

  it('links every file from the index, and every view from its machine page', () => {
    const index = files.find((file) => file.name === 'README.md')?.content ?? '';
    for (const file of files.filter((candidate) => candidate.name !== 'README.md')) {
      expect(index, file.name).toContain(`](${file.name})`);
    }
    for (const model of createModels(defaultProfile)) {
      const page = files.find((file) => file.name === `${model.id}.md`)?.content ?? '';
      for (const view of diagramViews(describeMachine(model)).slice(1)) {
        expect(page, view.name).toContain(`](${view.name}.md)`);
      }
    }
  });

  it('generates byte-identical files every time', async () => {
    expect(await generateDiagrams()).toEqual(files);
  });

  it('matches what the machines generate now', async () => {
    const problems: string[] = [];
    for (const file of files) {
      let onDisk: string | undefined;
      try {
        onDisk = await readFile(`${committed}${file.name}`, 'utf8');
      } catch {
        onDisk = undefined;
      }
      if (onDisk === undefined) problems.push(`docs/diagrams/${file.name} is missing`);
      else if (onDisk !== file.content) problems.push(`docs/diagrams/${file.name} is stale`);
    }
    expect(
      problems,
      `${problems.join('; ')}: the diagrams no longer match the machines. Run \`npx imflow diagrams\` to regenerate them.`,
    ).toEqual([]);
  });
});
