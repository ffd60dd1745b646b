import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { generateDiagrams } from './index.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    interactive: false,
  };
  return { io, out, err };
}

describe('imflow diagrams', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'imflow-diagrams-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('--check fails on an empty folder, naming every missing file', async () => {
    const { io, err } = capture();
    expect(await main(['diagrams', '--check', '--out', dir], io)).toBe(1);
    expect(err.filter((line) => line.startsWith('missing: '))).toHaveLength(
      (await generateDiagrams()).length,
    );
    expect(err.join('\n')).toContain('npx imflow diagrams');
  });

  it('writes the diagrams, after which --check passes', async () => {
    const write = capture();
    expect(await main(['diagrams', '--out', dir], write.io)).toBe(0);
    const names = (await generateDiagrams()).map((file) => file.name);
    expect((await readdir(dir)).sort()).toEqual(names.sort());
    expect(names).toEqual(
      expect.arrayContaining(['imFlow.md', 'imFlow.localComposing.svg', 'mcuSession.scxml']),
    );
    const check = capture();
    expect(await main(['diagrams', '--check', '--out', dir], check.io)).toBe(0);
    expect(check.err).toEqual([]);
    expect(check.out.join('\n')).toContain('up to date');
  });

  it('--check exits 1 and names a stale file and a missing one', async () => {
    await writeFile(join(dir, 'imFlow.svg'), '<svg/>\n');
    await unlink(join(dir, 'mcuSession.scxml'));
    const { io, err } = capture();
    expect(await main(['diagrams', '--check', '--out', dir], io)).toBe(1);
    expect(err).toContain(`stale: ${join(dir, 'imFlow.svg')}`);
    expect(err).toContain(`missing: ${join(dir, 'mcuSession.scxml')}`);
    expect(err).toHaveLength(3);
    expect(err.at(-1)).toContain(`npx imflow diagrams --out ${dir}`);
  });
});
