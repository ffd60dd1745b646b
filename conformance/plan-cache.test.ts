import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModels, guideProfile, type MachineModel } from '../machines/index.ts';
import { forgetPlansInMemory, planPaths } from './paths.ts';
import { CACHE_DIR_VARIABLE, planCacheDir } from './plan-cache.ts';

const mcuOf = (): MachineModel => {
  const model = createModels(guideProfile).find((m) => m.id === 'mcuSession');
  if (!model) throw new Error('no mcuSession model');
  return model;
};

describe('the plan cache on disk', () => {
  let dir: string;
  const before = process.env[CACHE_DIR_VARIABLE];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'imflow-plan-cache-'));
    process.env[CACHE_DIR_VARIABLE] = dir;
    forgetPlansInMemory();
  });
  afterAll(() => {
    if (before === undefined) delete process.env[CACHE_DIR_VARIABLE];
    else process.env[CACHE_DIR_VARIABLE] = before;
    forgetPlansInMemory();
    rmSync(dir, { recursive: true, force: true });
  });
  const entries = () => readdirSync(dir).filter((name) => name.endsWith('.json'));

  it('lives where the environment variable says, and is off when it says so', () => {
    expect(planCacheDir()).toBe(dir);
    process.env[CACHE_DIR_VARIABLE] = 'off';
    expect(planCacheDir()).toBeUndefined();
    process.env[CACHE_DIR_VARIABLE] = dir;
  });

  it('serves a second planning from the entry the first one wrote', () => {
    const model = mcuOf();
    const first = planPaths(model);
    expect(entries()).toHaveLength(1);
    const file = join(dir, entries()[0] as string);
    // Mark the stored plan: a planning served from the cache carries the mark.
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    stored.plan.paths[0].name = 'served from the cache';
    writeFileSync(file, JSON.stringify(stored));
    forgetPlansInMemory();
    const second = planPaths(model);
    expect(second.paths[0]?.name).toBe('served from the cache');
    expect(second.totalSteps).toBe(first.totalSteps);
    expect([...second.transitions]).toEqual([...first.transitions]);
    expect([...second.situations]).toEqual([...first.situations]);
    expect([...second.stimulusTypes]).toEqual([...first.stimulusTypes]);
    expect(second.paths.map((path) => path.stimuli)).toEqual(first.paths.map((p) => p.stimuli));
  });

  it('ignores a corrupt or foreign entry, plans again and rewrites it', () => {
    const model = mcuOf();
    const file = join(dir, entries()[0] as string);
    for (const corrupt of [
      '{"version": 1, "key": ',
      JSON.stringify({ version: 1, key: 'another key', plan: {} }),
      JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), plan: { paths: 'none' } }),
    ]) {
      writeFileSync(file, corrupt);
      forgetPlansInMemory();
      const plan = planPaths(model);
      expect(plan.paths[0]?.name).toBe('mcuSession path 1');
      expect(plan.paths.length).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(file, 'utf8')).plan.paths[0].name).toBe('mcuSession path 1');
    }
  });

  it('never serves the plan of a machine that changed', () => {
    const model = mcuOf();
    const file = join(dir, entries()[0] as string);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    stored.plan.paths[0].name = 'plan of the old machine';
    writeFileSync(file, JSON.stringify(stored));
    forgetPlansInMemory();
    // The same model with one guard implemented otherwise (a join without an IM MCU is
    // never recognised): the old entry stays, and is still served for the old machine.
    const changed: MachineModel = {
      ...model,
      machine: model.machine.provide({ guards: { joiningWithoutImMcu: () => false } }),
    };
    const plan = planPaths(changed);
    expect(plan.paths[0]?.name).not.toBe('plan of the old machine');
    expect(entries()).toHaveLength(2);
    expect(planPaths(model).paths[0]?.name).toBe('plan of the old machine');
  });
});
