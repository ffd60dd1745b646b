import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  compareDiagrams,
  DEFAULT_DIAGRAMS_DIR,
  generateDiagrams,
  writeDiagrams,
} from '../diagrams/index.ts';
import { generatedDocs } from './docs.ts';

/**
 * `npm run docs` writes the generated documents and the diagrams; `--check` only reports stale
 * ones (exit 1).
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [path, content] of generatedDocs(root)) {
  const file = join(root, path);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) stale.push(path);
  else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    console.log(`wrote ${path}`);
  }
}
if (stale.length > 0) {
  console.error(
    `Stale generated documents: ${stale.join(', ')}. Run "npm run docs" and commit the result.`,
  );
  process.exitCode = 1;
}

// The diagrams have their own command (`imflow diagrams`); `npm run docs` writes them too, so
// that one command brings every generated document up to date after a machine changes.
const diagramsDir = join(root, DEFAULT_DIAGRAMS_DIR);
const diagrams = await generateDiagrams();
if (check) {
  const drift = await compareDiagrams(diagramsDir, diagrams);
  const paths = [...drift.stale, ...drift.missing];
  if (paths.length > 0) {
    console.error(`Stale diagrams: ${paths.join(', ')}. Run "npm run docs" and commit the result.`);
    process.exitCode = 1;
  }
} else {
  const current = await compareDiagrams(diagramsDir, diagrams);
  const changed = new Set([...current.stale, ...current.missing]);
  const written = await writeDiagrams(
    diagramsDir,
    diagrams.filter((file) => changed.has(join(diagramsDir, file.name))),
  );
  for (const path of written) console.log(`wrote ${relative(root, path)}`);
}
