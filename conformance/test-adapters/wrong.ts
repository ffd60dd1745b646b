/**
 * Wrong adapters: each wraps the (conforming) reference adapter and breaks exactly one rule of
 * the catalogue, so the kit's self-tests can check that it catches the fault and names the rule.
 */
import type { Adapter } from '../adapter.ts';
import { type Applied, delegate, lateTimers, withTiming, wrapReference } from './wrap.ts';

/**
 * LC-2: Typing is refreshed with the other documented period (3 s where the profile says 5 s,
 * and the reverse).
 */
export const wrongRefreshPeriod: Adapter = wrapReference('wrong refresh period', () => ({
  profile: (profile) =>
    withTiming(profile, { refreshPeriodMs: profile.timing.refreshPeriodMs === 5000 ? 3000 : 5000 }),
}));

/**
 * LC-3 / LC-5: the composing time-out is ignored, so composing does not revert to Idle when it
 * should (the implementation keeps composing, and refreshing, for the longest time-out allowed).
 */
export const noRevert: Adapter = wrapReference('no revert after the composing time-out', () => ({
  profile: (profile) => withTiming(profile, { composingTimeoutMs: 30_000 }),
}));

/**
 * LC-5: the revert to Idle happens later than the tolerance window allows: the composing
 * time-out timer fires one millisecond after the window has closed.
 */
export const lateRevert: Adapter = wrapReference('revert later than the tolerance', (context) => ({
  clock: (clock) =>
    lateTimers(
      clock,
      (ms) => ms === context.profile.timing.composingTimeoutMs,
      context.profile.timing.revertToleranceMs + 1,
    ),
}));

/** LC-2: every Typing refresh goes out one millisecond after it is due. */
export const lateRefresh: Adapter = wrapReference('refresh one millisecond late', (context) => ({
  clock: (clock) => lateTimers(clock, (ms) => ms === context.profile.timing.refreshPeriodMs, 1),
}));

/**
 * LC-9 / RC-1: setting the local state to Idle also raises RemoteComposingStateChanged, as if
 * the remote participant had stopped typing.
 */
export const remoteEventOnLocalIdle: Adapter = wrapReference(
  'RemoteComposingStateChanged on a local Idle',
  (context) => ({
    system: (inner) =>
      delegate(inner, {
        async apply(stimulus: Applied) {
          await inner.apply(stimulus);
          if (stimulus.type === 'app.setIdle') {
            context.observe({
              channel: 'event',
              name: 'remoteComposingStateChanged',
              state: 'idle',
            });
          }
        },
      }),
  }),
);

/** DN-3: a second delivery notification for the same message goes on the wire again. */
export const secondNotificationAccepted: Adapter = wrapReference(
  'second delivery notification accepted',
  (context) => {
    const notified = new Set<number>();
    return {
      observe: (observe) => (output) => {
        if (output.channel === 'wire' && output.kind === 'deliveryNotification') {
          notified.add(output.message);
        }
        observe(output);
      },
      system: (inner) =>
        delegate(inner, {
          apply(stimulus: Applied) {
            const again =
              (stimulus.type === 'app.deliverySuccess' ||
                stimulus.type === 'app.deliveryFailure') &&
              notified.has(stimulus.message);
            if (!again) return inner.apply(stimulus);
            context.observe(
              stimulus.type === 'app.deliveryFailure'
                ? {
                    channel: 'wire',
                    kind: 'deliveryNotification',
                    message: stimulus.message,
                    status: 'failure',
                    code: stimulus.code,
                  }
                : {
                    channel: 'wire',
                    kind: 'deliveryNotification',
                    message: stimulus.message,
                    status: 'success',
                  },
            );
          },
        }),
    };
  },
);

/** CONF-3: Initialize outside the configuration handler is silently accepted. */
export const initializeAnywhere: Adapter = wrapReference(
  'initialize accepted outside the configuration window',
  () => ({
    system: (inner) =>
      delegate(inner, {
        async apply(stimulus: Applied) {
          try {
            await inner.apply(stimulus);
          } catch (error) {
            if (stimulus.type !== 'app.initialize') throw error;
          }
        },
      }),
  }),
);

/** MCU-6: the MCU session ignores the failover completion and stays Retrying. */
export const mcuStuckRetrying: Adapter = wrapReference('MCU stuck in Retrying', () => ({
  system: (inner) =>
    delegate(inner, {
      apply: (stimulus: Applied) =>
        stimulus.type === 'server.failoverCompleted' ? undefined : inner.apply(stimulus),
    }),
}));

/** Every wrong adapter, with the rules its fault breaks according to the catalogue. */
export const wrongAdapters = {
  wrongRefreshPeriod,
  noRevert,
  lateRevert,
  lateRefresh,
  remoteEventOnLocalIdle,
  secondNotificationAccepted,
  initializeAnywhere,
  mcuStuckRetrying,
} as const;
