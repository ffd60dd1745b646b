/**
 * The requirement catalogue: every behavioural rule of the three source pages, paraphrased in
 * one line, with a stable ID, its source and the sentence it rests on. `inferred` rules fill
 * gaps where the pages are silent; they say so, and where they come from.
 *
 * Strength: `must` only where a sentence of the pages makes the rule (or where the rule is a
 * profile choice between readings of the pages, which the implementation declares); every
 * inferred rule is a `should`.
 */

import type { WireOutput } from './alphabet.ts';

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
  /**
   * The sentence of the pages the rule rests on, paraphrased; for an inferred rule, what the
   * pages say (or leave unsaid) around it.
   */
  readonly basis: string;
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
  /**
   * Set on an untestable rule that a check on the wire can test (`check --wire`), where the
   * kit reads the SIP itself: the wire outputs whose every sighting exercises it.
   */
  readonly testableOnTheWire?: { readonly channel: 'wire'; readonly kind: WireOutput['kind'] };
}

const FLOW = '000_21821d2bf417cfca.txt';
const GUIDE = '001_73ab521b10cc89e0.txt';
const MCU = '003_f7161f39d6c79371.txt';

export const requirements: readonly Requirement[] = [
  {
    id: 'LIFE-1',
    group: 'flow-lifecycle',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample comments)`,
    text: 'A flow is Idle, Active or Terminated, and StateChanged reports every change of state.',
    basis:
      'The sample registers for StateChanged and its comment lists Idle, Active and Terminated as the flow states.',
  },
  {
    id: 'LIFE-2',
    group: 'flow-lifecycle',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample comments)`,
    text: 'An Active flow is ready to send and receive messages.',
    basis: 'The sample comment says an Active flow is ready to carry media.',
  },
  {
    id: 'LIFE-3',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief, Exceptions)',
    text: 'Before the call is established there is no flow: every flow operation is refused as an invalid operation; refusing it as an invalid argument, or accepting it without any effect, gets an advisory.',
    basis:
      'The pages never describe an operation before establishment; the refusal is the UCMA convention for an operation the state does not allow.',
  },
  {
    id: 'LIFE-4',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'MediaFlowState Terminated (domain brief)',
    text: 'Terminating the call makes the flow Terminated and raises StateChanged.',
    basis:
      'The sample lists Terminated as a state; that ending the call leads there is the MediaFlow convention, not a sentence of the pages.',
  },
  {
    id: 'LIFE-5',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'MediaFlowState Terminated (domain brief); SIP BYE',
    text: 'When the remote party ends the call, the flow becomes Terminated and raises StateChanged.',
    basis: 'As LIFE-4, from the remote side.',
  },
  {
    id: 'LIFE-6',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief, Exceptions)',
    text: 'Terminated is final: every operation on a terminated flow is refused as an invalid operation and nothing more is sent or raised; the other error kind, or accepting without any effect, gets an advisory.',
    basis:
      'The pages say nothing of a terminated flow; finality and the refusal are UCMA conventions.',
  },
  {
    id: 'LIFE-7',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LIFE-6',
    text: 'Terminating stops every composing timer: no refresh or revert output follows.',
    basis: 'Follows from finality (LIFE-6).',
  },
  {
    id: 'LIFE-8',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'SIP BYE (domain brief, the wire)',
    text: 'Terminating the call tells the remote party (a BYE on the wire); an implementation that shows none gets an advisory.',
    basis:
      'The pages never mention how the remote learns the call ended; a BYE is how SIP ends a dialog.',
  },
  {
    id: 'LIFE-9',
    group: 'flow-lifecycle',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief, Exceptions)',
    text: 'Establishing a call that is already established is refused as an invalid operation; the other error kind, or doing nothing, gets an advisory.',
    basis: 'The pages never mention a second establish.',
  },
  {
    id: 'CONF-1',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'A flow has no public constructor; it is configured by copying a template into it with Initialize.',
    basis:
      'The template section says the flow has no public constructor and takes its settings from a template copied in by Initialize.',
  },
  {
    id: 'CONF-2',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'Initialize takes effect only inside the handler of the configuration-requested event.',
    basis:
      'The template section says the initialization must happen inside the handler of the configuration-requested event.',
  },
  {
    id: 'CONF-3',
    group: 'configuration',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA InvalidOperationException convention (domain brief)',
    text: 'Initialize called outside the configuration handler is refused as an invalid operation and the flow keeps its settings; the other error kind, or accepting it without effect, gets an advisory (taking effect breaks CONF-2).',
    basis:
      'The page says where Initialize must be called, not what happens elsewhere; the refusal is the UCMA convention.',
  },
  {
    id: 'CONF-4',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Creating and manipulating an IM media flow (sample)`,
    text: 'Establishing the call raises the configuration-requested event for the new flow, to a handler registered beforehand.',
    basis:
      'The sample registers the configuration-requested handler before establishing and receives the new flow in it.',
  },
  {
    id: 'CONF-5',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate (table)`,
    text: 'The consumption mode is ConsumedLocally unless the template chooses ProxiedToRemoteEntity.',
    basis: 'Both pages name ConsumedLocally the default consumption mode.',
  },
  {
    id: 'CONF-6',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (idle time-out paragraph)`,
    text: 'The composing time-out defaults to three seconds and a flow template may set a longer one.',
    basis:
      'The guide gives three seconds as the default idle time-out and lets flow settings make it longer.',
  },
  {
    id: 'CONF-7',
    group: 'configuration',
    kind: 'inferred',
    strength: 'should',
    source: 'ComposingTimeoutValue maximum 30 s (domain brief, template)',
    text: 'A template whose composing time-out is outside 1 ms to 30 s (or not a whole number of ms) is refused as an invalid argument and the flow keeps its defaults; the other error kind, or dropping the template silently, gets an advisory.',
    basis:
      'The pages give no range; the 30-second maximum comes from the API reference (domain brief).',
  },
  {
    id: 'CONF-8',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (SupportedFormats)`,
    text: 'SupportedFormats lists the content types the application consumes from the flow.',
    basis:
      'The guide says SupportedFormats lists the content types the application can consume from the flow.',
  },
  {
    id: 'CONF-9',
    group: 'configuration',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (InstantMessagingSettings)`,
    text: 'Platform-wide IM settings supply a template whose values every new flow starts from.',
    basis:
      'The guide says InstantMessagingSettings gives global settings for IM flows through a template.',
    untestable:
      'A platform setting, outside one flow and outside the adapter contract; the profile timing.composingTimeoutMs stands for its time-out.',
  },
  {
    id: 'MSG-1',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} introduction; sample (BeginSendMessage)`,
    text: 'An application sends an instant message on an Active flow and it goes to the remote participant.',
    basis: 'The guide says the flow offers methods to send messages, and the sample sends one.',
  },
  {
    id: 'MSG-2',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'An incoming message in a supported format raises MessageReceived with its body and content type.',
    basis: 'Both pages name MessageReceived as the event for a received message.',
  },
  {
    id: 'MSG-3',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (table, ConsumedLocally)`,
    text: 'In ConsumedLocally mode an incoming message counts as consumed as soon as it is delivered.',
    basis: 'The table says a ConsumedLocally message is consumed as soon as it is delivered.',
  },
  {
    id: 'MSG-4',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (table, ProxiedToRemoteEntity)`,
    text: 'In ProxiedToRemoteEntity mode an incoming message is only accepted; its delivery outcome comes later.',
    basis:
      'The table says a proxied message goes on to a remote entity and its outcome is known only later.',
  },
  {
    id: 'MSG-7',
    group: 'messaging',
    kind: 'inferred',
    strength: 'should',
    source: 'RFC 3428 final responses (domain brief, the wire)',
    text: 'The wire answer to an incoming message is 200 when it is consumed locally and 202 when it is proxied.',
    basis:
      "The pages name no response codes; 200 (delivered) and 202 (accepted by a relay) are RFC 3428's.",
  },
  {
    id: 'MSG-5',
    group: 'messaging',
    kind: 'inferred',
    strength: 'should',
    source: `${GUIDE} § SupportedFormats; 415 from SIP`,
    text: 'An incoming message whose content type is not supported is refused (415) and raises no MessageReceived; consuming it as a supported one gets an advisory.',
    basis:
      "The guide says what SupportedFormats lists, not what happens to another type; 415 is SIP's answer for an unsupported type.",
  },
  {
    id: 'MSG-6',
    group: 'messaging',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (messages are serialized)`,
    text: 'Proxied messages are handled one after another, in the order they arrived; whether the next is raised only once the previous one is notified is a profile choice.',
    basis: 'The guide says proxied messages are serialized, which may cost performance.',
    contradiction: 'C11',
  },
  {
    id: 'DN-1',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4; ${GUIDE} § InstantMessagingFlowTemplate`,
    text: 'In ProxiedToRemoteEntity mode every received message is owed one delivery notification, success or failure, sent by the application.',
    basis:
      'Both pages say a proxying application must send a success or failure delivery notification for each received message.',
  },
  {
    id: 'DN-2',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4 (BeginSendFailureDeliveryNotification(InstantMessageId, Int32))`,
    text: 'A failure notification carries the response code the application gives, and that code goes on the wire with it.',
    basis: 'The reference page names the failure method with a message id and an Int32 code.',
  },
  {
    id: 'DN-9',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'SIP failure classes 4xx to 6xx (domain brief)',
    text: 'A failure code outside 400 to 699 is refused as an invalid argument; accepting it gets an advisory.',
    basis: 'The API takes any Int32; that only SIP failure codes make sense is inferred from SIP.',
  },
  {
    id: 'DN-3',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'exactly one notification per message (domain brief, ProxiedToRemoteEntity)',
    text: 'A second notification for the same message is refused as an invalid operation; the other error kind, or accepting it without sending anything, gets an advisory.',
    basis:
      'The pages ask for a notification on each message; "exactly one" and the refusal are inferred.',
  },
  {
    id: 'DN-4',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'UCMA ArgumentException convention',
    text: 'A notification naming a message the flow did not deliver to the application is refused as an invalid argument; the other error kind, or accepting it without sending anything, gets an advisory.',
    basis: 'The pages say nothing of unknown message ids.',
  },
  {
    id: 'DN-5',
    group: 'delivery-notifications',
    kind: 'inferred',
    strength: 'should',
    source: 'domain brief (notification on a ConsumedLocally flow)',
    text: 'Sending a delivery notification on a ConsumedLocally flow is refused as an invalid operation; the other error kind, or accepting it without sending anything, gets an advisory.',
    basis: 'The pages tie notifications to proxied flows only; the refusal elsewhere is inferred.',
  },
  {
    id: 'DN-6',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § InstantMessagingFlowTemplate (DeliveryNotificationReceived)`,
    text: 'An incoming delivery notification raises DeliveryNotificationReceived.',
    basis:
      'The guide says the flow raises DeliveryNotificationReceived when a delivery notification arrives.',
  },
  {
    id: 'DN-7',
    group: 'delivery-notifications',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 4`,
    text: 'Notifications the application never sends can leak memory.',
    basis: 'The reference page warns that unsent notifications can leak memory.',
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
    basis: 'Both pages oblige a proxying application to register for MessageReceived.',
    untestable: 'An obligation of the application, not of the platform under test.',
  },
  {
    id: 'LC-1',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Setting the local composing state to Composing sends a Typing notification to the remote participant.',
    basis: 'Both pages say setting Composing leads to Typing notifications to the remote.',
  },
  {
    id: 'LC-2',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (three seconds); ${GUIDE} § Composing notifications (five seconds)`,
    text: 'While Composing, the platform repeats the Typing notification once every refresh period.',
    basis: 'One page says Typing is refreshed every three seconds, the other every five.',
    contradiction: 'C1',
  },
  {
    id: 'LC-3',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'Composing not set again within the composing time-out reverts to Idle by itself.',
    basis:
      'The reference page says Composing reverts to Idle by itself when not set again within the time-out.',
  },
  {
    id: 'LC-4',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'Setting Composing again before the time-out starts the time-out over.',
    basis: 'Same sentence: setting Composing again within the time-out keeps the state.',
  },
  {
    id: 'LC-5',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2`,
    text: 'The revert may lag the time-out by up to the tolerance window, and no later.',
    basis:
      'The reference page says several seconds may pass after the time-out before the state reads Idle.',
    contradiction: 'C2',
  },
  {
    id: 'LC-6',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 2 (cannot set Idle); ${GUIDE} § Composing notifications and sample (sets Idle)`,
    text: 'Whether the application may set Idle is a profile choice; where it may, Idle stops the refreshes.',
    basis:
      'One page says the application cannot set Idle; the other, and its sample, set it to stop the refreshes.',
    contradiction: 'C3',
  },
  {
    id: 'LC-7',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (Idle notification); ${GUIDE} § Composing notifications (stops sending)`,
    text: 'Whether an Idle notification goes on the wire when composing ends is a profile choice.',
    basis:
      'One page says setting the state leads to a Typing or Idle notification; the other only that the platform stops sending.',
    contradiction: 'C4',
  },
  {
    id: 'LC-8',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Sending a message while composing resets the local state to Idle and stops the refreshes.',
    basis: 'Both pages say sending a message ends composing and resets the state to Idle.',
    contradiction: 'C6',
  },
  {
    id: 'LC-9',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3; ${GUIDE} § Composing notifications`,
    text: 'Setting the local composing state raises no RemoteComposingStateChanged event.',
    basis: 'Both pages say setting the local state raises no remote composing event.',
  },
  {
    id: 'LC-10',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'contradiction C2 (time-out may be shorter than the refresh period)',
    text: 'A refresh falling at the time-out instant or inside the revert window is not sent: the time-out ends the refreshes. Sending it is allowed, with an advisory.',
    basis:
      'The reference page refreshes until a message is sent or Idle is set, and the state still reads Composing inside the window; that the time-out ends the refreshes is inferred.',
    contradiction: 'C2',
  },
  {
    id: 'LC-11',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LC-2',
    text: 'No Typing refresh is sent while the local state is Idle.',
    basis: 'Follows from LC-2: the refreshes belong to the Composing state.',
  },
  {
    id: 'LC-12',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (getting or setting results in a notification); RFC 3994 (refresh on change only)`,
    text: 'Whether setting Composing while already Composing sends another Typing is a profile choice; either way the refresh cadence is kept.',
    basis:
      'The reference page says getting or setting the state results in a notification; the guide describes only the periodic refresh.',
    contradiction: 'C10',
  },
  {
    id: 'LC-13',
    group: 'local-composing',
    kind: 'inferred',
    strength: 'should',
    source: 'follows from LC-4 and LC-5',
    text: 'Setting Composing while the revert is still pending cancels the revert and starts a fresh time-out and refresh cadence; keeping the running cadence, or starting over with a Typing, gets an advisory.',
    basis:
      'Follows from LC-4 and LC-5: the state still reads Composing, so setting it again keeps it.',
  },
  {
    id: 'LC-14',
    group: 'local-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications`,
    text: 'Composing notifications travel to the remote endpoint as SIP INFO requests.',
    basis: 'The guide says a composing notification is a SIP INFO message.',
    untestable:
      'Through an adapter the kit sees composing notifications as the adapter reports them, not the SIP method that carries them; a check on the wire (check --wire sip) tests it.',
    testableOnTheWire: { channel: 'wire', kind: 'composing' },
  },
  {
    id: 'RC-1',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications`,
    text: 'RemoteComposingStateChanged is raised only when a composing notification arrives from the remote participant.',
    basis:
      'The guide says the event is raised only when the remote participant sends a composing notification.',
  },
  {
    id: 'RC-2',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications (six seconds)`,
    text: "Six seconds without a composing notification is the application's cue to presume the remote idle: guidance to the application, for which the platform raises nothing, and which changes nothing an arriving Idle raises.",
    basis:
      'The guide tells the application to assume the remote idle when no event came for six seconds, since notifications come every five.',
  },
  {
    id: 'RC-3',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${FLOW} ¶ 3 (no event on Idle); ${GUIDE} § Composing notifications (event on arrival)`,
    text: 'Whether an arriving Idle notification raises RemoteComposingStateChanged is a profile choice.',
    basis:
      'One page says the event is not raised when the state is set to Idle; the other that it is raised for each arriving notification.',
    contradiction: 'C5',
  },
  {
    id: 'RC-4',
    group: 'remote-composing',
    kind: 'documented',
    strength: 'must',
    source: `${GUIDE} § Composing notifications (six-second rule); StateChanged semantics`,
    text: 'Whether every arriving composing notification raises the event, or only one that changes the remote state, is a profile choice.',
    basis:
      'The six-second rule only works if each arriving notification raises the event; the name "StateChanged" suggests a change.',
    contradiction: 'C9',
  },
  {
    id: 'RC-5',
    group: 'remote-composing',
    kind: 'inferred',
    strength: 'should',
    source: `${GUIDE} § Composing notifications (six seconds)`,
    text: 'With an event only on a change, a Typing after six seconds of silence raises the event again, as the application presumes the remote idle by then; raising nothing gets an advisory.',
    basis: "The guide's six-second presumption; that the platform follows it is inferred.",
  },
  {
    id: 'MCU-1',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 1`,
    text: 'The MCU session goes from Idle to Active once its conference session has joined and the MCU is activated.',
    basis: 'Item 1: Idle to Active after the conference session joined, when the MCU is activated.',
  },
  {
    id: 'MCU-2',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 1`,
    text: 'The MCU session may become Active before or after the BeginJoin callback; both orders conform.',
    basis: 'Item 1: the session can become Active before or after the BeginJoin callback.',
    contradiction: 'C8',
  },
  {
    id: 'MCU-3',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 2`,
    text: 'Joining a conference without an MCU of this type moves the session from Idle to Terminated, at the join or at the BeginJoin callback.',
    basis: 'Item 2: Idle to Terminated when the conference joined does not support this MCU type.',
  },
  {
    id: 'MCU-4',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 3`,
    text: 'An MCU failover detected by the focus moves Active to Retrying and ends the call with that MCU where it exists (always once the join has completed).',
    basis:
      'Item 3: on a failover UCMA ends the call with the MCU, provided the call already exists.',
  },
  {
    id: 'MCU-5',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 3`,
    text: 'A reconnection of the conference session to the focus moves Active to Retrying but keeps the MCU call.',
    basis: 'Item 3: a reconnection to the focus also leads to Retrying, without ending the call.',
  },
  {
    id: 'MCU-6',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4`,
    text: 'Retrying returns to Active when the failover completes, whatever started Retrying.',
    basis: 'Item 4: Retrying to Active when the failover is complete.',
  },
  {
    id: 'MCU-7',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4`,
    text: 'Retrying returns to Active when the focus is reconnected and the MCU is active, whatever started Retrying.',
    basis:
      'Item 4: Retrying to Active when the session reconnected to the focus and the MCU is active.',
  },
  {
    id: 'MCU-8',
    group: 'mcu-session',
    kind: 'documented',
    strength: 'must',
    source: `${MCU} § state transitions, item 4; McuSession.State page (domain brief)`,
    text: 'A focus reconnection while the MCU is not active does not make the session Active; where it goes is a profile choice.',
    basis: 'Item 4: a reconnection without an active MCU does not make the session Active.',
    contradiction: 'C7',
  },
  {
    id: 'MCU-9',
    group: 'mcu-session',
    kind: 'inferred',
    strength: 'should',
    source: 'domain brief (the session ends when the conference is left)',
    text: 'Leaving the conference terminates the MCU session (reporting the end of the MCU call or not); a terminated session cannot join again.',
    basis: 'The pages never mention leaving a conference.',
  },
  {
    id: 'MCU-10',
    group: 'mcu-session',
    kind: 'inferred',
    strength: 'should',
    source: 'McuSession StateChanged event',
    text: 'Every change of MCU session state raises StateChanged with the new state.',
    basis:
      'The page shows the state transitions; that each raises StateChanged is the UCMA convention.',
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
    defaultValue: '5000',
    why: '"Several seconds" has no bound; several is more than a couple, so five seconds, the guide\'s refresh period, is the default; a refresh at the time-out instant or inside the window is allowed (LC-10, an advisory).',
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
    id: 'C9',
    topic:
      'Is RemoteComposingStateChanged raised for every arriving notification, or only on a change?',
    option: 'options.remoteComposingEvent',
    readings: [
      {
        source: GUIDE,
        reading: 'the six-second rule needs an event for every notification',
        value: 'every-notification',
      },
      {
        source: 'StateChanged semantics (domain brief)',
        reading: 'an event reports a change of state',
        value: 'on-change',
      },
    ],
    defaultValue: 'every-notification',
    why: "The guide's six-second rule only works if each arriving notification raises the event.",
  },
  {
    id: 'C10',
    topic: 'Does setting Composing while already Composing send another Typing?',
    option: 'options.composingAgainNotification',
    readings: [
      {
        source: FLOW,
        reading: 'getting or setting the state results in a notification',
        value: 'sent',
      },
      {
        source: GUIDE,
        reading: 'the platform refreshes Typing on its own cadence',
        value: 'not-sent',
      },
    ],
    defaultValue: 'not-sent',
    why: 'The guide describes only the periodic refresh, consistently with C1 and C4.',
  },
  {
    id: 'C11',
    topic: 'What "serialized" means for proxied messages',
    option: 'options.proxiedMessages',
    readings: [
      {
        source: GUIDE,
        reading: 'messages are serialized: handled in their order of arrival',
        value: 'in-order',
      },
      {
        source: GUIDE,
        reading:
          'serialized, at a cost in performance: the next waits for the previous notification',
        value: 'one-at-a-time',
      },
    ],
    defaultValue: 'in-order',
    why: 'The sentence requires the order; the hold is a stronger reading it allows but does not state.',
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

/** How an open point is decided. */
export type Resolution = 'profile option' | 'allowed branch' | 'reading' | 'label';

/**
 * A place where the pages are silent or ambiguous and the model once demanded more than they
 * say: what the pages say, paraphrased, and how the model decides it now.
 */
export interface OpenPoint {
  readonly id: string;
  readonly topic: string;
  /** The sentence of the pages the decision rests on, paraphrased. */
  readonly basis: string;
  readonly decision: string;
  readonly resolution: Resolution;
  /** The requirement IDs the decision shapes. */
  readonly rules: readonly string[];
  /** The profile option, where the resolution is one. */
  readonly option?: string;
}

export const openPoints: readonly OpenPoint[] = [
  {
    id: 'OP-1',
    topic: 'Remote composing: an event for every notification, or only on a change',
    basis: `${GUIDE} § Composing notifications: the application should presume the remote idle when no event came for six seconds, because notifications come every five; that only works if every notification raises the event.`,
    decision:
      'C9: ucma-guide and basic take every-notification, ucma-reference on-change. The six-second presumption is guidance to the application (RC-2): the model demands and forbids no output for it, and an Idle arriving after it is judged under options.remoteIdleEvent as any other. With on-change, a Typing after the six seconds may raise the event again (preferred, RC-5) or not (advisory).',
    resolution: 'profile option',
    rules: ['RC-2', 'RC-4', 'RC-5'],
    option: 'options.remoteComposingEvent',
  },
  {
    id: 'OP-2',
    topic: 'MCU failover ends the MCU call only if the call exists',
    basis: `${MCU} item 3: on a failover UCMA ends the call with that MCU, provided that the call already exists.`,
    decision:
      'The call is known to exist once the session is Active and the BeginJoin callback has run: a failover then must report the end of the call. Active before the callback, the call may not exist yet, so a failover without it is allowed (no advisory).',
    resolution: 'allowed branch',
    rules: ['MCU-4'],
  },
  {
    id: 'OP-3',
    topic: 'Setting Composing again while Composing',
    basis: `${FLOW} ¶ 3: getting or setting LocalComposingState results in a Typing or Idle notification to the remote.`,
    decision:
      "Profile option options.composingAgainNotification (C10): ucma-reference sends a Typing on every setting (its page's reading), ucma-guide sends nothing more. The refresh cadence is kept either way.",
    resolution: 'profile option',
    rules: ['LC-12'],
    option: 'options.composingAgainNotification',
  },
  {
    id: 'OP-4',
    topic: 'A refresh at the time-out instant or inside the revert window',
    basis: `${FLOW} ¶ 2 and 3: Typing is refreshed until a message is sent or Idle is set, and several seconds may pass after the time-out before the state reads Idle.`,
    decision:
      'The preferred behaviour ends the refreshes at the time-out (LC-10); a refresh sent at the time-out instant, inside the window or at its end is accepted with an advisory. An implementation whose refresh period equals its time-out passes.',
    resolution: 'allowed branch',
    rules: ['LC-10'],
  },
  {
    id: 'OP-5',
    topic: 'How late the revert may come ("several seconds")',
    basis: `${FLOW} ¶ 2: several seconds can pass after the time-out before the state changes to Idle.`,
    decision:
      'timing.revertToleranceMs stays a profile parameter (0 to 10000); its default is 5000: "several" is more than a couple, and five seconds is the guide\'s refresh period.',
    resolution: 'profile option',
    rules: ['LC-5'],
    option: 'timing.revertToleranceMs',
  },
  {
    id: 'OP-6',
    topic: 'Which completion ends Retrying',
    basis: `${MCU} item 4: Retrying becomes Active when the failover completes, or when the session reconnected to the focus and the MCU is active.`,
    decision:
      'Either completion ends Retrying, whatever started it: the item names two triggers, not two pairs of cause and completion.',
    resolution: 'reading',
    rules: ['MCU-6', 'MCU-7'],
  },
  {
    id: 'OP-7',
    topic: 'Failure codes outside 400 to 699',
    basis: `${FLOW} ¶ 4: the failure notification method takes a message id and an Int32 code.`,
    decision:
      'Allowed branch: refusing the code as an invalid argument is preferred (DN-9); accepting and sending it is an advisory. The code given goes on the wire (DN-2, a must).',
    resolution: 'allowed branch',
    rules: ['DN-2', 'DN-9'],
  },
  {
    id: 'OP-8',
    topic: 'Operations the pages never mention',
    basis:
      'None of the three pages mentions terminating before establishment, a second terminate, a second establish, leaving a conference, or the BYE on the wire.',
    decision:
      'Each is a should with allowed branches: refusing (preferred) or doing nothing for terminate before establishment, a second terminate and a second establish; a terminate without a BYE; leaving a conference with or without reporting the end of the MCU call (no advisory). None fails a flow.',
    resolution: 'allowed branch',
    rules: ['LIFE-3', 'LIFE-6', 'LIFE-8', 'LIFE-9', 'MCU-9'],
  },
  {
    id: 'OP-9',
    topic: 'Conference without the IM MCU: Terminated at the join or at the callback',
    basis: `${MCU} item 2: Idle becomes Terminated when the conference session joins a conference that does not support this MCU type.`,
    decision:
      'Both are allowed without advisory: at the BeginJoin callback (preferred, the join has then happened) or at the join itself.',
    resolution: 'allowed branch',
    rules: ['MCU-3'],
  },
  {
    id: 'OP-10',
    topic: '"Serialized" proxied messages',
    basis: `${GUIDE} § InstantMessagingFlowTemplate: because proxied messages are serialized, application performance may suffer.`,
    decision:
      'Both readings are defensible (C11): in-order (each message raised and answered as it arrives; every built-in profile) or one-at-a-time (a message arriving while another awaits its notification is accepted with 202 at once, raised once that notification is sent, and until then unknown to delivery notifications).',
    resolution: 'profile option',
    rules: ['MSG-6'],
    option: 'options.proxiedMessages',
  },
  {
    id: 'OP-11',
    topic: 'Kind labels that carried inferred content',
    basis:
      'The pages name no SIP response codes, no range for failure codes, and put the six-second presumption on the application.',
    decision:
      'Split: MSG-3/MSG-4 keep the documented consumed/accepted rule, MSG-7 (should) carries the 200/202 codes; DN-2 keeps the documented code carriage, DN-9 (should) the 400 to 699 range; RC-2 is relabelled as guidance to the application, RC-5 (should) carries what the platform may do after the six seconds.',
    resolution: 'label',
    rules: ['MSG-3', 'MSG-4', 'MSG-7', 'DN-2', 'DN-9', 'RC-2', 'RC-5'],
  },
  {
    id: 'OP-12',
    topic: 'Refusals no sentence of the pages asks for',
    basis:
      'The pages say where Initialize must be called and what SupportedFormats lists, and ask for a notification on each proxied message; none of them says what an operation before establishment, after termination, outside the handler, with a time-out out of range, twice for one message, for an unknown message or on a ConsumedLocally flow does.',
    decision:
      "Allowed branch: refusing with the rule's error kind is preferred (UCMA's convention); refusing with the other kind, or accepting the call without any effect, is an advisory. An accepted call must then behave as the model says: a message, notification or template that takes effect afterwards still fails (a terminated flow that sends, Initialize that changes an Active flow's time-out, a second notification on the wire).",
    resolution: 'allowed branch',
    rules: ['LIFE-3', 'LIFE-6', 'LIFE-9', 'CONF-3', 'CONF-7', 'DN-3', 'DN-4', 'DN-5'],
  },
  {
    id: 'OP-13',
    topic: 'A message in a content type the template does not list',
    basis: `${GUIDE} § InstantMessagingFlowTemplate: SupportedFormats lists the content types the application supports for consuming received messages; the page describes the property, not a filter of the platform.`,
    decision:
      'Allowed branch: refusing it with 415 and raising nothing is preferred (MSG-5); consuming it as a supported message (raised, answered 200, or 202 and owed a notification when proxied) is an advisory. Dropping it without an answer is no branch: every SIP request gets a final answer.',
    resolution: 'allowed branch',
    rules: ['MSG-5'],
  },
  {
    id: 'OP-14',
    topic: 'Composing set again once the time-out has passed, before the revert',
    basis: `${FLOW} ¶ 2: Composing reverts unless set again within the time-out, and several seconds may pass after it before the state reads Idle; nothing is said of a setting inside those seconds.`,
    decision:
      'Allowed branch: a fresh time-out and refresh cadence is preferred (LC-13); restarting the time-out on the running cadence, or starting over with a Typing as a first setting does (where a setting again sends none), is an advisory. The refreshes must go on either way (LC-2).',
    resolution: 'allowed branch',
    rules: ['LC-13'],
  },
];

export function findRequirement(id: string): Requirement | undefined {
  return requirements.find((requirement) => requirement.id === id);
}
