import type { Clock, TimerHandle } from './clock.ts';

interface ScheduledTimer {
  readonly dueAt: number;
  /** Creation order, so timers due at the same instant fire in the order they were set. */
  readonly sequence: number;
  readonly callback: () => void;
}

/**
 * A clock that only moves when told to, for tests and conformance adapters.
 *
 * Timers fire synchronously inside {@link ManualClock.advance}, each one at its own due time
 * (so `now()` inside a callback reads the instant the timer was due), earliest first and, for
 * equal due times, in the order they were created. Timers scheduled by a callback fire in the
 * same `advance` call when they fall inside the window.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * clock.setTimeout(() => console.log('fired at', clock.now()), 100);
 * clock.advance(99); // nothing
 * clock.advance(1); // fired at 100
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #sequence = 0;
  readonly #timers = new Map<TimerHandle, ScheduledTimer>();

  /** @param start the initial reading of `now()`; defaults to 0. */
  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    // Like the host timers, a negative or non-numeric delay means "as soon as possible".
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const handle = { timer: this.#sequence } as unknown as TimerHandle;
    this.#timers.set(handle, { dueAt: this.#now + delay, sequence: this.#sequence++, callback });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle);
  }

  /** Number of timers scheduled and not yet fired or cancelled. */
  get pendingTimerCount(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms` milliseconds, firing every timer that falls due on the way. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`Cannot advance the clock by ${ms} ms: use a finite number >= 0.`);
    }
    this.advanceTo(this.#now + ms);
  }

  /** Moves time forward to the absolute reading `time`, firing due timers on the way. */
  advanceTo(time: number): void {
    if (!Number.isFinite(time) || time < this.#now) {
      throw new RangeError(
        `Cannot move the clock to ${time}: it reads ${this.#now} and only moves forward.`,
      );
    }
    for (let next = this.#nextDue(time); next; next = this.#nextDue(time)) {
      const [handle, timer] = next;
      this.#timers.delete(handle);
      this.#now = timer.dueAt;
      timer.callback();
    }
    this.#now = time;
  }

  /** Due time of the earliest pending timer, or `undefined` when none is pending. */
  get nextTimerDueAt(): number | undefined {
    return this.#nextDue(Number.POSITIVE_INFINITY)?.[1].dueAt;
  }

  /**
   * Moves time forward by `ms` like {@link ManualClock.advance}, but stops at every instant
   * where timers fall due and awaits `settle` there (typically `() => network.settled()`).
   * Asynchronous deliveries caused by one timer thus arrive at that instant, before later
   * timers fire, as they would on a network without latency.
   */
  async advanceSettling(ms: number, settle: () => Promise<void>): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError(`Cannot advance the clock by ${ms} ms: use a finite number >= 0.`);
    }
    const target = this.#now + ms;
    await settle();
    for (let next = this.#nextDue(target); next; next = this.#nextDue(target)) {
      this.advanceTo(next[1].dueAt);
      await settle();
    }
    this.advanceTo(target);
  }

  #nextDue(limit: number): [TimerHandle, ScheduledTimer] | undefined {
    let earliest: [TimerHandle, ScheduledTimer] | undefined;
    for (const entry of this.#timers) {
      const timer = entry[1];
      if (timer.dueAt > limit) continue;
      if (
        !earliest ||
        timer.dueAt < earliest[1].dueAt ||
        (timer.dueAt === earliest[1].dueAt && timer.sequence < earliest[1].sequence)
      ) {
        earliest = entry;
      }
    }
    return earliest;
  }
}
