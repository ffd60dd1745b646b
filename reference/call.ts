/**
 * An instant-messaging call between two endpoints; it owns the signalling link and the flow.
 */

import type { Clock } from './clock.ts';
import { InvalidOperationError } from './errors.ts';
import { type ListenerErrorReporter, type StateChangedEvent, TypedEmitter } from './events.ts';
import { InstantMessagingFlow } from './flow.ts';
import type { Participant } from './participant.ts';
import type { PlatformSettings } from './settings.ts';
import type { EndpointNetwork, Transport, WireMessage } from './transport.ts';

/** Lifecycle of a call. Outgoing: idle → establishing → established; incoming starts at incoming. */
export type CallState = 'idle' | 'incoming' | 'establishing' | 'established' | 'terminated';

/** Who placed the call. */
export type CallDirection = 'outgoing' | 'incoming';

/** The call is about to use its flow: the only moment `flow.initialize()` is allowed. */
export interface InstantMessagingFlowConfigurationRequestedEvent {
  readonly flow: InstantMessagingFlow;
}

/** Events of {@link InstantMessagingCall}, by name. */
export type InstantMessagingCallEvents = {
  instantMessagingFlowConfigurationRequested: InstantMessagingFlowConfigurationRequestedEvent;
  stateChanged: StateChangedEvent<CallState>;
};

/**
 * What a call needs from its endpoint.
 * @internal
 */
export interface CallContext {
  readonly localName: string;
  readonly remoteName: string;
  readonly clock: Clock;
  readonly settings: PlatformSettings;
  readonly network: EndpointNetwork;
  readonly nextMessageId: () => string;
  readonly reportListenerError: ListenerErrorReporter;
}

interface PendingEstablish {
  resolve(): void;
  reject(error: Error): void;
}

const stateNames: Record<CallState, string> = {
  idle: 'Idle',
  incoming: 'Incoming',
  establishing: 'Establishing',
  established: 'Established',
  terminated: 'Terminated',
};

/**
 * An instant-messaging call. Create outgoing calls with `endpoint.createCall(remote)` and get
 * incoming ones from the endpoint's `incomingCall` event.
 *
 * Register `instantMessagingFlowConfigurationRequested` before `establish()` / `accept()`: it is
 * raised synchronously inside them, with the new flow, and is the only place where the flow
 * can be initialized.
 *
 * @example
 * ```ts
 * const call = alice.createCall('bob');
 * call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
 *   flow.initialize(new InstantMessagingFlowTemplate({ composingTimeoutMs: 10_000 }));
 * });
 * await call.establish(); // resolves once bob accepted
 * ```
 */
export class InstantMessagingCall {
  /** Who placed the call. */
  readonly direction: CallDirection;
  /** The participant at the other end. */
  readonly remoteParticipant: Participant;
  readonly #context: CallContext;
  readonly #events: TypedEmitter<InstantMessagingCallEvents>;
  #state: CallState;
  #flow: InstantMessagingFlow | undefined;
  #transport: Transport | undefined;
  #pendingEstablish: PendingEstablish | undefined;

  /**
   * @internal Calls are created by their endpoint. `incoming` is the transport of an incoming
   * call; without it the call is outgoing.
   */
  constructor(context: CallContext, incoming?: Transport) {
    this.#context = context;
    this.#events = new TypedEmitter(context.reportListenerError);
    this.remoteParticipant = Object.freeze({ name: context.remoteName });
    this.direction = incoming ? 'incoming' : 'outgoing';
    this.#state = incoming ? 'incoming' : 'idle';
    if (incoming) this.#bind(incoming);
  }

  /** Current lifecycle state. */
  get state(): CallState {
    return this.#state;
  }

  /** The call's flow; `undefined` until `establish()` or `accept()` creates it. */
  get flow(): InstantMessagingFlow | undefined {
    return this.#flow;
  }

  /**
   * Places an outgoing call: creates the flow, raises
   * `instantMessagingFlowConfigurationRequested` synchronously, then rings the remote endpoint.
   * The flow turns Active when the remote accepts.
   *
   * @returns a promise resolved once the call is established; rejected with
   *   InvalidOperationError if the call is terminated (by either side) first.
   * @throws InvalidOperationError for an incoming call, a call that is not Idle, or an
   *   unreachable remote.
   */
  establish(): Promise<void> {
    if (this.direction === 'incoming') {
      throw new InvalidOperationError(
        'Cannot establish an incoming call: accept it with accept() instead.',
      );
    }
    if (this.#state !== 'idle') {
      throw new InvalidOperationError(
        `Cannot establish the call: it is ${stateNames[this.#state]}. Establish a call once, while it is Idle.`,
      );
    }
    const { network, localName, remoteName } = this.#context;
    const unreachable = network.unreachableReason(remoteName);
    if (unreachable !== undefined) {
      throw new InvalidOperationError(`Cannot establish the call: ${unreachable}`);
    }
    this.#setState('establishing')();
    if (!this.#prepareFlow()) return Promise.reject(terminatedWhileConfiguring());
    const done = new Promise<void>((resolve, reject) => {
      this.#pendingEstablish = { resolve, reject };
    });
    this.#bind(network.dial(localName, remoteName));
    return done;
  }

  /**
   * Accepts an incoming call: creates the flow, raises
   * `instantMessagingFlowConfigurationRequested` synchronously, answers the caller and turns
   * the flow Active.
   *
   * @throws InvalidOperationError for an outgoing call, or one that is no longer Incoming.
   */
  accept(): Promise<void> {
    if (this.direction === 'outgoing') {
      throw new InvalidOperationError(
        'Cannot accept an outgoing call: establish it with establish() instead.',
      );
    }
    if (this.#state !== 'incoming') {
      throw new InvalidOperationError(
        `Cannot accept the call: it is ${stateNames[this.#state]}. Accept an incoming call once, before it is terminated.`,
      );
    }
    this.#setState('establishing')();
    if (!this.#prepareFlow()) return Promise.reject(terminatedWhileConfiguring());
    this.#transport?.answer();
    this.#becomeEstablished();
    return Promise.resolve();
  }

  /**
   * Ends the call: the flow turns Terminated (stopping every timer) and a `bye` goes to the
   * remote. Terminating an incoming call that was not accepted declines it.
   *
   * @throws InvalidOperationError if the call is already Terminated.
   */
  terminate(): Promise<void> {
    if (this.#state === 'terminated') {
      throw new InvalidOperationError(
        'Cannot terminate the call: it is already Terminated. Terminate a call only once.',
      );
    }
    const announce = this.#setState('terminated');
    const sendBye = () => this.#transport?.send({ type: 'bye' });
    if (this.#flow) this.#flow.end(sendBye);
    else sendBye();
    announce();
    this.#failPendingEstablish('The call was terminated before it was established.');
    return Promise.resolve();
  }

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof InstantMessagingCallEvents>(
    event: Name,
    listener: (payload: InstantMessagingCallEvents[Name]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link InstantMessagingCall.on}. */
  off<Name extends keyof InstantMessagingCallEvents>(
    event: Name,
    listener: (payload: InstantMessagingCallEvents[Name]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  /** Creates the flow and lets the application configure it; false if the call ended meanwhile. */
  #prepareFlow(): boolean {
    const { clock, settings, nextMessageId, reportListenerError } = this.#context;
    const flow = new InstantMessagingFlow({
      clock,
      settings,
      remoteParticipant: this.remoteParticipant,
      nextMessageId,
      reportListenerError,
      send: (message) => this.#transport?.send(message),
    });
    this.#flow = flow;
    flow.configure(() => this.#events.emit('instantMessagingFlowConfigurationRequested', { flow }));
    // A configuration handler may terminate the call.
    return this.#state === 'establishing';
  }

  #bind(transport: Transport): void {
    this.#transport = transport;
    transport.listen({
      message: (message) => this.#receive(message),
      answered: () => {
        if (this.#state !== 'establishing') return;
        this.#becomeEstablished();
        const pending = this.#pendingEstablish;
        this.#pendingEstablish = undefined;
        pending?.resolve();
      },
    });
  }

  #becomeEstablished(): void {
    // Both states change before any listener runs, so every listener sees them consistent.
    const announce = this.#setState('established');
    this.#flow?.activate();
    announce();
  }

  #receive(message: WireMessage): void {
    if (this.#state === 'terminated') return;
    if (message.type !== 'bye') {
      this.#flow?.receive(message);
      return;
    }
    const announce = this.#setState('terminated');
    this.#flow?.end();
    announce();
    this.#failPendingEstablish('The remote endpoint ended the call before it was established.');
  }

  #failPendingEstablish(reason: string): void {
    const pending = this.#pendingEstablish;
    this.#pendingEstablish = undefined;
    pending?.reject(new InvalidOperationError(reason));
  }

  /** Changes the state now; the returned function raises `stateChanged` when called. */
  #setState(state: CallState): () => void {
    const previous = this.#state;
    this.#state = state;
    return () => this.#events.emit('stateChanged', { previous, state });
  }
}

function terminatedWhileConfiguring(): InvalidOperationError {
  return new InvalidOperationError(
    'The call was terminated while its flow was being configured. Do not terminate the call inside instantMessagingFlowConfigurationRequested.',
  );
}
