/**
 * An application endpoint: a named party on the network that places and receives calls and
 * joins conferences, with one clock and one set of platform settings.
 */

import { InstantMessagingCall } from './call.ts';
import { type Clock, systemClock } from './clock.ts';
import { ConferenceSession } from './conference.ts';
import { InvalidArgumentError } from './errors.ts';
import { ignoreListenerErrors, type ListenerErrorReporter, TypedEmitter } from './events.ts';
import { type PlatformSettings, resolvePlatformSettings } from './settings.ts';
import type { EndpointNetwork, Transport } from './transport.ts';

/** Options of {@link Endpoint}. */
export interface EndpointOptions {
  /** Name under which the endpoint is reachable; unique on its network. */
  readonly name: string;
  /** An {@link InMemoryNetwork}, or a `SipNetwork` for calls over SIP. */
  readonly network: EndpointNetwork;
  /** Source of time for every timer of this endpoint. Default: {@link systemClock}. */
  readonly clock?: Clock;
  /** Overrides of the platform defaults; validated at construction. */
  readonly settings?: Partial<PlatformSettings>;
  /** Receives errors thrown by application listeners. Default: they are ignored. */
  readonly onListenerError?: ListenerErrorReporter;
}

/** An incoming call waiting to be accepted (or terminated to decline it). */
export interface IncomingCallEvent {
  readonly call: InstantMessagingCall;
}

/** Events of {@link Endpoint}, by name. */
export type EndpointEvents = {
  incomingCall: IncomingCallEvent;
};

/**
 * A named endpoint on a network ({@link InMemoryNetwork}, or `SipNetwork` for SIP).
 *
 * @example
 * ```ts
 * const network = new InMemoryNetwork();
 * const clock = new ManualClock();
 * const alice = new Endpoint({ name: 'alice', network, clock });
 * const bob = new Endpoint({ name: 'bob', network, clock, settings: { refreshPeriodMs: 3000 } });
 * bob.on('incomingCall', ({ call }) => void call.accept());
 * await alice.createCall('bob').establish();
 * ```
 *
 * @throws InvalidArgumentError from the constructor for an invalid setting or a taken name.
 */
export class Endpoint {
  readonly name: string;
  readonly clock: Clock;
  /** The settings in force: defaults completed with the overrides given. */
  readonly settings: PlatformSettings;
  readonly #network: EndpointNetwork;
  readonly #events: TypedEmitter<EndpointEvents>;
  readonly #reportListenerError: ListenerErrorReporter;
  readonly #detach: () => void;
  #messageCount = 0;

  constructor(options: EndpointOptions) {
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.settings = resolvePlatformSettings(options.settings);
    this.#network = options.network;
    this.#reportListenerError = options.onListenerError ?? ignoreListenerErrors;
    this.#events = new TypedEmitter(this.#reportListenerError);
    this.#detach = options.network.attach(options.name, (transport) =>
      this.#events.emit('incomingCall', { call: this.#newCall(transport.remoteName, transport) }),
    );
  }

  /**
   * Creates an outgoing call to the endpoint named `remoteName`, in state Idle. Register its
   * `instantMessagingFlowConfigurationRequested` handler, then call `establish()`.
   *
   * @throws InvalidArgumentError for an empty name or this endpoint's own name.
   */
  createCall(remoteName: string): InstantMessagingCall {
    if (typeof remoteName !== 'string' || remoteName.length === 0) {
      throw new InvalidArgumentError(
        'Cannot create a call without a remote: pass the name of another endpoint.',
      );
    }
    if (remoteName === this.name) {
      throw new InvalidArgumentError(
        `Cannot create a call from '${this.name}' to itself: pass the name of another endpoint.`,
      );
    }
    return this.#newCall(remoteName);
  }

  /** Creates a conference session for this endpoint; join with `beginJoin(conferenceUri)`. */
  createConferenceSession(): ConferenceSession {
    return new ConferenceSession({
      participantName: this.name,
      network: this.#network,
      settings: this.settings,
      reportListenerError: this.#reportListenerError,
    });
  }

  /** Makes this endpoint unreachable; calls placed to it afterwards fail. */
  detach(): void {
    this.#detach();
  }

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof EndpointEvents>(
    event: Name,
    listener: (payload: EndpointEvents[Name]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link Endpoint.on}. */
  off<Name extends keyof EndpointEvents>(
    event: Name,
    listener: (payload: EndpointEvents[Name]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  #newCall(remoteName: string, incoming?: Transport): InstantMessagingCall {
    return new InstantMessagingCall(
      {
        localName: this.name,
        remoteName,
        clock: this.clock,
        settings: this.settings,
        network: this.#network,
        nextMessageId: () => `${this.name}-${++this.#messageCount}`,
        reportListenerError: this.#reportListenerError,
      },
      incoming,
    );
  }
}
