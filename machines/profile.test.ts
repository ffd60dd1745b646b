import { describe, expect, it } from 'vitest';
import {
  basicProfile,
  builtInProfiles,
  defaultProfile,
  findBuiltInProfile,
  MAX_COMPOSING_TIMEOUT_MS,
  MAX_REMOTE_IDLE_MS,
  MAX_REVERT_TOLERANCE_MS,
  type Options,
  ProfileError,
  parseProfile,
  referencePageProfile,
} from './profile.ts';
import { contradictions } from './requirements.ts';

/** The ProfileError thrown for `input`, failing the test when none is thrown. */
function refusal(input: unknown, origin?: string): ProfileError {
  try {
    if (origin === undefined) parseProfile(input);
    else parseProfile(input, origin);
  } catch (error) {
    expect(error).toBeInstanceOf(ProfileError);
    return error as ProfileError;
  }
  throw new Error(`parseProfile accepted ${JSON.stringify(input)}`);
}

/** The one issue reported for `input`, which must mention every fragment. */
function expectSingleIssue(input: unknown, ...fragments: string[]): void {
  const error = refusal(input);
  expect(error.issues).toHaveLength(1);
  for (const fragment of fragments) {
    expect(error.issues[0]).toContain(fragment);
    expect(error.message).toContain(fragment);
  }
}

describe('profiles', () => {
  describe('built-in profiles', () => {
    it.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
      'every built-in profile parses back to itself (%s)',
      (_name, profile) => {
        expect(parseProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
      },
    );

    it('built-in names are unique and findable; the default is one of them', () => {
      const names = builtInProfiles.map((profile) => profile.name);
      expect(new Set(names).size).toBe(names.length);
      for (const profile of builtInProfiles) expect(findBuiltInProfile(profile.name)).toBe(profile);
      expect(findBuiltInProfile('no-such-profile')).toBeUndefined();
      expect(builtInProfiles).toContain(defaultProfile);
    });

    it('the basic profile claims no optional capability and reverts exactly at the time-out', () => {
      expect(basicProfile.capabilities).toEqual({ proxiedConsumption: false, mcuSession: false });
      expect(basicProfile.timing.revertToleranceMs).toBe(0);
    });
  });

  describe('defaults and extends', () => {
    it('an empty profile is the default profile under a derived name', () => {
      const parsed = parseProfile({});
      expect(parsed).toEqual({ ...defaultProfile, name: `${defaultProfile.name}+custom` });
    });

    it.each(builtInProfiles.map((profile) => [profile.name, profile] as const))(
      'extends takes every section left out from the named profile (%s)',
      (_name, base) => {
        const parsed = parseProfile({ extends: base.name, name: 'mine' });
        expect(parsed.name).toBe('mine');
        expect(parsed.description).toBe(base.description);
        expect(parsed.capabilities).toEqual(base.capabilities);
        expect(parsed.timing).toEqual(base.timing);
        expect(parsed.options).toEqual(base.options);
      },
    );

    it('a section given in part keeps the other fields of the base', () => {
      const parsed = parseProfile({
        extends: referencePageProfile.name,
        options: { explicitIdle: 'allowed' },
        timing: { refreshPeriodMs: 5000 },
      });
      expect(parsed.options).toEqual({ ...referencePageProfile.options, explicitIdle: 'allowed' });
      expect(parsed.timing).toEqual({ ...referencePageProfile.timing, refreshPeriodMs: 5000 });
      expect(parsed.name).toBe(`${referencePageProfile.name}+custom`);
    });
  });

  describe('every option both ways', () => {
    const readings: { [K in keyof Options]: readonly Options[K][] } = {
      explicitIdle: ['allowed', 'rejected'],
      idleNotification: ['sent', 'not-sent'],
      remoteIdleEvent: ['raised', 'not-raised'],
      sendWhileComposing: ['idle-notification', 'message-only'],
      focusReconnectWithoutMcu: ['stay-retrying', 'back-to-idle'],
      remoteComposingEvent: ['every-notification', 'on-change'],
      composingAgainNotification: ['sent', 'not-sent'],
      proxiedMessages: ['in-order', 'one-at-a-time'],
    };
    /** The contradiction whose reading the option picks, to cite it in test names. */
    const decides = (option: string): string =>
      contradictions.find((contradiction) => contradiction.option === option)?.id ?? '(none)';
    const cases = Object.entries(readings).flatMap(([key, values]) =>
      values.map((value) => [decides(`options.${key}`), key, value] as const),
    );

    it('the table covers every option of the profile', () => {
      expect(Object.keys(readings).sort()).toEqual(Object.keys(defaultProfile.options).sort());
    });

    it.each(cases)('%s: options.%s accepts %s', (_contradiction, key, value) => {
      expect(parseProfile({ options: { [key]: value } }).options[key as keyof Options]).toBe(value);
    });

    it.each(Object.keys(readings).map((key) => [decides(`options.${key}`), key] as const))(
      '%s: options.%s refuses any other value, listing the allowed ones',
      (_contradiction, key) => {
        const allowed = readings[key as keyof Options];
        expectSingleIssue(
          { options: { [key]: 'sometimes' } },
          `profile.options.${key}`,
          '"sometimes"',
          ...allowed.map((value) => JSON.stringify(value)),
        );
      },
    );

    it.each([3000, 5000])('C1: timing.refreshPeriodMs accepts %i', (refreshPeriodMs) => {
      expect(parseProfile({ timing: { refreshPeriodMs } }).timing.refreshPeriodMs).toBe(
        refreshPeriodMs,
      );
    });

    it.each([
      ['revertToleranceMs', 0],
      ['revertToleranceMs', MAX_REVERT_TOLERANCE_MS],
      ['composingTimeoutMs', 1],
      ['composingTimeoutMs', MAX_COMPOSING_TIMEOUT_MS],
      ['remoteIdleMs', 1],
      ['remoteIdleMs', MAX_REMOTE_IDLE_MS],
    ] as const)('timing.%s accepts the bound %i', (key, value) => {
      expect(parseProfile({ timing: { [key]: value } }).timing[key]).toBe(value);
    });

    it.each([true, false])('capabilities accept %s', (claimed) => {
      const parsed = parseProfile({
        capabilities: { proxiedConsumption: claimed, mcuSession: claimed },
      });
      expect(parsed.capabilities).toEqual({ proxiedConsumption: claimed, mcuSession: claimed });
    });
  });

  describe('validation', () => {
    it.each([
      ['composingTimeoutMs', 0, '1 to 30000'],
      ['composingTimeoutMs', -3000, '1 to 30000'],
      ['composingTimeoutMs', MAX_COMPOSING_TIMEOUT_MS + 1, `1 to ${MAX_COMPOSING_TIMEOUT_MS}`],
      ['composingTimeoutMs', 2500.5, '1 to 30000'],
      ['composingTimeoutMs', '3000', '1 to 30000'],
      ['remoteIdleMs', 0, `1 to ${MAX_REMOTE_IDLE_MS}`],
      ['remoteIdleMs', -1, `1 to ${MAX_REMOTE_IDLE_MS}`],
      ['remoteIdleMs', MAX_REMOTE_IDLE_MS + 1, `1 to ${MAX_REMOTE_IDLE_MS}`],
      ['revertToleranceMs', -1, `0 to ${MAX_REVERT_TOLERANCE_MS}`],
      ['revertToleranceMs', MAX_REVERT_TOLERANCE_MS + 1, `0 to ${MAX_REVERT_TOLERANCE_MS}`],
    ] as const)(
      'refuses timing.%s = %j, naming the path, the value and the range',
      (key, value, range) => {
        expectSingleIssue(
          { timing: { [key]: value } },
          `profile.timing.${key}`,
          `is ${JSON.stringify(value)}`,
          range,
        );
      },
    );

    it.each([0, -5000, 4000, 3000.5, null])(
      'C1: refuses timing.refreshPeriodMs = %j, listing 3000 and 5000',
      (refreshPeriodMs) => {
        expectSingleIssue(
          { timing: { refreshPeriodMs } },
          'profile.timing.refreshPeriodMs',
          `is ${JSON.stringify(refreshPeriodMs)}`,
          '3000, 5000',
        );
      },
    );

    it('refuses a capability that is not a boolean', () => {
      expectSingleIssue(
        { capabilities: { mcuSession: 'yes' } },
        'profile.capabilities.mcuSession',
        '"yes"',
        'true, false',
      );
    });

    it('refuses an unknown top-level field, naming it and the known ones', () => {
      expectSingleIssue({ timings: {} }, 'profile.timings', 'timing', 'options', 'capabilities');
    });

    it.each([
      ['capabilities', 'conferencing'],
      ['timing', 'refreshMs'],
      ['options', 'explicitIdleAllowed'],
    ])('refuses an unknown nested field %s.%s, naming it and the known ones', (section, key) => {
      const known = Object.keys(defaultProfile[section as 'capabilities' | 'timing' | 'options']);
      expectSingleIssue({ [section]: { [key]: 1 } }, `profile.${section}.${key}`, ...known);
    });

    it.each([null, [], 'ucma-guide', 42, true])(
      'refuses a non-object profile %j, showing what it got',
      (input) => {
        expectSingleIssue(input, 'profile', 'JSON object', JSON.stringify(input));
      },
    );

    it.each(['timing', 'options', 'capabilities'])(
      'refuses a %s section that is not an object',
      (section) => {
        for (const value of [null, [], 'fast', 3]) {
          expectSingleIssue({ [section]: value }, `profile.${section}`, 'object');
        }
      },
    );

    it.each(['ucma', 'UCMA-GUIDE', 7, null])(
      'refuses extends = %j, listing the built-in profiles',
      (base) => {
        expectSingleIssue(
          { extends: base },
          'profile.extends',
          JSON.stringify(base),
          ...builtInProfiles.map((profile) => profile.name),
        );
      },
    );

    it.each(['', 5])('refuses a name %j that is not a non-empty string', (name) => {
      expectSingleIssue({ name }, 'profile.name');
    });

    it('uses the given origin as the root of every path', () => {
      const error = refusal({ timing: { refreshPeriodMs: 4000 } }, 'profiles/mine.json');
      expect(error.issues[0]).toMatch(/^profiles\/mine\.json\.timing\.refreshPeriodMs is 4000/);
      expect(refusal(null, 'profiles/mine.json').issues[0]).toMatch(/^profiles\/mine\.json /);
    });

    it('reports every problem at once in one error', () => {
      const input = {
        extends: 'nope',
        colour: 'blue',
        timing: { refreshPeriodMs: 4000, composingTimeoutMs: 0, remoteIdleMs: -1, extra: 1 },
        options: { explicitIdle: 'maybe', sendWhileComposing: 'both' },
        capabilities: { mcuSession: 1 },
      };
      const error = refusal(input);
      const paths = [
        'profile.extends',
        'profile.colour',
        'profile.timing.refreshPeriodMs',
        'profile.timing.composingTimeoutMs',
        'profile.timing.remoteIdleMs',
        'profile.timing.extra',
        'profile.options.explicitIdle',
        'profile.options.sendWhileComposing',
        'profile.capabilities.mcuSession',
      ];
      expect(error.issues).toHaveLength(paths.length);
      for (const path of paths) {
        expect(error.issues.some((issue) => issue.startsWith(`${path} `))).toBe(true);
        expect(error.message).toContain(path);
      }
      expect(error.name).toBe('ProfileError');
      expect(error.message.split('\n').slice(1)).toEqual(
        error.issues.map((issue) => `  - ${issue}`),
      );
    });
  });
});
