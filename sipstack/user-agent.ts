/*
 * Why the user agent has its own sockets: `sip.create` of the `sip` package (0.0.6) cannot be shut
 * down. Measured: two stacks made with `sip.create`, one OPTIONS over TCP between them, then
 * `destroy()` on both; 200 ms later `process.getActiveResourcesInfo()` still listed two
 * TCPSocketWrap, and the process had not exited 10 s later (its `destroy` closes the listening
 * servers only, and its connections live in closures out of reach). It also rejects port 0 and
 * gives no hold on a connection to set noDelay. So the sockets (dgram and net) are the user
 * agent's own, tracked and closed by `close`, while parsing, serialising and the transactions
 * with their retransmissions (RFC 3261 17: timers A/E, and a retransmitted request answered again
 * from the server transaction) are the package's: `sip.parse`, `sip.stringify`,
 * `sip.makeResponse` and `sip.makeTransactionLayer`.
 */
import { randomUUID } from 'node:crypto';
import sip, { type SipPackageMessage } from 'sip';
import { Dialog, dialogKey, endpointOf } from './dialog.ts';
import { SipFailureError, SipTimeoutError, SipUsageError } from './errors.ts';
import { type InviteHost, receiveInvite } from './incoming-invite.ts';
import { requireLoopbackAddress, requirePort } from './loopback.ts';
import {
  allowed,
  contactOf,
  contentHeaders,
  contentOf,
  newTag,
  reasonPhrase,
  tagOf,
  viewOf,
} from './message.ts';
import { type Arrival, type Endpoint, Transports } from './transport.ts';
import type {
  IncomingInvite,
  SipContent,
  SipDialog,
  SipTransportName,
  SipUserAgent,
  UserAgentOptions,
} from './types.ts';

/**
 * A time-out that fires this much later than due found the event loop held up (the process
 * busy elsewhere, or not scheduled): see `deadline`.
 */
const heldUpMs = 200;

const defaultTimeoutMs = 4000;

function transportOf(name: string | null | undefined, what: string): SipTransportName {
  const lower = (name ?? 'udp').toLowerCase();
  if (lower === 'udp' || lower === 'tcp') return lower;
  throw new SipUsageError(
    `${what}: transport ${JSON.stringify(name)} is not supported: use udp or tcp`,
  );
}

class UserAgent implements SipUserAgent, InviteHost {
  readonly uri: string;
  readonly address: string;
  readonly port: number;
  readonly timeoutMs: number;
  private readonly layer = sip.makeTransactionLayer({}, undefined);
  private readonly dialogs = new Map<string, Dialog>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Waits that `close` cuts short. */
  private readonly waits = new Set<(error: Error) => void>();
  /** INVITEs received and not answered yet, by Call-ID and branch, for CANCEL. */
  private readonly unanswered = new Map<string, (status: number, reason?: string) => void>();
  private inviteHandler: ((invite: IncomingInvite) => void) | undefined;
  closed = false;

  constructor(
    private readonly transports: Transports,
    user: string,
    timeoutMs: number,
    address: string,
  ) {
    this.address = address;
    this.port = transports.port;
    this.uri = `sip:${user}@${address}:${this.port}`;
    this.timeoutMs = timeoutMs;
  }

  contact(transport: SipTransportName): string {
    return transport === 'tcp' ? `${this.uri};transport=tcp` : this.uri;
  }

  via(transport: SipTransportName): SipPackageMessage['headers']['via'] {
    const protocol = transport.toUpperCase();
    const params: Record<string, string | number | null> =
      transport === 'udp' ? { rport: null } : {};
    return [{ version: '2.0', protocol, host: this.address, port: this.port, params }];
  }

  adopt(dialog: Dialog): void {
    this.dialogs.set(dialog.key, dialog);
  }

  ended(dialog: Dialog): void {
    if (this.closed) return;
    this.timer(this.timeoutMs, () => this.dialogs.delete(dialog.key));
  }

  deadline(ms: number, run: () => void): () => void {
    let cancel = () => {};
    const arm = (wait: number) => {
      const due = performance.now() + wait;
      cancel = this.timer(wait, () => {
        const late = performance.now() - due;
        if (late > heldUpMs) arm(late);
        else run();
      });
    };
    arm(ms);
    return () => cancel();
  }

  timer(ms: number, run: () => void): () => void {
    const handle = setTimeout(() => {
      this.timers.delete(handle);
      run();
    }, ms);
    this.timers.add(handle);
    return () => {
      clearTimeout(handle);
      this.timers.delete(handle);
    };
  }

  /** Registers a wait that `close` rejects; returns its removal. */
  wait(reject: (error: Error) => void): () => void {
    this.waits.add(reject);
    return () => this.waits.delete(reject);
  }

  transact(
    request: SipPackageMessage,
    transport: SipTransportName,
    target: Endpoint,
    onLater2xx?: (response: SipPackageMessage) => void,
  ): Promise<SipPackageMessage> {
    const method = request.method ?? '';
    const label = `${method} to ${sip.stringifyUri(request.uri ?? '')} over ${transport}`;
    if (this.closed) {
      return Promise.reject(new SipUsageError(`${label}: the user agent is closed`));
    }
    return new Promise((resolve, reject) => {
      let settled = false;
      let cancelTimer = () => {};
      let forget = () => {};
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        cancelTimer();
        forget();
        outcome();
      };
      // RFC 3261 8.1.3.1: a transport failure counts as a 503 from the next hop.
      const connection = this.transports.connection(transport, target, (error) => {
        transaction.message(
          sip.makeResponse(request, 503, `Service Unavailable (transport: ${error.message})`),
        );
      });
      const transaction = this.layer.createClientTransaction(connection, request, (response) => {
        const status = response.status ?? 0;
        if (status < 200) return;
        if (!settled) settle(() => resolve(response));
        else if (status < 300) onLater2xx?.(response);
      });
      forget = this.wait((error) => settle(() => reject(error)));
      cancelTimer = this.deadline(this.timeoutMs, () =>
        settle(() => {
          transaction.shutdown();
          reject(new SipTimeoutError(`${label}: no final response within ${this.timeoutMs} ms`));
        }),
      );
    });
  }

  sendOutsideTransaction(
    request: SipPackageMessage,
    transport: SipTransportName,
    target: Endpoint,
  ): void {
    if (this.closed) return;
    const connection = this.transports.connection(transport, target, () => {});
    connection.send(request);
    connection.release();
  }

  onInvite(handler: (invite: IncomingInvite) => void): void {
    this.inviteHandler = handler;
  }

  async invite(
    target: string,
    offer: SipContent & { transport?: SipTransportName },
  ): Promise<SipDialog> {
    const uri = sip.parseUri(target);
    if (uri === undefined) {
      throw new SipUsageError(
        `${JSON.stringify(target)} is not a SIP URI: give sip:user@127.0.0.x:port[;transport=tcp]`,
      );
    }
    requireLoopbackAddress(uri.host, `the target ${target} has the host`);
    const transport = transportOf(offer.transport ?? uri.params.transport, `INVITE to ${target}`);
    const localTag = newTag();
    const callId = `${randomUUID()}@${this.address}`;
    const local = { uri: this.uri };
    const { headers, content } = contentHeaders(offer);
    const request: SipPackageMessage = {
      method: 'INVITE',
      uri: target,
      headers: {
        via: this.via(transport),
        'max-forwards': '70',
        to: { uri: target },
        from: { ...local, params: { tag: localTag } },
        'call-id': callId,
        cseq: { seq: 1, method: 'INVITE' },
        contact: [{ uri: this.contact(transport) }],
        allow: allowed,
        ...headers,
      },
      content,
    };
    let dialog: Dialog | undefined;
    // Copies of the 2xx that come before the dialog exists are acknowledged once it does.
    let earlyCopies = 0;
    const response = await this.transact(request, transport, endpointOf(uri), () => {
      if (dialog) dialog.resendAck();
      else earlyCopies += 1;
    });
    const status = response.status ?? 0;
    if (status >= 300) {
      throw new SipFailureError(
        `INVITE to ${target} over ${transport} was answered ${status} ${response.reason ?? ''}`.trim(),
        status,
      );
    }
    const remoteContact = contactOf(response);
    const view = viewOf(response);
    dialog = new Dialog(this, {
      callId,
      transport,
      localTag,
      remoteTag: tagOf(response.headers.to) ?? '',
      local,
      remote: { uri: target },
      localContact: this.contact(transport),
      remoteTarget: remoteContact ?? target,
      routeSet: [...(response.headers['record-route'] ?? [])].reverse(),
      localSeq: 1,
      remoteSeq: undefined,
      remoteContent: contentOf(view),
    });
    this.dialogs.set(dialog.key, dialog);
    dialog.sendAck(1);
    for (; earlyCopies > 0; earlyCopies--) dialog.resendAck();
    return dialog;
  }

  /** Everything that arrives on any socket: responses to their transactions, requests to theirs or to a dialog. */
  arrive({ message, transport, replyOn, at }: Arrival): void {
    if (message.method === undefined) {
      const transaction = this.layer.getClient(message);
      if (transaction) {
        transaction.message(message, true);
        return;
      }
      // A 2xx retransmitted after the INVITE transaction ended is acknowledged by the dialog.
      const status = message.status ?? 0;
      if (message.headers.cseq?.method === 'INVITE' && status >= 200 && status < 300) {
        this.dialogOf(message, 'from')?.resendAck();
      }
      return;
    }
    const existing = this.layer.getServer(message);
    if (existing) {
      existing.message(message);
      return;
    }
    if (message.method === 'ACK') {
      this.dialogOf(message, 'to')?.ackReceived(message.headers.cseq?.seq ?? 0);
      return;
    }
    const transaction = this.layer.createServerTransaction(message, replyOn);
    const answer = (status: number, reason?: string, headers: Record<string, unknown> = {}) =>
      transaction.send(
        sip.makeResponse(message, status, reason ?? reasonPhrase(status), { headers }),
      );
    if (tagOf(message.headers.to) !== undefined) {
      const dialog = this.dialogOf(message, 'to');
      if (dialog) dialog.receive(message, transaction, at);
      else answer(481);
      return;
    }
    switch (message.method) {
      case 'INVITE': {
        const id = this.inviteId(message);
        receiveInvite(this, { message, transaction, transport }, this.inviteHandler, (cancel) => {
          this.unanswered.set(id, cancel);
          return () => this.unanswered.delete(id);
        });
        return;
      }
      case 'CANCEL': {
        const cancel = this.unanswered.get(this.inviteId(message));
        if (cancel === undefined) {
          answer(481);
          return;
        }
        answer(200);
        cancel(487);
        return;
      }
      case 'OPTIONS':
        answer(200, undefined, { allow: allowed });
        return;
      default:
        answer(405, undefined, { allow: allowed });
    }
  }

  private inviteId(message: SipPackageMessage): string {
    return `${message.headers['call-id']}\n${message.headers.via?.[0]?.params.branch}`;
  }

  /** The dialog a message belongs to; `ours` names the header that carries the local tag. */
  private dialogOf(message: SipPackageMessage, ours: 'to' | 'from'): Dialog | undefined {
    const theirs = ours === 'to' ? 'from' : 'to';
    const localTag = tagOf(message.headers[ours]) ?? '';
    const remoteTag = tagOf(message.headers[theirs]) ?? '';
    return this.dialogs.get(dialogKey(message.headers['call-id'] ?? '', localTag, remoteTag));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closing = new SipUsageError('the user agent was closed while this was waiting');
    for (const reject of [...this.waits]) reject(closing);
    for (const dialog of this.dialogs.values()) dialog.close();
    for (const handle of this.timers) clearTimeout(handle);
    this.timers.clear();
    // The package starts a client transaction on the next tick; let those start before ending them all.
    await new Promise((resolve) => setImmediate(resolve));
    this.layer.destroy();
    await this.transports.close();
  }
}

export async function startUserAgent(options: UserAgentOptions): Promise<SipUserAgent> {
  requireLoopbackAddress(options.address, 'the address');
  if (options.port !== undefined) requirePort(options.port, 'the port');
  const transports = options.transports ?? ['udp', 'tcp'];
  if (transports.length === 0) {
    throw new SipUsageError('the transports option is empty: give udp, tcp or both');
  }
  for (const name of transports) transportOf(name, 'the transports option');
  const timeoutMs = options.transactionTimeoutMs ?? defaultTimeoutMs;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new SipUsageError(
      `transactionTimeoutMs ${timeoutMs} is not a positive number of milliseconds`,
    );
  }
  const user = options.user ?? 'imflow';
  if (!/^[\w.!~*'()-]+$/.test(user)) {
    throw new SipUsageError(
      `the user ${JSON.stringify(user)} is not a SIP user part: use letters, digits and -_.`,
    );
  }
  let agent: UserAgent | undefined;
  const onTraffic = options.onTraffic ?? (() => {});
  const opened = await Transports.open({
    address: options.address,
    port: options.port,
    transports,
    onTraffic,
    onArrival: (arrival) => agent?.arrive(arrival),
  });
  agent = new UserAgent(opened, user, timeoutMs, options.address);
  return agent;
}
