import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtInProfiles, type RequirementGroup, requirements } from '../machines/index.ts';
import { countOccurrences, MutantApplyError, mutateSource, repositoryRoot } from './apply.ts';
import { findMutant, type Mutant, mutants } from './catalogue.ts';
import { typecheckMutants } from './typecheck.ts';

const requirementById = new Map(requirements.map((requirement) => [requirement.id, requirement]));
const source = (file: string) => readFileSync(join(repositoryRoot, file), 'utf8');

describe('mutant catalogue', () => {
  it('has at least 28 mutants with unique kebab-case ids', () => {
    expect(mutants.length).toBeGreaterThanOrEqual(28);
    const ids = mutants.map((mutant) => mutant.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(findMutant(ids[0] as string)).toBe(mutants[0]);
  });

  it.each(mutants.map((mutant) => [mutant.id, mutant] as const))(
    '%s: its snippet occurs exactly once in the current reference source',
    (_id, mutant: Mutant) => {
      expect(mutant.file).toMatch(/^reference\/[^/]+\.ts$/);
      expect(mutant.file.endsWith('.test.ts')).toBe(false);
      expect(mutant.find).not.toBe(mutant.replace);
      expect(countOccurrences(source(mutant.file), mutant.find)).toBe(1);
      expect(mutateSource(mutant, source(mutant.file))).not.toBe(source(mutant.file));
    },
  );

  it('names only testable requirements of the catalogue, and built-in profiles', () => {
    const profiles = new Set(builtInProfiles.map((profile) => profile.name));
    for (const mutant of mutants) {
      const requirement = requirementById.get(mutant.requirement);
      expect(requirement, `${mutant.id}: unknown requirement ${mutant.requirement}`).toBeDefined();
      expect(
        requirement?.untestable,
        `${mutant.id}: ${mutant.requirement} is untestable`,
      ).toBeUndefined();
      expect(profiles.has(mutant.profile), `${mutant.id}: unknown profile ${mutant.profile}`).toBe(
        true,
      );
      expect(mutant.description.length).toBeGreaterThan(20);
    }
  });

  it('covers every requirement group, each with a mutant the kit is expected to kill and name', () => {
    const groups = new Set<RequirementGroup>(requirements.map((requirement) => requirement.group));
    for (const group of groups) {
      const inGroup = mutants.filter(
        (mutant) => requirementById.get(mutant.requirement)?.group === group,
      );
      expect(inGroup.length, `no mutant for ${group}`).toBeGreaterThan(0);
      expect(
        inGroup.some((mutant) => !mutant.knownKitGap),
        `every mutant of ${group} is a known kit gap`,
      ).toBe(true);
    }
  });

  it('refuses, naming the mutant, a snippet that no longer matches exactly once', () => {
    const mutant = mutants[0] as Mutant;
    const text = source(mutant.file);
    expect(() => mutateSource(mutant, text.replace(mutant.find, ''))).toThrow(MutantApplyError);
    expect(() => mutateSource(mutant, text.replace(mutant.find, ''))).toThrow(mutant.id);
    expect(() => mutateSource(mutant, `${text}\n${mutant.find}`)).toThrow(/occurs 2 times/);
  });
});

// A mutant that does not compile is no realistic bug: one tsc run checks a copy of each.
describe('mutant catalogue, type-checked', () => {
  it('every mutant type-checks', { timeout: 300_000 }, async () => {
    const { errors, other } = await typecheckMutants(mutants);
    expect(other).toEqual([]);
    expect(Object.fromEntries(errors)).toEqual({});
  });
});
