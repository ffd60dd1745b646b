import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DiagramFile, generateDiagrams } from './index.ts';

/** The committed diagrams, next to this folder. */
const committed = fileURLToPath(new URL('../docs/diagrams/', import.meta.url));

describe('docs/diagrams', () => {
  let files: DiagramFile[];
  beforeAll(async () => {
    files = await generateDiagrams();
  });

  it('has a Markdown, an SVG and an SCXML file for each machine', () => {
    expect(files.map((file) => file.name)).toEqual([
      'imFlow.md',
      'imFlow.svg',
      'imFlow.scxml',
      'mcuSession.md',
      'mcuSession.svg',
      'mcuSession.scxml',
    ]);
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
