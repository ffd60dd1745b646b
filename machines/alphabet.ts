/**
 * The model's alphabet: the stimuli a tester can apply and the outputs an implementation can
 * produce. Everything here is plain JSON so that traces can be stored and replayed anywhere.
 */

export type ConsumptionMode = 'consumed-locally' | 'proxied-to-remote-entity';
export type FlowState = 'idle' | 'active' | 'terminated';
export type ComposingState = 'idle' | 'composing';
export type McuState = 'idle' | 'active' | 'retrying' | 'terminated';

/** What the application passes to Initialize, inside the configuration window or outside it. */
export interface TemplateSpec {
  readonly consumptionMode?: ConsumptionMode;
  readonly composingTimeoutMs?: number;
  readonly supportedFormats?: readonly string[];
}

export const PLAIN_TEXT = 'text/plain';
/** A content type no template in the model lists, used to exercise SupportedFormats. */
export const UNSUPPORTED_FORMAT = 'application/x-imflow-unsupported';

/** Stimuli from the application through the implementation's API. */
export type ApplicationStimulus =
  /** Establish the call; inside the configuration handler, Initialize with `template` if given. */
  | { readonly type: 'app.establish'; readonly template: TemplateSpec | null }
  /** Call Initialize outside the configuration handler. */
  | { readonly type: 'app.initialize'; readonly template: TemplateSpec }
  | { readonly type: 'app.send'; readonly body: string; readonly contentType: string }
  | { readonly type: 'app.setComposing' }
  | { readonly type: 'app.setIdle' }
  /** `message` is the 1-based arrival index of a received message. */
  | { readonly type: 'app.deliverySuccess'; readonly message: number }
  | { readonly type: 'app.deliveryFailure'; readonly message: number; readonly code: number }
  | { readonly type: 'app.terminate' };

/** Stimuli from the remote participant's side of the wire. */
export type RemoteStimulus =
  | { readonly type: 'remote.message'; readonly body: string; readonly contentType: string }
  | { readonly type: 'remote.typing' }
  | { readonly type: 'remote.idle' }
  /** A delivery notification for the `message`-th message this side sent (1-based). */
  | {
      readonly type: 'remote.deliveryNotification';
      readonly message: number;
      readonly status: 'success' | 'failure';
      readonly code?: number;
    }
  | { readonly type: 'remote.bye' };

/** Stimuli from the conference focus and MCU (the server side of a conference). */
export type ConferenceStimulus =
  | { readonly type: 'conf.join'; readonly imMcu: boolean }
  | { readonly type: 'conf.leave' }
  | { readonly type: 'server.joinCompleted' }
  | { readonly type: 'server.mcuActivated' }
  | { readonly type: 'server.mcuFailover' }
  | { readonly type: 'server.focusReconnecting' }
  | { readonly type: 'server.failoverCompleted' }
  | { readonly type: 'server.focusReconnected'; readonly mcuActive: boolean };

/** Every conference stimulus, for adapters that have no conference to drive (a SIP endpoint). */
export const conferenceStimulusTypes = [
  'conf.join',
  'conf.leave',
  'server.joinCompleted',
  'server.mcuActivated',
  'server.mcuFailover',
  'server.focusReconnecting',
  'server.failoverCompleted',
  'server.focusReconnected',
] as const satisfies readonly ConferenceStimulus['type'][];

/** Virtual time passes. The kit never advances past the model's next deadline in one step. */
export type ClockStimulus = { readonly type: 'clock.advance'; readonly ms: number };

export type Stimulus = ApplicationStimulus | RemoteStimulus | ConferenceStimulus | ClockStimulus;

/**
 * Moves the implementation may make on its own, within a window the model allows: the kit
 * never sends these, it infers them from what it observes.
 */
export type SpontaneousMove = { readonly type: 'sut.revert' };

/**
 * The ways an implementation may handle a stimulus other than the model's preferred one, where
 * the pages are silent or ambiguous. The kit never sends a choice: the oracle tries each one
 * that applies and keeps the one the implementation's outputs show.
 */
export type BranchChoice =
  /** A Typing refresh falls at the time-out instant or inside the revert window, and goes out. */
  | 'refreshSent'
  /** The operation is neither carried out nor refused: nothing at all happens. */
  | 'ignored'
  /** The operation is refused, but with the other error kind than the one the rule names. */
  | 'otherRefusal'
  /** A message in a content type the template does not list is consumed as a supported one. */
  | 'formatAccepted'
  /** Composing set again inside the revert window restarts the time-out, keeping the cadence. */
  | 'cadenceKept'
  /** Composing set again inside the revert window starts over with a Typing, as a first set. */
  | 'restartedAsNew'
  /** A known fault: the call was established without offering its flow for configuration. */
  | 'withoutConfigurationEvent'
  /** A failure code outside 400 to 699 is accepted and sent. */
  | 'anyCodeAccepted'
  /** Terminating the call puts no BYE on the wire. */
  | 'noBye'
  /** The platform applied no six-second presumption of its own before this notification. */
  | 'noPresumption'
  /** A failover before the BeginJoin callback finds no call with the MCU to end. */
  | 'noMcuCall'
  /** Leaving the conference reports the end of the call with the MCU. */
  | 'mcuCallEnded'
  /** The session reaches Terminated at the join itself, before the BeginJoin callback. */
  | 'terminatedAtJoin';

export const branchChoices: readonly BranchChoice[] = [
  'refreshSent',
  'ignored',
  'otherRefusal',
  'formatAccepted',
  'cadenceKept',
  'restartedAsNew',
  'withoutConfigurationEvent',
  'anyCodeAccepted',
  'noBye',
  'noPresumption',
  'noMcuCall',
  'mcuCallEnded',
  'terminatedAtJoin',
];

/** A stimulus the implementation handled in an allowed, non-preferred way. */
export type ChosenBranch = Stimulus & { readonly choice: BranchChoice };

export type ModelEvent = Stimulus | SpontaneousMove | ChosenBranch;

const CHOICE_SEPARATOR = '#';

/** The name of a model event in a recorded branch: its type, and its choice if it has one. */
export function branchName(event: ModelEvent): string {
  return 'choice' in event ? `${event.type}${CHOICE_SEPARATOR}${event.choice}` : event.type;
}

/**
 * The model event a recorded branch name stands for, given the step's stimulus: the stimulus
 * itself, the stimulus with a choice, or a spontaneous move. The inverse of `branchName`.
 */
export function branchEvent(stimulus: Stimulus, name: string): ModelEvent {
  if (name === stimulus.type) return stimulus;
  const [type, choice] = name.split(CHOICE_SEPARATOR);
  if (type === stimulus.type && branchChoices.includes(choice as BranchChoice)) {
    return { ...stimulus, choice: choice as BranchChoice };
  }
  if (name === 'sut.revert') return { type: 'sut.revert' };
  throw new Error(
    `"${name}" is not a model event of a step whose stimulus is ${stimulus.type}; expected ${stimulus.type}, ${stimulus.type}${CHOICE_SEPARATOR}<choice> or sut.revert.`,
  );
}

export type ErrorKind = 'invalid-operation' | 'invalid-argument';

/** Events the implementation raises to the application. */
export type ApplicationEvent =
  | { readonly channel: 'event'; readonly name: 'flowConfigurationRequested' }
  | { readonly channel: 'event'; readonly name: 'flowStateChanged'; readonly state: FlowState }
  | {
      readonly channel: 'event';
      readonly name: 'messageReceived';
      readonly body: string;
      readonly contentType: string;
    }
  | {
      readonly channel: 'event';
      readonly name: 'deliveryNotificationReceived';
      readonly message: number;
      readonly status: 'success' | 'failure';
      readonly code?: number;
    }
  | {
      readonly channel: 'event';
      readonly name: 'remoteComposingStateChanged';
      readonly state: ComposingState;
    }
  | { readonly channel: 'event'; readonly name: 'mcuStateChanged'; readonly state: McuState }
  | { readonly channel: 'event'; readonly name: 'joinCompleted' };

/** What the implementation puts on the wire to the remote party (or to the conference MCU). */
export type WireOutput =
  | {
      readonly channel: 'wire';
      readonly kind: 'message';
      readonly body: string;
      readonly contentType: string;
    }
  | { readonly channel: 'wire'; readonly kind: 'composing'; readonly state: 'typing' | 'idle' }
  /** The answer to the `message`-th received message: 200 consumed, 202 accepted, 415 refused. */
  | {
      readonly channel: 'wire';
      readonly kind: 'response';
      readonly message: number;
      readonly code: number;
    }
  | {
      readonly channel: 'wire';
      readonly kind: 'deliveryNotification';
      readonly message: number;
      readonly status: 'success' | 'failure';
      readonly code?: number;
    }
  | { readonly channel: 'wire'; readonly kind: 'bye' }
  | { readonly channel: 'wire'; readonly kind: 'mcuCallTerminated' };

/** An operation the implementation refused. */
export type ErrorOutput = {
  readonly channel: 'error';
  readonly operation: Stimulus['type'];
  readonly kind: ErrorKind;
};

export type Output = ApplicationEvent | WireOutput | ErrorOutput;

/** State the implementation reports when asked, compared after every step. */
export interface Queries {
  readonly flowState?: FlowState;
  readonly localComposingState?: ComposingState;
  readonly mcuState?: McuState;
}

/** A stable text form of an output, used to compare multisets and to print them. */
export function formatOutput(output: Output): string {
  const { channel, ...rest } = output;
  const head = 'name' in rest ? rest.name : 'kind' in rest ? rest.kind : '';
  const details = Object.entries(rest)
    .filter(([key]) => key !== 'name' && key !== 'kind')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  if (channel === 'error') return `error ${output.kind} from ${output.operation}`;
  return `${channel} ${head}${details.length > 0 ? ` ${details.join(' ')}` : ''}`;
}
