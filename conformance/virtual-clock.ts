/**
 * The kit's virtual clock. The implementation under test schedules its timers here; the kit
 * alone moves time, so no test sleeps and every timer boundary is hit to the millisecond.
 */
export interface KitClock {
  /** Virtual milliseconds since the test case started. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

interface Timer {
  readonly dueAt: number;
  readonly order: number;
  readonly callback: () => void;
}

export class VirtualClock implements KitClock {
  #now = 0;
  #order = 0;
  #stopped = false;
  readonly #timers = new Map<object, Timer>();
  /** Exceptions thrown by timer callbacks: the implementation's, reported rather than lost. */
  readonly callbackErrors: unknown[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = {};
    if (this.#stopped) return handle;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.#timers.set(handle, { dueAt: this.#now + delay, order: this.#order++, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'object' && handle !== null) this.#timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Ends the clock's life with its test case: pending timers are dropped, new ones are never
   * scheduled, and an advance still under way fires nothing more.
   */
  stop(): void {
    this.#stopped = true;
    this.#timers.clear();
  }

  /**
   * Moves time forward by `ms`, firing due timers one at a time in due order. After each one,
   * `settle` runs so that asynchronous work the timer started (a network send, say) lands at
   * the instant the timer fired, not at the end of the advance.
   */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const target = this.#now + ms;
    while (!this.#stopped) {
      const next = this.#nextDue(target);
      if (!next) break;
      const [handle, timer] = next;
      this.#timers.delete(handle);
      this.#now = timer.dueAt;
      try {
        timer.callback();
      } catch (error) {
        this.callbackErrors.push(error);
      }
      await settle();
    }
    this.#now = target;
  }

  #nextDue(limit: number): [object, Timer] | undefined {
    let best: [object, Timer] | undefined;
    for (const entry of this.#timers) {
      const timer = entry[1];
      if (timer.dueAt > limit) continue;
      if (
        !best ||
        timer.dueAt < best[1].dueAt ||
        (timer.dueAt === best[1].dueAt && timer.order < best[1].order)
      ) {
        best = entry;
      }
    }
    return best;
  }
}
