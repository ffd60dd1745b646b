import { performance } from 'node:perf_hooks';
import type { KitClock } from './virtual-clock.ts';

/**
 * The clock of a case run in real time (`--clock real`). The model's time is the wall time since
 * the case started, read on the monotonic clock: the kit never pauses it, so a timer the
 * implementation set at a stimulus falls due at the same model instant as the model's own.
 * The implementation keeps its own timers; the ones it schedules here (an in-process adapter,
 * or the setTimer notifications of the adapter protocol) run on the host's timers.
 */
export class RealTimeClock implements KitClock {
  readonly #origin = performance.now();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;
  /** The model's time: where the case's steps have brought it, not the wall time. */
  #modelNow = 0;
  readonly callbackErrors: unknown[] = [];

  /** Milliseconds of wall time since the case started, to the microsecond. */
  now(): number {
    return Math.round((performance.now() - this.#origin) * 1000) / 1000;
  }

  get modelNow(): number {
    return this.#modelNow;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    if (this.#stopped) return undefined;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const handle = setTimeout(() => {
      this.#timers.delete(handle);
      if (this.#stopped) return;
      try {
        callback();
      } catch (error) {
        this.callbackErrors.push(error);
      }
    }, delay);
    this.#timers.add(handle);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (!this.#timers.has(handle as ReturnType<typeof setTimeout>)) return;
    clearTimeout(handle as ReturnType<typeof setTimeout>);
    this.#timers.delete(handle as ReturnType<typeof setTimeout>);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const handle of this.#timers) clearTimeout(handle);
    this.#timers.clear();
  }

  /** Model time moves by `ms`: the kit waits until the wall clock reaches it, then settles. */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    this.#modelNow += ms;
    await this.waitUntil(this.#modelNow);
    if (!this.#stopped) await settle();
  }

  /**
   * Resolves once the wall clock has reached `at` (model milliseconds). The host's timers fire
   * a millisecond or more late; the last stretch is waited turn by turn, so the kit itself
   * keeps to the model's instants within a fraction of a millisecond.
   */
  async waitUntil(at: number): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const left = at - this.now();
      if (left <= 0) return;
      if (left > SPIN_MS) await sleep(left - SPIN_MS);
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

/** How close to an instant the kit stops sleeping and waits turn by turn instead. */
const SPIN_MS = 2;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
