/**
 * Reference implementation of UCMA-style instant-messaging flows: plain classes, an in-memory
 * network and a simulated conference server, with every documented ambiguity exposed as a
 * platform setting.
 */

export type {
  CallDirection,
  CallState,
  InstantMessagingCallEvents,
  InstantMessagingFlowConfigurationRequestedEvent,
} from './call.ts';
export { InstantMessagingCall } from './call.ts';
export type { Clock, TimerHandle } from './clock.ts';
export { systemClock } from './clock.ts';
export type { ComposingState } from './composing-state.ts';
export type { ConferenceSessionEvents, ConferenceSessionState } from './conference.ts';
export { ConferenceSession } from './conference.ts';
export type { DeliveryErrorReporter } from './delivery-queue.ts';
export { DeliveryQueue } from './delivery-queue.ts';
export type { EndpointEvents, EndpointOptions, IncomingCallEvent } from './endpoint.ts';
export { Endpoint } from './endpoint.ts';
export type { ReferenceErrorKind } from './errors.ts';
export { InvalidArgumentError, InvalidOperationError, isReferenceError } from './errors.ts';
export type { Listener, ListenerErrorReporter, StateChangedEvent } from './events.ts';
export { TypedEmitter } from './events.ts';
export type {
  DeliveryNotificationReceivedEvent,
  InstantMessageContent,
  InstantMessagingFlowEvents,
  MediaFlowState,
  MessageReceivedEvent,
  MessageResponseReceivedEvent,
  RemoteComposingStateChangedEvent,
} from './flow.ts';
export { InstantMessagingFlow } from './flow.ts';
export type {
  ConferenceFocus,
  FocusMembership,
  FocusParticipant,
  FocusReport,
} from './focus-protocol.ts';
export type { ConferenceOptions, FocusReconnectedOptions } from './focus-server.ts';
export { FocusServer } from './focus-server.ts';
export { ManualClock } from './manual-clock.ts';
export type {
  InstantMessagingMcuSessionEvents,
  McuCallTerminatedEvent,
  McuCallTerminationReason,
  McuSessionState,
} from './mcu-session.ts';
export { InstantMessagingMcuSession } from './mcu-session.ts';
export type { Participant } from './participant.ts';
export type { McuAfterReconnectWithoutMcu, PlatformSettings } from './settings.ts';
export {
  DEFAULT_PLATFORM_SETTINGS,
  MAX_COMPOSING_TIMEOUT_MS,
  resolvePlatformSettings,
} from './settings.ts';
export type {
  FlowConfiguration,
  InstantMessageConsumptionMode,
  InstantMessagingFlowTemplateInit,
} from './template.ts';
export { InstantMessagingFlowTemplate } from './template.ts';
export type {
  DeliveryStatus,
  EndpointNetwork,
  IncomingLinkHandler,
  InMemoryNetworkOptions,
  MessageResponseCode,
  SendObserver,
  Transport,
  TransportHandler,
  WireComposingState,
  WireMessage,
} from './transport.ts';
export { InMemoryNetwork } from './transport.ts';
