/**
 * Signalling between two endpoints, and an in-memory network that carries it.
 *
 * The wire messages are deliberately abstract (no SIP syntax): they are the observable units a
 * conformance adapter compares with the model.
 */

import { type Arrival, Arrivals } from './arrivals.ts';
import { type DeliveryErrorReporter, DeliveryQueue } from './delivery-queue.ts';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type { ConferenceFocus } from './focus-protocol.ts';

/** Final response codes to an instant message: delivered, accepted by a relay, unsupported type. */
export type MessageResponseCode = 200 | 202 | 415;

/** Composing states as they travel on the wire. */
export type WireComposingState = 'typing' | 'idle';

/** Outcome carried by a delivery notification. */
export type DeliveryStatus = 'success' | 'failure';

/** One signalling unit exchanged by the two ends of a call. */
export type WireMessage =
  /** An instant message. */
  | {
      readonly type: 'message';
      readonly id: string;
      readonly contentType: string;
      readonly body: string;
    }
  /** The receiver's answer to the message with the same `id`. */
  | { readonly type: 'response'; readonly id: string; readonly code: MessageResponseCode }
  /** A composing (typing) notification. */
  | { readonly type: 'composing'; readonly state: WireComposingState }
  /** The late outcome of a message the receiver accepted with 202. */
  | {
      readonly type: 'delivery-notification';
      readonly id: string;
      readonly status: DeliveryStatus;
      /** SIP failure code; present only when `status` is `'failure'`. */
      readonly code?: number;
    }
  /** The sender ended the call. */
  | { readonly type: 'bye' };

/** Callbacks through which a transport hands over what arrives from the remote end. */
export interface TransportHandler {
  /** A wire message from the remote end arrived. */
  message(message: WireMessage): void;
  /** The remote endpoint accepted the call this transport was dialled for. */
  answered(): void;
}

/** One end of a signalling link between two endpoints. */
export interface Transport {
  /** Name of the endpoint owning this end. */
  readonly localName: string;
  /** Name of the endpoint at the other end. */
  readonly remoteName: string;
  /** Sends a wire message; it arrives later, after every message sent before it on this end. */
  send(message: WireMessage): void;
  /** Tells the dialling side that the call is accepted (used by the called side only). */
  answer(): void;
  /** Sets who receives what arrives; anything that arrived earlier is handed over at once. */
  listen(handler: TransportHandler): void;
}

/** Observes every wire message an endpoint sends, at the moment it is sent. */
export type SendObserver = (from: string, to: string, message: WireMessage) => void;

/** Called with the called side's transport when another endpoint dials this one. */
export type IncomingLinkHandler = (transport: Transport) => void;

/**
 * What an {@link Endpoint} needs from the network it lives on: to be reachable, to place calls and
 * to find conferences. {@link InMemoryNetwork} carries calls between endpoints of one process;
 * `SipNetwork` (reference/sip-transport.ts) carries them over SIP.
 */
export interface EndpointNetwork {
  /**
   * Makes an endpoint reachable under `name`; incoming calls reach `onIncoming`. Returns a
   * function that detaches it again.
   */
  attach(name: string, onIncoming: IncomingLinkHandler): () => void;
  /**
   * Why a call to `remoteName` cannot be placed, as a sentence that names the fix; `undefined`
   * when it can be placed.
   */
  unreachableReason(remoteName: string): string | undefined;
  /**
   * Opens a link from `from` to `to` and returns the caller's end; the called side answers
   * through `answered`, or the link receives a `bye` if the call fails.
   */
  dial(from: string, to: string): Transport;
  /** The focus hosting `conferenceUri`, if this network hosts it. */
  findConference(conferenceUri: string): ConferenceFocus | undefined;
}

/** Options of {@link InMemoryNetwork}. */
export interface InMemoryNetworkOptions {
  /**
   * Receives errors thrown while a delivery was handled. Listener errors of the application never
   * get here; by default such a defect is rethrown asynchronously so that it is noticed.
   */
  onDeliveryError?: DeliveryErrorReporter;
}

/** Sent to a caller whose callee left the network before the call reached it. */
const byeFromNetwork: Arrival = { kind: 'wire', message: { type: 'bye' } };

class LinkEnd implements Transport {
  peer: LinkEnd | undefined;
  readonly #arrivals = new Arrivals();

  constructor(
    readonly localName: string,
    readonly remoteName: string,
    private readonly channel: string,
    private readonly network: InMemoryNetwork,
    private readonly notifySend: SendObserver,
  ) {}

  send(message: WireMessage): void {
    this.notifySend(this.localName, this.remoteName, message);
    this.#forward({ kind: 'wire', message });
  }

  answer(): void {
    this.#forward({ kind: 'answer' });
  }

  listen(handler: TransportHandler): void {
    for (const arrival of this.#arrivals.listen(handler)) this.arrive(arrival);
  }

  arrive(arrival: Arrival): void {
    this.#arrivals.arrive(arrival);
  }

  #forward(arrival: Arrival): void {
    const peer = this.peer;
    if (!peer) return;
    this.network.deliveries.enqueue(this.channel, () => peer.arrive(arrival));
  }
}

/**
 * A network of named endpoints living in one process. Links deliver asynchronously (on a later
 * microtask, never inside `send`), keep order per direction, and can be observed.
 *
 * @example
 * ```ts
 * const network = new InMemoryNetwork();
 * network.onSend((from, to, message) => console.log(from, '->', to, message.type));
 * // ... create endpoints on it, exchange messages ...
 * await network.settled(); // nothing left in flight
 * ```
 */
export class InMemoryNetwork implements EndpointNetwork {
  /** Ordered asynchronous delivery shared by links and conference foci on this network. */
  readonly deliveries: DeliveryQueue;
  readonly #endpoints = new Map<string, IncomingLinkHandler>();
  readonly #conferences = new Map<string, ConferenceFocus>();
  readonly #observers = new Set<SendObserver>();
  #linkCount = 0;

  constructor(options: InMemoryNetworkOptions = {}) {
    this.deliveries = new DeliveryQueue(options.onDeliveryError);
  }

  /**
   * Makes an endpoint reachable under `name`. Returns a function that detaches it again.
   *
   * @throws InvalidArgumentError if the name is empty or already taken.
   */
  attach(name: string, onIncoming: IncomingLinkHandler): () => void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(
        'Cannot attach an endpoint without a name: pass a non-empty string.',
      );
    }
    if (this.#endpoints.has(name)) {
      throw new InvalidArgumentError(
        `Cannot attach endpoint '${name}': the name is taken on this network. Choose another name.`,
      );
    }
    this.#endpoints.set(name, onIncoming);
    return () => {
      if (this.#endpoints.get(name) === onIncoming) this.#endpoints.delete(name);
    };
  }

  /** True while an endpoint is attached under `name`. */
  isAttached(name: string): boolean {
    return this.#endpoints.has(name);
  }

  unreachableReason(remoteName: string): string | undefined {
    if (this.isAttached(remoteName)) return undefined;
    return `no endpoint named '${remoteName}' is attached to the network. Create that endpoint first.`;
  }

  /**
   * Opens a link from `from` to `to` and returns the caller's end. The called endpoint receives
   * its end asynchronously; if it detached meanwhile, the caller's end receives a `bye`.
   *
   * @throws InvalidOperationError if no endpoint is attached under `to`.
   */
  dial(from: string, to: string): Transport {
    if (!this.#endpoints.has(to)) {
      throw new InvalidOperationError(
        `Cannot reach '${to}': no endpoint with that name is attached to the network. Create it first.`,
      );
    }
    const link = ++this.#linkCount;
    const observe: SendObserver = (sender, receiver, message) =>
      this.#notifySend(sender, receiver, message);
    const forward = `link ${link}: ${from} -> ${to}`;
    const backward = `link ${link}: ${to} -> ${from}`;
    const callerEnd = new LinkEnd(from, to, forward, this, observe);
    const calledEnd = new LinkEnd(to, from, backward, this, observe);
    callerEnd.peer = calledEnd;
    calledEnd.peer = callerEnd;
    // The offer travels on the forward channel so that anything the caller sends later
    // (a bye, typically) cannot overtake it.
    this.deliveries.enqueue(forward, () => {
      const onIncoming = this.#endpoints.get(to);
      if (onIncoming) onIncoming(calledEnd);
      else this.deliveries.enqueue(backward, () => callerEnd.arrive(byeFromNetwork));
    });
    return callerEnd;
  }

  /** Registers an observer of every wire message sent on this network; returns its remover. */
  onSend(observer: SendObserver): () => void {
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }

  /** Resolves once nothing is in flight on this network (messages, answers, focus reports). */
  settled(): Promise<void> {
    return this.deliveries.settled();
  }

  /**
   * Makes a conference focus reachable at `conferenceUri`; returns a function that withdraws it.
   *
   * @throws InvalidArgumentError if the URI is empty or already hosted.
   */
  hostConference(conferenceUri: string, focus: ConferenceFocus): () => void {
    if (typeof conferenceUri !== 'string' || conferenceUri.length === 0) {
      throw new InvalidArgumentError(
        'Cannot host a conference without a URI: pass a non-empty string.',
      );
    }
    if (this.#conferences.has(conferenceUri)) {
      throw new InvalidArgumentError(
        `Cannot host conference '${conferenceUri}': it is already hosted. Choose another URI.`,
      );
    }
    this.#conferences.set(conferenceUri, focus);
    return () => {
      if (this.#conferences.get(conferenceUri) === focus) this.#conferences.delete(conferenceUri);
    };
  }

  /** The focus hosting `conferenceUri`, if any. */
  findConference(conferenceUri: string): ConferenceFocus | undefined {
    return this.#conferences.get(conferenceUri);
  }

  #notifySend(from: string, to: string, message: WireMessage): void {
    for (const observer of [...this.#observers]) {
      try {
        observer(from, to, message);
      } catch {
        // Observers only watch; their failure must not change what goes on the wire.
      }
    }
  }
}
