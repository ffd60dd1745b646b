/**
 * The adapter for imflow's reference implementation, and the worked example for adapter
 * authors: everything an adapter does is here, in the order a first-time reader needs it.
 *
 * An adapter has three jobs:
 *  1. build a fresh system under test per test case, on the kit's virtual clock;
 *  2. turn each stimulus into calls on the implementation (or, for the remote party and the
 *     conference server, into what those would send);
 *  3. report every output as it happens (`observe`) and answer state queries.
 */
import type {
  Adapter,
  Declarations,
  StimulusPattern,
  SutContext,
  SystemUnderTest,
} from '../conformance/index.ts';
import type { ApplicationStimulus, Profile, Stimulus, TemplateSpec } from '../machines/index.ts';
import {
  type Clock,
  type ConferenceSession,
  Endpoint,
  FocusServer,
  InMemoryNetwork,
  type InstantMessagingCall,
  InstantMessagingFlowTemplate,
  type PlatformSettings,
  type Transport,
  type WireMessage,
} from '../reference/index.ts';

const SUT = 'sut';
const REMOTE = 'remote';

/**
 * Step 0: map the profile being checked onto the implementation's own settings. (The reference's
 * adapter on SIP, adapters/reference-sip.ts, maps it with this function too.)
 */
export function settingsFor(profile: Profile): Partial<PlatformSettings> {
  return {
    refreshPeriodMs: profile.timing.refreshPeriodMs,
    defaultComposingTimeoutMs: profile.timing.composingTimeoutMs,
    // Reverting halfway through the tolerance window lets the tests reach both sides of it:
    // the window still open (Composing may be set again) and the revert inside it.
    revertDelayMs: Math.floor(profile.timing.revertToleranceMs / 2),
    remotePresumedIdleMs: profile.timing.remoteIdleMs,
    explicitIdleAllowed: profile.options.explicitIdle === 'allowed',
    idleNotificationOnWire: profile.options.idleNotification === 'sent',
    idleNotificationOnSend: profile.options.sendWhileComposing === 'idle-notification',
    remoteIdleRaisesEvent: profile.options.remoteIdleEvent === 'raised',
    remoteEventOnEveryNotification: profile.options.remoteComposingEvent === 'every-notification',
    typingOnComposingAgain: profile.options.composingAgainNotification === 'sent',
    proxiedMessagesOneAtATime: profile.options.proxiedMessages === 'one-at-a-time',
    mcuAfterReconnectWithoutMcu: profile.options.focusReconnectWithoutMcu,
  };
}

/**
 * What the adapter declares it cannot do. Like UCMA's, the reference's call has no flow object
 * before it is established, so nothing can call a flow operation then: those stimuli are
 * declared unsupported before establishment instead of being refused here on the
 * implementation's behalf (a refusal made up by the adapter would hide an implementation that
 * accepts them). Terminating is the call's, and the adapter creates the call when it
 * establishes it, so there is no call to terminate before that either.
 */
export const unsupportedBeforeEstablishment: readonly StimulusPattern[] = (
  [
    'app.initialize',
    'app.send',
    'app.setComposing',
    'app.setIdle',
    'app.deliverySuccess',
    'app.deliveryFailure',
    'app.terminate',
  ] as const
).map((type) => ({ type, when: { flowState: 'idle' } }));

const declarations: Declarations = { unsupported: unsupportedBeforeEstablishment };

/** The kit never sends a stimulus declared unsupported; if it did, that is its bug, not a refusal. */
function undeclared(stimulus: Stimulus): Error {
  return new Error(
    `${stimulus.type} before the call is established: the adapter declares it unsupported, so the kit should not send it.`,
  );
}

/**
 * Step 2a: the call's configuration handler, the only place where its flow can be initialized:
 * reports the flow's events and initializes it with `template`, if any. `sentNumber` gives the
 * kit's 1-based number of a message the implementation sent. (The reference's adapter on SIP,
 * adapters/reference-sip.ts, configures its calls with this function too.)
 */
export function offerFlowConfiguration(
  call: InstantMessagingCall,
  template: TemplateSpec | null,
  observe: SutContext['observe'],
  sentNumber: (messageId: string) => number,
): void {
  call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
    observe({ channel: 'event', name: 'flowConfigurationRequested' });
    flow.on('stateChanged', ({ state }) =>
      observe({ channel: 'event', name: 'flowStateChanged', state }),
    );
    flow.on('messageReceived', ({ body, contentType }) =>
      observe({ channel: 'event', name: 'messageReceived', body, contentType }),
    );
    flow.on('deliveryNotificationReceived', ({ messageId, status, code }) =>
      observe({
        channel: 'event',
        name: 'deliveryNotificationReceived',
        message: sentNumber(messageId),
        status,
        ...(code === undefined ? {} : { code }),
      }),
    );
    flow.on('remoteComposingStateChanged', ({ state }) =>
      observe({ channel: 'event', name: 'remoteComposingStateChanged', state }),
    );
    // Initialize is valid only here, inside the handler; a refusal is still an output.
    if (template) {
      try {
        flow.initialize(new InstantMessagingFlowTemplate(template));
      } catch (error) {
        const kind = (error as { kind?: 'invalid-operation' | 'invalid-argument' }).kind;
        if (!kind) throw error;
        observe({ channel: 'error', operation: 'app.establish', kind });
      }
    }
  });
}

/** Message ids by arrival index (received) and by send order (sent): the kit counts from 1. */
export interface MessageNumbers {
  readonly received: string[];
  readonly sent: string[];
}

/**
 * Step 2b: the application's stimuli once a call exists, as calls on the call and its flow.
 * `call` is `undefined` before establishment (those stimuli are declared unsupported then).
 * (The reference's adapter on SIP, adapters/reference-sip.ts, applies them with this too.)
 */
/** The application's stimuli that act on an established call: all but establishing it. */
export function isCallStimulus(
  stimulus: Stimulus,
): stimulus is Exclude<ApplicationStimulus, { type: 'app.establish' }> {
  return stimulus.type.startsWith('app.') && stimulus.type !== 'app.establish';
}

export async function applyToCall(
  stimulus: Exclude<ApplicationStimulus, { type: 'app.establish' }>,
  call: InstantMessagingCall | undefined,
  numbers: MessageNumbers,
): Promise<void> {
  const flow = () => {
    const found = call?.flow;
    if (!found) throw undeclared(stimulus);
    return found;
  };
  const received = (index: number) => numbers.received[index - 1] ?? `never-received-${index}`;
  switch (stimulus.type) {
    case 'app.initialize':
      return flow().initialize(new InstantMessagingFlowTemplate(stimulus.template));
    case 'app.send': {
      const id = await flow().sendInstantMessage({
        contentType: stimulus.contentType,
        body: stimulus.body,
      });
      numbers.sent.push(id);
      return;
    }
    case 'app.setComposing':
      flow().localComposingState = 'composing';
      return;
    case 'app.setIdle':
      flow().localComposingState = 'idle';
      return;
    case 'app.deliverySuccess':
      return flow().sendSuccessDeliveryNotification(received(stimulus.message));
    case 'app.deliveryFailure':
      return flow().sendFailureDeliveryNotification(received(stimulus.message), stimulus.code);
    case 'app.terminate':
      if (!call) throw undeclared(stimulus);
      return call.terminate();
  }
}

class ReferenceSystem implements SystemUnderTest {
  readonly #network = new InMemoryNetwork();
  readonly #focus = new FocusServer(this.#network);
  readonly #endpoint: Endpoint;
  readonly #observe: SutContext['observe'];
  #call: InstantMessagingCall | undefined;
  /** The far end of the call: the kit plays the remote participant through it. */
  #remote: Transport | undefined;
  readonly #numbers: MessageNumbers = { received: [], sent: [] };
  #conference: ConferenceSession | undefined;
  #conferenceUri: string | undefined;

  constructor({ clock, observe, profile }: SutContext) {
    this.#observe = observe;
    this.#endpoint = new Endpoint({
      name: SUT,
      network: this.#network,
      clock: clock as Clock,
      settings: settingsFor(profile),
    });
    // Step 1: watch the wire. Everything the implementation sends to the remote is an output.
    this.#network.onSend((from, _to, message) => {
      if (from === SUT) this.#reportWire(message);
    });
    // The remote participant: accepts the call, answers each message 200 like any client.
    this.#network.attach(REMOTE, (transport) => {
      this.#remote = transport;
      transport.listen({
        message: (message) => {
          if (message.type === 'message')
            transport.send({ type: 'response', id: message.id, code: 200 });
        },
        answered: () => undefined,
      });
      transport.answer();
    });
  }

  #reportWire(message: WireMessage) {
    switch (message.type) {
      case 'message':
        this.#observe({
          channel: 'wire',
          kind: 'message',
          body: message.body,
          contentType: message.contentType,
        });
        return;
      case 'composing':
        this.#observe({ channel: 'wire', kind: 'composing', state: message.state });
        return;
      case 'response':
        this.#observe({
          channel: 'wire',
          kind: 'response',
          message: this.#numbers.received.indexOf(message.id) + 1,
          code: message.code,
        });
        return;
      case 'delivery-notification':
        this.#observe({
          channel: 'wire',
          kind: 'deliveryNotification',
          message: this.#numbers.received.indexOf(message.id) + 1,
          status: message.status,
          ...(message.code === undefined ? {} : { code: message.code }),
        });
        return;
      case 'bye':
        this.#observe({ channel: 'wire', kind: 'bye' });
    }
  }

  // Step 2: one branch per stimulus. Refusals are thrown errors with a `kind`, which the kit
  // records as error outputs; the reference's own errors already carry one.
  async apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): Promise<void> {
    if (isCallStimulus(stimulus)) return applyToCall(stimulus, this.#call, this.#numbers);
    switch (stimulus.type) {
      case 'app.establish':
        return this.#establish(stimulus.template);
      case 'remote.message': {
        const id = `remote-${this.#numbers.received.length + 1}`;
        this.#numbers.received.push(id);
        return this.#fromRemote({
          type: 'message',
          id,
          contentType: stimulus.contentType,
          body: stimulus.body,
        });
      }
      case 'remote.typing':
        return this.#fromRemote({ type: 'composing', state: 'typing' });
      case 'remote.idle':
        return this.#fromRemote({ type: 'composing', state: 'idle' });
      case 'remote.deliveryNotification':
        return this.#fromRemote({
          type: 'delivery-notification',
          id: this.#numbers.sent[stimulus.message - 1] ?? `unknown-${stimulus.message}`,
          status: stimulus.status,
          ...(stimulus.code === undefined ? {} : { code: stimulus.code }),
        });
      case 'remote.bye':
        return this.#fromRemote({ type: 'bye' });
      default:
        return this.#applyConference(stimulus);
    }
  }

  #fromRemote(message: WireMessage) {
    if (!this.#remote) throw new Error('The remote participant has no call to send on.');
    this.#remote.send(message);
  }

  async #establish(template: TemplateSpec | null) {
    // A call is established once: establishing it again is the implementation's to refuse.
    if (this.#call) return this.#call.establish();
    const call = this.#endpoint.createCall(REMOTE);
    this.#call = call;
    offerFlowConfiguration(
      call,
      template,
      this.#observe,
      (id) => this.#numbers.sent.indexOf(id) + 1,
    );
    await call.establish();
  }

  async #applyConference(stimulus: Stimulus) {
    const uri = this.#conferenceUri;
    switch (stimulus.type) {
      case 'conf.join': {
        if (
          this.#conference &&
          this.#conference.instantMessagingMcuSession.state === 'terminated'
        ) {
          // A terminated session cannot join again: the API refuses on the same session.
          return void (await this.#conference.beginJoin(this.#conferenceUri ?? ''));
        }
        const conference = this.#endpoint.createConferenceSession();
        this.#conference = conference;
        this.#conferenceUri = this.#focus.createConference({ imMcu: stimulus.imMcu });
        const mcu = conference.instantMessagingMcuSession;
        mcu.on('stateChanged', ({ state }) =>
          this.#observe({ channel: 'event', name: 'mcuStateChanged', state }),
        );
        mcu.on('mcuCallTerminated', () =>
          this.#observe({ channel: 'wire', kind: 'mcuCallTerminated' }),
        );
        // The BeginJoin callback: reported when it runs, whenever the server completes the join.
        conference.beginJoin(this.#conferenceUri).then(
          () => this.#observe({ channel: 'event', name: 'joinCompleted' }),
          () => undefined,
        );
        return;
      }
      case 'conf.leave':
        return this.#conference?.leave();
      case 'server.joinCompleted':
        return this.#focus.completeJoin(uri);
      case 'server.mcuActivated':
        return this.#focus.activateMcu(uri);
      case 'server.mcuFailover':
        return this.#focus.failoverMcu(uri);
      case 'server.focusReconnecting':
        return this.#focus.focusReconnecting(uri);
      case 'server.failoverCompleted':
        return this.#focus.completeFailover(uri);
      case 'server.focusReconnected':
        return this.#focus.focusReconnected({
          mcuActive: stimulus.mcuActive,
          ...(uri ? { conferenceUri: uri } : {}),
        });
      default:
        throw new Error(`The reference adapter does not know the stimulus ${stimulus.type}.`);
    }
  }

  // Step 3: answer the state queries, and let the in-memory network drain before judging.
  query() {
    const flow = this.#call?.flow;
    return {
      flowState: flow?.state ?? 'idle',
      ...(flow ? { localComposingState: flow.localComposingState } : {}),
      mcuState: this.#conference?.instantMessagingMcuSession.state ?? 'idle',
    };
  }

  settle(): Promise<void> {
    return this.#network.settled();
  }
}

const referenceAdapter: Adapter = {
  name: 'imflow reference implementation',
  profile: 'ucma-guide',
  declarations,
  create: (context) => new ReferenceSystem(context),
};

export default referenceAdapter;
