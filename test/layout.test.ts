import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Tests and the fixtures beside them may reach further than the sources they test. */
const isTestOnly = (file: string) =>
  /\.test\.ts$|test-(support|helpers)\.ts$|[\\/]test-adapters[\\/]/.test(file);

/** Every project folder a source file of `folder` imports from (tests left out). */
function importedFolders(folder: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    const file = join(entry.parentPath, entry.name);
    if (!entry.isFile() || !entry.name.endsWith('.ts') || isTestOnly(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const [, specifier] of text.matchAll(/from '(\.[^']+)'/g)) {
      const target = relative(root, resolve(dirname(file), specifier ?? '')).split(/[\\/]/)[0];
      if (!target || target === folder) continue;
      found.set(target, [...(found.get(target) ?? []), relative(root, file)]);
    }
  }
  return found;
}

describe('the layout shows the architecture', () => {
  it.each([
    ['machines', []],
    ['sipstack', []],
    ['reference', ['sipstack']],
    ['conformance', ['machines', 'sipstack']],
  ])('%s imports only from %j', (folder, allowed) => {
    const imported = importedFolders(folder);
    const outside = [...imported].filter(([target]) => !allowed.includes(target));
    expect(outside).toEqual([]);
    // Each allowed folder is in fact imported: the scan sees imports, so its silence counts.
    expect([...imported.keys()].sort()).toEqual([...allowed].sort());
  });
});
