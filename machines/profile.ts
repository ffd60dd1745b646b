/**
 * Profiles: what an implementation claims (optional capabilities) and the values it uses for
 * every timing parameter and every point where the source pages contradict each other.
 *
 * A profile is the kit's equivalent of PICS/PIXIT in protocol test suites: the model is built
 * for one profile, so the kit never guesses which reading of the pages an implementation follows.
 */

/** Optional capabilities. A test that needs an unclaimed capability is inconclusive, not failed. */
export interface Capabilities {
  /** The flow can be configured as ProxiedToRemoteEntity (delivery notifications owed). */
  readonly proxiedConsumption: boolean;
  /** The implementation offers an InstantMessagingMcuSession bound to a conference session. */
  readonly mcuSession: boolean;
}

export interface Timing {
  /** Period of automatic Typing refreshes while composing (contradiction C1: 3 s or 5 s). */
  readonly refreshPeriodMs: 3000 | 5000;
  /** Default composing time-out of a flow; a template may set another (1 ms to 30 s). */
  readonly composingTimeoutMs: number;
  /** How long after the time-out the revert to Idle may still happen (contradiction C2). */
  readonly revertToleranceMs: number;
  /** Silence after which the remote participant is presumed idle (the six-second rule). */
  readonly remoteIdleMs: number;
}

export interface Options {
  /** C3: may the application set LocalComposingState to Idle? */
  readonly explicitIdle: 'allowed' | 'rejected';
  /** C4: does ending local composing (explicit Idle or time-out) put an Idle notification on the wire? */
  readonly idleNotification: 'sent' | 'not-sent';
  /** C5: does an arriving Idle notification raise RemoteComposingStateChanged? */
  readonly remoteIdleEvent: 'raised' | 'not-raised';
  /** C6: does sending a message while composing put an Idle notification before the message? */
  readonly sendWhileComposing: 'idle-notification' | 'message-only';
  /** C7: where the MCU session goes when the focus reconnects but the MCU is not active. */
  readonly focusReconnectWithoutMcu: 'stay-retrying' | 'back-to-idle';
  /**
   * C9: is RemoteComposingStateChanged raised for every arriving composing notification, or only
   * when the notified state differs from the last one?
   */
  readonly remoteComposingEvent: 'every-notification' | 'on-change';
  /** C10: does setting Composing while already Composing send another Typing notification? */
  readonly composingAgainNotification: 'sent' | 'not-sent';
  /**
   * C11: "serialized" proxied messages: each raised as it arrives, in order, or one at a time
   * (a message arriving while another awaits its delivery notification is accepted at once but
   * raised only once that notification is sent).
   */
  readonly proxiedMessages: 'in-order' | 'one-at-a-time';
}

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly capabilities: Capabilities;
  readonly timing: Timing;
  readonly options: Options;
}

/** Upper bound of the composing time-out a template may set. */
export const MAX_COMPOSING_TIMEOUT_MS = 30_000;
/** Upper bound of the revert tolerance: the pages say "several seconds". */
export const MAX_REVERT_TOLERANCE_MS = 10_000;
/** Upper bound of the remote presumed-idle time: longer than any refresh the pages mention. */
export const MAX_REMOTE_IDLE_MS = 60_000;
const REFRESH_PERIODS = [3000, 5000] as const;

/**
 * Default of `Timing.revertToleranceMs`: "several seconds" read as five, more than the two or
 * three that "a couple" or "a few" would be, and one refresh period of the guide page.
 */
export const DEFAULT_REVERT_TOLERANCE_MS = 5000;

const documentedTiming = {
  composingTimeoutMs: 3000,
  revertToleranceMs: DEFAULT_REVERT_TOLERANCE_MS,
  remoteIdleMs: 6000,
} as const;

const allCapabilities: Capabilities = { proxiedConsumption: true, mcuSession: true };

/**
 * The readings of "Handle an InstantMessagingFlow" (seed 001), which carries the sample code.
 * It is the default because its sample is what applications are written from.
 */
export const guideProfile: Profile = {
  name: 'ucma-guide',
  description:
    'Readings of the "Handle an InstantMessagingFlow" page: 5 s refresh, Idle may be set and ' +
    'stops refreshing silently, every arriving composing notification raises the remote event ' +
    '(Idle included), Composing set again sends nothing, McuSession.State page for reconnects.',
  capabilities: allCapabilities,
  timing: { refreshPeriodMs: 5000, ...documentedTiming },
  options: {
    explicitIdle: 'allowed',
    idleNotification: 'not-sent',
    remoteIdleEvent: 'raised',
    sendWhileComposing: 'message-only',
    focusReconnectWithoutMcu: 'back-to-idle',
    remoteComposingEvent: 'every-notification',
    composingAgainNotification: 'not-sent',
    proxiedMessages: 'in-order',
  },
};

/** The readings of the "InstantMessagingFlow" page (seed 000) and the MCU page's diagram (003). */
export const referencePageProfile: Profile = {
  name: 'ucma-reference',
  description:
    'Readings of the "InstantMessagingFlow" page: 3 s refresh, Idle cannot be set, Idle ' +
    'notifications go on the wire, every setting of Composing sends Typing, no remote event on ' +
    'Idle and none for a repeated Typing; MCU stays Retrying on reconnect.',
  capabilities: allCapabilities,
  timing: { refreshPeriodMs: 3000, ...documentedTiming },
  options: {
    explicitIdle: 'rejected',
    idleNotification: 'sent',
    remoteIdleEvent: 'not-raised',
    sendWhileComposing: 'idle-notification',
    focusReconnectWithoutMcu: 'stay-retrying',
    remoteComposingEvent: 'on-change',
    composingAgainNotification: 'sent',
    proxiedMessages: 'in-order',
  },
};

/** A plain endpoint: no proxying, no conferencing, instant revert. */
export const basicProfile: Profile = {
  name: 'basic',
  description:
    'A two-party endpoint without the optional capabilities: ConsumedLocally only, no MCU ' +
    'session, revert exactly at the time-out.',
  capabilities: { proxiedConsumption: false, mcuSession: false },
  timing: { ...guideProfile.timing, revertToleranceMs: 0 },
  options: guideProfile.options,
};

export const builtInProfiles: readonly Profile[] = [
  guideProfile,
  referencePageProfile,
  basicProfile,
];
export const defaultProfile: Profile = guideProfile;

/** Raised for a profile that cannot be used; `issues` names every bad field. */
export class ProfileError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid profile:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ProfileError';
  }
}

export function findBuiltInProfile(name: string): Profile | undefined {
  return builtInProfiles.find((profile) => profile.name === name);
}

type Checker = (value: unknown, path: string, issues: string[]) => void;

function integerIn(min: number, max: number): Checker {
  return (value, path, issues) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      issues.push(
        `${path} is ${JSON.stringify(value)}; it must be a whole number of milliseconds from ${min} to ${max}.`,
      );
    }
  };
}

function oneOf(allowed: readonly (string | number | boolean)[]): Checker {
  return (value, path, issues) => {
    if (!allowed.includes(value as string | number | boolean)) {
      issues.push(
        `${path} is ${JSON.stringify(value)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}.`,
      );
    }
  };
}

const schema: Record<'capabilities' | 'timing' | 'options', Record<string, Checker>> = {
  capabilities: { proxiedConsumption: oneOf([true, false]), mcuSession: oneOf([true, false]) },
  timing: {
    refreshPeriodMs: oneOf(REFRESH_PERIODS),
    composingTimeoutMs: integerIn(1, MAX_COMPOSING_TIMEOUT_MS),
    revertToleranceMs: integerIn(0, MAX_REVERT_TOLERANCE_MS),
    remoteIdleMs: integerIn(1, MAX_REMOTE_IDLE_MS),
  },
  options: {
    explicitIdle: oneOf(['allowed', 'rejected']),
    idleNotification: oneOf(['sent', 'not-sent']),
    remoteIdleEvent: oneOf(['raised', 'not-raised']),
    sendWhileComposing: oneOf(['idle-notification', 'message-only']),
    focusReconnectWithoutMcu: oneOf(['stay-retrying', 'back-to-idle']),
    remoteComposingEvent: oneOf(['every-notification', 'on-change']),
    composingAgainNotification: oneOf(['sent', 'not-sent']),
    proxiedMessages: oneOf(['in-order', 'one-at-a-time']),
  },
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a profile given as plain data (for example parsed from a JSON file).
 *
 * Sections left out are taken from `base` (the default profile unless `extends` names a built-in
 * one), so a profile file states only what differs. Every problem is collected before throwing,
 * so one run shows them all.
 */
export function parseProfile(input: unknown, origin = 'profile'): Profile {
  if (!isRecord(input)) {
    throw new ProfileError([`${origin} must be a JSON object, got ${JSON.stringify(input)}.`]);
  }
  const issues: string[] = [];
  const known = new Set(['name', 'description', 'extends', ...Object.keys(schema)]);
  for (const key of Object.keys(input)) {
    if (!known.has(key)) {
      issues.push(
        `${origin}.${key} is not a profile field; known fields: ${[...known].join(', ')}.`,
      );
    }
  }
  let base = defaultProfile;
  if (input.extends !== undefined) {
    const found = typeof input.extends === 'string' ? findBuiltInProfile(input.extends) : undefined;
    if (found) base = found;
    else
      issues.push(
        `${origin}.extends is ${JSON.stringify(input.extends)}; built-in profiles: ${builtInProfiles.map((p) => p.name).join(', ')}.`,
      );
  }
  if (input.description !== undefined && typeof input.description !== 'string') {
    issues.push(
      `${origin}.description is ${JSON.stringify(input.description)}; it must be a string.`,
    );
  }
  if (input.name !== undefined && (typeof input.name !== 'string' || input.name === '')) {
    issues.push(`${origin}.name is ${JSON.stringify(input.name)}; it must be a non-empty string.`);
  }
  const merged: Record<string, Record<string, unknown>> = {};
  for (const [section, fields] of Object.entries(schema)) {
    const given = input[section];
    const baseSection = base[section as keyof typeof schema] as unknown as Record<string, unknown>;
    if (given !== undefined && !isRecord(given)) {
      issues.push(
        `${origin}.${section} is ${JSON.stringify(given)}; it must be an object of fields.`,
      );
      continue;
    }
    for (const key of Object.keys(given ?? {})) {
      if (!(key in fields)) {
        issues.push(
          `${origin}.${section}.${key} is not a known field; known: ${Object.keys(fields).join(', ')}.`,
        );
      }
    }
    const values = { ...baseSection, ...(given ?? {}) };
    for (const [key, check] of Object.entries(fields)) {
      check(values[key], `${origin}.${section}.${key}`, issues);
    }
    merged[section] = values;
  }
  if (issues.length > 0) throw new ProfileError(issues);
  return {
    name: typeof input.name === 'string' ? input.name : `${base.name}+custom`,
    description: typeof input.description === 'string' ? input.description : base.description,
    capabilities: merged.capabilities as unknown as Capabilities,
    timing: merged.timing as unknown as Timing,
    options: merged.options as unknown as Options,
  };
}
