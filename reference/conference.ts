/**
 * A participant's session in a conference, joined through the conference's focus.
 */

import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import { type ListenerErrorReporter, type StateChangedEvent, TypedEmitter } from './events.ts';
import type { FocusMembership, FocusReport } from './focus-protocol.ts';
import { InstantMessagingMcuSession } from './mcu-session.ts';
import type { PlatformSettings } from './settings.ts';
import type { EndpointNetwork } from './transport.ts';

/** Lifecycle of the connection to the focus. */
export type ConferenceSessionState =
  | 'idle'
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'disconnected';

/** Events of {@link ConferenceSession}, by name. */
export type ConferenceSessionEvents = {
  stateChanged: StateChangedEvent<ConferenceSessionState>;
};

/**
 * What a conference session needs from its endpoint.
 * @internal
 */
export interface ConferenceSessionContext {
  readonly participantName: string;
  readonly network: EndpointNetwork;
  readonly settings: PlatformSettings;
  readonly reportListenerError: ListenerErrorReporter;
}

interface PendingJoin {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A conference session; create it with `endpoint.createConferenceSession()`.
 *
 * @example
 * ```ts
 * const conference = alice.createConferenceSession();
 * conference.instantMessagingMcuSession.on('stateChanged', ({ state }) => console.log(state));
 * const joined = conference.beginJoin(conferenceUri);
 * focus.completeJoin();
 * await joined;
 * ```
 */
export class ConferenceSession {
  /** The conference's IM MCU session. */
  readonly instantMessagingMcuSession: InstantMessagingMcuSession;
  readonly #context: ConferenceSessionContext;
  readonly #events: TypedEmitter<ConferenceSessionEvents>;
  #state: ConferenceSessionState = 'idle';
  #conferenceUri: string | undefined;
  #membership: FocusMembership | undefined;
  #pendingJoin: PendingJoin | undefined;

  /** @internal Conference sessions are created by their endpoint. */
  constructor(context: ConferenceSessionContext) {
    this.#context = context;
    this.#events = new TypedEmitter(context.reportListenerError);
    this.instantMessagingMcuSession = new InstantMessagingMcuSession(
      context.settings,
      context.reportListenerError,
    );
  }

  /** Current state of the connection to the focus. */
  get state(): ConferenceSessionState {
    return this.#state;
  }

  /** URI of the conference joined (or being joined); `undefined` before `beginJoin`. */
  get conferenceUri(): string | undefined {
    return this.#conferenceUri;
  }

  /**
   * Asks the conference's focus to let this participant in.
   *
   * @returns a promise resolved when the focus completes the join (the join callback); the MCU
   *   session may turn Active before or after that. Rejected with InvalidOperationError if the
   *   session is left first.
   * @throws InvalidOperationError unless the session is Idle (join once).
   * @throws InvalidArgumentError if no conference is hosted at `conferenceUri`.
   */
  beginJoin(conferenceUri: string): Promise<void> {
    if (this.#state !== 'idle') {
      throw new InvalidOperationError(
        `Cannot join: the conference session is ${this.#state}. Join once, with a new session.`,
      );
    }
    const focus =
      typeof conferenceUri === 'string'
        ? this.#context.network.findConference(conferenceUri)
        : undefined;
    if (!focus) {
      throw new InvalidArgumentError(
        `Cannot join ${JSON.stringify(conferenceUri)}: no conference is hosted at that URI. Use a URI returned by the focus server's createConference().`,
      );
    }
    this.#conferenceUri = conferenceUri;
    this.#enter('connecting');
    const joined = new Promise<void>((resolve, reject) => {
      this.#pendingJoin = { resolve, reject };
    });
    this.#membership = focus.join(conferenceUri, {
      name: this.#context.participantName,
      receive: (report) => this.#receive(report),
    });
    return joined;
  }

  /**
   * Leaves the conference: the session is Disconnected and its MCU session Terminated, both
   * for good. Allowed before joining too.
   *
   * @throws InvalidOperationError if the session was already left.
   */
  leave(): Promise<void> {
    if (this.#state === 'disconnected') {
      throw new InvalidOperationError(
        'Cannot leave: the conference session was already left. Leave a conference only once.',
      );
    }
    this.#membership?.leave();
    this.#membership = undefined;
    this.#enter('disconnected');
    this.instantMessagingMcuSession.terminate();
    const pending = this.#pendingJoin;
    this.#pendingJoin = undefined;
    pending?.reject(
      new InvalidOperationError('The conference was left before the join completed.'),
    );
    return Promise.resolve();
  }

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof ConferenceSessionEvents>(
    event: Name,
    listener: (payload: ConferenceSessionEvents[Name]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link ConferenceSession.on}. */
  off<Name extends keyof ConferenceSessionEvents>(
    event: Name,
    listener: (payload: ConferenceSessionEvents[Name]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  #receive(report: FocusReport): void {
    if (this.#state === 'disconnected') return;
    switch (report.type) {
      case 'join-completed': {
        if (this.#state !== 'connecting') return;
        this.#enter('connected');
        this.instantMessagingMcuSession.handle(report);
        const pending = this.#pendingJoin;
        this.#pendingJoin = undefined;
        pending?.resolve();
        return;
      }
      case 'focus-reconnecting':
        if (this.#state === 'connected') this.#enter('reconnecting');
        break;
      case 'focus-reconnected':
        if (this.#state === 'reconnecting') this.#enter('connected');
        break;
      default:
        break;
    }
    this.instantMessagingMcuSession.handle(report);
  }

  #enter(state: ConferenceSessionState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    this.#events.emit('stateChanged', { previous, state });
  }
}
