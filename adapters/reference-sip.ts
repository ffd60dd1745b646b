/**
 * The adapter of imflow's reference implementation on the wire (`imflow check --wire sip`): the
 * kit plays the remote participant over real SIP and observes the wire itself, so this adapter
 * drives only the application side. Per test case it binds a reference {@link Endpoint} on a
 * {@link SipNetwork} at the SIP URI the kit names (`context.wire.endpoint`), on the
 * implementation's own wall clock, and reports only what the application sees: events and
 * refusals.
 *
 * The kit is the caller (the Lync IM conventions on SIP): its INVITE arrives as it applies
 * `app.establish`, and the implementation accepts it there.
 */
import type {
  Adapter,
  Declarations,
  StimulusPattern,
  SutContext,
  SystemUnderTest,
} from '../conformance/index.ts';
import {
  conferenceStimulusTypes,
  type Queries,
  type Stimulus,
  type TemplateSpec,
} from '../machines/index.ts';
import { Endpoint, type InstantMessagingCall, systemClock } from '../reference/index.ts';
import { SipNetwork } from '../reference/sip-transport.ts';
import {
  applyToCall,
  isCallStimulus,
  type MessageNumbers,
  offerFlowConfiguration,
  settingsFor,
  unsupportedBeforeEstablishment,
} from './reference.ts';

/** The wire-mode field of the context; read through this until `SutContext` declares it. */
interface WireContext {
  /** The SIP URI the implementation listens on, e.g. `sip:sut@127.0.0.1:5070`. */
  readonly endpoint: string;
  /** The kit's own SIP URI. */
  readonly remote: string;
}

/** How long `app.establish` waits for the kit's INVITE. */
const INVITE_WAIT_MS = 3000;
/** Bound on `settle()`: past sipstack's transaction time-out (4 s), every request has ended. */
const SETTLE_BOUND_MS = 5000;
/** Bound on waiting for the BYE's answer when a case ends with the call still up. */
const DISPOSE_BYE_WAIT_MS = 500;

const declarations: Declarations = {
  unsupported: [
    ...unsupportedBeforeEstablishment,
    ...conferenceStimulusTypes.map((type): StimulusPattern => ({ type })),
  ],
  queries: ['flowState', 'localComposingState'],
};

function wireOf(context: SutContext): WireContext {
  const wire = (context as SutContext & { wire?: WireContext }).wire;
  if (!wire || typeof wire.endpoint !== 'string') {
    throw new Error(
      'this adapter runs only in wire mode: imflow check --clock real --wire sip --endpoint sip:USER@127.0.0.1:PORT (the kit then hands create() a context.wire with the endpoint URI).',
    );
  }
  return wire;
}

/** User, address and port of a `sip:user@127.0.0.x:port` URI; a clear error for anything else. */
function bindingOf(endpoint: string): { user: string; address: string; port: number } {
  const match = /^sip:([\w.!~*'()-]+)@(127\.\d{1,3}\.\d{1,3}\.\d{1,3}):(\d{1,5})(?:;.*)?$/i.exec(
    endpoint,
  );
  const [, user, address, port] = match ?? [];
  if (!user || !address || !port) {
    throw new Error(
      `the wire endpoint ${JSON.stringify(endpoint)} is not a SIP URI with a user, a loopback address and a port: give --endpoint sip:USER@127.0.0.1:PORT.`,
    );
  }
  return { user, address, port: Number(port) };
}

/** Rejects after `ms` with `message`, unless `work` settles first. */
function bounded<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

class ReferenceOnSip implements SystemUnderTest {
  readonly #network: SipNetwork;
  readonly #endpoint: Endpoint;
  readonly #observe: SutContext['observe'];
  #disposing = false;
  readonly #note: (message: string) => void;
  readonly #uri: string;
  /** The kit's call, once its INVITE arrived; accepted at `app.establish`. */
  #incoming: InstantMessagingCall | undefined;
  #awaitingInvite: ((call: InstantMessagingCall) => void) | undefined;
  #call: InstantMessagingCall | undefined;
  /** Received in arrival order (refused ones too, as the kit counts them) and sent. */
  readonly #numbers: MessageNumbers = { received: [], sent: [] };

  constructor(network: SipNetwork, user: string, context: SutContext) {
    this.#network = network;
    // Ending the call at dispose() is the case's end, not an output of the case.
    this.#observe = (output) => {
      if (!this.#disposing) context.observe(output);
    };
    this.#note = context.note ?? (() => undefined);
    this.#uri = network.uri;
    // The implementation keeps its own wall clock: the kit observes it over real time.
    this.#endpoint = new Endpoint({
      name: user,
      network,
      clock: systemClock,
      settings: settingsFor(context.profile),
    });
    network.onReceive((_from, message) => {
      if (message.type === 'message') this.#numbers.received.push(message.id);
    });
    this.#endpoint.on('incomingCall', ({ call }) => {
      if (this.#incoming) {
        this.#note(
          `A second INVITE reached ${this.#uri} (from ${call.remoteParticipant.name}); it is declined.`,
        );
        void call.terminate();
        return;
      }
      this.#incoming = call;
      this.#awaitingInvite?.(call);
    });
  }

  async apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): Promise<void> {
    if (isCallStimulus(stimulus)) return applyToCall(stimulus, this.#call, this.#numbers);
    switch (stimulus.type) {
      case 'app.establish':
        return this.#establish(stimulus.template);
      default:
        throw new Error(
          `${stimulus.type} reached the reference's wire adapter: in wire mode the kit sends what the remote party sends itself, and the adapter declares conference and server stimuli unsupported. Only app.* stimuli belong here.`,
        );
    }
  }

  async #establish(template: TemplateSpec | null): Promise<void> {
    // A call is accepted once: accepting it again is the implementation's to refuse.
    if (this.#call) return this.#call.accept();
    const call = await this.#incomingCall();
    this.#call = call;
    offerFlowConfiguration(call, template, this.#observe, this.#numbers);
    await call.accept();
  }

  /** The kit's call: at once if its INVITE came first, else when it comes (bounded). */
  #incomingCall(): Promise<InstantMessagingCall> {
    const arrived = this.#incoming;
    if (arrived) return Promise.resolve(arrived);
    return bounded(
      new Promise<InstantMessagingCall>((resolve) => {
        this.#awaitingInvite = resolve;
      }),
      INVITE_WAIT_MS,
      () =>
        `app.establish: no INVITE reached ${this.#uri} within ${INVITE_WAIT_MS} ms. The kit sends one as it applies app.establish: check that it calls this URI (--endpoint) and that nothing else holds the port.`,
    ).finally(() => {
      this.#awaitingInvite = undefined;
    });
  }

  query(): Queries {
    const flow = this.#call?.flow;
    return {
      flowState: flow?.state ?? 'idle',
      ...(flow ? { localComposingState: flow.localComposingState } : {}),
    };
  }

  settle(): Promise<void> {
    return bounded(
      this.#network.settled(),
      SETTLE_BOUND_MS,
      () =>
        `the SIP network at ${this.#uri} still waits for ${this.#network.inFlight} answer(s) after ${SETTLE_BOUND_MS} ms.`,
    );
  }

  async dispose(): Promise<void> {
    this.#disposing = true;
    const call = this.#call ?? this.#incoming;
    if (call && call.state !== 'terminated') {
      await call.terminate();
      // Let the BYE (or the 603) go out and, briefly, be answered; the sockets close either way.
      await bounded(this.#network.settled(), DISPOSE_BYE_WAIT_MS, () => 'late').catch(
        () => undefined,
      );
    }
    await this.#network.close();
  }
}

const referenceOnSipAdapter: Adapter = {
  name: 'imflow reference implementation on SIP',
  profile: 'ucma-guide',
  declarations,
  async create(context) {
    const wire = wireOf(context);
    const { user, address, port } = bindingOf(wire.endpoint);
    const note = context.note;
    const network = await SipNetwork.start({
      address,
      port,
      user,
      ...(note ? { onProblem: (problem: Error) => note(`SIP: ${problem.message}`) } : {}),
    });
    try {
      return new ReferenceOnSip(network, user, context);
    } catch (error) {
      await network.close();
      throw error;
    }
  },
};

export default referenceOnSipAdapter;
