import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createModels, defaultProfile, type Profile } from '../machines/index.ts';
import { renderDot } from './dot.ts';
import { renderMarkdown } from './markdown.ts';
import { renderScxml } from './scxml.ts';
import { describeMachine } from './structure.ts';
import { renderSvg } from './svg.ts';

/** Where `imflow diagrams` writes by default, relative to the working directory. */
export const DEFAULT_DIAGRAMS_DIR = 'docs/diagrams';

export interface DiagramFile {
  /** File name inside the diagrams folder, e.g. `imFlow.svg`. */
  readonly name: string;
  readonly content: string;
}

/**
 * Every diagram file of every machine, in memory: `<id>.md` (Mermaid), `<id>.svg` (Graphviz)
 * and `<id>.scxml`. Deterministic: the same machines give byte-identical files. The structure is
 * the same in every profile, so the default one is used unless another is asked for.
 */
export async function generateDiagrams(profile: Profile = defaultProfile): Promise<DiagramFile[]> {
  const files: DiagramFile[] = [];
  for (const model of createModels(profile)) {
    const diagram = describeMachine(model);
    files.push(
      { name: `${diagram.id}.md`, content: renderMarkdown(diagram) },
      { name: `${diagram.id}.svg`, content: await renderSvg(renderDot(diagram)) },
      { name: `${diagram.id}.scxml`, content: renderScxml(diagram) },
    );
  }
  return files;
}

/** Writes the files into `dir`, creating it when needed; returns the paths written. */
export async function writeDiagrams(dir: string, files: readonly DiagramFile[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const path = join(dir, file.name);
    await writeFile(path, file.content, 'utf8');
    written.push(path);
  }
  return written;
}

export interface DiagramDrift {
  /** Files whose content on disk differs from what the machines generate now. */
  readonly stale: string[];
  /** Files the machines generate that are not on disk. */
  readonly missing: string[];
}

/** Compares the generated files with those in `dir` (paths in the result include `dir`). */
export async function compareDiagrams(
  dir: string,
  files: readonly DiagramFile[],
): Promise<DiagramDrift> {
  const drift: DiagramDrift = { stale: [], missing: [] };
  for (const file of files) {
    const path = join(dir, file.name);
    let onDisk: string;
    try {
      onDisk = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      drift.missing.push(path);
      continue;
    }
    if (onDisk !== file.content) drift.stale.push(path);
  }
  return drift;
}
