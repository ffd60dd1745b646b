import { relative } from 'node:path';
import type { CAC } from 'cac';
import {
  compareDiagrams,
  DEFAULT_DIAGRAMS_DIR,
  generateDiagrams,
  writeDiagrams,
} from '../../diagrams/index.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { prepareOutDir } from '../out-dir.ts';

/** How to name a path to the user: relative to the working directory when it is inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

export function registerDiagrams(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command(
      'diagrams',
      'Generate the state diagrams of the machines, whole and per region: Markdown with Mermaid, SVG, SCXML',
    )
    .option('--out <dir>', 'Folder to write to', { default: DEFAULT_DIAGRAMS_DIR })
    .option('--check', 'Write nothing; exit 1 when the files in the folder are stale or missing')
    .action(async (options: { out?: unknown; check?: boolean }) => {
      const out = options.out ?? DEFAULT_DIAGRAMS_DIR;
      if (typeof out !== 'string' || out === '') throw new UsageError('--out takes one folder.');
      const files = await generateDiagrams();
      const regenerate =
        out === DEFAULT_DIAGRAMS_DIR ? 'npx imflow diagrams' : `npx imflow diagrams --out ${out}`;
      if (options.check) {
        const { stale, missing } = await compareDiagrams(out, files);
        if (stale.length === 0 && missing.length === 0) {
          io.out(`The ${files.length} diagram files in ${shown(out)} are up to date.`);
          done(EXIT.ok);
          return;
        }
        for (const path of stale) io.err(`stale: ${shown(path)}`);
        for (const path of missing) io.err(`missing: ${shown(path)}`);
        io.err(
          `The diagrams no longer match the machines. Run \`${regenerate}\` to regenerate them.`,
        );
        done(EXIT.notConformant);
        return;
      }
      await prepareOutDir(out);
      let written: string[];
      try {
        written = await writeDiagrams(out, files);
      } catch (error) {
        throw new UsageError(
          `Cannot write the diagrams to ${out}: ${(error as Error).message}. Give a folder you can write to.`,
        );
      }
      for (const [index, path] of written.entries()) {
        const bytes = Buffer.byteLength(files[index]?.content ?? '', 'utf8');
        io.out(`wrote ${shown(path)} (${bytes} bytes)`);
      }
      done(EXIT.ok);
    });
}
