import sip, { type SipPackageMessage, type SipServerTransaction } from 'sip';
import { Dialog, type DialogHost } from './dialog.ts';
import { SipTimeoutError, SipUsageError } from './errors.ts';
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
import type { IncomingInvite, SipDialog, SipTransportName } from './types.ts';

/** RFC 3261 timers T1 and T2: the 2xx to an INVITE is sent again at T1, doubling up to T2. */
const t1Ms = 500;
const t2Ms = 4000;

/** What answering an INVITE needs from the user agent besides what a dialog needs. */
export interface InviteHost extends DialogHost {
  readonly uri: string;
  readonly closed: boolean;
  contact(transport: SipTransportName): string;
  /** Registers a wait that `close` rejects; returns its removal. */
  wait(reject: (error: Error) => void): () => void;
  /** The dialog starts to receive its requests (and the ACK). */
  adopt(dialog: Dialog): void;
  /**
   * A timer for a time-out that blames the other side: the time the event loop was held up
   * is given back, once it is free again, before the time-out fires. Node runs the timers that
   * are due before it reads input, so after a stall longer than the time-out a plain timer
   * would fire ahead of an answer that came in time and waits unread.
   */
  deadline(ms: number, run: () => void): () => void;
}

export interface ReceivedInvite {
  readonly message: SipPackageMessage;
  readonly transaction: SipServerTransaction;
  readonly transport: SipTransportName;
}

/**
 * An INVITE outside any dialog, handed to the owner to accept or reject. Accepting makes the
 * dialog at once (the caller may send before its ACK arrives) and resolves when the ACK comes;
 * `register` lets a CANCEL end it while it is unanswered.
 */
export function receiveInvite(
  host: InviteHost,
  { message, transaction, transport }: ReceivedInvite,
  handler: ((invite: IncomingInvite) => void) | undefined,
  register: (cancel: (status: number) => void) => () => void,
): void {
  // A 100 at once stops the caller's retransmissions while the owner decides (RFC 3261 17.2.1).
  transaction.send(sip.makeResponse(message, 100, reasonPhrase(100)));
  const localTag = newTag();
  let answered = false;
  let unregister = () => {};
  const final = (
    status: number,
    reason?: string,
    extra: Record<string, unknown> = {},
    body = '',
  ) => {
    answered = true;
    unregister();
    const to = { ...message.headers.to, params: { ...message.headers.to?.params, tag: localTag } };
    const response = sip.makeResponse(message, status, reason ?? reasonPhrase(status), {
      headers: { to, ...extra },
      content: body,
    });
    transaction.send(response);
    return response;
  };
  if (handler === undefined) {
    final(480, 'No Handler for INVITE');
    return;
  }
  unregister = register((status) => {
    if (!answered) final(status);
  });
  const request = viewOf(message);
  const from = sip.stringifyUri(message.headers.from?.uri ?? '');
  const requireUnanswered = (what: string) => {
    if (answered) {
      throw new SipUsageError(`the INVITE from ${from} was answered already: cannot ${what} it`);
    }
    if (host.closed) throw new SipUsageError(`the user agent is closed: cannot ${what} the INVITE`);
  };
  const remoteContact = contactOf(message);
  const accept = (answer: Parameters<IncomingInvite['accept']>[0]) =>
    new Promise<SipDialog>((resolve, reject) => {
      requireUnanswered('accept');
      const { headers, content } = contentHeaders(answer);
      const dialog = new Dialog(host, {
        callId: message.headers['call-id'] ?? '',
        transport,
        localTag,
        remoteTag: tagOf(message.headers.from) ?? '',
        local: { uri: message.headers.to?.uri ?? host.uri },
        remote: { uri: message.headers.from?.uri ?? '' },
        localContact: host.contact(transport),
        remoteTarget: remoteContact ?? message.headers.from?.uri ?? '',
        routeSet: [...(message.headers['record-route'] ?? [])],
        localSeq: 0,
        remoteSeq: message.headers.cseq?.seq,
        remoteContent: contentOf(request),
      });
      host.adopt(dialog);
      const response = final(
        200,
        undefined,
        { contact: [{ uri: host.contact(transport) }], allow: allowed, ...headers },
        content,
      );
      let stopRetransmitting = () => {};
      let cancelDeadline = () => {};
      let forget = () => {};
      const done = () => {
        stopRetransmitting();
        cancelDeadline();
        forget();
      };
      const retransmit = (interval: number): (() => void) =>
        host.timer(interval, () => {
          transaction.send(response);
          stopRetransmitting = retransmit(Math.min(interval * 2, t2Ms));
        });
      // RFC 3261 13.3.1.4: over UDP the 2xx is the UAS core's to repeat until the ACK.
      if (transport === 'udp') stopRetransmitting = retransmit(t1Ms);
      forget = host.wait((error) => {
        done();
        reject(error);
      });
      cancelDeadline = host.deadline(host.timeoutMs, () => {
        done();
        // The dialog exists for the caller, so it is ended with a BYE (RFC 3261 13.3.1.4).
        dialog.bye().catch(() => {});
        reject(
          new SipTimeoutError(
            `no ACK for the 200 to the INVITE from ${from} over ${transport} within ${host.timeoutMs} ms`,
          ),
        );
      });
      dialog.awaitAck(message.headers.cseq?.seq ?? 0, () => {
        done();
        resolve(dialog);
      });
    });
  handler({
    request,
    from,
    transport,
    accept,
    reject: (status, reason) => {
      requireUnanswered('reject');
      if (!Number.isInteger(status) || status < 300 || status > 699) {
        throw new SipUsageError(`${status} is not a rejection: use a status from 300 to 699`);
      }
      final(status, reason);
    },
  });
}
