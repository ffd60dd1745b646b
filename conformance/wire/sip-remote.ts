/**
 * The kit as the remote participant of an IM call over real SIP on loopback: it calls the
 * endpoint, sends the model's `remote.*` stimuli as Lync requests and reports everything the
 * endpoint puts on the wire as `WireOutput`s, stamped with their arrival time. What it cannot
 * read becomes a note, never an exception. The mapping itself is `lync-sip.ts`.
 */
import type { RemoteStimulus, WireOutput } from '../../machines/index.ts';
import {
  type SipDialog,
  SipFailureError,
  type SipMessageView,
  SipTimeoutError,
  type SipTransportName,
  type SipUserAgent,
  startUserAgent,
  type TrafficRecord,
} from '../../sipstack/index.ts';
import { COMPOSING_CARRIAGE_RULE, type WireBreach } from './breaches.ts';
import {
  answerFor,
  type Classification,
  checkImAnswer,
  classifyRequest,
  imOffer,
  requestFor,
  responseOutput,
} from './lync-sip.ts';

export interface WireRemoteOptions {
  /** The kit's own loopback address; it must differ from the endpoint's. Default 127.0.0.2. */
  readonly address?: string;
  /** The endpoint to call: sip:user@127.0.0.1:port, with ;transport=tcp for TCP. */
  readonly endpoint: string;
  readonly transport: SipTransportName;
  /** Every output the endpoint puts on the wire, with its arrival time (performance.now()). */
  readonly observe: (output: WireOutput, at: number) => void;
  /** What is no output: requests not understood, out of order, retransmitted, left unanswered. */
  readonly note: (message: string) => void;
  readonly onTraffic?: (record: TrafficRecord) => void;
  /** A rule only the wire shows broken (see `breaches.ts`). */
  readonly breach?: (breach: WireBreach) => void;
  /** Bound on each wait for an answer of the endpoint, in ms. Default 4000. */
  readonly timeoutMs?: number;
}

/** The kit's side of the wire as the case runner uses it (and as tests fake it). */
export interface WireRemote {
  /** The kit's own SIP URI, the caller the endpoint sees. */
  readonly uri: string;
  /** Calls the endpoint; resolves once the IM dialog is set up, rejects with the reason if not. */
  call(): Promise<void>;
  /** Sends the request for a stimulus; rejects, saying why, when it cannot be sent. */
  apply(stimulus: RemoteStimulus): Promise<void>;
  /** Resolves when no request of the kit is waiting for its answer (bounded). */
  settled(): Promise<void>;
  /** Ends the call if it is up and closes every socket, whatever state the call is in. */
  close(): Promise<void>;
}

export type StartWireRemote = (options: WireRemoteOptions) => Promise<WireRemote>;

const DEFAULT_TIMEOUT_MS = 4000;
/** How long `close` lets a BYE wait for its answer before the sockets close anyway. */
const CLOSING_BYE_MS = 250;
const ENDPOINT_PATTERN = /^sip:[^@\s]+@(127(?:\.\d{1,3}){3}):(\d{1,5})(;transport=(udp|tcp))?$/i;

export class SipRemoteParty implements WireRemote {
  static readonly start: StartWireRemote = async (options) => {
    const address = options.address ?? KIT_ADDRESS;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    checkEndpoint(options.endpoint, options.transport, address);
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new Error(`timeoutMs ${timeoutMs} is not a positive number of milliseconds`);
    }
    let party: SipRemoteParty | undefined;
    const agent = await startUserAgent({
      address,
      user: 'imflow-remote',
      transports: [options.transport],
      transactionTimeoutMs: timeoutMs,
      onTraffic: (record) => {
        party?.traffic(record);
        options.onTraffic?.(record);
      },
    });
    party = new SipRemoteParty(agent, options, timeoutMs);
    agent.onInvite((invite) => {
      options.note(
        `the endpoint sent an INVITE to the kit (from ${invite.from}); the kit is the caller and declined it 603`,
      );
      invite.reject(603);
    });
    return party;
  };

  private dialog: SipDialog | undefined;
  private calling: Promise<void> | undefined;
  private callFailure: string | undefined;
  private closed = false;
  private readonly pending = new Set<Promise<unknown>>();
  /** The Message-Ids of the kit's messages, in the order it sent them. */
  private readonly sentMessageIds: string[] = [];
  /** The Message-Ids of the endpoint's messages, in the order they arrived. */
  private readonly receivedMessageIds: (string | undefined)[] = [];
  /** When each response arrived, by its CSeq ("2 MESSAGE"), from the traffic. */
  private readonly responseArrivals = new Map<string, number>();
  /** The requests seen, by Via branch and CSeq, to tell retransmissions. */
  private readonly requestsSeen = new Set<string>();

  private constructor(
    private readonly agent: SipUserAgent,
    private readonly options: WireRemoteOptions,
    private readonly timeoutMs: number,
  ) {}

  get uri(): string {
    return this.agent.uri;
  }

  call(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the SIP remote party is closed'));
    if (this.calling) {
      return Promise.reject(new Error(`the endpoint ${this.options.endpoint} was called already`));
    }
    this.calling = this.setUp().catch((error: unknown) => {
      this.callFailure = error instanceof Error ? error.message : String(error);
      throw error;
    });
    return this.calling;
  }

  private async setUp(): Promise<void> {
    const { endpoint, transport } = this.options;
    let dialog: SipDialog;
    try {
      dialog = await this.agent.invite(endpoint, {
        contentType: 'application/sdp',
        body: imOffer(this.agent.address, this.agent.port),
        transport,
      });
    } catch (error) {
      throw new Error(inviteFailure(error, endpoint, transport, this.timeoutMs), { cause: error });
    }
    const answer = checkImAnswer(dialog.remoteContent.body);
    if (!answer.ok) {
      await this.track(dialog.bye()).catch(() => {});
      throw new Error(
        `the endpoint ${endpoint} answered the IM call without an IM media line (${answer.reason}); the kit ended the call with BYE`,
      );
    }
    if (this.closed) {
      throw new Error('the SIP remote party was closed while the call was being set up');
    }
    this.dialog = dialog;
    dialog.onRequest((request, respond, info) => this.receive(request, respond, info));
  }

  private receive(
    request: SipMessageView,
    respond: (status: number) => void,
    info: { at: number; outOfOrder: boolean },
  ): void {
    const method = request.method ?? '?';
    if (info.outOfOrder) {
      this.options.note(
        `the endpoint's ${method} CSeq ${request.headers.cseq?.split(' ')[0] ?? '?'} arrived after a request with a higher CSeq; it was answered 500 and left out (RFC 3261 section 12.2.2)`,
      );
      return;
    }
    try {
      respond(answerFor(request));
    } catch {
      // a BYE is answered by the dialog itself; its respond does nothing
    }
    if (this.closed) return;
    const classified = classifyRequest(request, this.sentMessageIds);
    if (classified.kind !== 'unrecognised' && classified.output.kind === 'composing') {
      // The guide has composing notifications travel as SIP INFO requests.
      if (method !== 'INFO') {
        this.options.breach?.({
          requirement: COMPOSING_CARRIAGE_RULE,
          message: `The endpoint sent a composing notification (${classified.output.state}) in a ${method} request; composing notifications travel as SIP INFO requests.`,
        });
      }
    }
    this.report(classified, info.at, `the endpoint's ${method}`);
  }

  private report(result: Classification, at: number, what: string): void {
    if (result.kind === 'unrecognised') {
      this.options.note(`${what} is left out: ${result.reason}`);
      return;
    }
    if (result.output.kind === 'message') this.receivedMessageIds.push(result.messageId);
    if (result.note !== undefined) this.options.note(result.note);
    this.options.observe(result.output, at);
  }

  apply(stimulus: RemoteStimulus): Promise<void> {
    const refuse = (why: string) =>
      Promise.reject(new Error(`${stimulus.type} cannot be sent: ${why}`));
    if (this.closed) return refuse('the SIP remote party is closed');
    const dialog = this.dialog;
    if (dialog === undefined) {
      return refuse(
        this.callFailure !== undefined
          ? `the IM call was not set up (${this.callFailure})`
          : this.calling
            ? 'the IM call is still being set up: wait for call() to resolve'
            : 'there is no IM call yet: call() first',
      );
    }
    if (dialog.ended) return refuse('the IM call has ended');
    const built = requestFor(stimulus, {
      nextMessageId: `imflow-${this.sentMessageIds.length + 1}`,
      receivedMessageIds: this.receivedMessageIds,
      recipientUri: this.agent.uri,
    });
    if (!built.ok) return refuse(built.reason);
    const { request } = built;
    if (request.method === 'BYE') {
      this.track(dialog.bye())
        .then((response) => this.checkAnswer('BYE', response))
        .catch((error: unknown) => this.unanswered('BYE', error));
      return Promise.resolve();
    }
    const messageId = request.messageId;
    if (messageId === undefined) {
      const what = `${request.method} ${request.content?.contentType ?? ''}`.trim();
      this.track(dialog.request(request.method, request.content))
        .then((response) => this.checkAnswer(what, response))
        .catch((error: unknown) => this.unanswered(what, error));
      return Promise.resolve();
    }
    this.sentMessageIds.push(messageId);
    const index = this.sentMessageIds.length;
    this.track(dialog.request(request.method, request.content))
      .then((response) => {
        if (this.closed) return;
        const at = this.responseArrivals.get(response.headers.cseq ?? '') ?? performance.now();
        this.report(
          responseOutput(index, response, messageId),
          at,
          `the answer to message ${index}`,
        );
      })
      .catch((error: unknown) => this.unanswered(`message ${index}`, error));
    return Promise.resolve();
  }

  private checkAnswer(what: string, response: SipMessageView | undefined): void {
    if (this.closed || response === undefined) return;
    const status = response.status ?? 0;
    if (status < 200 || status >= 300) {
      this.options.note(
        `the endpoint answered the kit's ${what} ${status} ${response.reason ?? ''}`.trim(),
      );
    }
  }

  private unanswered(what: string, error: unknown): void {
    if (this.closed) return;
    const reason = error instanceof Error ? error.message : String(error);
    this.options.note(`the kit's ${what} got no answer: ${reason}`);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const forget = () => this.pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async settled(): Promise<void> {
    const bound = this.timeoutMs + 500;
    const deadline = performance.now() + bound;
    while (this.pending.size > 0) {
      const left = deadline - performance.now();
      let cancel = () => {};
      const timedOut = await Promise.race([
        Promise.allSettled([...this.pending]).then(() => false),
        new Promise<boolean>((resolve) => {
          const handle = setTimeout(() => resolve(true), Math.max(0, left));
          cancel = () => clearTimeout(handle);
        }),
      ]);
      cancel();
      if (timedOut) {
        this.options.note(
          `${this.pending.size} request${this.pending.size === 1 ? '' : 's'} of the kit still had no answer after ${bound} ms`,
        );
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const dialog = this.dialog;
    this.closed = true;
    if (dialog !== undefined && !dialog.ended) {
      let cancel = () => {};
      await Promise.race([
        dialog.bye().catch(() => undefined),
        new Promise((resolve) => {
          const handle = setTimeout(resolve, CLOSING_BYE_MS);
          cancel = () => clearTimeout(handle);
        }),
      ]);
      cancel();
    }
    await this.agent.close();
  }

  /** Reads the traffic for what the stack does not hand on: arrival times and retransmissions. */
  private traffic(record: TrafficRecord): void {
    if (record.direction !== 'received' || this.closed) return;
    const cseq = /^CSeq:[ \t]*(\d+[ \t]+[A-Za-z]+)/im.exec(record.text)?.[1]?.replace(/\s+/, ' ');
    if (cseq === undefined) return;
    const status = /^SIP\/2\.0[ \t]+(\d{3})/.exec(record.text)?.[1];
    if (status !== undefined) {
      if (Number(status) >= 200 && !this.responseArrivals.has(cseq)) {
        this.responseArrivals.set(cseq, record.at);
      }
      return;
    }
    const method = cseq.split(' ')[1]?.toUpperCase();
    if (method === 'ACK') return;
    const branch = /^(?:Via|v):[^\r\n]*;branch=([^;,\s]+)/im.exec(record.text)?.[1] ?? '';
    const key = `${branch} ${cseq}`;
    if (this.requestsSeen.has(key)) {
      this.options.note(
        `the endpoint sent its ${method} CSeq ${cseq.split(' ')[0]} again over ${record.transport} (a retransmission); it got the same answer and counts once`,
      );
      return;
    }
    this.requestsSeen.add(key);
  }
}

function checkEndpoint(endpoint: string, transport: SipTransportName, address: string): void {
  const problem = endpointProblem(endpoint, transport, address);
  if (problem) throw new Error(problem);
}

/** The kit's own loopback address unless told otherwise. */
export const KIT_ADDRESS = '127.0.0.2';

/** What is wrong with an endpoint URI for a check over `transport` from `address`, if anything. */
export function endpointProblem(
  endpoint: string,
  transport: SipTransportName,
  address: string = KIT_ADDRESS,
): string | undefined {
  const match = ENDPOINT_PATTERN.exec(endpoint);
  if (match === null) {
    return `the endpoint ${JSON.stringify(endpoint.slice(0, 80))} is not of the form sip:USER@127.0.0.1:PORT[;transport=tcp]`;
  }
  const [, host, port, , named] = match;
  if (Number(port) < 1 || Number(port) > 65535) {
    return `the endpoint ${endpoint} has port ${port}: give a port from 1 to 65535`;
  }
  const uriTransport = (named ?? 'udp').toLowerCase();
  if (uriTransport !== transport) {
    return `the endpoint ${endpoint} names transport ${uriTransport}, but the check runs over ${transport}: ${transport === 'tcp' ? 'add ;transport=tcp to the endpoint' : 'drop ;transport=tcp from the endpoint'}`;
  }
  if (host === address) {
    return `the endpoint ${endpoint} is on ${address}, the kit's own address: give the endpoint another loopback address, such as 127.0.0.1`;
  }
  return undefined;
}

function inviteFailure(
  error: unknown,
  endpoint: string,
  transport: SipTransportName,
  timeoutMs: number,
): string {
  if (error instanceof SipFailureError) {
    return error.status === 503
      ? `the IM call to ${endpoint} over ${transport} failed with 503: nothing answered on that address (${error.message}); is the endpoint listening?`
      : `the endpoint ${endpoint} rejected the IM call with ${error.status} (${error.message})`;
  }
  if (error instanceof SipTimeoutError) {
    return `the endpoint ${endpoint} did not answer the INVITE over ${transport} within ${timeoutMs} ms: is it listening on that address and transport?`;
  }
  return `the IM call to ${endpoint} over ${transport} failed: ${error instanceof Error ? error.message : String(error)}`;
}
