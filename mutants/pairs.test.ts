import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRequirement } from '../machines/index.ts';
import { repositoryRoot } from './apply.ts';
import { findMutant, mutants } from './catalogue.ts';
import { pairsOf, runPair } from './pairs.ts';

const read = (file: string) => readFileSync(join(repositoryRoot, file), 'utf8');
const groupOf = (requirement: string) => findRequirement(requirement)?.group;

describe('pairs of mutants', () => {
  const pairs = pairsOf(mutants, 40, read);

  it('draws forty distinct pairs of different groups of one machine, under one profile', () => {
    expect(pairs).toHaveLength(40);
    const keys = pairs.map(({ first, second }) => [first.id, second.id].sort().join('+'));
    expect(new Set(keys).size).toBe(pairs.length);
    for (const { first, second } of pairs) {
      expect(first.profile).toBe(second.profile);
      expect(groupOf(first.requirement)).not.toBe(groupOf(second.requirement));
      expect(groupOf(first.requirement)).not.toBe('mcu-session');
      expect(groupOf(second.requirement)).not.toBe('mcu-session');
    }
  });

  it('spreads the pairs over the catalogue instead of repeating a few mutants', () => {
    const used = new Set(pairs.flatMap(({ first, second }) => [first.id, second.id]));
    expect(used.size).toBeGreaterThanOrEqual(30);
  });

  it('is deterministic', () => {
    const again = pairsOf(mutants, 40, read).map(({ first, second }) => `${first.id}+${second.id}`);
    expect(again).toEqual(pairs.map(({ first, second }) => `${first.id}+${second.id}`));
  });

  it('runs both bugs in one copy and reports which rules one run named', {
    timeout: 120_000,
  }, async () => {
    const first = findMutant('lc-revert-never');
    const second = findMutant('life-remote-bye-keeps-flow');
    if (!first || !second) throw new Error('catalogue changed: pick two other mutants');
    const result = await runPair({ first, second }, { seed: 1, runs: 100 });
    expect(result.error).toBeUndefined();
    expect(result.requirementsReported).toEqual(
      expect.arrayContaining([first.requirement, second.requirement]),
    );
    expect(result.namesFirst && result.namesSecond).toBe(true);
  });
});
