/**
 * A minimal typed event emitter used by every public object.
 *
 * Application listeners run synchronously when an event is raised. A listener that throws must
 * not leave the platform half-way through a state change, so its error is caught and handed to
 * a reporter instead of propagating.
 */

/** Receives errors thrown by application listeners. */
export type ListenerErrorReporter = (error: unknown, event: string) => void;

/** A listener for an event whose payload is `Payload`. */
export type Listener<Payload> = (payload: Payload) => void;

/** Payload of every `stateChanged` event: the state left and the state entered. */
export interface StateChangedEvent<State> {
  readonly previous: State;
  readonly state: State;
}

/** Default reporter: listener failures are the application's business, so they are dropped. */
export const ignoreListenerErrors: ListenerErrorReporter = () => {};

/**
 * Registry of listeners keyed by event name; `Events` maps each name to its payload type.
 *
 * @example
 * ```ts
 * const events = new TypedEmitter<{ ping: { at: number } }>();
 * const stop = events.on('ping', ({ at }) => console.log(at));
 * events.emit('ping', { at: 1 });
 * stop();
 * ```
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #report: ListenerErrorReporter;

  /** @param report called with each error a listener throws; defaults to ignoring it. */
  constructor(report: ListenerErrorReporter = ignoreListenerErrors) {
    this.#report = report;
  }

  /** Adds a listener; returns a function that removes it again. */
  on<Name extends keyof Events>(event: Name, listener: Listener<Events[Name]>): () => void {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return () => this.off(event, listener);
  }

  /** Removes a listener; removing one that is not registered does nothing. */
  off<Name extends keyof Events>(event: Name, listener: Listener<Events[Name]>): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Number of listeners registered for `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event` with `payload`, in registration order. */
  emit<Name extends keyof Events>(event: Name, payload: Events[Name]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    // Copy first: a listener may add or remove listeners while we iterate.
    for (const listener of [...listeners] as Listener<Events[Name]>[]) {
      try {
        listener(payload);
      } catch (error) {
        this.#reportSafely(error, String(event));
      }
    }
  }

  #reportSafely(error: unknown, event: string): void {
    try {
      this.#report(error, event);
    } catch {
      // A failing reporter must not break the platform either.
    }
  }
}
