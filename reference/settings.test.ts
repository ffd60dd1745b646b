import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.ts';
import { DEFAULT_PLATFORM_SETTINGS, resolvePlatformSettings } from './settings.ts';
import { thrownBy } from './test-helpers.ts';

describe('platform settings', () => {
  it('has the documented defaults', () => {
    expect(resolvePlatformSettings()).toEqual({
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
    expect(Object.isFrozen(DEFAULT_PLATFORM_SETTINGS)).toBe(true);
  });

  it('applies overrides and ignores undefined ones', () => {
    const settings = resolvePlatformSettings({
      refreshPeriodMs: 3000,
      explicitIdleAllowed: false,
      mcuAfterReconnectWithoutMcu: 'stay-retrying',
      revertDelayMs: undefined,
    });
    expect(settings.refreshPeriodMs).toBe(3000);
    expect(settings.explicitIdleAllowed).toBe(false);
    expect(settings.mcuAfterReconnectWithoutMcu).toBe('stay-retrying');
    expect(settings.revertDelayMs).toBe(0);
    expect(Object.isFrozen(settings)).toBe(true);
  });

  it.each([
    [{ refreshPeriodMs: 0 }, /refreshPeriodMs.*at least 1/],
    [{ revertDelayMs: -1 }, /revertDelayMs.*at least 0/],
    [{ remotePresumedIdleMs: 1.5 }, /remotePresumedIdleMs/],
    [{ defaultComposingTimeoutMs: 30_001 }, /defaultComposingTimeoutMs.*1 to 30000/],
    [{ explicitIdleAllowed: 'yes' }, /explicitIdleAllowed.*true or false/],
    [{ mcuAfterReconnectWithoutMcu: 'active' }, /stay-retrying/],
    [{ refreshPeriod: 3000 }, /Unknown platform setting 'refreshPeriod'/],
  ])('rejects %o with a message naming the field', (overrides, message) => {
    const error = thrownBy(() => resolvePlatformSettings(overrides as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).kind).toBe('invalid-argument');
    expect((error as Error).message).toMatch(message);
  });
});
