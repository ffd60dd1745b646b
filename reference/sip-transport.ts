/**
 * Calls of the reference implementation over real SIP, beside the in-memory network: one
 * {@link SipNetwork} binds a `sipstack` user agent on a loopback address and carries the calls of
 * the endpoint attached to it, mapping each {@link WireMessage} to SIP as the Lync IM conventions
 * on SIP say (the conventions shared by the kit's wire binding and this transport; [MS-CONFIM];
 * RFC 3261, 3428, 3994, 5438, 6086).
 *
 * | wire message            | SIP                                                               |
 * | ----------------------- | ----------------------------------------------------------------- |
 * | the call                | INVITE with an IM SDP offer (`m=message <port> sip null`), 200     |
 * | message                 | MESSAGE, `Message-Id: <id>`, Content-Type and body of the message  |
 * | response                | the final answer (200, 202, 415) to that MESSAGE, `Message-Id` echoed |
 * | composing               | INFO `application/xml` KeyboardActivity (RFC 3994 isComposing taken too) |
 * | delivery-notification   | MESSAGE `application/ms-imdn+xml` (RFC 5438 `message/imdn+xml` taken too, in MESSAGE, INFO, NOTIFY, BENOTIFY) |
 * | bye                     | BYE (before the call is answered: 603 Decline to the INVITE)        |
 */

import {
  type IncomingInvite,
  type SipContent,
  type SipDialog,
  SipFailureError,
  type SipMessageView,
  type SipTransportName,
  type SipUserAgent,
  startUserAgent,
  type TrafficRecord,
} from '../sipstack/index.ts';
import { type Arrival, Arrivals } from './arrivals.ts';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type { ConferenceFocus } from './focus-protocol.ts';
import {
  IS_COMPOSING_TYPE,
  imSessionDescription,
  isDeliveryNotificationType,
  KEYBOARD_ACTIVITY_TYPE,
  keyboardActivityBody,
  MS_IMDN_TYPE,
  msImdnBody,
  offersInstantMessaging,
  parseComposing,
  parseDeliveryNotification,
  SipBodyError,
} from './sip-bodies.ts';
import type {
  EndpointNetwork,
  IncomingLinkHandler,
  Transport,
  TransportHandler,
  WireMessage,
} from './transport.ts';

/** Options of {@link SipNetwork.start}. */
export interface SipNetworkOptions {
  /** Loopback address to bind (127.0.0.0/8). Bind the other party to another one. */
  readonly address: string;
  /** Port to bind for every transport. Default: a free port. */
  readonly port?: number;
  /** User part of this network's SIP URI. Default: `imflow`. */
  readonly user?: string;
  /** Transports to listen on. Default: UDP and TCP. */
  readonly transports?: readonly SipTransportName[];
  /** Transport of outgoing calls whose URI has no `;transport=` parameter. Default: UDP. */
  readonly dialTransport?: SipTransportName;
  /** Bound on waiting for any final response, in ms. Default: sipstack's (4000). */
  readonly transactionTimeoutMs?: number;
  /** Formats named in the SDP's `a=accept-types`. Default: `text/plain`. */
  readonly acceptTypes?: readonly string[];
  /** Sees every SIP message sent and received. */
  readonly onTraffic?: (record: TrafficRecord) => void;
  /**
   * Receives what went wrong on the wire without being a wire message: a request not answered in
   * time, an answer no convention defines, a body refused. Default: ignored (the SIP answers
   * already tell the other party).
   */
  readonly onProblem?: (problem: Error) => void;
}

const SDP = 'application/sdp';

/** What a link needs from its network. */
interface LinkContext {
  readonly localUri: string;
  readonly offer: SipContent;
  /** Counts `work` as in flight until it settles; settles with it. */
  track<T>(work: Promise<T>): Promise<T>;
  /** Counts one unit in flight; the returned function ends it (once). */
  hold(): () => void;
  problem(message: string, cause?: unknown): void;
  /** Shows a wire message that arrived to the network's observers. */
  received(from: string, message: WireMessage): void;
}

type LinkState =
  /** Incoming, not answered yet. */
  | 'offered'
  /** Waiting for the dialog: our INVITE not answered, or our 200 not ACKed. */
  | 'connecting'
  | 'open'
  | 'ended';

/** One call's end of the SIP link: a {@link Transport} over one INVITE dialog. */
class SipLink implements Transport {
  #state: LinkState;
  readonly #arrivals = new Arrivals();
  #dialog: SipDialog | undefined;
  /** Sent before the dialog existed, in order; flushed when it opens. */
  #queued: WireMessage[] = [];
  #invite: IncomingInvite | undefined;
  #byeDelivered = false;
  /** The network closed: nothing more is sent or delivered. */
  #closed = false;
  /** Answers owed to received MESSAGEs, by Message-Id (RFC 3428: one final answer each). */
  readonly #owed = new Map<string, { respond: Respond; release: () => void }>();

  constructor(
    readonly localName: string,
    readonly remoteName: string,
    private readonly context: LinkContext,
    incoming?: IncomingInvite,
  ) {
    this.#state = incoming ? 'offered' : 'connecting';
    this.#invite = incoming;
  }

  /** Places the call (outgoing links). */
  dial(place: () => Promise<SipDialog>): void {
    this.context.track(new Promise<SipDialog>((resolve) => resolve(place()))).then(
      (dialog) => {
        if (!offersInstantMessaging(dialog.remoteContent.body)) {
          this.context.problem(
            `${this.remoteName} answered the INVITE without an IM media line (m=message ... sip null); the call is ended with BYE.`,
          );
          this.#state = 'ended';
          void this.context.track(dialog.bye()).catch(() => undefined);
          this.#deliverBye();
          return;
        }
        this.#open(dialog);
        this.#arrive({ kind: 'answer' });
      },
      (error: unknown) => {
        // A refusal (>= 300) is the remote's answer; anything else is a problem as well.
        if (!(error instanceof SipFailureError)) {
          this.context.problem(`The INVITE to ${this.remoteName} failed.`, error);
        }
        this.#state = 'ended';
        this.#deliverBye();
      },
    );
  }

  send(message: WireMessage): void {
    switch (this.#state) {
      case 'ended':
        return;
      case 'offered':
        // A call ended before it was answered is declined (RFC 3261 21.6.2).
        if (message.type === 'bye') {
          this.#state = 'ended';
          this.#invite?.reject(603, 'Decline');
        }
        return;
      case 'connecting':
        this.#queued.push(message);
        return;
      case 'open':
        if (this.#dialog) this.#transmit(this.#dialog, message);
    }
  }

  answer(): void {
    const invite = this.#invite;
    if (this.#state !== 'offered' || !invite) return;
    this.#state = 'connecting';
    this.context.track(invite.accept(this.context.offer)).then(
      (dialog) => this.#open(dialog),
      (error: unknown) => {
        this.context.problem(`The 200 to the INVITE of ${this.remoteName} was not ACKed.`, error);
        this.#state = 'ended';
        this.#deliverBye();
      },
    );
  }

  listen(handler: TransportHandler): void {
    // What was held was reported to the receive observers when it arrived: hand it on only.
    for (const arrival of this.#arrivals.listen(handler)) this.#arrivals.arrive(arrival);
  }

  /** The network closed: nothing more is sent or delivered. */
  close(): void {
    this.#closed = true;
    this.#state = 'ended';
    this.#queued = [];
    for (const { release } of this.#owed.values()) release();
    this.#owed.clear();
  }

  #open(dialog: SipDialog): void {
    if (this.#state === 'ended') {
      // Ended while connecting and no BYE was queued (the network closed): nothing to do.
      return;
    }
    this.#dialog = dialog;
    this.#state = 'open';
    dialog.onRequest((request, respond, info) => {
      // Already answered 500 by the dialog (RFC 3261 12.2.2): not part of the conversation.
      if (info.outOfOrder) return;
      this.#receive(dialog, request, respond);
    });
    dialog.onEnd((reason) => {
      if (reason === 'bye-received') this.#deliverBye();
      if (reason !== 'bye-sent') this.#state = 'ended';
    });
    const queued = this.#queued;
    this.#queued = [];
    for (const message of queued) {
      if (this.#state === 'open') this.#transmit(dialog, message);
    }
  }

  #transmit(dialog: SipDialog, message: WireMessage): void {
    const { context } = this;
    switch (message.type) {
      case 'message': {
        const content: SipContent = {
          contentType: message.contentType,
          body: message.body,
          headers: { 'Message-Id': message.id },
        };
        this.#request(dialog, 'MESSAGE', content, (answer) => {
          const code = answer.status;
          if (code === 200 || code === 202 || code === 415) {
            this.#arrive({ kind: 'wire', message: { type: 'response', id: message.id, code } });
            return;
          }
          context.problem(
            `The MESSAGE with Message-Id ${message.id} was answered ${code} ${answer.reason ?? ''}; the conventions answer 200, 202 or 415.`,
          );
        });
        return;
      }
      case 'response': {
        const owed = this.#owed.get(message.id);
        if (!owed) return;
        this.#owed.delete(message.id);
        owed.respond(message.code, withMessageId(message.id));
        owed.release();
        return;
      }
      case 'composing':
        this.#request(dialog, 'INFO', {
          contentType: KEYBOARD_ACTIVITY_TYPE,
          body: keyboardActivityBody(message.state),
        });
        return;
      case 'delivery-notification':
        this.#request(dialog, 'MESSAGE', {
          contentType: MS_IMDN_TYPE,
          body: msImdnBody(message, context.localUri),
        });
        return;
      case 'bye':
        this.#state = 'ended';
        context.track(dialog.bye()).catch((error: unknown) => {
          context.problem(`The BYE to ${this.remoteName} was not answered.`, error);
        });
    }
  }

  /** Sends a request; a non-2xx answer is a problem unless `onAnswer` takes it. */
  #request(
    dialog: SipDialog,
    method: string,
    content: SipContent,
    onAnswer?: (answer: SipMessageView) => void,
  ): void {
    this.context.track(dialog.request(method, content)).then(
      (answer) => {
        if (onAnswer) onAnswer(answer);
        else if ((answer.status ?? 0) >= 300) {
          this.context.problem(
            `The ${method} (${content.contentType}) was answered ${answer.status} ${answer.reason ?? ''}.`,
          );
        }
      },
      (error: unknown) => {
        this.context.problem(`The ${method} (${content.contentType}) was not answered.`, error);
      },
    );
  }

  #receive(dialog: SipDialog, request: SipMessageView, respond: Respond): void {
    const method = request.method ?? '';
    if (method === 'BYE') {
      // Answered 200 by the dialog itself; `respond` is a no-op.
      respond(200);
      this.#deliverBye();
      return;
    }
    if (this.#state === 'ended') {
      respond(481);
      return;
    }
    const take = this.#receiverOf(method, request.contentType);
    if (!take) {
      // RFC 3261 8.2.1: a method this dialog does not take.
      respond(405, {
        contentType: '',
        body: '',
        headers: { Allow: 'INVITE, ACK, BYE, MESSAGE, INFO, NOTIFY, BENOTIFY' },
      });
      return;
    }
    try {
      take(dialog, request, respond);
    } catch (error) {
      if (!(error instanceof SipBodyError)) throw error;
      this.context.problem(
        `A ${method} from ${this.remoteName} was refused ${error.status}: ${error.message}.`,
      );
      respond(error.status);
    }
  }

  /** Which receiver takes a request, by method and media type; `undefined` for another method. */
  #receiverOf(
    method: string,
    type: string | undefined,
  ): ((dialog: SipDialog, request: SipMessageView, respond: Respond) => void) | undefined {
    const notification = isDeliveryNotificationType(type);
    const composing = type === KEYBOARD_ACTIVITY_TYPE || type === IS_COMPOSING_TYPE;
    switch (method) {
      case 'MESSAGE':
        if (notification)
          return (_, request, respond) => this.#receiveNotification(request, respond);
        // RFC 3994 carries isComposing in MESSAGE; application/xml there is a message's format.
        if (type === IS_COMPOSING_TYPE) {
          return (_, request, respond) => this.#receiveComposing(request, respond);
        }
        return (dialog, request, respond) => this.#receiveMessage(dialog, request, respond);
      case 'INFO':
      case 'NOTIFY':
      case 'BENOTIFY':
        if (notification)
          return (_, request, respond) => this.#receiveNotification(request, respond);
        if (method === 'INFO' && composing) {
          return (_, request, respond) => this.#receiveComposing(request, respond);
        }
        return () => {
          throw new SipBodyError(
            415,
            `a ${method} in this call carries composing or delivery notifications, not ${type ?? 'a body without Content-Type'}`,
          );
        };
      default:
        return undefined;
    }
  }

  #receiveMessage(dialog: SipDialog, request: SipMessageView, respond: Respond): void {
    // The conventions give every message a Message-Id; without one, the transaction names it.
    const id = request.headers['message-id'] ?? `${dialog.callId};cseq=${request.headers.cseq}`;
    if (this.#owed.has(id)) {
      this.context.problem(
        `A second MESSAGE with Message-Id ${id} arrived before the first was answered.`,
      );
      respond(400, withMessageId(id));
      return;
    }
    this.#owed.set(id, { respond, release: this.context.hold() });
    this.#arrive({
      kind: 'wire',
      message: {
        type: 'message',
        id,
        // The header as sent (parameters kept): the flow compares media types itself.
        contentType: request.headers['content-type'] ?? 'text/plain',
        body: request.body,
      },
    });
    // The flow answers at once when it is Active; a flow that did not is gone (RFC 3261 12.2.2).
    const owed = this.#owed.get(id);
    if (owed && this.#arrivals.listening) {
      this.#owed.delete(id);
      owed.respond(481, withMessageId(id));
      owed.release();
    }
  }

  #receiveComposing(request: SipMessageView, respond: Respond): void {
    const state = parseComposing(request.contentType, request.body);
    respond(200);
    this.#arrive({ kind: 'wire', message: { type: 'composing', state } });
  }

  #receiveNotification(request: SipMessageView, respond: Respond): void {
    const notification = parseDeliveryNotification(request.contentType, request.body);
    // BENOTIFY expects no answer ([MS-SIPRE] 3.4); sipstack decides what answering it sends.
    respond(200);
    if (!notification) return;
    this.#arrive({
      kind: 'wire',
      message: { type: 'delivery-notification', ...notification },
    });
  }

  #deliverBye(): void {
    if (this.#byeDelivered) return;
    this.#byeDelivered = true;
    this.#state = 'ended';
    this.#arrive({ kind: 'wire', message: { type: 'bye' } });
  }

  #arrive(arrival: Arrival): void {
    if (this.#closed) return;
    if (arrival.kind === 'wire') this.context.received(this.remoteName, arrival.message);
    this.#arrivals.arrive(arrival);
  }
}

/** Sees a wire message from the party at SIP URI `from`. */
export type ReceiveObserver = (from: string, message: WireMessage) => void;

type Respond = (status: number, content?: SipContent) => void;

/** No body, the `Message-Id` echoed (conventions: the answer to a message echoes it). */
function withMessageId(id: string): SipContent {
  return { contentType: '', body: '', headers: { 'Message-Id': id } };
}

const loopbackUri = /^sip:(?:[^@;]+@)?(127\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::(\d{1,5}))?(;.*)?$/i;

/**
 * The SIP side of one endpoint: a user agent bound on a loopback address, on which the endpoint
 * attached to it is reachable and from which it dials other SIP URIs.
 *
 * @example
 * ```ts
 * const network = await SipNetwork.start({ address: '127.0.0.1', port: 5070, user: 'bob' });
 * const bob = new Endpoint({ name: 'bob', network });
 * bob.on('incomingCall', ({ call }) => void call.accept());
 * // ... calls from sip:...@127.0.0.2 reach bob ...
 * await network.close();
 * ```
 */
export class SipNetwork implements EndpointNetwork {
  readonly #agent: SipUserAgent;
  readonly #options: SipNetworkOptions;
  readonly #links = new Set<SipLink>();
  readonly #receiveObservers = new Set<ReceiveObserver>();
  #endpoint: { name: string; onIncoming: IncomingLinkHandler } | undefined;
  #inFlight = 0;
  #waiters: (() => void)[] = [];
  #closed = false;

  private constructor(agent: SipUserAgent, options: SipNetworkOptions) {
    this.#agent = agent;
    this.#options = options;
    agent.onInvite((invite) => this.#incoming(invite));
  }

  /**
   * Binds a user agent with `options`.
   *
   * @throws SipUsageError (from sipstack) for an address outside 127.0.0.0/8 or a bad port;
   *   the port's bind error when it is taken.
   */
  static async start(options: SipNetworkOptions): Promise<SipNetwork> {
    const agent = await startUserAgent({
      address: options.address,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.user === undefined ? {} : { user: options.user }),
      ...(options.transports === undefined ? {} : { transports: options.transports }),
      ...(options.transactionTimeoutMs === undefined
        ? {}
        : { transactionTimeoutMs: options.transactionTimeoutMs }),
      ...(options.onTraffic === undefined ? {} : { onTraffic: options.onTraffic }),
    });
    return new SipNetwork(agent, options);
  }

  /** This network's SIP URI (`sip:user@127.0.0.x:port`). */
  get uri(): string {
    return this.#agent.uri;
  }

  get address(): string {
    return this.#agent.address;
  }

  get port(): number {
    return this.#agent.port;
  }

  /** Requests sent and not answered yet, plus received messages not answered yet. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Makes the endpoint reachable at this network's URI; one endpoint per network.
   *
   * @throws InvalidArgumentError for an empty name; InvalidOperationError if an endpoint is
   *   attached already or the network is closed.
   */
  attach(name: string, onIncoming: IncomingLinkHandler): () => void {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(
        'Cannot attach an endpoint without a name: pass a non-empty string.',
      );
    }
    if (this.#closed) {
      throw new InvalidOperationError(
        `Cannot attach endpoint '${name}': the SIP network at ${this.uri} is closed. Start a new one.`,
      );
    }
    if (this.#endpoint) {
      throw new InvalidOperationError(
        `Cannot attach endpoint '${name}': endpoint '${this.#endpoint.name}' is attached to the SIP network at ${this.uri} already. Start one SipNetwork per endpoint.`,
      );
    }
    const endpoint = { name, onIncoming };
    this.#endpoint = endpoint;
    return () => {
      if (this.#endpoint === endpoint) this.#endpoint = undefined;
    };
  }

  unreachableReason(remoteName: string): string | undefined {
    if (this.#closed) return `the SIP network at ${this.uri} is closed. Start a new one.`;
    const match = typeof remoteName === 'string' ? loopbackUri.exec(remoteName) : null;
    if (!match) {
      return `${JSON.stringify(remoteName)} is not a SIP URI on the loopback network. Call sip:user@127.0.0.x:port (optionally ;transport=tcp).`;
    }
    const [, address, port] = match;
    if (address === this.address && Number(port ?? 5060) === this.port) {
      return `${remoteName} is this network's own address. Call a party bound to another address.`;
    }
    return undefined;
  }

  /** Places an INVITE to the SIP URI `to`; `;transport=tcp|udp` in it chooses the transport. */
  dial(from: string, to: string): Transport {
    const reason = this.unreachableReason(to);
    if (reason !== undefined) throw new InvalidOperationError(`Cannot reach ${to}: ${reason}`);
    const link = this.#newLink(from, to);
    const transport = /;transport=(udp|tcp)/i.exec(to)?.[1]?.toLowerCase() as
      | SipTransportName
      | undefined;
    link.dial(() =>
      this.#agent.invite(to, {
        ...this.#offer(),
        transport: transport ?? this.#options.dialTransport ?? 'udp',
      }),
    );
    return link;
  }

  /**
   * Registers an observer of every wire message that arrives from the other side, as it arrives
   * (before the endpoint handles it); returns its remover.
   */
  onReceive(observer: ReceiveObserver): () => void {
    this.#receiveObservers.add(observer);
    return () => {
      this.#receiveObservers.delete(observer);
    };
  }

  /** SIP carries no conference focus here: none is found. */
  findConference(_conferenceUri: string): ConferenceFocus | undefined {
    return undefined;
  }

  /**
   * Resolves once no request waits for its answer on this network, either way. Bounded: every
   * request ends within the transaction time-out.
   */
  settled(): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  /** Ends every call's link and closes every socket (UDP and TCP). Sends no BYE: end calls first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const link of this.#links) link.close();
    this.#links.clear();
    try {
      await this.#agent.close();
    } finally {
      this.#inFlight = 0;
      this.#wake();
    }
  }

  #incoming(invite: IncomingInvite): void {
    const endpoint = this.#endpoint;
    if (this.#closed || !endpoint) {
      invite.reject(480, 'Temporarily Unavailable');
      return;
    }
    if (!offersInstantMessaging(invite.request.body)) {
      this.#problem(
        `The INVITE from ${invite.from} offers no IM media line (m=message ... sip null); answered 488.`,
      );
      invite.reject(488, 'Not Acceptable Here');
      return;
    }
    endpoint.onIncoming(this.#newLink(endpoint.name, invite.from, invite));
  }

  #newLink(localName: string, remoteName: string, incoming?: IncomingInvite): SipLink {
    const link = new SipLink(
      localName,
      remoteName,
      {
        localUri: this.uri,
        offer: this.#offer(),
        track: (work) => this.#track(work),
        hold: () => this.#hold(),
        problem: (message, cause) => this.#problem(message, cause),
        received: (from, message) => this.#notifyReceive(from, message),
      },
      incoming,
    );
    this.#links.add(link);
    return link;
  }

  #offer(): SipContent {
    return {
      contentType: SDP,
      body: imSessionDescription(
        this.address,
        this.port,
        this.#options.acceptTypes ?? ['text/plain'],
      ),
    };
  }

  #track<T>(work: Promise<T>): Promise<T> {
    const release = this.#hold();
    return work.finally(release);
  }

  #hold(): () => void {
    if (this.#closed) return () => undefined;
    this.#inFlight += 1;
    let released = false;
    return () => {
      if (released || this.#closed) return;
      released = true;
      this.#inFlight -= 1;
      if (this.#inFlight === 0) this.#wake();
    };
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #notifyReceive(from: string, message: WireMessage): void {
    for (const observer of [...this.#receiveObservers]) {
      try {
        observer(from, message);
      } catch {
        // Observers only watch; their failure must not change what the endpoint receives.
      }
    }
  }

  #problem(message: string, cause?: unknown): void {
    // Whatever fails once the sockets are closed fails because they are.
    if (this.#closed) return;
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    this.#options.onProblem?.(new Error(`${message}${detail}`, { cause }));
  }
}
