/**
 * Time source for the reference implementation.
 *
 * Every timer (typing refresh, composing time-out, revert delay, presumed-idle) is scheduled
 * through a `Clock` so that tests and conformance adapters can drive time by hand and check
 * timer boundaries to the millisecond.
 */

declare const timerHandleBrand: unique symbol;

/** An opaque token identifying one scheduled callback; only the clock that made it reads it. */
export type TimerHandle = { readonly [timerHandleBrand]: 'TimerHandle' };

/** Source of the current time and of one-shot timers. */
export interface Clock {
  /** Current time in milliseconds. Only differences between readings are meaningful. */
  now(): number;
  /** Runs `callback` once, `ms` milliseconds from now. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer; cancelling one that already fired or was cancelled does nothing. */
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock: `Date.now()` and the host's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  // The host returns a number or a Timeout object; callers only ever hand it back to us.
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => {
    globalThis.clearTimeout(handle as unknown as ReturnType<typeof globalThis.setTimeout>);
  },
};
