import sip, {
  type SipAddressHeader,
  type SipPackageMessage,
  type SipServerTransaction,
  type SipUri,
} from 'sip';
import { SipUsageError } from './errors.ts';
import { contentHeaders, reasonPhrase, viewOf } from './message.ts';
import type { Endpoint } from './transport.ts';
import type {
  SipContent,
  SipDialog,
  SipDialogEndReason,
  SipMessageView,
  SipRequestHandler,
  SipTransportName,
} from './types.ts';

/** What a dialog needs from its user agent: transactions, plain sends and timers that `close` ends. */
export interface DialogHost {
  readonly timeoutMs: number;
  /** A request in a new client transaction; resolves with the final response (bounded). */
  transact(
    request: SipPackageMessage,
    transport: SipTransportName,
    target: Endpoint,
    onLater2xx?: (response: SipPackageMessage) => void,
  ): Promise<SipPackageMessage>;
  /** An ACK for a 2xx, which travels outside any transaction (RFC 3261 13.2.2.4). */
  sendOutsideTransaction(
    request: SipPackageMessage,
    transport: SipTransportName,
    target: Endpoint,
  ): void;
  /** A timer that `close` clears; returns its cancel. */
  timer(ms: number, run: () => void): () => void;
  via(transport: SipTransportName): SipPackageMessage['headers']['via'];
  /** An ended dialog is forgotten a while later, once stray retransmissions are over. */
  ended(dialog: Dialog): void;
}

/** The state of RFC 3261 12.1 that both ends of a dialog keep. */
export interface DialogState {
  readonly callId: string;
  readonly transport: SipTransportName;
  readonly localTag: string;
  readonly remoteTag: string;
  readonly local: SipAddressHeader;
  readonly remote: SipAddressHeader;
  readonly localContact: string;
  readonly remoteTarget: string | SipUri;
  readonly routeSet: readonly SipAddressHeader[];
  readonly localSeq: number;
  readonly remoteSeq: number | undefined;
  readonly remoteContent: SipContent;
}

export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\n${localTag}\n${remoteTag}`;
}

/** Where the next hop of an in-dialog request is: the first route, else the remote target. */
export function endpointOf(uri: string | SipUri): Endpoint {
  const parsed = sip.parseUri(uri);
  if (parsed === undefined) throw new SipUsageError(`${sip.stringifyUri(uri)} is not a SIP URI`);
  return { address: parsed.host, port: parsed.port || 5060 };
}

interface QueuedRequest {
  readonly request: SipMessageView;
  readonly respond: (status: number, content?: SipContent) => void;
  readonly info: { at: number; outOfOrder: boolean };
}

/** How long a request waits for the owner's handler before the dialog answers it 500. */
const unhandledHoldMs = 1000;

/** Methods the dialog answers itself, or which have their own calls. */
const reservedMethods = new Set(['ACK', 'CANCEL', 'INVITE']);

/**
 * One confirmed dialog (RFC 3261 ch. 12): it numbers the requests it sends, checks the order of
 * those it receives, routes to the other side's Contact and ends on BYE from either side.
 */
export class Dialog implements SipDialog {
  readonly callId: string;
  readonly transport: SipTransportName;
  readonly remoteContent: SipContent;
  private readonly state: DialogState;
  private localSeq: number;
  private remoteSeq: number | undefined;
  private endReason: SipDialogEndReason | undefined;
  private handler: SipRequestHandler | undefined;
  private readonly queued: QueuedRequest[] = [];
  private readonly endHandlers: ((reason: SipDialogEndReason) => void)[] = [];
  private byeSent: Promise<SipMessageView | undefined> | undefined;
  private pendingAck: { seq: number; acked: () => void } | undefined;
  private ack: SipPackageMessage | undefined;

  constructor(
    private readonly host: DialogHost,
    state: DialogState,
  ) {
    this.state = state;
    this.callId = state.callId;
    this.transport = state.transport;
    this.remoteContent = state.remoteContent;
    this.localSeq = state.localSeq;
    this.remoteSeq = state.remoteSeq;
  }

  get key(): string {
    return dialogKey(this.callId, this.state.localTag, this.state.remoteTag);
  }

  get ended(): boolean {
    return this.endReason !== undefined;
  }

  private get target(): Endpoint {
    const firstRoute = this.state.routeSet[0];
    return endpointOf(firstRoute ? firstRoute.uri : this.state.remoteTarget);
  }

  private get targetText(): string {
    return sip.stringifyUri(this.state.remoteTarget);
  }

  /** A request of this dialog (RFC 3261 12.2.1.1); ACK reuses the INVITE's CSeq, others take the next. */
  private build(method: string, content: SipContent | undefined, seq: number): SipPackageMessage {
    const { headers, content: body } = contentHeaders(content);
    return {
      method,
      uri: this.state.remoteTarget,
      headers: {
        via: this.host.via(this.transport),
        'max-forwards': '70',
        to: { ...this.state.remote, params: { tag: this.state.remoteTag } },
        from: { ...this.state.local, params: { tag: this.state.localTag } },
        'call-id': this.callId,
        cseq: { seq, method },
        ...(this.state.routeSet.length > 0 ? { route: [...this.state.routeSet] } : {}),
        ...(method === 'ACK' ? {} : { contact: [{ uri: this.state.localContact }] }),
        ...headers,
      },
      content: body,
    };
  }

  async request(method: string, content?: SipContent): Promise<SipMessageView> {
    const upper = method.toUpperCase();
    if (!/^[A-Z][A-Z0-9-]*$/.test(upper)) {
      throw new SipUsageError(`${JSON.stringify(method)} is not a SIP method name`);
    }
    if (upper === 'BYE') {
      if (this.ended) throw this.endedError('BYE');
      const response = await this.bye();
      if (response === undefined) throw this.endedError('BYE');
      return response;
    }
    if (reservedMethods.has(upper)) {
      throw new SipUsageError(
        `${upper} cannot be sent with request(): ACK and CANCEL are sent by the user agent itself, and a re-INVITE is not supported`,
      );
    }
    if (this.ended) throw this.endedError(upper);
    const request = this.build(upper, content, this.localSeq + 1);
    this.localSeq += 1;
    return viewOf(await this.host.transact(request, this.transport, this.target));
  }

  private endedError(method: string): SipUsageError {
    return new SipUsageError(
      `cannot send ${method} to ${this.targetText}: the dialog ${this.callId} has ended (${this.endReason})`,
    );
  }

  bye(): Promise<SipMessageView | undefined> {
    if (this.byeSent) return this.byeSent;
    if (this.ended) return Promise.resolve(undefined);
    this.localSeq += 1;
    const request = this.build('BYE', undefined, this.localSeq);
    const target = this.target;
    // RFC 3261 15.1.1: the session is over as soon as the BYE is handed to its transaction.
    this.end('bye-sent');
    this.byeSent = this.host.transact(request, this.transport, target).then(viewOf);
    return this.byeSent;
  }

  onRequest(handler: SipRequestHandler): void {
    this.handler = handler;
    for (const { request, respond, info } of this.queued.splice(0)) handler(request, respond, info);
  }

  onEnd(handler: (reason: SipDialogEndReason) => void): void {
    const reason = this.endReason;
    if (reason === undefined) this.endHandlers.push(handler);
    else queueMicrotask(() => handler(reason));
  }

  end(reason: SipDialogEndReason): void {
    if (this.endReason !== undefined) return;
    this.endReason = reason;
    this.host.ended(this);
    for (const handler of this.endHandlers.splice(0)) handler(reason);
  }

  /** The UAC's ACK for the 2xx; kept so that a retransmitted 2xx is acknowledged again. */
  sendAck(inviteSeq: number): void {
    this.ack = this.build('ACK', undefined, inviteSeq);
    this.ack.headers.via = this.host.via(this.transport);
    const via = this.ack.headers.via?.[0];
    if (via) via.params.branch = sip.generateBranch();
    this.resendAck();
  }

  resendAck(): void {
    if (this.ack) this.host.sendOutsideTransaction(this.ack, this.transport, this.target);
  }

  /** The UAS waits for the ACK of its 2xx; `acked` runs once it comes. */
  awaitAck(seq: number, acked: () => void): void {
    this.pendingAck = { seq, acked };
  }

  ackReceived(seq: number): void {
    const pending = this.pendingAck;
    if (pending === undefined || pending.seq !== seq) return;
    this.pendingAck = undefined;
    pending.acked();
  }

  /** An in-dialog request from the other side, in its own server transaction (RFC 3261 12.2.2). */
  receive(message: SipPackageMessage, transaction: SipServerTransaction, at: number): void {
    const answer = (status: number, content?: SipContent, reason?: string) => {
      const { headers, content: body } = contentHeaders(content);
      transaction.send(
        sip.makeResponse(message, status, reason ?? reasonPhrase(status), {
          headers,
          content: body,
        }),
      );
    };
    const method = message.method ?? '';
    const seq = message.headers.cseq?.seq ?? 0;
    if (this.ended && method !== 'BYE') {
      answer(481);
      return;
    }
    if (method === 'INVITE') {
      answer(488, undefined, 'Re-INVITE Not Supported');
      return;
    }
    const outOfOrder = this.remoteSeq !== undefined && seq < this.remoteSeq;
    if (!outOfOrder) this.remoteSeq = seq;
    const view = viewOf(message);
    const info = { at, outOfOrder };
    if (outOfOrder) {
      answer(500, undefined, 'CSeq Out of Order');
      this.handOn({ request: view, respond: () => {}, info });
      return;
    }
    if (method === 'BYE') {
      answer(200);
      const wasEnded = this.ended;
      this.end('bye-received');
      if (!wasEnded) this.handOn({ request: view, respond: () => {}, info });
      return;
    }
    let answered = false;
    const respond = (status: number, content?: SipContent) => {
      if (answered) {
        throw new SipUsageError(
          `${method} CSeq ${seq} of dialog ${this.callId} was answered already: call respond once`,
        );
      }
      if (!Number.isInteger(status) || status < 200 || status > 699) {
        throw new SipUsageError(`${status} is not a final status: respond with 200 to 699`);
      }
      answer(status, content);
      answered = true;
    };
    this.handOn({ request: view, respond, info });
  }

  /**
   * Requests that come before the owner has set a handler (an ACK and a MESSAGE in one TCP read,
   * say) wait for it, a while short of the other side's time-out; then they are answered 500.
   */
  private handOn(queued: QueuedRequest): void {
    if (this.handler) {
      this.handler(queued.request, queued.respond, queued.info);
      return;
    }
    this.queued.push(queued);
    this.host.timer(Math.min(unhandledHoldMs, this.host.timeoutMs / 2), () => {
      const index = this.queued.indexOf(queued);
      if (index < 0) return;
      this.queued.splice(index, 1);
      try {
        queued.respond(500, undefined);
      } catch {
        // answered already
      }
    });
  }

  /** For `close`: the dialog ends without a BYE. */
  close(): void {
    this.pendingAck = undefined;
    this.end('closed');
  }
}
