/**
 * The instant-messaging MCU session of a conference: whether the conference's IM MCU can be
 * used, and the call this participant holds with it.
 */

import { type ListenerErrorReporter, type StateChangedEvent, TypedEmitter } from './events.ts';
import type { FocusReport } from './focus-protocol.ts';
import type { PlatformSettings } from './settings.ts';

/** Lifecycle of an MCU session. Terminated is final. */
export type McuSessionState = 'idle' | 'active' | 'retrying' | 'terminated';

/** Why the call with the MCU was torn down by the platform. */
export type McuCallTerminationReason = 'mcu-failover';

/** The platform tore down the call with the MCU. */
export interface McuCallTerminatedEvent {
  readonly reason: McuCallTerminationReason;
}

/** What a Retrying session waits for; it decides which report brings it back to Active. */
type RetryCause = 'failover' | 'focus' | 'awaiting-mcu';

/** Events of {@link InstantMessagingMcuSession}, by name. */
export type InstantMessagingMcuSessionEvents = {
  stateChanged: StateChangedEvent<McuSessionState>;
  /** A call with the MCU was set up (on becoming Active without one). */
  mcuCallEstablished: Record<string, never>;
  /** The MCU is failing over, so the platform ended the call with it. */
  mcuCallTerminated: McuCallTerminatedEvent;
};

/**
 * The IM MCU session of a {@link ConferenceSession}, driven by what the focus reports.
 *
 * - Idle → Active when the MCU is reported active, before or after the join completes.
 * - Idle → Terminated when the joined conference has no IM MCU.
 * - Active → Retrying on MCU failover (the MCU call is terminated) or while the focus
 *   connection is being re-established (the MCU call is kept).
 * - Retrying → Active when a failover completes, or when the focus reconnects with the MCU
 *   active, whatever started Retrying. Reconnected without an active MCU, the session either keeps retrying
 *   until the MCU is activated or goes back to Idle (setting `mcuAfterReconnectWithoutMcu`).
 * - Idle, Active or Retrying → Terminated when the conference is left. Terminated is final.
 *
 * Reports that do not apply to the current state are ignored.
 */
export class InstantMessagingMcuSession {
  readonly #settings: PlatformSettings;
  readonly #events: TypedEmitter<InstantMessagingMcuSessionEvents>;
  #state: McuSessionState = 'idle';
  #retryCause: RetryCause | undefined;
  #hasMcuCall = false;

  /** @internal MCU sessions are created by their conference session. */
  constructor(settings: PlatformSettings, reportListenerError: ListenerErrorReporter) {
    this.#settings = settings;
    this.#events = new TypedEmitter(reportListenerError);
  }

  /** Current lifecycle state. */
  get state(): McuSessionState {
    return this.#state;
  }

  /** Whether this participant currently holds a call with the MCU. */
  get hasMcuCall(): boolean {
    return this.#hasMcuCall;
  }

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof InstantMessagingMcuSessionEvents>(
    event: Name,
    listener: (payload: InstantMessagingMcuSessionEvents[Name]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link InstantMessagingMcuSession.on}. */
  off<Name extends keyof InstantMessagingMcuSessionEvents>(
    event: Name,
    listener: (payload: InstantMessagingMcuSessionEvents[Name]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  /**
   * Applies a report of the focus.
   * @internal
   */
  handle(report: FocusReport): void {
    switch (this.#state) {
      case 'idle':
        this.#whileIdle(report);
        return;
      case 'active':
        this.#whileActive(report);
        return;
      case 'retrying':
        this.#whileRetrying(report);
        return;
      case 'terminated':
        return;
    }
  }

  /**
   * The conference session was left; the MCU call, if any, ends with it.
   * @internal
   */
  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#hasMcuCall = false;
    this.#enter('terminated');
  }

  #whileIdle(report: FocusReport): void {
    if (report.type === 'join-completed') {
      if (!report.imMcu) this.#enter('terminated');
      else if (report.mcuActive) this.#activate();
      return;
    }
    if (report.type === 'mcu-activated') this.#activate();
  }

  #whileActive(report: FocusReport): void {
    if (report.type === 'mcu-failover') {
      const hadCall = this.#hasMcuCall;
      this.#hasMcuCall = false;
      this.#retry('failover');
      if (hadCall) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });
    } else if (report.type === 'focus-reconnecting') {
      // The MCU itself is not known to be failing, so its call survives.
      this.#retry('focus');
    }
  }

  #whileRetrying(report: FocusReport): void {
    switch (report.type) {
      case 'failover-completed':
        // Either completion ends Retrying, whatever started it.
        this.#activate();
        return;
      case 'mcu-activated':
        if (this.#retryCause === 'awaiting-mcu') this.#activate();
        return;
      case 'focus-reconnected':
        if (report.mcuActive) this.#activate();
        else if (this.#settings.mcuAfterReconnectWithoutMcu === 'back-to-idle') this.#enter('idle');
        else this.#retryCause = 'awaiting-mcu';
        return;
      default:
        return;
    }
  }

  #retry(cause: RetryCause): void {
    this.#retryCause = cause;
    this.#enter('retrying');
  }

  #activate(): void {
    // The call exists by the time stateChanged listeners look at hasMcuCall.
    const callIsNew = !this.#hasMcuCall;
    this.#hasMcuCall = true;
    this.#enter('active');
    if (callIsNew) this.#events.emit('mcuCallEstablished', {});
  }

  #enter(state: McuSessionState): void {
    const previous = this.#state;
    if (previous === state) return;
    if (state !== 'retrying') this.#retryCause = undefined;
    this.#state = state;
    this.#events.emit('stateChanged', { previous, state });
  }
}
