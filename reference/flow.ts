/**
 * The instant-messaging media flow of one call: messages, delivery notifications and
 * composing (typing) notifications with a single remote participant.
 */

import type { Clock } from './clock.ts';
import { type ComposingState, isComposingState } from './composing-state.ts';
import { isContentType, isSupportedFormat } from './content-type.ts';
import { DeliveryNotificationLedger } from './delivery-ledger.ts';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import { type ListenerErrorReporter, type StateChangedEvent, TypedEmitter } from './events.ts';
import { LocalComposingIndicator } from './local-composing.ts';
import type { Participant } from './participant.ts';
import { RemoteComposingTracker } from './remote-composing.ts';
import type { PlatformSettings } from './settings.ts';
import {
  configurationFromTemplate,
  defaultFlowConfiguration,
  type FlowConfiguration,
  type InstantMessageConsumptionMode,
  type InstantMessagingFlowTemplate,
} from './template.ts';
import type { DeliveryStatus, MessageResponseCode, WireMessage } from './transport.ts';

/** Lifecycle of a flow: created Idle, Active once the call is established, Terminated for good. */
export type MediaFlowState = 'idle' | 'active' | 'terminated';

/** An instant message arrived and was accepted. */
export interface MessageReceivedEvent {
  /** Id to quote in a delivery notification (proxying flows). */
  readonly messageId: string;
  readonly contentType: string;
  readonly body: string;
}

/** The remote side reported the late outcome of a message this side sent. */
export interface DeliveryNotificationReceivedEvent {
  readonly messageId: string;
  readonly status: DeliveryStatus;
  /** SIP failure code; only for `status: 'failure'`. */
  readonly code?: number;
}

/** The remote participant started or stopped composing. */
export interface RemoteComposingStateChangedEvent {
  readonly participant: Participant;
  readonly state: ComposingState;
}

/** The remote side answered a message this side sent (200, 202 or 415). */
export interface MessageResponseReceivedEvent {
  readonly messageId: string;
  readonly code: MessageResponseCode;
}

/** Events of {@link InstantMessagingFlow}, by name. */
export type InstantMessagingFlowEvents = {
  stateChanged: StateChangedEvent<MediaFlowState>;
  messageReceived: MessageReceivedEvent;
  deliveryNotificationReceived: DeliveryNotificationReceivedEvent;
  remoteComposingStateChanged: RemoteComposingStateChangedEvent;
  responseReceived: MessageResponseReceivedEvent;
};

/** A message body: plain text, or a body with an explicit content type. */
export type InstantMessageContent =
  | string
  | { readonly contentType: string; readonly body: string };

/**
 * What a flow needs from the call that owns it.
 * @internal
 */
export interface FlowContext {
  readonly clock: Clock;
  readonly settings: PlatformSettings;
  readonly remoteParticipant: Participant;
  /** Puts a wire message on the call's link. */
  readonly send: (message: WireMessage) => void;
  /** A message id unique on the sending endpoint. */
  readonly nextMessageId: () => string;
  readonly reportListenerError: ListenerErrorReporter;
}

const stateNames: Record<MediaFlowState, string> = {
  idle: 'Idle (its call is not established yet)',
  active: 'Active',
  terminated: 'Terminated',
};

/**
 * An instant-messaging connection with one remote participant. Flows are created by their call
 * during `establish()` / `accept()`; configure one with {@link InstantMessagingFlow.initialize}
 * inside the call's `instantMessagingFlowConfigurationRequested` handler.
 *
 * Operations throw synchronously: {@link InvalidOperationError} when the flow's state or
 * configuration does not allow them, {@link InvalidArgumentError} for bad arguments.
 *
 * @example
 * ```ts
 * flow.on('messageReceived', ({ body }) => console.log('received', body));
 * flow.localComposingState = 'composing';
 * const id = await flow.sendInstantMessage('hello');
 * ```
 */
export class InstantMessagingFlow {
  readonly #context: FlowContext;
  readonly #events: TypedEmitter<InstantMessagingFlowEvents>;
  readonly #local: LocalComposingIndicator;
  readonly #remote: RemoteComposingTracker;
  readonly #ledger = new DeliveryNotificationLedger();
  /** Proxied messages accepted but not raised yet (`proxiedMessagesOneAtATime`), oldest first. */
  readonly #held: { id: string; contentType: string; body: string }[] = [];
  #configuration: FlowConfiguration;
  #state: MediaFlowState = 'idle';
  #configurable = false;

  /** @internal Flows are created by their call. */
  constructor(context: FlowContext) {
    this.#context = context;
    this.#events = new TypedEmitter(context.reportListenerError);
    this.#configuration = defaultFlowConfiguration(context.settings);
    this.#local = new LocalComposingIndicator({
      clock: context.clock,
      settings: context.settings,
      timeoutMs: () => this.#configuration.composingTimeoutMs,
      notify: (state) => context.send({ type: 'composing', state }),
    });
    this.#remote = new RemoteComposingTracker(context.clock, context.settings);
  }

  /** Current lifecycle state. */
  get state(): MediaFlowState {
    return this.#state;
  }

  /** The participant at the other end. */
  get remoteParticipant(): Participant {
    return this.#context.remoteParticipant;
  }

  /** How incoming messages are consumed (from the template; default `'consumed-locally'`). */
  get consumptionMode(): InstantMessageConsumptionMode {
    return this.#configuration.consumptionMode;
  }

  /** Composing time-out in ms (from the template, else the platform default). */
  get composingTimeoutMs(): number {
    return this.#configuration.composingTimeoutMs;
  }

  /** Content types accepted from the remote; others are answered 415. */
  get supportedFormats(): readonly string[] {
    return this.#configuration.supportedFormats;
  }

  /** Ids of received messages still owed a delivery notification (proxying flows only). */
  get messagesAwaitingDeliveryNotification(): readonly string[] {
    return this.#ledger.awaiting;
  }

  /**
   * Whether the remote participant is believed to be composing. It turns Idle silently after
   * `remotePresumedIdleMs` without a composing notification.
   */
  get remoteComposingState(): ComposingState {
    return this.#remote.state;
  }

  /**
   * The local participant's composing state.
   *
   * Setting `'composing'` from Idle sends Typing at once and then every `refreshPeriodMs` until
   * the composing time-out, after which the state reverts to Idle (after `revertDelayMs`).
   * Setting it again while composing only restarts the time-out. Setting `'idle'` stops the
   * refreshes (and may send Idle, see `idleNotificationOnWire`); it is refused when
   * `explicitIdleAllowed` is false.
   *
   * @throws InvalidOperationError unless the flow is Active, or for Idle when not allowed.
   * @throws InvalidArgumentError for a value other than `'idle'` or `'composing'`.
   */
  get localComposingState(): ComposingState {
    return this.#local.state;
  }

  set localComposingState(value: ComposingState) {
    this.#requireActive('change the local composing state', 'Set it');
    if (!isComposingState(value)) {
      throw new InvalidArgumentError(
        `Invalid composing state ${JSON.stringify(value)}: use 'idle' or 'composing'.`,
      );
    }
    if (value === 'composing') {
      this.#local.compose();
      return;
    }
    const { explicitIdleAllowed, idleNotificationOnWire } = this.#context.settings;
    if (!explicitIdleAllowed) {
      throw new InvalidOperationError(
        'Cannot set the local composing state to Idle: this platform reverts it by itself (explicitIdleAllowed is false). Let the composing time-out expire or send the message instead.',
      );
    }
    this.#local.stop(idleNotificationOnWire);
  }

  /**
   * Copies a template's settings into this flow. Valid only while this flow's
   * `instantMessagingFlowConfigurationRequested` event is being handled.
   *
   * @throws InvalidOperationError outside that handler (or once the flow is terminated).
   * @throws InvalidArgumentError for an invalid template; the flow keeps its configuration.
   */
  initialize(template: InstantMessagingFlowTemplate): void {
    if (this.#state === 'terminated') {
      throw new InvalidOperationError(
        'Cannot initialize the flow: the flow is Terminated. Initialize a flow inside its instantMessagingFlowConfigurationRequested handler.',
      );
    }
    if (!this.#configurable) {
      throw new InvalidOperationError(
        'Cannot initialize the flow outside its instantMessagingFlowConfigurationRequested handler. Register that handler on the call before establishing it, and call initialize() there.',
      );
    }
    this.#configuration = configurationFromTemplate(template, this.#context.settings);
  }

  /**
   * Sends an instant message; a plain string is sent as `text/plain`. Sending while composing
   * ends composing first (see `idleNotificationOnSend`).
   *
   * @returns the message id, once the message is on its way. The receiver's answer arrives
   *   later as a `responseReceived` event.
   * @throws InvalidOperationError unless the flow is Active.
   * @throws InvalidArgumentError for content that is not a string or `{ contentType, body }`.
   */
  sendInstantMessage(content: InstantMessageContent): Promise<string> {
    this.#requireActive('send a message', 'Send');
    const { contentType, body } = normalizeContent(content);
    this.#local.stop(this.#context.settings.idleNotificationOnSend);
    const id = this.#context.nextMessageId();
    this.#context.send({ type: 'message', id, contentType, body });
    return Promise.resolve(id);
  }

  /**
   * Reports to the sender that a proxied message was delivered. Synchronous: the notification
   * is on the wire when this returns.
   *
   * @throws InvalidOperationError unless the flow is Active and proxying, or if this message
   *   was already notified.
   * @throws InvalidArgumentError for an id that was not received on this flow.
   */
  sendSuccessDeliveryNotification(messageId: string): void {
    this.#checkNotification('send a success delivery notification', messageId);
    this.#ledger.settle(messageId);
    this.#context.send({ type: 'delivery-notification', id: messageId, status: 'success' });
    this.#releaseHeld();
  }

  /** One at a time: once nothing awaits a notification, the next held message is raised. */
  #releaseHeld(): void {
    if (this.#ledger.awaiting.length > 0) return;
    const next = this.#held.shift();
    if (!next) return;
    this.#ledger.expect(next.id);
    this.#events.emit('messageReceived', {
      messageId: next.id,
      contentType: next.contentType,
      body: next.body,
    });
  }

  /**
   * Reports to the sender that a proxied message could not be delivered, with a SIP failure
   * code such as 408 or 480. Synchronous: the notification is on the wire when this returns.
   *
   * @throws InvalidOperationError unless the flow is Active and proxying, or if this message
   *   was already notified.
   * @throws InvalidArgumentError for an unknown id or a code outside 400..699.
   */
  sendFailureDeliveryNotification(messageId: string, responseCode: number): void {
    this.#checkNotification('send a failure delivery notification', messageId);
    if (!Number.isInteger(responseCode) || responseCode < 400 || responseCode > 699) {
      throw new InvalidArgumentError(
        `Invalid response code ${responseCode}: a failure delivery notification needs a SIP failure code, an integer from 400 to 699 (for example 480).`,
      );
    }
    this.#ledger.settle(messageId);
    this.#context.send({
      type: 'delivery-notification',
      id: messageId,
      status: 'failure',
      code: responseCode,
    });
    this.#releaseHeld();
  }

  /** Adds a listener; returns a function that removes it. */
  on<Name extends keyof InstantMessagingFlowEvents>(
    event: Name,
    listener: (payload: InstantMessagingFlowEvents[Name]) => void,
  ): () => void {
    return this.#events.on(event, listener);
  }

  /** Removes a listener added with {@link InstantMessagingFlow.on}. */
  off<Name extends keyof InstantMessagingFlowEvents>(
    event: Name,
    listener: (payload: InstantMessagingFlowEvents[Name]) => void,
  ): void {
    this.#events.off(event, listener);
  }

  /**
   * Runs `raise` (which raises the configuration event) with initialization allowed.
   * @internal
   */
  configure(raise: () => void): void {
    this.#configurable = true;
    try {
      raise();
    } finally {
      this.#configurable = false;
    }
  }

  /**
   * The call is established.
   * @internal
   */
  activate(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'active';
    this.#events.emit('stateChanged', { previous: 'idle', state: 'active' });
  }

  /**
   * The call ended. Stops every timer and raises `stateChanged`; `afterAnnouncing` then runs
   * (the call sends its `bye` there).
   * @internal
   */
  end(afterAnnouncing?: () => void): void {
    if (this.#state === 'terminated') return;
    const previous = this.#state;
    this.#state = 'terminated';
    this.#local.halt();
    this.#remote.halt();
    this.#events.emit('stateChanged', { previous, state: 'terminated' });
    afterAnnouncing?.();
  }

  /**
   * A wire message for this flow arrived. Ignored unless the flow is Active.
   * @internal
   */
  receive(message: WireMessage): void {
    if (this.#state !== 'active') return;
    switch (message.type) {
      case 'message':
        this.#receiveMessage(message.id, message.contentType, message.body);
        return;
      case 'response':
        this.#events.emit('responseReceived', { messageId: message.id, code: message.code });
        return;
      case 'composing':
        this.#receiveComposing(message.state === 'typing' ? 'composing' : 'idle');
        return;
      case 'delivery-notification':
        this.#events.emit(
          'deliveryNotificationReceived',
          message.code === undefined
            ? { messageId: message.id, status: message.status }
            : { messageId: message.id, status: message.status, code: message.code },
        );
        return;
      case 'bye':
        // Ending the call is the call's business.
        return;
    }
  }

  #receiveMessage(id: string, contentType: string, body: string): void {
    const { send } = this.#context;
    if (!isSupportedFormat(this.#configuration.supportedFormats, contentType)) {
      send({ type: 'response', id, code: 415 });
      return;
    }
    if (this.#configuration.consumptionMode === 'proxied-to-remote-entity') {
      send({ type: 'response', id, code: 202 });
      if (this.#context.settings.proxiedMessagesOneAtATime && this.#ledger.awaiting.length > 0) {
        this.#held.push({ id, contentType, body });
        return;
      }
      // Recorded before listeners run so that they can notify from inside the event.
      this.#ledger.expect(id);
    } else {
      send({ type: 'response', id, code: 200 });
    }
    this.#events.emit('messageReceived', { messageId: id, contentType, body });
  }

  #receiveComposing(state: ComposingState): void {
    const participant = this.#context.remoteParticipant;
    if (state === 'composing' && this.#context.settings.remoteEventOnEveryNotification) {
      this.#remote.typingReceived();
      this.#events.emit('remoteComposingStateChanged', { participant, state });
      return;
    }
    if (state === 'composing') {
      if (this.#remote.typingReceived()) {
        this.#events.emit('remoteComposingStateChanged', { participant, state });
      }
      return;
    }
    // With an event for every notification, the tracker reports every Idle as news.
    if (this.#remote.idleReceived() && this.#context.settings.remoteIdleRaisesEvent) {
      this.#events.emit('remoteComposingStateChanged', { participant, state });
    }
  }

  #checkNotification(action: string, messageId: string): void {
    this.#requireActive(action, 'Send delivery notifications');
    if (this.#configuration.consumptionMode !== 'proxied-to-remote-entity') {
      throw new InvalidOperationError(
        `Cannot ${action}: the flow consumes messages locally and has already answered them. Initialize the flow with consumptionMode 'proxied-to-remote-entity' to send delivery notifications.`,
      );
    }
    if (typeof messageId !== 'string') {
      throw new InvalidArgumentError(
        `Cannot ${action}: the message id must be a string. Use the messageId of a messageReceived event.`,
      );
    }
    this.#ledger.checkCanNotify(messageId);
  }

  #requireActive(action: string, verb: string): void {
    if (this.#state === 'active') return;
    throw new InvalidOperationError(
      `Cannot ${action}: the flow is ${stateNames[this.#state]}. ${verb} only while the flow is Active.`,
    );
  }
}

function normalizeContent(content: InstantMessageContent): {
  contentType: string;
  body: string;
} {
  if (typeof content === 'string') return { contentType: 'text/plain', body: content };
  if (
    typeof content === 'object' &&
    content !== null &&
    isContentType(content.contentType) &&
    typeof content.body === 'string'
  ) {
    return { contentType: content.contentType, body: content.body };
  }
  throw new InvalidArgumentError(
    "Invalid message content: pass a string, or { contentType: 'type/subtype', body: string }.",
  );
}
