/**
 * Platform-wide behaviour switches. The source documents disagree on several points (refresh
 * period, whether Idle may be set, whether Idle goes on the wire, ...); each disagreement is a
 * setting here, so one implementation can be checked against every documented reading.
 */

import { InvalidArgumentError } from './errors.ts';

/** What an MCU session in Retrying does when the focus reconnects but the MCU is not active. */
export type McuAfterReconnectWithoutMcu = 'stay-retrying' | 'back-to-idle';

/** Settings shared by every flow and conference session of one endpoint. */
export interface PlatformSettings {
  /**
   * Period, in ms, of the automatic Typing refreshes sent while the local state is Composing.
   * One page documents 3000, another 5000. Default: 5000.
   */
  readonly refreshPeriodMs: number;
  /**
   * Delay, in ms, between the composing time-out and the moment the local state reads Idle
   * (the documents allow several seconds). Default: 0 (revert at the time-out).
   */
  readonly revertDelayMs: number;
  /**
   * Whether the application may set the local composing state to Idle. When false, doing so
   * throws InvalidOperationError and changes nothing. Default: true.
   */
  readonly explicitIdleAllowed: boolean;
  /**
   * Whether leaving Composing (explicit Idle or time-out revert) sends an `idle` composing
   * notification to the remote. Default: false (the platform just stops refreshing).
   */
  readonly idleNotificationOnWire: boolean;
  /**
   * Whether sending a message while Composing first sends an `idle` composing notification.
   * Default: false.
   */
  readonly idleNotificationOnSend: boolean;
  /**
   * Whether an arriving `idle` composing notification, while the remote is considered
   * composing, raises `remoteComposingStateChanged` with Idle. Default: true.
   */
  readonly remoteIdleRaisesEvent: boolean;
  /**
   * Silence, in ms, after which the remote participant is presumed idle. The change is silent
   * (no event), so the next Typing raises the event again. Default: 6000.
   */
  readonly remotePresumedIdleMs: number;
  /**
   * Whether every arriving composing notification raises `remoteComposingStateChanged` (an Idle
   * one subject to `remoteIdleRaisesEvent`), rather than only one that changes the remote
   * state. Default: false (an event per change; silence for `remotePresumedIdleMs` counts as
   * a change to Idle, so the next Typing raises the event again).
   */
  readonly remoteEventOnEveryNotification: boolean;
  /**
   * Whether setting Composing while already Composing sends another Typing notification (the
   * refresh cadence is kept either way). Default: false.
   */
  readonly typingOnComposingAgain: boolean;
  /**
   * Whether a proxied message that arrives while another awaits its delivery notification is
   * held (accepted with 202 at once, raised once that notification is sent) rather than
   * raised at once. Default: false.
   */
  readonly proxiedMessagesOneAtATime: boolean;
  /**
   * MCU session in Retrying, focus reconnected, MCU not active: keep retrying, or go back to
   * Idle until the MCU is activated. Default: 'back-to-idle'.
   */
  readonly mcuAfterReconnectWithoutMcu: McuAfterReconnectWithoutMcu;
  /**
   * Composing time-out, in ms, of flows whose template leaves it unset (1..30000).
   * Default: 3000.
   */
  readonly defaultComposingTimeoutMs: number;
}

/** Longest composing time-out the platform accepts, in ms. */
export const MAX_COMPOSING_TIMEOUT_MS = 30_000;

/** The defaults listed on each {@link PlatformSettings} field. */
export const DEFAULT_PLATFORM_SETTINGS: PlatformSettings = Object.freeze({
  refreshPeriodMs: 5000,
  revertDelayMs: 0,
  explicitIdleAllowed: true,
  idleNotificationOnWire: false,
  idleNotificationOnSend: false,
  remoteIdleRaisesEvent: true,
  remotePresumedIdleMs: 6000,
  remoteEventOnEveryNotification: false,
  typingOnComposingAgain: false,
  proxiedMessagesOneAtATime: false,
  mcuAfterReconnectWithoutMcu: 'back-to-idle',
  defaultComposingTimeoutMs: 3000,
});

type Check = (value: unknown) => string | undefined;

const integerAtLeast =
  (minimum: number): Check =>
  (value) =>
    Number.isInteger(value) && (value as number) >= minimum
      ? undefined
      : `an integer of at least ${minimum}`;

const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : 'true or false');

const checks: { readonly [Key in keyof PlatformSettings]: Check } = {
  refreshPeriodMs: integerAtLeast(1),
  revertDelayMs: integerAtLeast(0),
  explicitIdleAllowed: boolean,
  idleNotificationOnWire: boolean,
  idleNotificationOnSend: boolean,
  remoteIdleRaisesEvent: boolean,
  remotePresumedIdleMs: integerAtLeast(1),
  remoteEventOnEveryNotification: boolean,
  typingOnComposingAgain: boolean,
  proxiedMessagesOneAtATime: boolean,
  mcuAfterReconnectWithoutMcu: (value) =>
    value === 'stay-retrying' || value === 'back-to-idle'
      ? undefined
      : "'stay-retrying' or 'back-to-idle'",
  defaultComposingTimeoutMs: (value) =>
    Number.isInteger(value) &&
    (value as number) >= 1 &&
    (value as number) <= MAX_COMPOSING_TIMEOUT_MS
      ? undefined
      : `an integer from 1 to ${MAX_COMPOSING_TIMEOUT_MS}`,
};

function isSettingName(name: string): name is keyof PlatformSettings {
  return Object.hasOwn(checks, name);
}

/**
 * Completes `overrides` with the defaults and validates every field.
 *
 * @throws InvalidArgumentError naming the first unknown or invalid field and what it accepts.
 */
export function resolvePlatformSettings(
  overrides: Partial<PlatformSettings> = {},
): PlatformSettings {
  for (const [name, value] of Object.entries(overrides)) {
    if (!isSettingName(name)) {
      throw new InvalidArgumentError(
        `Unknown platform setting '${name}'. Known settings: ${Object.keys(checks).join(', ')}.`,
      );
    }
    if (value === undefined) continue;
    const expected = checks[name](value);
    if (expected) {
      throw new InvalidArgumentError(
        `Invalid platform setting ${name}: ${JSON.stringify(value)}. Use ${expected}.`,
      );
    }
  }
  const defined = Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  );
  return Object.freeze({ ...DEFAULT_PLATFORM_SETTINGS, ...defined });
}
