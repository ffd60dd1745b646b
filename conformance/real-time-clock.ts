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
  /** What each pending timer waits on now (a host timer, or the next turn), by its handle. */
  readonly #timers = new Map<object, HostWait>();
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

  /**
   * A timer that never fires before its instant by the monotonic clock. The host's timers are
   * set from the loop time of the turn they are set in, which lags behind the monotonic clock
   * on a busy loop: they may fire milliseconds early. This one sleeps on a host timer until
   * close, then waits turn by turn.
   */
  setTimeout(callback: () => void, ms: number): unknown {
    if (this.#stopped) return undefined;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const handle = {};
    atInstant(
      performance.now() + delay,
      () => {
        this.#timers.delete(handle);
        try {
          callback();
        } catch (error) {
          this.callbackErrors.push(error);
        }
      },
      (waiting) => this.#timers.set(handle, waiting),
      () => this.#stopped || !this.#timers.has(handle),
    );
    return handle;
  }

  clearTimeout(handle: unknown): void {
    const pending = this.#timers.get(handle as object);
    if (pending === undefined) return;
    clearHostTimer(pending);
    this.#timers.delete(handle as object);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const pending of this.#timers.values()) clearHostTimer(pending);
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
  waitUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stopped || at <= this.now()) return resolve();
      atInstant(
        this.#origin + at,
        resolve,
        () => undefined,
        // A stopped clock lets its waiters go at their next turn.
        () => {
          if (this.#stopped) resolve();
          return this.#stopped;
        },
      );
    });
  }
}

/** How close to an instant the kit stops sleeping and waits turn by turn instead. */
const SPIN_MS = 2;

type HostWait =
  | { readonly timer: ReturnType<typeof setTimeout> }
  | { readonly turn: ReturnType<typeof setImmediate> };

/**
 * Calls `reached` once the monotonic clock reaches `due` (a `performance.now()` reading): on a
 * host timer until close, then turn by turn. `waiting` learns what it waits on at each turn (to
 * cancel it); once `gone` says so, it stops without calling.
 */
function atInstant(
  due: number,
  reached: () => void,
  waiting: (wait: HostWait) => void,
  gone: () => boolean,
) {
  const wait = () => {
    if (gone()) return;
    const left = due - performance.now();
    if (left <= 0) reached();
    else if (left > SPIN_MS) waiting({ timer: setTimeout(wait, left - SPIN_MS) });
    else waiting({ turn: setImmediate(wait) });
  };
  // Never at once, even when due: a timer set now runs on a later turn.
  waiting({ timer: setTimeout(wait, Math.max(0, due - performance.now() - SPIN_MS)) });
}

function clearHostTimer(pending: HostWait) {
  if ('timer' in pending) clearTimeout(pending.timer);
  else clearImmediate(pending.turn);
}
