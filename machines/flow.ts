import { and, assign, emit, setup } from 'xstate';
import {
  type BranchChoice,
  type ConsumptionMode,
  type ErrorKind,
  type ModelEvent,
  type Output,
  PLAIN_TEXT,
  type Stimulus,
  type TemplateSpec,
} from './alphabet.ts';
import { allowedBranch, knownFault, realises } from './meta.ts';
import { MAX_COMPOSING_TIMEOUT_MS, type Profile } from './profile.ts';

/**
 * The InstantMessagingFlow: its lifecycle, configuration window, messaging, delivery
 * notifications, and local and remote composing as parallel regions of the Active state.
 *
 * Time is explicit: timers are remaining durations in the context, and only `clock.advance`
 * moves them. Remaining (not absolute) times keep the reachable state space finite, which is
 * what lets `xstate/graph` enumerate it and reach every timer's boundary and expiry.
 */
export interface FlowContext {
  readonly mode: ConsumptionMode;
  readonly formats: readonly string[];
  readonly composingTimeoutMs: number;
  /** Messages that arrived so far, supported or not; a message's number is its arrival index. */
  readonly received: number;
  /** Proxied messages still owed a delivery notification. */
  readonly awaiting: readonly number[];
  /** Proxied messages whose notification was sent. */
  readonly notified: readonly number[];
  /** One-at-a-time reading (C11): proxied messages accepted but not raised yet, oldest first. */
  readonly held: readonly {
    readonly message: number;
    readonly body: string;
    readonly contentType: string;
  }[];
  readonly sent: number;
  /** Remaining time to the next Typing refresh, while composing. */
  readonly refreshInMs: number | null;
  /** Remaining time to the composing time-out, while composing. */
  readonly timeoutInMs: number | null;
  /** Remaining time of the revert window, once the time-out has passed. */
  readonly windowInMs: number | null;
  /** Remaining time until the remote participant is presumed idle. */
  readonly remoteIdleInMs: number | null;
}

export type FlowEmitted = { type: 'output'; output: Output };

const defaultTemplate = (profile: Profile): Required<TemplateSpec> => ({
  consumptionMode: 'consumed-locally',
  composingTimeoutMs: profile.timing.composingTimeoutMs,
  supportedFormats: [PLAIN_TEXT],
});

function templateIsValid(template: TemplateSpec | null): boolean {
  const timeout = template?.composingTimeoutMs;
  return (
    timeout === undefined ||
    (Number.isInteger(timeout) && timeout >= 1 && timeout <= MAX_COMPOSING_TIMEOUT_MS)
  );
}

function isSipFailureCode(code: number): boolean {
  return Number.isInteger(code) && code >= 400 && code <= 699;
}

function elapsed(remaining: number | null, ms: number): number | null {
  return remaining === null ? null : remaining - ms;
}

const out = (output: Output): FlowEmitted => ({ type: 'output', output });
const flowError = (operation: Stimulus['type'], kind: 'invalid-operation' | 'invalid-argument') =>
  out({ channel: 'error', operation, kind });

/** The guards a refusal may be limited by (the refusal holds only where the guard does). */
type RefusalGuard = 'messageUnknown' | 'messageAlreadyNotified' | 'templateInvalid';

/**
 * A refusal only a should-rule asks for: refusing with `kind` is UCMA's convention (the
 * preferred branch, `id`). The pages state no refusal, so two other ways are allowed, as
 * departures from `deviates`: refusing with the other error kind (`….otherRefusal`), or
 * accepting the call without any effect (`….ignored`; what follows must then behave as if the
 * call had never been made). `effect` is what happens besides the refusal itself (the
 * configuration event and activation of an establish, say), kept on every branch.
 */
function refusal(
  id: string,
  requirements: readonly string[],
  options: {
    readonly kind?: ErrorKind;
    readonly guard?: RefusalGuard;
    readonly deviates?: readonly string[];
    readonly capability?: 'proxiedConsumption';
    readonly target?: string;
    readonly before?: readonly FlowAction[];
    readonly after?: readonly FlowAction[];
  } = {},
) {
  const kind = options.kind ?? 'invalid-operation';
  const other: ErrorKind = kind === 'invalid-operation' ? 'invalid-argument' : 'invalid-operation';
  const stem = id.endsWith('.rejected') ? id.slice(0, -'.rejected'.length) : id;
  const deviates = options.deviates ?? requirements;
  const capability = options.capability ? { capability: options.capability } : {};
  const target = options.target ? { target: options.target } : {};
  const before = options.before ?? [];
  const after = options.after ?? [];
  const when = (choice: BranchChoice) =>
    options.guard
      ? { guard: and([{ type: 'chose', params: choice } as const, options.guard]) }
      : { guard: { type: 'chose', params: choice } as const };
  const reject = (errorKind: ErrorKind) => ({ type: 'reject', params: errorKind }) as const;
  return [
    allowedBranch(
      { id: `${stem}.ignored`, requirements, choice: 'ignored', deviates, ...capability },
      { ...when('ignored'), ...target, actions: [...before, ...after] },
    ),
    allowedBranch(
      { id: `${stem}.otherRefusal`, requirements, choice: 'otherRefusal', deviates, ...capability },
      { ...when('otherRefusal'), ...target, actions: [...before, reject(other), ...after] },
    ),
    realises(
      { id, requirements, ...capability },
      {
        ...(options.guard ? { guard: options.guard } : {}),
        ...target,
        actions: [...before, reject(kind), ...after],
      },
    ),
  ] as const;
}

/** The named actions a refusal keeps beside the refusal itself. */
type FlowAction = 'raiseConfigurationRequested' | 'raiseActive';

/**
 * Setting Idle while composing, or while the revert is pending: the same rules hold in both
 * states, under transition IDs that say which state they left.
 */
function endComposingOnSetIdle(from: 'local' | 'local.reverting') {
  return [
    realises(
      { id: `${from}.setIdle.rejected`, requirements: ['LC-6'] },
      { guard: 'explicitIdleRejected', actions: { type: 'reject', params: 'invalid-operation' } },
    ),
    realises(
      { id: `${from}.setIdle.notified`, requirements: ['LC-6', 'LC-7', 'LC-9', 'LC-11'] },
      {
        guard: 'idleNotificationOnWire',
        target: 'idle',
        actions: ['clearLocalTimers', 'sendIdle'],
      },
    ),
    realises(
      { id: `${from}.setIdle.silent`, requirements: ['LC-6', 'LC-7', 'LC-9', 'LC-11'] },
      { target: 'idle', actions: 'clearLocalTimers' },
    ),
  ] as const;
}

/** Sending a message ends composing, with or without an Idle notification first. */
function endComposingOnSend(from: 'local' | 'local.reverting') {
  return [
    realises(
      { id: `${from}.send.idleNotification`, requirements: ['LC-8', 'LC-11'] },
      {
        guard: 'idleNotificationOnSend',
        target: 'idle',
        actions: ['clearLocalTimers', 'sendIdle'],
      },
    ),
    realises(
      { id: `${from}.send.messageOnly`, requirements: ['LC-8', 'LC-11'] },
      { target: 'idle', actions: 'clearLocalTimers' },
    ),
  ] as const;
}

const refreshChosen = { type: 'chose', params: 'refreshSent' } as const;
const formatAcceptedChosen = { type: 'chose', params: 'formatAccepted' } as const;
const cadenceKeptChosen = { type: 'chose', params: 'cadenceKept' } as const;

// How an incoming message is taken in, whether its format is supported or accepted anyway
// (MSG-5's allowed branch): consumed at once, accepted for the remote entity and owed a
// notification, or held while an earlier one is still owed.
const takeInConsumed = [
  'countReceived',
  'raiseMessageReceived',
  { type: 'answer', params: 200 },
] as const;
const takeInProxied = [
  'countReceived',
  'raiseMessageReceived',
  { type: 'answer', params: 202 },
  'awaitNotification',
] as const;
const holdProxied = ['countReceived', { type: 'answer', params: 202 }, 'holdMessage'] as const;
const restartedAsNewChosen = { type: 'chose', params: 'restartedAsNew' } as const;

/**
 * A Typing refresh due at the very instant of the time-out may still go out: the state reads
 * Composing until the revert (LC-10 prefers the time-out to win; sending it is allowed).
 */
function refreshAtTimeout() {
  const meta = (id: string) =>
    ({
      id,
      requirements: ['LC-2', 'LC-3', 'LC-5', 'LC-10'],
      choice: 'refreshSent',
      deviates: ['LC-10'],
    }) as const;
  return [
    allowedBranch(meta('local.timeout.instant.notified.refreshSent'), {
      guard: and([
        refreshChosen,
        'revertImmediately',
        'idleNotificationOnWire',
        'timeoutDue',
        'refreshDue',
      ]),
      target: 'idle',
      actions: ['clearLocalTimers', 'sendTyping', 'sendIdle'],
    }),
    allowedBranch(meta('local.timeout.instant.refreshSent'), {
      guard: and([refreshChosen, 'revertImmediately', 'timeoutDue', 'refreshDue']),
      target: 'idle',
      actions: ['clearLocalTimers', 'sendTyping'],
    }),
    allowedBranch(meta('local.timeout.refreshSent'), {
      guard: and([refreshChosen, 'timeoutDue', 'refreshDue']),
      target: 'reverting',
      actions: ['sendTyping', 'openRevertWindow'],
    }),
  ] as const;
}

/** A refresh due at the instant the revert window closes may go out with the revert. */
function refreshAtWindowEnd() {
  const meta = (id: string) =>
    ({
      id,
      requirements: ['LC-2', 'LC-5', 'LC-10'],
      choice: 'refreshSent',
      deviates: ['LC-10'],
    }) as const;
  return [
    allowedBranch(meta('local.windowEnd.notified.refreshSent'), {
      guard: and([refreshChosen, 'idleNotificationOnWire', 'windowEnds', 'refreshDue']),
      target: 'idle',
      actions: ['clearLocalTimers', 'sendTyping', 'sendIdle'],
    }),
    allowedBranch(meta('local.windowEnd.refreshSent'), {
      guard: and([refreshChosen, 'windowEnds', 'refreshDue']),
      target: 'idle',
      actions: ['clearLocalTimers', 'sendTyping'],
    }),
  ] as const;
}

export function createFlowMachine(profile: Profile) {
  const { refreshPeriodMs, revertToleranceMs, remoteIdleMs } = profile.timing;
  const idleOnWire = profile.options.idleNotification === 'sent';
  const explicitIdleAllowed = profile.options.explicitIdle === 'allowed';
  const everyRemoteNotification = profile.options.remoteComposingEvent === 'every-notification';

  const noteOf = (event: ModelEvent): number =>
    event.type === 'app.deliverySuccess' || event.type === 'app.deliveryFailure'
      ? event.message
      : 0;

  return setup({
    types: {
      context: {} as FlowContext,
      events: {} as ModelEvent,
      emitted: {} as FlowEmitted,
    },
    guards: {
      chose: ({ event }, choice: BranchChoice) => 'choice' in event && event.choice === choice,
      templateInvalid: ({ event }) =>
        event.type === 'app.establish' && !templateIsValid(event.template),
      templateProxied: ({ event }) =>
        event.type === 'app.establish' &&
        event.template?.consumptionMode === 'proxied-to-remote-entity',
      formatUnsupported: ({ context, event }) =>
        event.type === 'remote.message' && !context.formats.includes(event.contentType),
      messageUnknown: ({ context, event }) =>
        !context.awaiting.includes(noteOf(event)) && !context.notified.includes(noteOf(event)),
      messageAlreadyNotified: ({ context, event }) => context.notified.includes(noteOf(event)),
      failureCodeInvalid: ({ event }) =>
        event.type === 'app.deliveryFailure' && !isSipFailureCode(event.code),
      explicitIdleRejected: () => !explicitIdleAllowed,
      idleNotificationOnWire: () => idleOnWire,
      idleNotificationOnSend: () => profile.options.sendWhileComposing === 'idle-notification',
      timeoutDue: ({ context, event }) =>
        event.type === 'clock.advance' &&
        context.timeoutInMs !== null &&
        event.ms >= context.timeoutInMs,
      revertImmediately: () => revertToleranceMs === 0,
      refreshDue: ({ context, event }) =>
        event.type === 'clock.advance' &&
        context.refreshInMs !== null &&
        event.ms >= context.refreshInMs,
      windowEnds: ({ context, event }) =>
        event.type === 'clock.advance' &&
        context.windowInMs !== null &&
        event.ms >= context.windowInMs,
      remoteIdleDue: ({ context, event }) =>
        event.type === 'clock.advance' &&
        context.remoteIdleInMs !== null &&
        event.ms >= context.remoteIdleInMs,
      remoteIdleRaisesEvent: () => profile.options.remoteIdleEvent === 'raised',
      everyRemoteNotification: () => everyRemoteNotification,
      composingAgainNotified: () => profile.options.composingAgainNotification === 'sent',
      holdWhileOwed: ({ context }) =>
        profile.options.proxiedMessages === 'one-at-a-time' && context.awaiting.length > 0,
      heldWaiting: ({ context }) => context.held.length > 0,
    },
    actions: {
      reject: emit(({ event }, kind: 'invalid-operation' | 'invalid-argument') =>
        flowError((event as Stimulus).type, kind),
      ),
      raiseConfigurationRequested: emit(
        out({ channel: 'event', name: 'flowConfigurationRequested' }),
      ),
      raiseActive: emit(out({ channel: 'event', name: 'flowStateChanged', state: 'active' })),
      raiseTerminated: emit(
        out({ channel: 'event', name: 'flowStateChanged', state: 'terminated' }),
      ),
      sendBye: emit(out({ channel: 'wire', kind: 'bye' })),
      applyTemplate: assign(({ event }) => {
        const template = event.type === 'app.establish' ? event.template : null;
        const merged = { ...defaultTemplate(profile), ...(template ?? {}) };
        return {
          mode: merged.consumptionMode,
          formats: [...merged.supportedFormats],
          composingTimeoutMs: merged.composingTimeoutMs,
        };
      }),
      stopTimers: assign({
        refreshInMs: null,
        timeoutInMs: null,
        windowInMs: null,
        remoteIdleInMs: null,
      }),
      sendMessage: emit(({ event }) =>
        out(
          event.type === 'app.send'
            ? { channel: 'wire', kind: 'message', body: event.body, contentType: event.contentType }
            : { channel: 'wire', kind: 'bye' },
        ),
      ),
      countSent: assign({ sent: ({ context }) => context.sent + 1 }),
      countReceived: assign({ received: ({ context }) => context.received + 1 }),
      answer: emit(({ context }, code: number) =>
        out({ channel: 'wire', kind: 'response', message: context.received, code }),
      ),
      raiseMessageReceived: emit(({ event }) =>
        out(
          event.type === 'remote.message'
            ? {
                channel: 'event',
                name: 'messageReceived',
                body: event.body,
                contentType: event.contentType,
              }
            : { channel: 'event', name: 'flowConfigurationRequested' },
        ),
      ),
      holdMessage: assign(({ context, event }) => ({
        held:
          event.type === 'remote.message'
            ? [
                ...context.held,
                { message: context.received, body: event.body, contentType: event.contentType },
              ]
            : context.held,
      })),
      raiseHeld: emit(({ context }) => {
        const [next] = context.held;
        if (!next) throw new Error('unreachable: no held message');
        return out({
          channel: 'event',
          name: 'messageReceived',
          body: next.body,
          contentType: next.contentType,
        });
      }),
      promoteHeld: assign(({ context }) => {
        const [next, ...rest] = context.held;
        return next ? { awaiting: [...context.awaiting, next.message], held: rest } : {};
      }),
      awaitNotification: assign({
        awaiting: ({ context }) => [...context.awaiting, context.received],
      }),
      sendDeliveryNotification: emit(({ event }) =>
        out(
          event.type === 'app.deliveryFailure'
            ? {
                channel: 'wire',
                kind: 'deliveryNotification',
                message: event.message,
                status: 'failure',
                code: event.code,
              }
            : {
                channel: 'wire',
                kind: 'deliveryNotification',
                message: noteOf(event),
                status: 'success',
              },
        ),
      ),
      markNotified: assign(({ context, event }) => ({
        awaiting: context.awaiting.filter((n) => n !== noteOf(event)),
        notified: [...context.notified, noteOf(event)].sort((a, b) => a - b),
      })),
      raiseDeliveryNotificationReceived: emit(({ event }) => {
        if (event.type !== 'remote.deliveryNotification') throw new Error('unreachable');
        const { message, status, code } = event;
        return out({
          channel: 'event',
          name: 'deliveryNotificationReceived',
          message,
          status,
          ...(code === undefined ? {} : { code }),
        });
      }),
      sendTyping: emit(out({ channel: 'wire', kind: 'composing', state: 'typing' })),
      sendIdle: emit(out({ channel: 'wire', kind: 'composing', state: 'idle' })),
      startComposingTimers: assign(({ context }) => ({
        refreshInMs: refreshPeriodMs,
        timeoutInMs: context.composingTimeoutMs,
        windowInMs: null,
      })),
      restartTimeout: assign({ timeoutInMs: ({ context }) => context.composingTimeoutMs }),
      restartTimeoutKeepingCadence: assign(({ context }) => ({
        timeoutInMs: context.composingTimeoutMs,
        windowInMs: null,
      })),
      rearmRefresh: assign(({ context, event }) => ({
        refreshInMs: refreshPeriodMs,
        timeoutInMs: elapsed(context.timeoutInMs, event.type === 'clock.advance' ? event.ms : 0),
      })),
      elapseLocal: assign(({ context, event }) => {
        const ms = event.type === 'clock.advance' ? event.ms : 0;
        return {
          refreshInMs: elapsed(context.refreshInMs, ms),
          timeoutInMs: elapsed(context.timeoutInMs, ms),
          windowInMs: elapsed(context.windowInMs, ms),
        };
      }),
      // The refresh cadence runs on inside the window (the state still reads Composing): the
      // model may then allow a refresh there. One due at the time-out instant is rearmed.
      openRevertWindow: assign(({ context, event }) => {
        const left = elapsed(context.refreshInMs, event.type === 'clock.advance' ? event.ms : 0);
        return {
          refreshInMs: left === null ? null : left <= 0 ? left + refreshPeriodMs : left,
          timeoutInMs: null,
          windowInMs: revertToleranceMs,
        };
      }),
      rearmRefreshInWindow: assign(({ context, event }) => ({
        refreshInMs: refreshPeriodMs,
        windowInMs: elapsed(context.windowInMs, event.type === 'clock.advance' ? event.ms : 0),
      })),
      clearLocalTimers: assign({ refreshInMs: null, timeoutInMs: null, windowInMs: null }),
      raiseRemoteComposing: emit(
        out({ channel: 'event', name: 'remoteComposingStateChanged', state: 'composing' }),
      ),
      raiseRemoteIdle: emit(
        out({ channel: 'event', name: 'remoteComposingStateChanged', state: 'idle' }),
      ),
      // Only the on-change reading needs the six-second mark: with an event for every
      // notification, silence changes nothing the platform does.
      armRemoteIdle: assign({ remoteIdleInMs: everyRemoteNotification ? null : remoteIdleMs }),
      clearRemoteIdle: assign({ remoteIdleInMs: null }),
      elapseRemote: assign({
        remoteIdleInMs: ({ context, event }) =>
          elapsed(context.remoteIdleInMs, event.type === 'clock.advance' ? event.ms : 0),
      }),
    },
  }).createMachine({
    id: 'imFlow',
    initial: 'idle',
    context: {
      mode: 'consumed-locally',
      formats: [PLAIN_TEXT],
      composingTimeoutMs: profile.timing.composingTimeoutMs,
      received: 0,
      awaiting: [],
      notified: [],
      held: [],
      sent: 0,
      refreshInMs: null,
      timeoutInMs: null,
      windowInMs: null,
      remoteIdleInMs: null,
    },
    states: {
      idle: {
        description: 'The call is not established yet: the flow is Idle and cannot carry messages.',
        on: {
          'app.establish': [
            // Without the configuration event the application is never handed the flow: it
            // cannot initialize it (CONF-2), so the flow keeps its defaults whatever the
            // template, and none of the flow's events reach the application.
            knownFault(
              {
                id: 'establish.withoutConfigurationEvent',
                requirements: ['CONF-2', 'CONF-4', 'LIFE-1'],
                choice: 'withoutConfigurationEvent',
                hides: 'event',
              },
              {
                guard: { type: 'chose', params: 'withoutConfigurationEvent' },
                target: 'active',
              },
            ),
            // The template is dropped on every branch: the flow keeps its defaults.
            ...refusal('establish.invalidTemplate', ['CONF-7', 'LIFE-1', 'CONF-4'], {
              guard: 'templateInvalid',
              kind: 'invalid-argument',
              deviates: ['CONF-7'],
              target: 'active',
              before: ['raiseConfigurationRequested'],
              after: ['raiseActive'],
            }),
            realises(
              {
                id: 'establish.proxied',
                requirements: ['CONF-1', 'CONF-2', 'CONF-4', 'CONF-5', 'LIFE-1'],
                capability: 'proxiedConsumption',
              },
              {
                guard: 'templateProxied',
                target: '#imFlow.active.messaging.proxied',
                actions: ['raiseConfigurationRequested', 'applyTemplate', 'raiseActive'],
              },
            ),
            realises(
              {
                id: 'establish',
                requirements: ['CONF-1', 'CONF-2', 'CONF-4', 'CONF-5', 'CONF-6', 'LIFE-1'],
              },
              {
                target: 'active',
                actions: ['raiseConfigurationRequested', 'applyTemplate', 'raiseActive'],
              },
            ),
          ],
          'app.initialize': refusal('idle.initialize.rejected', ['CONF-3']),
          'app.send': refusal('idle.send.rejected', ['LIFE-3']),
          'app.setComposing': refusal('idle.setComposing.rejected', ['LIFE-3']),
          'app.setIdle': refusal('idle.setIdle.rejected', ['LIFE-3']),
          'app.deliverySuccess': refusal('idle.deliverySuccess.rejected', ['LIFE-3']),
          'app.deliveryFailure': refusal('idle.deliveryFailure.rejected', ['LIFE-3']),
          'app.terminate': refusal('idle.terminate.rejected', ['LIFE-3']),
        },
      },
      active: {
        type: 'parallel',
        description:
          'The call is established: the flow sends and receives messages and composing state.',
        on: {
          'app.initialize': refusal('active.initialize.rejected', ['CONF-2', 'CONF-3'], {
            deviates: ['CONF-3'],
          }),
          'app.establish': refusal('active.establish.rejected', ['LIFE-9']),
          'app.terminate': [
            allowedBranch(
              {
                id: 'terminate.noBye',
                requirements: ['LIFE-1', 'LIFE-4', 'LIFE-7', 'LIFE-8'],
                choice: 'noBye',
                deviates: ['LIFE-8'],
              },
              {
                guard: { type: 'chose', params: 'noBye' },
                target: 'terminated',
                actions: ['stopTimers', 'raiseTerminated'],
              },
            ),
            realises(
              { id: 'terminate', requirements: ['LIFE-1', 'LIFE-4', 'LIFE-7', 'LIFE-8'] },
              { target: 'terminated', actions: ['stopTimers', 'raiseTerminated', 'sendBye'] },
            ),
          ],
          'remote.bye': realises(
            { id: 'remoteBye', requirements: ['LIFE-1', 'LIFE-5', 'LIFE-7'] },
            { target: 'terminated', actions: ['stopTimers', 'raiseTerminated'] },
          ),
        },
        states: {
          messaging: {
            initial: 'consumedLocally',
            states: {
              consumedLocally: {
                description: 'Incoming messages are consumed at once (answered 200).',
                on: {
                  'app.send': realises(
                    { id: 'send', requirements: ['MSG-1', 'LIFE-2'] },
                    { actions: ['sendMessage', 'countSent'] },
                  ),
                  'remote.message': [
                    allowedBranch(
                      {
                        id: 'receive.unsupportedFormat.accepted',
                        requirements: ['MSG-2', 'MSG-3', 'MSG-5', 'MSG-7', 'CONF-8'],
                        choice: 'formatAccepted',
                        deviates: ['MSG-5'],
                      },
                      {
                        guard: and([formatAcceptedChosen, 'formatUnsupported']),
                        actions: takeInConsumed,
                      },
                    ),
                    realises(
                      { id: 'receive.unsupportedFormat', requirements: ['MSG-5', 'CONF-8'] },
                      {
                        guard: 'formatUnsupported',
                        actions: ['countReceived', { type: 'answer', params: 415 }],
                      },
                    ),
                    realises(
                      {
                        id: 'receive.consumed',
                        requirements: ['MSG-2', 'MSG-3', 'MSG-7', 'LIFE-2', 'CONF-8'],
                      },
                      {
                        actions: takeInConsumed,
                      },
                    ),
                  ],
                  'app.deliverySuccess': refusal('consumed.deliverySuccess.rejected', ['DN-5']),
                  'app.deliveryFailure': refusal('consumed.deliveryFailure.rejected', ['DN-5']),
                  'remote.deliveryNotification': realises(
                    { id: 'consumed.deliveryNotificationReceived', requirements: ['DN-6'] },
                    { actions: 'raiseDeliveryNotificationReceived' },
                  ),
                },
              },
              proxied: {
                description:
                  'Incoming messages are accepted (202) and each is owed exactly one delivery notification.',
                on: {
                  'app.send': realises(
                    {
                      id: 'proxied.send',
                      requirements: ['MSG-1'],
                      capability: 'proxiedConsumption',
                    },
                    { actions: ['sendMessage', 'countSent'] },
                  ),
                  'remote.message': [
                    allowedBranch(
                      {
                        id: 'proxied.receive.unsupportedFormat.accepted.held',
                        requirements: ['MSG-4', 'MSG-5', 'MSG-6', 'MSG-7', 'CONF-8'],
                        capability: 'proxiedConsumption',
                        choice: 'formatAccepted',
                        deviates: ['MSG-5'],
                      },
                      {
                        guard: and([formatAcceptedChosen, 'formatUnsupported', 'holdWhileOwed']),
                        actions: holdProxied,
                      },
                    ),
                    allowedBranch(
                      {
                        id: 'proxied.receive.unsupportedFormat.accepted',
                        requirements: [
                          'MSG-2',
                          'MSG-4',
                          'MSG-5',
                          'MSG-6',
                          'MSG-7',
                          'DN-1',
                          'CONF-8',
                        ],
                        capability: 'proxiedConsumption',
                        choice: 'formatAccepted',
                        deviates: ['MSG-5'],
                      },
                      {
                        guard: and([formatAcceptedChosen, 'formatUnsupported']),
                        actions: takeInProxied,
                      },
                    ),
                    realises(
                      {
                        id: 'proxied.receive.unsupportedFormat',
                        requirements: ['MSG-5', 'CONF-8'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        guard: 'formatUnsupported',
                        actions: ['countReceived', { type: 'answer', params: 415 }],
                      },
                    ),
                    realises(
                      {
                        id: 'receive.proxied.held',
                        requirements: ['MSG-4', 'MSG-6', 'MSG-7', 'CONF-8'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        guard: 'holdWhileOwed',
                        actions: holdProxied,
                      },
                    ),
                    realises(
                      {
                        id: 'receive.proxied',
                        requirements: ['MSG-2', 'MSG-4', 'MSG-6', 'MSG-7', 'DN-1', 'CONF-8'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        actions: takeInProxied,
                      },
                    ),
                  ],
                  'app.deliverySuccess': [
                    ...refusal('deliverySuccess.unknownMessage', ['DN-4'], {
                      guard: 'messageUnknown',
                      kind: 'invalid-argument',
                      capability: 'proxiedConsumption',
                    }),
                    ...refusal('deliverySuccess.second', ['DN-3'], {
                      guard: 'messageAlreadyNotified',
                      kind: 'invalid-operation',
                      capability: 'proxiedConsumption',
                    }),
                    realises(
                      {
                        id: 'deliverySuccess.releasesNext',
                        requirements: ['DN-1', 'MSG-2', 'MSG-6'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        guard: 'heldWaiting',
                        actions: [
                          'sendDeliveryNotification',
                          'markNotified',
                          'raiseHeld',
                          'promoteHeld',
                        ],
                      },
                    ),
                    realises(
                      {
                        id: 'deliverySuccess',
                        requirements: ['DN-1'],
                        capability: 'proxiedConsumption',
                      },
                      { actions: ['sendDeliveryNotification', 'markNotified'] },
                    ),
                  ],
                  'app.deliveryFailure': [
                    ...refusal('deliveryFailure.unknownMessage', ['DN-4'], {
                      guard: 'messageUnknown',
                      kind: 'invalid-argument',
                      capability: 'proxiedConsumption',
                    }),
                    ...refusal('deliveryFailure.second', ['DN-3'], {
                      guard: 'messageAlreadyNotified',
                      kind: 'invalid-operation',
                      capability: 'proxiedConsumption',
                    }),
                    allowedBranch(
                      {
                        id: 'deliveryFailure.anyCode.releasesNext',
                        requirements: ['DN-1', 'DN-2', 'DN-9', 'MSG-2', 'MSG-6'],
                        capability: 'proxiedConsumption',
                        choice: 'anyCodeAccepted',
                        deviates: ['DN-9'],
                      },
                      {
                        guard: and([
                          { type: 'chose', params: 'anyCodeAccepted' as const },
                          'failureCodeInvalid',
                          'heldWaiting',
                        ]),
                        actions: [
                          'sendDeliveryNotification',
                          'markNotified',
                          'raiseHeld',
                          'promoteHeld',
                        ],
                      },
                    ),
                    allowedBranch(
                      {
                        id: 'deliveryFailure.anyCode',
                        requirements: ['DN-1', 'DN-2', 'DN-9'],
                        capability: 'proxiedConsumption',
                        choice: 'anyCodeAccepted',
                        deviates: ['DN-9'],
                      },
                      {
                        guard: and([
                          { type: 'chose', params: 'anyCodeAccepted' as const },
                          'failureCodeInvalid',
                        ]),
                        actions: ['sendDeliveryNotification', 'markNotified'],
                      },
                    ),
                    realises(
                      {
                        id: 'deliveryFailure.invalidCode',
                        requirements: ['DN-9'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        guard: 'failureCodeInvalid',
                        actions: { type: 'reject', params: 'invalid-argument' },
                      },
                    ),
                    realises(
                      {
                        id: 'deliveryFailure.releasesNext',
                        requirements: ['DN-1', 'DN-2', 'DN-9', 'MSG-2', 'MSG-6'],
                        capability: 'proxiedConsumption',
                      },
                      {
                        guard: 'heldWaiting',
                        actions: [
                          'sendDeliveryNotification',
                          'markNotified',
                          'raiseHeld',
                          'promoteHeld',
                        ],
                      },
                    ),
                    realises(
                      {
                        id: 'deliveryFailure',
                        requirements: ['DN-1', 'DN-2', 'DN-9'],
                        capability: 'proxiedConsumption',
                      },
                      { actions: ['sendDeliveryNotification', 'markNotified'] },
                    ),
                  ],
                  'remote.deliveryNotification': realises(
                    {
                      id: 'proxied.deliveryNotificationReceived',
                      requirements: ['DN-6'],
                      capability: 'proxiedConsumption',
                    },
                    { actions: 'raiseDeliveryNotificationReceived' },
                  ),
                },
              },
            },
          },
          localComposing: {
            initial: 'idle',
            states: {
              idle: {
                on: {
                  'app.setComposing': realises(
                    { id: 'local.startComposing', requirements: ['LC-1', 'LC-9'] },
                    { target: 'composing', actions: ['sendTyping', 'startComposingTimers'] },
                  ),
                  'app.setIdle': [
                    realises(
                      { id: 'local.idle.setIdle.rejected', requirements: ['LC-6'] },
                      {
                        guard: 'explicitIdleRejected',
                        actions: { type: 'reject', params: 'invalid-operation' },
                      },
                    ),
                    realises({ id: 'local.idle.setIdle', requirements: ['LC-6', 'LC-11'] }, {}),
                  ],
                },
              },
              composing: {
                description:
                  'Typing is refreshed every refresh period until the time-out, Idle or a send.',
                on: {
                  'app.setComposing': [
                    realises(
                      { id: 'local.composingAgain.notified', requirements: ['LC-4', 'LC-12'] },
                      {
                        guard: 'composingAgainNotified',
                        actions: ['sendTyping', 'restartTimeout'],
                      },
                    ),
                    realises(
                      { id: 'local.composingAgain', requirements: ['LC-4', 'LC-12'] },
                      { actions: 'restartTimeout' },
                    ),
                  ],
                  'app.setIdle': endComposingOnSetIdle('local'),
                  'app.send': endComposingOnSend('local'),
                  'clock.advance': [
                    ...refreshAtTimeout(),
                    realises(
                      {
                        id: 'local.timeout.instant.notified',
                        requirements: ['LC-3', 'LC-7', 'LC-10', 'LC-5', 'LC-11'],
                      },
                      {
                        guard: and(['revertImmediately', 'idleNotificationOnWire', 'timeoutDue']),
                        target: 'idle',
                        actions: ['clearLocalTimers', 'sendIdle'],
                      },
                    ),
                    realises(
                      {
                        id: 'local.timeout.instant',
                        requirements: ['LC-3', 'LC-10', 'LC-5', 'LC-11'],
                      },
                      {
                        guard: and(['revertImmediately', 'timeoutDue']),
                        target: 'idle',
                        actions: 'clearLocalTimers',
                      },
                    ),
                    realises(
                      { id: 'local.timeout', requirements: ['LC-3', 'LC-5', 'LC-10', 'LC-11'] },
                      { guard: 'timeoutDue', target: 'reverting', actions: 'openRevertWindow' },
                    ),
                    realises(
                      { id: 'local.refresh', requirements: ['LC-2'] },
                      { guard: 'refreshDue', actions: ['sendTyping', 'rearmRefresh'] },
                    ),
                    realises(
                      {
                        id: 'local.composing.wait',
                        requirements: ['LC-2', 'LC-3'],
                        boundary: true,
                      },
                      { actions: 'elapseLocal' },
                    ),
                  ],
                },
              },
              reverting: {
                description:
                  'The time-out has passed; the revert to Idle may happen anywhere in the tolerance window.',
                on: {
                  'sut.revert': [
                    realises(
                      {
                        id: 'local.revert.notified',
                        requirements: ['LC-5', 'LC-7'],
                        spontaneous: true,
                      },
                      {
                        guard: 'idleNotificationOnWire',
                        target: 'idle',
                        actions: ['clearLocalTimers', 'sendIdle'],
                      },
                    ),
                    realises(
                      { id: 'local.revert', requirements: ['LC-5', 'LC-7'], spontaneous: true },
                      { target: 'idle', actions: 'clearLocalTimers' },
                    ),
                  ],
                  'clock.advance': [
                    ...refreshAtWindowEnd(),
                    realises(
                      { id: 'local.windowEnd.notified', requirements: ['LC-5', 'LC-7'] },
                      {
                        guard: and(['idleNotificationOnWire', 'windowEnds']),
                        target: 'idle',
                        actions: ['clearLocalTimers', 'sendIdle'],
                      },
                    ),
                    realises(
                      { id: 'local.windowEnd', requirements: ['LC-5', 'LC-7'] },
                      { guard: 'windowEnds', target: 'idle', actions: 'clearLocalTimers' },
                    ),
                    allowedBranch(
                      {
                        id: 'local.reverting.refresh',
                        requirements: ['LC-2', 'LC-10'],
                        choice: 'refreshSent',
                        deviates: ['LC-10'],
                      },
                      {
                        guard: and([refreshChosen, 'refreshDue']),
                        actions: ['sendTyping', 'rearmRefreshInWindow'],
                      },
                    ),
                    realises(
                      {
                        id: 'local.reverting.refreshSkipped',
                        requirements: ['LC-10'],
                        boundary: true,
                      },
                      { guard: 'refreshDue', actions: 'rearmRefreshInWindow' },
                    ),
                    realises(
                      {
                        id: 'local.reverting.wait',
                        requirements: ['LC-5', 'LC-11'],
                        boundary: true,
                      },
                      { actions: 'elapseLocal' },
                    ),
                  ],
                  'app.setComposing': [
                    // LC-13 prefers a fresh episode; the pages say nothing of a setting once
                    // the time-out has passed, so keeping the cadence, or starting over with a
                    // Typing as a first setting does, are allowed with an advisory.
                    allowedBranch(
                      {
                        id: 'local.reverting.composingAgain.cadenceKept.notified',
                        requirements: ['LC-4', 'LC-12', 'LC-13'],
                        choice: 'cadenceKept',
                        deviates: ['LC-13'],
                      },
                      {
                        guard: and([cadenceKeptChosen, 'composingAgainNotified']),
                        target: 'composing',
                        actions: ['sendTyping', 'restartTimeoutKeepingCadence'],
                      },
                    ),
                    allowedBranch(
                      {
                        id: 'local.reverting.composingAgain.cadenceKept',
                        requirements: ['LC-4', 'LC-12', 'LC-13'],
                        choice: 'cadenceKept',
                        deviates: ['LC-13'],
                      },
                      {
                        guard: cadenceKeptChosen,
                        target: 'composing',
                        actions: 'restartTimeoutKeepingCadence',
                      },
                    ),
                    allowedBranch(
                      {
                        id: 'local.reverting.composingAgain.restartedAsNew',
                        requirements: ['LC-1', 'LC-12', 'LC-13'],
                        choice: 'restartedAsNew',
                        deviates: ['LC-13'],
                      },
                      {
                        guard: restartedAsNewChosen,
                        target: 'composing',
                        actions: ['sendTyping', 'startComposingTimers'],
                      },
                    ),
                    realises(
                      {
                        id: 'local.reverting.composingAgain.notified',
                        requirements: ['LC-4', 'LC-12', 'LC-13'],
                      },
                      {
                        guard: 'composingAgainNotified',
                        target: 'composing',
                        actions: ['sendTyping', 'startComposingTimers'],
                      },
                    ),
                    realises(
                      {
                        id: 'local.reverting.composingAgain',
                        requirements: ['LC-4', 'LC-12', 'LC-13'],
                      },
                      { target: 'composing', actions: 'startComposingTimers' },
                    ),
                  ],
                  'app.setIdle': endComposingOnSetIdle('local.reverting'),
                  'app.send': endComposingOnSend('local.reverting'),
                },
              },
            },
          },
          remoteComposing: {
            initial: 'idle',
            description:
              'The remote participant as its composing notifications tell it; the event is raised for every notification or only on a change (profile).',
            states: {
              idle: {
                on: {
                  'remote.typing': realises(
                    { id: 'remote.startComposing', requirements: ['RC-1'] },
                    { target: 'composing', actions: ['raiseRemoteComposing', 'armRemoteIdle'] },
                  ),
                  'remote.idle': [
                    realises(
                      {
                        id: 'remote.idle.whileIdle.raised',
                        requirements: ['RC-1', 'RC-3', 'RC-4'],
                      },
                      {
                        guard: and(['everyRemoteNotification', 'remoteIdleRaisesEvent']),
                        actions: 'raiseRemoteIdle',
                      },
                    ),
                    realises(
                      { id: 'remote.idle.whileIdle', requirements: ['RC-1', 'RC-3', 'RC-4'] },
                      {},
                    ),
                  ],
                },
              },
              composing: {
                on: {
                  'remote.typing': [
                    realises(
                      { id: 'remote.refresh.raised', requirements: ['RC-1', 'RC-4'] },
                      { guard: 'everyRemoteNotification', actions: 'raiseRemoteComposing' },
                    ),
                    realises(
                      { id: 'remote.refresh', requirements: ['RC-4'] },
                      { actions: 'armRemoteIdle' },
                    ),
                  ],
                  'remote.idle': [
                    realises(
                      { id: 'remote.idle.raised', requirements: ['RC-1', 'RC-3'] },
                      {
                        guard: 'remoteIdleRaisesEvent',
                        target: 'idle',
                        actions: ['raiseRemoteIdle', 'clearRemoteIdle'],
                      },
                    ),
                    realises(
                      { id: 'remote.idle.silent', requirements: ['RC-3'] },
                      { target: 'idle', actions: 'clearRemoteIdle' },
                    ),
                  ],
                  'clock.advance': [
                    realises(
                      { id: 'remote.presumedIdle', requirements: ['RC-2', 'RC-5'] },
                      { guard: 'remoteIdleDue', target: 'silent', actions: 'clearRemoteIdle' },
                    ),
                    realises(
                      { id: 'remote.composing.wait', requirements: ['RC-2'], boundary: true },
                      { actions: 'elapseRemote' },
                    ),
                  ],
                },
              },
              silent: {
                description:
                  'On-change reading only: no notification for the six seconds after which the application presumes the remote idle. The platform may presume so too, or not.',
                on: {
                  'remote.typing': [
                    allowedBranch(
                      {
                        id: 'remote.silent.typing.unpresumed',
                        requirements: ['RC-4', 'RC-5'],
                        choice: 'noPresumption',
                        deviates: ['RC-5'],
                      },
                      {
                        guard: { type: 'chose', params: 'noPresumption' },
                        target: 'composing',
                        actions: 'armRemoteIdle',
                      },
                    ),
                    realises(
                      { id: 'remote.silent.typing', requirements: ['RC-1', 'RC-5'] },
                      {
                        target: 'composing',
                        actions: ['raiseRemoteComposing', 'armRemoteIdle'],
                      },
                    ),
                  ],
                  'remote.idle': [
                    realises(
                      { id: 'remote.silent.idle.raised', requirements: ['RC-1', 'RC-2', 'RC-3'] },
                      {
                        guard: 'remoteIdleRaisesEvent',
                        target: 'idle',
                        actions: 'raiseRemoteIdle',
                      },
                    ),
                    realises(
                      { id: 'remote.silent.idle', requirements: ['RC-2', 'RC-3'] },
                      { target: 'idle' },
                    ),
                  ],
                },
              },
            },
          },
        },
      },
      terminated: {
        description: 'Final: every operation is refused and nothing more is sent or raised.',
        on: {
          'app.send': refusal('terminated.send.rejected', ['LIFE-6']),
          'app.setComposing': refusal('terminated.setComposing.rejected', ['LIFE-6']),
          'app.initialize': refusal('terminated.initialize.rejected', ['LIFE-6', 'CONF-3']),
          'app.deliverySuccess': refusal('terminated.deliverySuccess.rejected', ['LIFE-6']),
          'app.terminate': refusal('terminated.terminate.rejected', ['LIFE-6']),
          'app.setIdle': refusal('terminated.setIdle.rejected', ['LIFE-6']),
          'app.deliveryFailure': refusal('terminated.deliveryFailure.rejected', ['LIFE-6']),
          'app.establish': refusal('terminated.establish.rejected', ['LIFE-6']),
        },
      },
    },
  });
}

export type FlowMachine = ReturnType<typeof createFlowMachine>;
