/** The public shapes of the user agent, shared by the wire binding and the reference's SIP transport. */

export type SipTransportName = 'udp' | 'tcp';

/** A request or response as received or as answered. Header names lower-case, first value. */
export interface SipMessageView {
  readonly method?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Media type without parameters, lower-case. */
  readonly contentType: string | undefined;
  readonly body: string;
}

export interface SipContent {
  readonly contentType: string;
  readonly body: string;
  /** Extra headers (e.g. 'Message-ID'). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface TrafficRecord {
  /** performance.now() ms (monotonic). */
  readonly at: number;
  readonly direction: 'sent' | 'received';
  readonly transport: SipTransportName;
  readonly local: { address: string; port: number };
  readonly remote: { address: string; port: number };
  /** The SIP message as it went on the wire. */
  readonly text: string;
}

export interface UserAgentOptions {
  /** Must be in 127.0.0.0/8, else SipUsageError. */
  readonly address: string;
  /** Default: a free port found by the UA. */
  readonly port?: number;
  /** User part of the UA's URI, default 'imflow'. */
  readonly user?: string;
  /** Default ['udp', 'tcp']. */
  readonly transports?: readonly SipTransportName[];
  /** Bound on waiting for a final response, default 4000. */
  readonly transactionTimeoutMs?: number;
  readonly onTraffic?: (record: TrafficRecord) => void;
}

export interface SipUserAgent {
  /** sip:user@127.0.0.x:port */
  readonly uri: string;
  readonly address: string;
  readonly port: number;
  /** Calls `target` (sip:user@127.0.0.y:port[;transport=tcp]). Resolves once 2xx is ACKed. */
  invite(target: string, offer: SipContent & { transport?: SipTransportName }): Promise<SipDialog>;
  /** Incoming INVITEs (outside any dialog). Without a handler they are answered 480. */
  onInvite(handler: (invite: IncomingInvite) => void): void;
  /** Ends every dialog's timers and closes every socket (UDP and TCP, listening and connected). */
  close(): Promise<void>;
}

export interface IncomingInvite {
  readonly request: SipMessageView;
  /** The caller's URI. */
  readonly from: string;
  readonly transport: SipTransportName;
  /** 200 with the answer; resolves on ACK (bounded). */
  accept(answer: SipContent): Promise<SipDialog>;
  reject(status: number, reason?: string): void;
}

export type SipRequestHandler = (
  request: SipMessageView,
  respond: (status: number, content?: SipContent) => void,
  info: { at: number; outOfOrder: boolean },
) => void;

export type SipDialogEndReason = 'bye-received' | 'bye-sent' | 'closed';

export interface SipDialog {
  readonly callId: string;
  readonly transport: SipTransportName;
  /** The SDP of the other side. */
  readonly remoteContent: SipContent;
  readonly ended: boolean;
  /** An in-dialog request (MESSAGE, INFO, BYE, BENOTIFY, ...): CSeq increments; resolves with the
   *  final response whatever its status; rejects with SipTimeoutError after transactionTimeoutMs. */
  request(method: string, content?: SipContent): Promise<SipMessageView>;
  /** In-dialog requests from the other side. The handler must call `respond` once; a UDP
   *  retransmission of a request already answered gets the same answer again and is not handed on.
   *  Requests arrive in CSeq order as received; a request with a lower CSeq than one already seen is
   *  answered 500 by the dialog (RFC 3261 12.2.2) and handed on with `outOfOrder: true`. */
  onRequest(handler: SipRequestHandler): void;
  /** BYE: sends it (once) and resolves on its response. */
  bye(): Promise<SipMessageView | undefined>;
  onEnd(handler: (reason: SipDialogEndReason) => void): void;
}
