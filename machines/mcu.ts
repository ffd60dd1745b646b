import { and, assign, emit, setup } from 'xstate';
import type { BranchChoice, McuState, ModelEvent, Output } from './alphabet.ts';
import { allowedBranch, realises } from './meta.ts';
import type { Profile } from './profile.ts';

/**
 * The InstantMessagingMcuSession bound to a ConferenceSession: Idle, Active, Retrying and
 * Terminated, with the conference side (join, leave) and the server side (MCU activation,
 * failover, focus reconnection) as stimuli.
 */
export interface McuContext {
  readonly conference: 'none' | 'with-im-mcu' | 'without-im-mcu';
  /** Whether the BeginJoin callback has been called. */
  readonly joinCompleted: boolean;
  /** Why the session is retrying: it decides which completion brings it back. */
  readonly retryCause: 'failover' | 'focus' | 'awaiting-mcu' | null;
  /** Set when the session reached Terminated at the join: the BeginJoin callback is still due. */
  readonly terminatedAtJoin: boolean;
}

export type McuEmitted = { type: 'output'; output: Output };

const out = (output: Output): McuEmitted => ({ type: 'output', output });
const changedTo = (state: McuState) => out({ channel: 'event', name: 'mcuStateChanged', state });

/**
 * Leaving the conference ends the session. Where the call with the MCU may still be up, the
 * implementation may report its end as well: the pages say nothing of it, so neither way is a
 * departure. In Idle the session must have joined; a Retrying one stops retrying.
 */
function leaveConference(
  from: 'idle' | 'active' | 'retrying',
  callMayBeUp?: 'conferenceHasMcu' | 'retryingForFocus',
) {
  const chose = { type: 'chose', params: 'mcuCallEnded' } as const;
  const clear = from === 'retrying' ? (['clearRetry'] as const) : ([] as const);
  const terminated = { type: 'raiseChangedTo', params: 'terminated' } as const;
  return [
    allowedBranch(
      {
        id: `${from}.leave.callEnded`,
        requirements: ['MCU-9', 'MCU-10'],
        capability: 'mcuSession',
        choice: 'mcuCallEnded',
        deviates: [],
      },
      {
        guard: callMayBeUp ? and([chose, callMayBeUp]) : chose,
        target: 'terminated',
        actions: [...clear, 'terminateMcuCall', terminated],
      },
    ),
    realises(
      { id: `${from}.leave`, requirements: ['MCU-9', 'MCU-10'], capability: 'mcuSession' },
      {
        ...(from === 'idle' ? { guard: 'joined' } : {}),
        target: 'terminated',
        actions: [...clear, terminated],
      },
    ),
  ] as const;
}

export function createMcuMachine(profile: Profile) {
  return setup({
    types: { context: {} as McuContext, events: {} as ModelEvent, emitted: {} as McuEmitted },
    guards: {
      chose: ({ event }, choice: BranchChoice) => 'choice' in event && event.choice === choice,
      joinIncomplete: ({ context }) => !context.joinCompleted,
      notJoined: ({ context }) => context.conference === 'none',
      joinPending: ({ context }) => context.conference !== 'none' && !context.joinCompleted,
      conferenceLacksMcu: ({ context }) => context.conference === 'without-im-mcu',
      conferenceHasMcu: ({ context }) => context.conference === 'with-im-mcu',
      joined: ({ context }) => context.conference !== 'none',
      retryingForFocus: ({ context }) => context.retryCause === 'focus',
      awaitingMcu: ({ context }) => context.retryCause === 'awaiting-mcu',
      mcuReportedActive: ({ event }) => event.type === 'server.focusReconnected' && event.mcuActive,
      joiningWithoutImMcu: ({ event }) => event.type === 'conf.join' && !event.imMcu,
      backToIdle: () => profile.options.focusReconnectWithoutMcu === 'back-to-idle',
    },
    actions: {
      rememberConference: assign({
        conference: ({ event }) =>
          event.type === 'conf.join' && !event.imMcu ? 'without-im-mcu' : 'with-im-mcu',
      }),
      completeJoin: assign({ joinCompleted: true, terminatedAtJoin: false }),
      rememberTerminatedAtJoin: assign({ terminatedAtJoin: true }),
      raiseJoinCompleted: emit(out({ channel: 'event', name: 'joinCompleted' })),
      raiseChangedTo: emit((_, state: McuState) => changedTo(state)),
      terminateMcuCall: emit(out({ channel: 'wire', kind: 'mcuCallTerminated' })),
      retryFor: assign((_, cause: 'failover' | 'focus' | 'awaiting-mcu') => ({
        retryCause: cause,
      })),
      clearRetry: assign({ retryCause: null }),
      rejectJoin: emit(
        out({ channel: 'error', operation: 'conf.join', kind: 'invalid-operation' }),
      ),
    },
  }).createMachine({
    id: 'mcuSession',
    initial: 'idle',
    context: {
      conference: 'none',
      joinCompleted: false,
      retryCause: null,
      terminatedAtJoin: false,
    },
    on: {
      'server.joinCompleted': realises(
        { id: 'joinCallback', requirements: ['MCU-2'], capability: 'mcuSession' },
        { guard: 'joinPending', actions: ['completeJoin', 'raiseJoinCompleted'] },
      ),
    },
    states: {
      idle: {
        description:
          'Bound to a conference session that has not joined, or whose MCU is not active.',
        on: {
          'conf.join': [
            allowedBranch(
              {
                id: 'join.noMcuOfThisType.atJoin',
                requirements: ['MCU-3', 'MCU-10'],
                capability: 'mcuSession',
                choice: 'terminatedAtJoin',
                deviates: [],
              },
              {
                guard: and([
                  { type: 'chose', params: 'terminatedAtJoin' as const },
                  'notJoined',
                  'joiningWithoutImMcu',
                ]),
                target: 'terminated',
                actions: [
                  'rememberConference',
                  'rememberTerminatedAtJoin',
                  { type: 'raiseChangedTo', params: 'terminated' },
                ],
              },
            ),
            realises(
              { id: 'join', requirements: ['MCU-1', 'MCU-3'], capability: 'mcuSession' },
              { guard: 'notJoined', actions: 'rememberConference' },
            ),
          ],
          'server.joinCompleted': realises(
            {
              id: 'join.noMcuOfThisType',
              requirements: ['MCU-3', 'MCU-10'],
              capability: 'mcuSession',
            },
            {
              guard: 'conferenceLacksMcu',
              target: 'terminated',
              actions: [
                'completeJoin',
                'raiseJoinCompleted',
                { type: 'raiseChangedTo', params: 'terminated' },
              ],
            },
          ),
          'server.mcuActivated': realises(
            {
              id: 'activate',
              requirements: ['MCU-1', 'MCU-2', 'MCU-10'],
              capability: 'mcuSession',
            },
            {
              guard: 'conferenceHasMcu',
              target: 'active',
              actions: { type: 'raiseChangedTo', params: 'active' },
            },
          ),
          'conf.leave': leaveConference('idle', 'conferenceHasMcu'),
        },
      },
      active: {
        description: 'The IM MCU is active and the session has a call with it.',
        on: {
          'server.mcuFailover': [
            allowedBranch(
              {
                id: 'failover.noCallYet',
                requirements: ['MCU-4', 'MCU-10'],
                capability: 'mcuSession',
                choice: 'noMcuCall',
                deviates: [],
              },
              {
                // Active before the BeginJoin callback: the call with the MCU may not exist yet.
                guard: and([{ type: 'chose', params: 'noMcuCall' as const }, 'joinIncomplete']),
                target: 'retrying',
                actions: [
                  { type: 'retryFor', params: 'failover' },
                  { type: 'raiseChangedTo', params: 'retrying' },
                ],
              },
            ),
            realises(
              { id: 'failover', requirements: ['MCU-4', 'MCU-10'], capability: 'mcuSession' },
              {
                target: 'retrying',
                actions: [
                  { type: 'retryFor', params: 'failover' },
                  'terminateMcuCall',
                  { type: 'raiseChangedTo', params: 'retrying' },
                ],
              },
            ),
          ],
          'server.focusReconnecting': realises(
            {
              id: 'focusReconnecting',
              requirements: ['MCU-5', 'MCU-10'],
              capability: 'mcuSession',
            },
            {
              target: 'retrying',
              actions: [
                { type: 'retryFor', params: 'focus' },
                { type: 'raiseChangedTo', params: 'retrying' },
              ],
            },
          ),
          'conf.leave': leaveConference('active'),
        },
      },
      retrying: {
        description: 'The MCU is failing over or the focus connection is being re-established.',
        on: {
          'server.failoverCompleted': realises(
            {
              id: 'failoverCompleted',
              requirements: ['MCU-6', 'MCU-10'],
              capability: 'mcuSession',
            },
            {
              // Either completion ends Retrying, whatever started it (page 003, item 4).
              target: 'active',
              actions: ['clearRetry', { type: 'raiseChangedTo', params: 'active' }],
            },
          ),
          'server.focusReconnected': [
            realises(
              {
                id: 'focusReconnected.mcuActive',
                requirements: ['MCU-7', 'MCU-10'],
                capability: 'mcuSession',
              },
              {
                guard: 'mcuReportedActive',
                target: 'active',
                actions: ['clearRetry', { type: 'raiseChangedTo', params: 'active' }],
              },
            ),
            realises(
              {
                id: 'focusReconnected.backToIdle',
                requirements: ['MCU-8', 'MCU-10'],
                capability: 'mcuSession',
              },
              {
                guard: 'backToIdle',
                target: 'idle',
                actions: ['clearRetry', { type: 'raiseChangedTo', params: 'idle' }],
              },
            ),
            realises(
              {
                id: 'focusReconnected.stayRetrying',
                requirements: ['MCU-8'],
                capability: 'mcuSession',
              },
              { actions: { type: 'retryFor', params: 'awaiting-mcu' } },
            ),
          ],
          'server.mcuActivated': realises(
            {
              id: 'retrying.activate',
              requirements: ['MCU-7', 'MCU-8', 'MCU-10'],
              capability: 'mcuSession',
            },
            {
              guard: 'awaitingMcu',
              target: 'active',
              actions: ['clearRetry', { type: 'raiseChangedTo', params: 'active' }],
            },
          ),
          'conf.leave': leaveConference('retrying', 'retryingForFocus'),
        },
      },
      terminated: {
        description: 'Final: the session cannot join again.',
        on: {
          'conf.join': realises(
            { id: 'terminated.join.rejected', requirements: ['MCU-9'], capability: 'mcuSession' },
            { actions: 'rejectJoin' },
          ),
        },
      },
    },
  });
}

export type McuMachine = ReturnType<typeof createMcuMachine>;
