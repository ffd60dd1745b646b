import type { Adapter } from './adapter.ts';

/**
 * Further instances of an isolated adapter, each with a host process of its own, so that a
 * check runs several profiles side by side. A step mostly waits for its host's answer; with a
 * second host the kit judges one profile's step while the other host works. Profiles share
 * nothing (each has its own systems, seeds and plan), so the result is the same as in turn.
 */
export interface SideBySide {
  /** How many profiles may run at once, the given adapter's included. */
  readonly jobs: number;
  /** Starts one more instance of the adapter; `close` ends its process. */
  open(): Promise<{ readonly adapter: Adapter; close(): Promise<void> }>;
}

/** Hooks of a listener, each of which may be held back until earlier units have ended. */
interface Hooks {
  onProfileStart?(...args: never[]): void;
  onCaseEnd?(...args: never[]): void;
  onProfileEnd?(...args: never[]): void;
}

/**
 * Hands a listener the events of several units that run at once, in the order they would
 * come in turn: the earliest unit still running speaks at once, later ones are held back until
 * every unit before them has ended. Reports and progress lines are then the same whatever ran
 * side by side.
 */
export class InOrderEvents<L extends Hooks> {
  #current = 0;
  readonly #held = new Map<number, (() => void)[]>();
  readonly #ended = new Set<number>();

  constructor(private readonly listener: L | undefined) {}

  /** The listener unit `index` reports to. */
  listenerFor(index: number): L | undefined {
    const listener = this.listener;
    if (!listener) return undefined;
    const forwarded: Hooks = {};
    for (const hook of ['onProfileStart', 'onCaseEnd', 'onProfileEnd'] as const) {
      const target = listener[hook] as ((...args: unknown[]) => void) | undefined;
      if (!target) continue;
      forwarded[hook] = (...args: unknown[]) =>
        this.#emit(index, () => target.apply(listener, args));
    }
    return forwarded as L;
  }

  /** Unit `index` has ended: the units after it may speak. */
  end(index: number): void {
    this.#ended.add(index);
    while (this.#ended.has(this.#current)) {
      this.#current++;
      for (const call of this.#held.get(this.#current) ?? []) call();
      this.#held.delete(this.#current);
    }
  }

  #emit(index: number, call: () => void): void {
    if (index === this.#current) call();
    else this.#held.set(index, [...(this.#held.get(index) ?? []), call]);
  }
}

/** Runs `task` on every unit in turn, as a run with one job does. */
export async function inTurn<T, R>(units: readonly T[], task: (unit: T) => Promise<R>) {
  const results: R[] = [];
  for (const unit of units) results.push(await task(unit));
  return results;
}

/**
 * Runs `task` on every unit with up to `jobs` adapters at once: the given one and instances
 * opened on demand, each closed at the end. A worker whose instance cannot be opened leaves
 * its units to the others, so a run never fails only because a second host would not start.
 * Results keep the units' order.
 */
export async function runSideBySide<T, R, L extends Hooks>(
  units: readonly T[],
  jobs: number,
  first: Adapter,
  open: SideBySide['open'],
  listener: L | undefined,
  task: (unit: T, adapter: Adapter, listener: L | undefined) => Promise<R>,
): Promise<R[]> {
  const events = new InOrderEvents(listener);
  const results = new Array<R>(units.length);
  const closers: (() => Promise<void>)[] = [];
  let next = 0;
  const work = async (adapter: Adapter) => {
    for (let index = next++; index < units.length; index = next++) {
      try {
        results[index] = await task(units[index] as T, adapter, events.listenerFor(index));
      } finally {
        events.end(index);
      }
    }
  };
  const extra = async () => {
    let opened: Awaited<ReturnType<SideBySide['open']>>;
    try {
      opened = await open();
    } catch {
      return;
    }
    closers.push(() => opened.close());
    await work(opened.adapter);
  };
  try {
    await Promise.all([work(first), ...Array.from({ length: jobs - 1 }, extra)]);
  } finally {
    await Promise.all(closers.map((close) => close().catch(() => undefined)));
  }
  return results;
}
