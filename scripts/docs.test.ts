import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requirements } from '../machines/index.ts';
import { generatedDocs } from './docs.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('generated documents', () => {
  const docs = generatedDocs(root);

  it.each([...docs.keys()])('%s is up to date (run "npm run docs" if not)', (path) => {
    const file = join(root, path);
    expect(existsSync(file), `${path} is missing: run "npm run docs"`).toBe(true);
    expect(readFileSync(file, 'utf8'), `${path} is stale: run "npm run docs"`).toBe(docs.get(path));
  });

  it('the traceability matrix has a row for every requirement', () => {
    const matrix = docs.get('docs/traceability.md') ?? '';
    for (const requirement of requirements) expect(matrix).toContain(`| ${requirement.id} |`);
  });
});
