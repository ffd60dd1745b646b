import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFailingTraces } from '../conformance/reporters/trace-files.ts';
import { runSuite } from '../conformance/suite.ts';
import refusesNothing from '../conformance/test-adapters/refuses-nothing.ts';
import { defaultProfile } from '../machines/index.ts';
import { runInProcess } from './test-support.ts';

/** Which adapter `imflow replay` uses when the command line names none. */

const run = runInProcess;

let dir: string;
let recorded: Record<string, unknown>;

/** The recorded trace with some fields changed, written to a file of its own. */
async function variant(name: string, change: Record<string, unknown>): Promise<string> {
  const file = join(dir, name);
  const trace = { ...recorded, ...change };
  for (const [key, value] of Object.entries(change)) if (value === undefined) delete trace[key];
  await writeFile(file, JSON.stringify(trace));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-replay-'));
  const result = await runSuite({
    adapter: refusesNothing,
    profiles: [defaultProfile],
    runs: 0,
    seed: 1,
  });
  const [file] = await writeFailingTraces(dir, result, './refuses-nothing.ts');
  recorded = JSON.parse(await readFile(file as string, 'utf8'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('imflow replay without --adapter', () => {
  it('records the adapter module in written traces', () => {
    expect(recorded.adapter).toBe('refuses nothing');
    expect(recorded.adapterModule).toBe('./refuses-nothing.ts');
  });

  it('refuses a trace of another adapter that records no module, instead of passing it', async () => {
    const file = await variant('no-module.json', { adapterModule: undefined });
    const r = await run('replay', file);
    expect(r.code).toBe(2);
    expect(r.errors).toContain(
      'was recorded with the adapter "refuses nothing", but the replay would run "imflow reference implementation" (the bundled reference adapter: the trace records no module). Give the module that recorded it with --adapter MODULE, or add --any-adapter',
    );
    expect(r.text).not.toMatch(/replay PASSES/);
  });

  it('says where a recorded module is looked for when it is not there', async () => {
    const file = await variant('moved.json', { adapterModule: './gone/adapter.ts' });
    const r = await run('replay', file);
    expect(r.code).toBe(2);
    expect(r.errors).toMatch(/Cannot find the adapter module "\.\/gone\/adapter\.ts"/);
    expect(r.errors).toContain(
      'records the adapter module "./gone/adapter.ts", named relative to the directory its check ran in',
    );
  });

  it('replays a trace of the bundled adapter with it', async () => {
    const file = await variant('reference.json', {
      adapter: 'imflow reference implementation',
      adapterModule: undefined,
    });
    const r = await run('replay', file);
    expect(r.errors).toBe('');
    expect(r.text).toContain('against imflow reference implementation');
    expect(r.code).toBe(0);
  });
});
