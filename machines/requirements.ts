/**
 * The requirement catalogue: every behavioural rule of the three source pages, paraphrased in
 * one line, with a stable ID and its source. `inferred` rules fill gaps where the pages are
 * silent; they say so, and where they come from.
 */

export type RequirementGroup =
  | 'flow-lifecycle'
  | 'configuration'
  | 'messaging'
  | 'delivery-notifications'
  | 'local-composing'
  | 'remote-composing'
  | 'mcu-session';

export type RequirementStrength = 'must' | 'should';

export interface Requirement {
  readonly id: string;
  readonly group: RequirementGroup;
  readonly text: string;
  /** Seed file and section, or for inferred rules what the inference rests on. */
  readonly source: string;
  readonly kind: 'documented' | 'inferred';
  /**
   * `must`: the pages state it, and a violation fails. `should`: inferred from UCMA or the
   * standards; a deviation the model allows is an advisory, never a failure.
   */
  readonly strength: RequirementStrength;
  /** The contradiction (see `contradictions`) whose profile option decides this rule. */
  readonly contradiction?: string;
  /** Set when no observation through an adapter can show the rule kept or broken. */
  readonly untestable?: string;
}

const FLOW = '000_21821d2bf417cfca.txt';
const GUIDE = '001_73ab521b10cc89e0.txt';
const MCU = '003_f7161f39d6c79371.txt';

export const requirements: readonly Requirement[] = [
  // Flow lifecycle
  {
    id: 'LIFE-1',
    group: 'flow-lifecycle',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample comments)`,
    text: 'A flow is Idle, Active or Terminated, and StateChanged reports every change of state.',
  },
  {
    id: 'LIFE-2',
    group: 'flow-lifecycle',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample comments)`,
    text: 'An Active flow is ready to send and receive messages.',
  },
  {
    id: 'LIFE-3',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief, Exceptions)',
    text: 'Before the call is established there is no flow: every flow operation is refused as an invalid operation.',
  },
  {
    id: 'LIFE-4',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'MediaFlowState Terminated (domain brief); SIP BYE',
    text: 'Terminating the call makes the flow Terminated, raises StateChanged and tells the remote party.',
  },
  {
    id: 'LIFE-5',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'MediaFlowState Terminated (domain brief); SIP BYE',
    text: 'When the remote party ends the call, the flow becomes Terminated and raises StateChanged.',
  },
  {
    id: 'LIFE-6',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief, Exceptions)',
    text: 'Terminated is final: every operation on a terminated flow is refused as invalid and nothing more is sent or raised.',
  },
  {
    id: 'LIFE-7',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LIFE-6',
    text: 'Terminating stops every composing timer: no refresh, revert or presumed-idle output follows.',
  },
  // Configuration
  {
    id: 'CONF-1',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'A flow has no public constructor; it is configured by copying a template into it with Initialize.',
  },
  {
    id: 'CONF-2',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'Initialize takes effect only inside the handler of the configuration-requested event.',
  },
  {
    id: 'CONF-3',
    group: 'configuration',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief)',
    text: 'Initialize called outside the configuration handler is refused as an invalid operation.',
  },
  {
    id: 'CONF-4',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample)`,
    text: 'Establishing the call raises the configuration-requested event for the new flow, to a handler registered beforehand.',
  },
  {
    id: 'CONF-5',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate (table)`,
    text: 'The consumption mode is ConsumedLocally unless the template chooses ProxiedToRemoteEntity.',
  },
  {
    id: 'CONF-6',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (idle time-out paragraph)`,
    text: 'The composing time-out defaults to three seconds and a flow template may set a longer one.',
  },
  {
    id: 'CONF-7',
    group: 'configuration',
    kind: 'inferred',
    strength: 'should',
    source: 'ComposingTimeoutValue maximum 30 s (domain brief, template)',
    text: 'A template whose composing time-out is outside 1 ms to 30 s is refused as an invalid argument and the flow keeps its defaults.',
  },
  {
    id: 'CONF-8',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (SupportedFormats)`,
    text: 'SupportedFormats lists the content types the application consumes from the flow.',
  },
  {
    id: 'CONF-9',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (InstantMessagingSettings)`,
    text: 'Platform-wide IM settings supply a template whose values every new flow starts from.',
    untestable:
      'A platform setting, outside one flow and outside the adapter contract; the profile timing.composingTimeoutMs stands for its time-out.',
  },
  // Messaging
  {
    id: 'MSG-1',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} introduction; sample (BeginSendMessage)`,
    text: 'An application sends an instant message on an Active flow and it goes to the remote participant.',
  },
  {
    id: 'MSG-2',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'An incoming message in a supported format raises MessageReceived with its body and content type.',
  },
  {
    id: 'MSG-3',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (table, ConsumedLocally); 200 from RFC 3428`,
    text: 'In ConsumedLocally mode an incoming message counts as consumed on delivery and is answered 200 at once.',
  },
  {
    id: 'MSG-4',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (table, ProxiedToRemoteEntity); 202 from RFC 3428`,
    text: 'In ProxiedToRemoteEntity mode an incoming message is only accepted (202); its delivery outcome comes later.',
  },
  {
    id: 'MSG-5',
    group: 'messaging',
    kind: 'inferred',
    strength: 'should',
    source: `${GUIDE} § SupportedFormats; 415 from SIP`,
    text: 'An incoming message whose content type is not supported is refused (415) and raises no MessageReceived.',
  },
  {
    id: 'MSG-6',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (messages are serialized)`,
    text: 'Proxied messages are handled one after another, in the order they arrived.',
  },
  // Delivery notifications
  {
    id: 'DN-1',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'In ProxiedToRemoteEntity mode every received message is owed one delivery notification, success or failure, sent by the application.',
  },
  {
    id: 'DN-2',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4 (BeginSendFailureDeliveryNotification(InstantMessageId, Int32)); SIP failure classes`,
    text: 'A failure notification carries a response code, which must be a SIP failure code (400 to 699); another value is an invalid argument.',
  },
  {
    id: 'DN-3',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'exactly one notification per message (domain brief, ProxiedToRemoteEntity)',
    text: 'A second notification for the same message is refused as an invalid operation.',
  },
  {
    id: 'DN-4',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA ArgumentException convention',
    text: 'A notification naming a message the flow did not deliver to the application is refused as an invalid argument.',
  },
  {
    id: 'DN-5',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'domain brief (notification on a ConsumedLocally flow)',
    text: 'Sending a delivery notification on a ConsumedLocally flow is refused as an invalid operation.',
  },
  {
    id: 'DN-6',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (DeliveryNotificationReceived)`,
    text: 'An incoming delivery notification raises DeliveryNotificationReceived.',
  },
  {
    id: 'DN-7',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4`,
    text: 'Notifications the application never sends can leak memory.',
    untestable:
      'A leak is not observable through the adapter contract; DN-1 checks the obligation itself.',
  },
  {
    id: 'DN-8',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'A proxying application must register for MessageReceived.',
    untestable: 'An obligation of the application, not of the platform under test.',
  },
  // Local composing
  {
    id: 'LC-1',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Setting the local composing state to Composing sends a Typing notification to the remote participant.',
  },
  {
    id: 'LC-2',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (three seconds); ${GUIDE} § Composing notifications (five seconds)`,
    text: 'While Composing, the platform repeats the Typing notification once every refresh period.',
    contradiction: 'C1',
  },
  {
    id: 'LC-3',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'Composing not set again within the composing time-out reverts to Idle by itself.',
  },
  {
    id: 'LC-4',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'Setting Composing again before the time-out starts the time-out over.',
  },
  {
    id: 'LC-5',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'The revert may lag the time-out by up to the tolerance window, and no later.',
    contradiction: 'C2',
  },
  {
    id: 'LC-6',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2 (cannot set Idle); ${GUIDE} § Composing notifications and sample (sets Idle)`,
    text: 'Whether the application may set Idle is a profile choice; where it may, Idle stops the refreshes.',
    contradiction: 'C3',
  },
  {
    id: 'LC-7',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (Idle notification); ${GUIDE} § Composing notifications (stops sending)`,
    text: 'Whether an Idle notification goes on the wire when composing ends is a profile choice.',
    contradiction: 'C4',
  },
  {
    id: 'LC-8',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Sending a message while composing resets the local state to Idle and stops the refreshes.',
    contradiction: 'C6',
  },
  {
    id: 'LC-9',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Setting the local composing state raises no RemoteComposingStateChanged event.',
  },
  {
    id: 'LC-10',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'contradiction C2 (time-out may be shorter than the refresh period)',
    text: 'A refresh falling at or after the time-out is not sent: the time-out wins.',
    contradiction: 'C2',
  },
  {
    id: 'LC-11',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LC-2',
    text: 'No Typing refresh is sent while the local state is Idle.',
  },
  {
    id: 'LC-12',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'RFC 3994 (refresh on state change only)',
    text: 'Setting Composing while already Composing sends no extra notification and keeps the refresh cadence.',
  },
  {
    id: 'LC-13',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LC-4 and LC-5',
    text: 'Setting Composing while the revert is still pending cancels the revert and starts a fresh time-out and refresh cadence.',
  },
  {
    id: 'LC-14',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications`,
    text: 'Composing notifications travel to the remote endpoint as SIP INFO requests.',
    untestable:
      'The kit sees composing notifications as the adapter reports them, not the SIP method that carries them.',
  },
  // Remote composing
  {
    id: 'RC-1',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications`,
    text: 'RemoteComposingStateChanged is raised only when a composing notification arrives from the remote participant.',
  },
  {
    id: 'RC-2',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications (six seconds)`,
    text: 'Without a composing notification for six seconds the remote participant is presumed idle; no event marks it, and the next Typing raises the event again.',
  },
  {
    id: 'RC-3',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (no event on Idle); ${GUIDE} § Composing notifications (event on arrival)`,
    text: 'Whether an arriving Idle notification raises RemoteComposingStateChanged is a profile choice.',
    contradiction: 'C5',
  },
  {
    id: 'RC-4',
    group: 'remote-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'StateChanged semantics',
    text: 'Typing refreshes while the remote is already composing raise no further event.',
  },
  // MCU session
  {
    id: 'MCU-1',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 1`,
    text: 'The MCU session goes from Idle to Active once its conference session has joined and the MCU is activated.',
  },
  {
    id: 'MCU-2',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 1`,
    text: 'The MCU session may become Active before or after the BeginJoin callback; both orders conform.',
    contradiction: 'C8',
  },
  {
    id: 'MCU-3',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 2`,
    text: 'Joining a conference without an MCU of this type moves the session from Idle to Terminated.',
  },
  {
    id: 'MCU-4',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 3`,
    text: 'An MCU failover detected by the focus moves Active to Retrying and ends the existing call with that MCU.',
  },
  {
    id: 'MCU-5',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 3`,
    text: 'A reconnection of the conference session to the focus moves Active to Retrying but keeps the MCU call.',
  },
  {
    id: 'MCU-6',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4`,
    text: 'Retrying returns to Active when the failover completes.',
  },
  {
    id: 'MCU-7',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4`,
    text: 'Retrying returns to Active when the focus is reconnected and the MCU is active.',
  },
  {
    id: 'MCU-8',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4; McuSession.State page (domain brief)`,
    text: 'A focus reconnection while the MCU is not active does not make the session Active; where it goes is a profile choice.',
    contradiction: 'C7',
  },
  {
    id: 'MCU-9',
    group: 'mcu-session',
    kind: 'inferred',
    strength: 'should',
    source: 'domain brief (the session ends when the conference is left)',
    text: 'Leaving the conference terminates the MCU session; a terminated session cannot join again.',
  },
  {
    id: 'MCU-10',
    group: 'mcu-session',
    kind: 'inferred',
    strength: 'should',
    source: 'McuSession StateChanged event',
    text: 'Every change of MCU session state raises StateChanged with the new state.',
  },
];

/** Where the pages disagree, and the profile option that picks a reading. */
export interface Contradiction {
  readonly id: string;
  readonly topic: string;
  readonly readings: readonly {
    readonly source: string;
    readonly reading: string;
    readonly value: string;
  }[];
  /** `timing.x` or `options.x`; absent where every reading is accepted at once. */
  readonly option?: string;
  readonly defaultValue: string;
  readonly why: string;
}

export const contradictions: readonly Contradiction[] = [
  {
    id: 'C1',
    topic: 'Refresh period of Typing while composing',
    option: 'timing.refreshPeriodMs',
    readings: [
      { source: FLOW, reading: 'refresh every three seconds', value: '3000' },
      { source: GUIDE, reading: 'refresh every five seconds', value: '5000' },
    ],
    defaultValue: '5000',
    why: 'The guide page carries the sample and its six-second rule only makes sense with a five-second refresh.',
  },
  {
    id: 'C2',
    topic: 'Composing time-out against refresh period, and how late the revert may be',
    option: 'timing.revertToleranceMs',
    readings: [
      {
        source: FLOW,
        reading: 'several seconds may pass after the time-out before Idle',
        value: '0..10000',
      },
      {
        source: GUIDE,
        reading: 'three-second default time-out, shorter than the refresh period',
        value: 'time-out wins (LC-10)',
      },
    ],
    defaultValue: '2000',
    why: '"Several seconds" has no bound; two seconds is the smallest reading of "several" that a real server meets.',
  },
  {
    id: 'C3',
    topic: 'May the application set the local state to Idle?',
    option: 'options.explicitIdle',
    readings: [
      { source: FLOW, reading: 'the application cannot set Idle', value: 'rejected' },
      {
        source: GUIDE,
        reading: 'setting Idle stops the refreshes (and the sample does it)',
        value: 'allowed',
      },
    ],
    defaultValue: 'allowed',
    why: 'The sample code sets Idle; applications follow samples.',
  },
  {
    id: 'C4',
    topic: 'Does an Idle notification go on the wire when composing ends?',
    option: 'options.idleNotification',
    readings: [
      {
        source: FLOW,
        reading: 'setting the state results in a Typing or Idle notification',
        value: 'sent',
      },
      {
        source: GUIDE,
        reading: 'the platform stops sending composing notifications',
        value: 'not-sent',
      },
    ],
    defaultValue: 'not-sent',
    why: 'The six-second rule for the remote side exists because no Idle is sent.',
  },
  {
    id: 'C5',
    topic: 'Does an arriving Idle notification raise RemoteComposingStateChanged?',
    option: 'options.remoteIdleEvent',
    readings: [
      {
        source: GUIDE,
        reading: 'the event is raised when a composing notification arrives',
        value: 'raised',
      },
      {
        source: FLOW,
        reading: 'the event is not raised when the state is set to Idle',
        value: 'not-raised',
      },
    ],
    defaultValue: 'raised',
    why: 'Follows the guide page, consistently with C3 and C4.',
  },
  {
    id: 'C6',
    topic: 'Does sending a message end composing with or without an Idle notification?',
    option: 'options.sendWhileComposing',
    readings: [
      {
        source: FLOW,
        reading: 'the state is reset to Idle (and Idle is a notification)',
        value: 'idle-notification',
      },
      { source: GUIDE, reading: 'the platform stops sending and sets Idle', value: 'message-only' },
    ],
    defaultValue: 'message-only',
    why: 'The message itself tells the remote that typing ended (as in RFC 3994).',
  },
  {
    id: 'C7',
    topic: 'MCU session after a focus reconnect while the MCU is not active',
    option: 'options.focusReconnectWithoutMcu',
    readings: [
      {
        source: MCU,
        reading: 'the state does not change to Active (stays Retrying)',
        value: 'stay-retrying',
      },
      {
        source: 'McuSession.State page (domain brief)',
        reading: 'the session goes back to Idle',
        value: 'back-to-idle',
      },
    ],
    defaultValue: 'back-to-idle',
    why: 'The McuSession.State page describes the shipped API; the diagram text is older.',
  },
  {
    id: 'C8',
    topic: 'Idle to Active before or after the BeginJoin callback',
    readings: [
      { source: MCU, reading: 'before the callback', value: 'before' },
      { source: MCU, reading: 'after the callback', value: 'after' },
    ],
    defaultValue: 'both',
    why: 'The page allows both orders, so the model accepts both and tests both; no option is needed.',
  },
];

export function findRequirement(id: string): Requirement | undefined {
  return requirements.find((requirement) => requirement.id === id);
}
