import { describe, expect, it } from 'vitest';
import { createModels, type DeclaredTransition, declaredTransitions } from './model.ts';
import { builtInProfiles, defaultProfile, type Profile, parseProfile } from './profile.ts';
import {
  contradictions,
  findRequirement,
  openPoints,
  type RequirementGroup,
  requirements,
} from './requirements.ts';

/** Every declared transition of every machine, for every built-in profile. */
const declared: { profile: Profile; machine: string; transitions: DeclaredTransition[] }[] =
  builtInProfiles.flatMap((profile) =>
    createModels(profile).map((model) => ({
      profile,
      machine: model.id,
      transitions: declaredTransitions(model.machine),
    })),
  );

const allTransitions = declared.flatMap((entry) => entry.transitions);

/** Reads `timing.x` or `options.x` from a profile. */
function fieldOf(profile: Profile, path: string): unknown {
  const [section, key, ...rest] = path.split('.');
  if (rest.length > 0 || key === undefined) return undefined;
  if (section !== 'timing' && section !== 'options' && section !== 'capabilities') return undefined;
  const values = profile[section] as unknown as Record<string, unknown>;
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

describe('requirement catalogue', () => {
  it('requirement IDs are unique', () => {
    const ids = requirements.map((requirement) => requirement.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every requirement has text and a source; inferred ones say what they rest on', () => {
    for (const requirement of requirements) {
      expect(requirement.text.trim(), requirement.id).not.toBe('');
      expect(requirement.source.trim(), requirement.id).not.toBe('');
      expect(['documented', 'inferred'], requirement.id).toContain(requirement.kind);
    }
  });

  it('every requirement group is covered by exactly one machine model', () => {
    const groups = new Set<RequirementGroup>(requirements.map((requirement) => requirement.group));
    const models = createModels(defaultProfile);
    for (const group of groups) {
      expect(
        models.filter((model) => model.groups.includes(group)).map((model) => model.id),
        group,
      ).toHaveLength(1);
    }
  });

  it('every requirement is realised by a declared transition or says why it is untestable', () => {
    const realised = new Set(allTransitions.flatMap((transition) => transition.meta.requirements));
    const unaccounted = requirements
      .filter((requirement) => !realised.has(requirement.id))
      .filter((requirement) => (requirement.untestable ?? '').trim() === '')
      .map((requirement) => requirement.id);
    expect(unaccounted).toEqual([]);
  });

  it('an untestable requirement gives a reason', () => {
    for (const requirement of requirements.filter((r) => r.untestable !== undefined)) {
      expect(requirement.untestable?.trim().length, requirement.id).toBeGreaterThan(10);
    }
  });

  it('every requirement a transition cites exists in the catalogue', () => {
    const cited = new Set(allTransitions.flatMap((transition) => transition.meta.requirements));
    expect([...cited].filter((id) => findRequirement(id) === undefined)).toEqual([]);
  });

  it("a transition cites requirements of its own machine's groups", () => {
    for (const profile of builtInProfiles) {
      for (const model of createModels(profile)) {
        for (const transition of declaredTransitions(model.machine)) {
          for (const id of transition.meta.requirements) {
            expect(model.groups, `${model.id} ${transition.meta.id} cites ${id}`).toContain(
              findRequirement(id)?.group,
            );
          }
        }
      }
    }
  });

  it('every transition cites at least one requirement', () => {
    expect(
      allTransitions
        .filter((transition) => transition.meta.requirements.length === 0)
        .map((transition) => transition.meta.id),
    ).toEqual([]);
  });

  it.each(declared.map((entry) => [entry.machine, entry.profile.name, entry.transitions] as const))(
    'transition meta ids are unique within %s (%s)',
    (_machine, _profile, transitions) => {
      const ids = transitions.map((transition) => transition.meta.id);
      expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
      expect(ids.length).toBeGreaterThan(0);
    },
  );

  it('a capability named by a transition is a real capability', () => {
    const capabilities = Object.keys(defaultProfile.capabilities);
    for (const transition of allTransitions) {
      if (transition.meta.capability !== undefined) {
        expect(capabilities, transition.meta.id).toContain(transition.meta.capability);
      }
    }
  });
});

describe('contradictions', () => {
  it('contradiction IDs are unique', () => {
    const ids = contradictions.map((contradiction) => contradiction.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('every contradiction a requirement refers to exists', () => {
    const ids = new Set(contradictions.map((contradiction) => contradiction.id));
    const dangling = requirements
      .filter((requirement) => requirement.contradiction !== undefined)
      .filter((requirement) => !ids.has(requirement.contradiction as string))
      .map((requirement) => `${requirement.id} -> ${requirement.contradiction}`);
    expect(dangling).toEqual([]);
  });

  it('every contradiction decides at least one requirement', () => {
    const decided = new Set(requirements.map((requirement) => requirement.contradiction));
    for (const contradiction of contradictions) {
      expect(decided.has(contradiction.id), contradiction.id).toBe(true);
    }
  });

  it.each(
    contradictions.filter((c) => c.option !== undefined).map((c) => [c.id, c.option, c] as const),
  )(
    "%s: its option %s is a real profile field and its default is the default profile's value",
    (_id, option, contradiction) => {
      const value = fieldOf(defaultProfile, option as string);
      expect(value, `${option} is not a profile field`).not.toBeUndefined();
      expect(String(value)).toBe(contradiction.defaultValue);
    },
  );

  it.each(
    contradictions
      .filter((c) => c.option?.startsWith('options.'))
      .map((c) => [c.id, c.option as string, c] as const),
  )(
    '%s: every reading of %s is a value the profile accepts, and every built-in profile picks one',
    (_id, option, contradiction) => {
      const key = option.slice('options.'.length);
      const values = contradiction.readings.map((reading) => reading.value);
      for (const value of values) {
        expect(fieldOf(parseProfile({ options: { [key]: value } }), option)).toBe(value);
      }
      for (const profile of builtInProfiles) {
        expect(values, profile.name).toContain(fieldOf(profile, option));
      }
    },
  );

  it('every option of a profile is decided by a contradiction', () => {
    const named = new Set(contradictions.map((contradiction) => contradiction.option));
    for (const key of Object.keys(defaultProfile.options)) {
      expect(named.has(`options.${key}`), key).toBe(true);
    }
  });

  it('C1: the refresh readings are the refresh periods a profile may take', () => {
    const c1 = contradictions.find((contradiction) => contradiction.id === 'C1');
    expect(c1?.option).toBe('timing.refreshPeriodMs');
    for (const reading of c1?.readings ?? []) {
      const refreshPeriodMs = Number(reading.value);
      expect(parseProfile({ timing: { refreshPeriodMs } }).timing.refreshPeriodMs).toBe(
        refreshPeriodMs,
      );
    }
    expect(c1?.readings).toHaveLength(2);
  });
});

describe('strengths and allowed branches', () => {
  it('a must rests on the pages: every inferred rule is a should', () => {
    for (const requirement of requirements.filter((r) => r.kind === 'inferred')) {
      expect(requirement.strength, requirement.id).toBe('should');
    }
  });

  it('every requirement names the sentence it rests on', () => {
    for (const requirement of requirements) {
      expect(requirement.basis.trim().length, requirement.id).toBeGreaterThan(20);
    }
  });

  it('a transition departs only from should-rules, and only an allowed branch departs', () => {
    for (const { machine, transitions } of declared) {
      for (const { meta } of transitions) {
        for (const id of meta.deviates ?? []) {
          expect(findRequirement(id)?.strength, `${machine}:${meta.id} departs from ${id}`).toBe(
            'should',
          );
        }
        if (meta.deviates !== undefined) expect(meta.choice, meta.id).toBeDefined();
      }
    }
  });

  it('an allowed branch is an implementation choice: spontaneous, with a choice, never planned', () => {
    const branches = declared.flatMap(({ transitions }) =>
      transitions.filter((t) => t.meta.choice !== undefined),
    );
    expect(branches.length).toBeGreaterThan(10);
    for (const { meta } of branches) {
      expect(meta.spontaneous, meta.id).toBe(true);
      expect(meta.deviates, meta.id).toBeDefined();
    }
  });

  it('a refusal only a should-rule asks for has both allowed branches: the other kind and no effect', () => {
    const refusalRules = new Set(
      openPoints.find((point) => point.id === 'OP-12')?.rules ?? ['(missing OP-12)'],
    );
    for (const { machine, transitions } of declared) {
      const ids = new Set(transitions.map((t) => t.meta.id));
      for (const { meta } of transitions) {
        if (meta.choice !== undefined) continue;
        if (!meta.requirements.some((id) => refusalRules.has(id))) continue;
        const stem = meta.id.replace(/\.rejected$/, '');
        expect(ids.has(`${stem}.ignored`), `${machine}:${meta.id} may be ignored`).toBe(true);
        expect(
          ids.has(`${stem}.otherRefusal`),
          `${machine}:${meta.id} may be refused otherwise`,
        ).toBe(true);
      }
    }
    for (const id of refusalRules) expect(findRequirement(id)?.strength, id).toBe('should');
  });

  it('open points cite existing rules and, where decided by an option, a real profile field', () => {
    expect(openPoints.map((point) => point.id)).toEqual(
      Array.from({ length: 14 }, (_, index) => `OP-${index + 1}`),
    );
    for (const point of openPoints) {
      for (const id of point.rules) expect(findRequirement(id), `${point.id}: ${id}`).toBeDefined();
      expect(point.basis.trim().length, point.id).toBeGreaterThan(20);
      if (point.resolution === 'profile option') {
        const [section, field] = (point.option ?? '').split('.') as [keyof Profile, string];
        expect(Object.keys(defaultProfile[section] as object), point.id).toContain(field);
      }
    }
  });
});
