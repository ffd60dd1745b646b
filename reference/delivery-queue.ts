/**
 * Asynchronous, ordered delivery shared by every simulated party (endpoints and conference
 * focus), so that one `settled()` tells a test that nothing is in flight anywhere.
 */

/** Receives errors thrown while a delivery was being handled. */
export type DeliveryErrorReporter = (error: unknown) => void;

/**
 * Surfaces the error on a fresh microtask: a throwing delivery is a defect of the
 * implementation (application listener errors are caught earlier), so it should be seen,
 * yet it must not stop later deliveries.
 */
const surfaceDeliveryError: DeliveryErrorReporter = (error) => {
  queueMicrotask(() => {
    throw error;
  });
};

/**
 * Runs tasks later, never inside the call that enqueued them, keeping FIFO order per channel.
 * A channel is any string naming one direction of one conversation.
 */
export class DeliveryQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #report: DeliveryErrorReporter;
  #inFlight = 0;
  #waiters: (() => void)[] = [];

  /** @param report called with errors thrown by tasks; by default they are rethrown asynchronously. */
  constructor(report: DeliveryErrorReporter = surfaceDeliveryError) {
    this.#report = report;
  }

  /** Number of tasks enqueued and not yet run. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Schedules `task` to run after every task enqueued earlier on the same channel. */
  enqueue(channel: string, task: () => void): void {
    this.#inFlight += 1;
    const previous = this.#tails.get(channel) ?? Promise.resolve();
    const tail = previous.then(() => {
      try {
        task();
      } catch (error) {
        this.#report(error);
      } finally {
        this.#finish(channel, tail);
      }
    });
    this.#tails.set(channel, tail);
  }

  /**
   * Resolves once no task is in flight. Tasks run their handlers synchronously, and whatever
   * they send in reply is enqueued before they finish, so the count only reaches zero when the
   * whole exchange has come to rest.
   */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  #finish(channel: string, tail: Promise<void>): void {
    this.#inFlight -= 1;
    if (this.#tails.get(channel) === tail) this.#tails.delete(channel);
    if (this.#inFlight > 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
