/**
 * The mapping between the model's alphabet and SIP as Lync carries instant messages: the kit,
 * playing the remote participant, builds its requests from `remote.*` stimuli here and reads
 * what the endpoint sends into `WireOutput`s. Pure functions: no sockets, no clocks, no state
 * of their own (the caller keeps the Message-Ids sent and received and passes them in).
 *
 * Sources are named on each choice. "pidgin-sipe" is the Lync-compatible client
 * (github.com/tieto/sipe, `src/core/`); the facts taken from it are named by file.
 * The table of the whole mapping is `docs/wire-mapping.md`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { RemoteStimulus, WireOutput } from '../../machines/index.ts';

/** A request or response as the SIP stack hands it over: header names in any case. */
export interface WireMessage {
  readonly method?: string;
  readonly status?: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Media type without parameters; read from the Content-Type header when not given. */
  readonly contentType?: string | undefined;
  readonly body: string;
}

/** What a request of the kit carries besides its method. */
export interface WireContent {
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request the kit sends for a stimulus. */
export interface OutgoingRequest {
  readonly method: 'MESSAGE' | 'INFO' | 'BYE';
  readonly content?: WireContent;
  /** Set for a `remote.message`: the Message-Id the caller records as the kit's next message. */
  readonly messageId?: string;
}

/** What a request or response of the endpoint means, or why it means nothing to the model. */
export type Classification =
  | {
      readonly kind: 'output';
      readonly output: WireOutput;
      /** The Message-Id of a message the endpoint sent, for later delivery notifications. */
      readonly messageId?: string;
      /** Something worth a note that does not change the output (a missing Message-Id). */
      readonly note?: string;
    }
  | { readonly kind: 'unrecognised'; readonly reason: string };

export type AnswerCheck =
  | { readonly ok: true; readonly media: 'message' | 'x-ms-message' }
  | { readonly ok: false; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Content types and namespaces

export const KEYBOARD_ACTIVITY_TYPE = 'application/xml';
export const IS_COMPOSING_TYPE = 'application/im-iscomposing+xml';
export const MS_IMDN_TYPE = 'application/ms-imdn+xml';
export const RFC_IMDN_TYPE = 'message/imdn+xml';

const MS_IMDN_NAMESPACE = 'http://schemas.microsoft.com/rtc/2005/08/imdn';
const RFC_IMDN_NAMESPACE = 'urn:ietf:params:xml:ns:imdn';
const IS_COMPOSING_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';

/**
 * The formats the kit's offer accepts. The list follows the one pidgin-sipe offers
 * (`SDP_ACCEPT_TYPES` in `sipe-im.h`: text/plain, text/html, the RFC 3994 composing type and
 * application/ms-imdn+xml, among others), with RFC 5438's `message/imdn+xml`, and ends in `*`
 * (RFC 4975 section 8.6: any type) because the kit, like a client that takes every message,
 * answers every MESSAGE 200 whatever its format.
 */
export const KIT_ACCEPT_TYPES: readonly string[] = [
  'text/plain',
  'text/html',
  IS_COMPOSING_TYPE,
  MS_IMDN_TYPE,
  RFC_IMDN_TYPE,
  '*',
];

/** The value of a header, whatever the case of its name (RFC 3261 section 7.3.1). */
export function headerValue(
  headers: Readonly<Record<string, string>>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** The media type of a message, lower-case and without parameters (RFC 3261 section 20.15). */
export function mediaTypeOf(message: WireMessage): string | undefined {
  const raw = message.contentType ?? headerValue(message.headers, 'content-type');
  if (raw === undefined) return undefined;
  const type = raw.split(';')[0]?.trim().toLowerCase();
  return type === '' ? undefined : type;
}

// ---------------------------------------------------------------------------------------------
// SDP

/**
 * The SDP offer of the kit's IM call. Lync's IM session has one media line
 * `m=message <port> sip null` and an `a=accept-types:` line: pidgin-sipe builds exactly this
 * shape in `sipe_im_invite` (`sipe-im.c`), with `x-ms-message` instead of `message` for servers
 * older than OCS 2007. The kit offers the current form. The port is the kit's SIP port: the
 * messages travel in the SIP dialog itself, not on a media stream of their own.
 */
export function imOffer(
  address: string,
  port: number,
  acceptTypes: readonly string[] = KIT_ACCEPT_TYPES,
): string {
  return [
    'v=0',
    `o=- 0 0 IN IP4 ${address}`,
    's=session',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=message ${port} sip null`,
    `a=accept-types:${acceptTypes.join(' ')}`,
    '',
  ].join('\r\n');
}

/**
 * Whether an answer SDP has an IM media line. Both media names are accepted, `message` and the
 * older `x-ms-message`: pidgin-sipe takes an invitation whose SDP has either one and refuses the
 * others with 501 (`process_incoming_invite`, `sipe-incoming.c`), and answers with
 * `m=message <port> sip sip:<user>` (`send_invite_response`, same file), so the format after
 * `sip` is not checked. A port of 0 is a refused stream (RFC 3264 section 6) and does not count.
 */
export function checkImAnswer(sdp: string): AnswerCheck {
  const lines = sdp.split(/\r?\n/).filter((line) => line.trim() !== '');
  if (lines.length === 0) return { ok: false, reason: 'the answer has no SDP body' };
  if (lines[0]?.trim() !== 'v=0') {
    return { ok: false, reason: `the answer SDP does not start with v=0 (got "${lines[0]}")` };
  }
  const media = lines.filter((line) => line.startsWith('m='));
  if (media.length === 0) return { ok: false, reason: 'the answer SDP has no media line (m=)' };
  for (const line of media) {
    const [name, port, proto] = line.slice(2).trim().split(/\s+/);
    if ((name === 'message' || name === 'x-ms-message') && proto?.toLowerCase() === 'sip') {
      if (port === undefined || !/^\d+$/.test(port)) {
        return { ok: false, reason: `the IM media line "${line}" has no valid port` };
      }
      if (Number(port) === 0) {
        return {
          ok: false,
          reason: `the IM media line "${line}" has port 0: the stream is refused`,
        };
      }
      return { ok: true, media: name };
    }
  }
  return {
    ok: false,
    reason: `the answer SDP has no IM media line "m=message <port> sip ..." or "m=x-ms-message <port> sip ..." (media lines: ${media.join(' | ')})`,
  };
}

// ---------------------------------------------------------------------------------------------
// The kit's requests

export interface RequestContext {
  /** The Message-Id to give the kit's next MESSAGE (the caller makes it unique in the call). */
  readonly nextMessageId: string;
  /** The Message-Ids of the endpoint's messages, in the order it sent them (undefined: none). */
  readonly receivedMessageIds: readonly (string | undefined)[];
  /** The kit's own URI, named as the recipient in the delivery notifications it sends. */
  readonly recipientUri: string;
}

export type RequestOrReason =
  | { readonly ok: true; readonly request: OutgoingRequest }
  | { readonly ok: false; readonly reason: string };

/**
 * The request the kit sends for a remote stimulus.
 *
 * - `remote.message`: an in-dialog MESSAGE (RFC 3428) whose Content-Type is the message's and
 *   whose body is its text, with a `Message-Id` header, the identifier delivery notifications
 *   name ([MS-CONFIM] section 2.2.2: the IMDN's `message-id` is the Message-Id of the MESSAGE).
 *   pidgin-sipe sends its messages the same way, with `; charset=UTF-8` on the type
 *   (`sipe_im_send_message`, `sipe-im.c`); the kit adds no parameter, so that the endpoint sees
 *   the model's content type unchanged.
 * - `remote.typing` / `remote.idle`: an in-dialog INFO, `Content-Type: application/xml`, with a
 *   `KeyboardActivity` body whose `status` element has `status="type"` or `status="idle"`:
 *   pidgin-sipe builds this in `sipe_core_user_feedback_typing` (`sipe-user.c`).
 * - `remote.deliveryNotification`: an in-dialog MESSAGE with `application/ms-imdn+xml`
 *   ([MS-CONFIM] section 2.2.2), naming the Message-Id of the endpoint's k-th message and the
 *   kit as the recipient; `status` is 200 for a delivery, else the failure code (500 when the
 *   stimulus gives none). pidgin-sipe reads a status below 300 as delivered
 *   (`sipe_process_imdn`, `sipe-conf.c`).
 * - `remote.bye`: BYE (RFC 3261 section 15.1.1).
 */
export function requestFor(stimulus: RemoteStimulus, context: RequestContext): RequestOrReason {
  switch (stimulus.type) {
    case 'remote.message':
      return {
        ok: true,
        request: {
          method: 'MESSAGE',
          messageId: context.nextMessageId,
          content: {
            contentType: stimulus.contentType,
            body: stimulus.body,
            headers: { 'Message-Id': context.nextMessageId },
          },
        },
      };
    case 'remote.typing':
    case 'remote.idle':
      return {
        ok: true,
        request: {
          method: 'INFO',
          content: {
            contentType: KEYBOARD_ACTIVITY_TYPE,
            body: keyboardActivityBody(stimulus.type === 'remote.typing' ? 'type' : 'idle'),
          },
        },
      };
    case 'remote.deliveryNotification': {
      const { message } = stimulus;
      const count = context.receivedMessageIds.length;
      if (!Number.isInteger(message) || message < 1 || message > count) {
        return {
          ok: false,
          reason: `a delivery notification for message ${message} cannot be sent: the endpoint has sent ${count} message${count === 1 ? '' : 's'} in this call`,
        };
      }
      const messageId = context.receivedMessageIds[message - 1];
      if (messageId === undefined) {
        return {
          ok: false,
          reason: `a delivery notification for message ${message} cannot be sent: the endpoint sent that message without a Message-Id header`,
        };
      }
      const status = stimulus.status === 'success' ? 200 : (stimulus.code ?? 500);
      return {
        ok: true,
        request: {
          method: 'MESSAGE',
          content: {
            contentType: MS_IMDN_TYPE,
            body: msImdnBody(messageId, context.recipientUri, status),
          },
        },
      };
    }
    case 'remote.bye':
      return { ok: true, request: { method: 'BYE' } };
  }
}

export function keyboardActivityBody(status: 'type' | 'idle'): string {
  return `<?xml version="1.0"?><KeyboardActivity><status status="${status}" /></KeyboardActivity>`;
}

export function msImdnBody(messageId: string, recipientUri: string, status: number): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?><imdn xmlns="${MS_IMDN_NAMESPACE}">` +
    `<message-id>${escapeXml(messageId)}</message-id>` +
    `<recipient uri="${escapeXml(recipientUri)}"><status>${status}</status></recipient></imdn>`
  );
}

function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

// ---------------------------------------------------------------------------------------------
// What the endpoint sends

/** Methods that may carry a delivery notification: MESSAGE, INFO, NOTIFY and BENOTIFY. */
const NOTIFICATION_METHODS = new Set(['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY']);
/** Content types of MESSAGEs that are control, never the text of a message. */
const CONTROL_TYPES = new Set([MS_IMDN_TYPE, RFC_IMDN_TYPE, IS_COMPOSING_TYPE]);

/**
 * What a request of the endpoint means in the model's alphabet.
 *
 * - MESSAGE with any other content type: the endpoint's message, `{kind:'message'}` with the
 *   body and the media type (RFC 3428; pidgin-sipe takes text/plain, text/html and multipart
 *   messages as IMs in `process_incoming_message`, `sipe-incoming.c`). Its `Message-Id` is
 *   handed back for the kit's delivery notifications; without one the message still counts,
 *   with a note.
 * - `application/ms-imdn+xml` ([MS-CONFIM] section 2.2.2) or `message/imdn+xml` (RFC 5438)
 *   in a MESSAGE, INFO, NOTIFY or BENOTIFY: a delivery notification for the kit's
 *   message whose Message-Id it names. pidgin-sipe takes the Microsoft form from NOTIFY and
 *   BENOTIFY (`process_incoming_notify`, `sipe-notify.c`); the shared conventions of this
 *   project accept all four methods.
 * - INFO `application/xml` with `KeyboardActivity`: composing; `type` is typing, `idle` idle
 *   (`process_incoming_info`, `sipe-incoming.c`).
 * - `application/im-iscomposing+xml` (RFC 3994) in a MESSAGE or INFO: `active` is typing,
 *   `idle` idle (pidgin-sipe reads it from MESSAGE in `process_incoming_message`).
 * - BYE: `{kind:'bye'}`.
 *
 * Anything else is `unrecognised` with the reason, never an exception.
 */
export function classifyRequest(
  request: WireMessage,
  sentMessageIds: readonly string[],
): Classification {
  const method = request.method?.toUpperCase();
  if (method === undefined) return unrecognised('it is a response, not a request');
  if (method === 'BYE') return output({ channel: 'wire', kind: 'bye' });
  const type = mediaTypeOf(request);

  if ((type === MS_IMDN_TYPE || type === RFC_IMDN_TYPE) && NOTIFICATION_METHODS.has(method)) {
    const parsed = type === MS_IMDN_TYPE ? readMsImdn(request.body) : readRfcImdn(request.body);
    if (!parsed.ok) return unrecognised(`${method} ${type}: ${parsed.reason}`);
    const index = sentMessageIds.indexOf(parsed.messageId);
    if (index < 0) {
      return unrecognised(
        `${method} ${type}: the notification names Message-Id "${parsed.messageId}", which is none of the kit's messages (${sentMessageIds.length === 0 ? 'it has sent none' : `it sent ${sentMessageIds.map((id) => `"${id}"`).join(', ')}`})`,
      );
    }
    return output({
      channel: 'wire',
      kind: 'deliveryNotification',
      message: index + 1,
      ...(parsed.code === undefined
        ? { status: 'success' as const }
        : { status: 'failure' as const, code: parsed.code }),
    });
  }

  if (type === IS_COMPOSING_TYPE && (method === 'MESSAGE' || method === 'INFO')) {
    const parsed = readIsComposing(request.body);
    if (!parsed.ok) return unrecognised(`${method} ${type}: ${parsed.reason}`);
    return output({ channel: 'wire', kind: 'composing', state: parsed.state });
  }

  if (method === 'INFO') {
    if (type !== KEYBOARD_ACTIVITY_TYPE) {
      return unrecognised(
        `INFO with ${type === undefined ? 'no Content-Type' : `Content-Type ${type}`}: only ${KEYBOARD_ACTIVITY_TYPE} (KeyboardActivity), ${IS_COMPOSING_TYPE} and delivery notifications are understood`,
      );
    }
    const parsed = readKeyboardActivity(request.body);
    if (!parsed.ok) return unrecognised(`INFO ${type}: ${parsed.reason}`);
    return output({ channel: 'wire', kind: 'composing', state: parsed.state });
  }

  if (method === 'MESSAGE') {
    if (type === undefined) return unrecognised('MESSAGE without a Content-Type');
    if (CONTROL_TYPES.has(type)) return unrecognised(`MESSAGE ${type} not understood`);
    const messageId = headerValue(request.headers, 'message-id')?.trim();
    const message: WireOutput = {
      channel: 'wire',
      kind: 'message',
      body: request.body,
      contentType: type,
    };
    if (messageId === undefined || messageId === '') {
      return {
        kind: 'output',
        output: message,
        note: 'the endpoint sent a MESSAGE without a Message-Id header: no delivery notification can name it',
      };
    }
    return { kind: 'output', output: message, messageId };
  }

  return unrecognised(
    `${method}${type === undefined ? '' : ` ${type}`} has no meaning in the model (understood: MESSAGE, INFO, NOTIFY, BENOTIFY, BYE)`,
  );
}

/**
 * The answer the kit gives the endpoint's request: 200 to MESSAGE, INFO, NOTIFY, BENOTIFY and
 * BYE whatever the content, as a client that takes every message (and every notification) does;
 * 405 to any other method (RFC 3261 section 8.2.1). The answer does not depend on whether the
 * body was understood: what the kit observes is a note, not a refusal on the wire.
 */
export function answerFor(request: WireMessage): number {
  const method = request.method?.toUpperCase() ?? '';
  return ['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY', 'BYE'].includes(method) ? 200 : 405;
}

/** The methods `answerFor` answers 200, for an Allow header. */
export const ANSWERED_METHODS: readonly string[] = ['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY', 'BYE'];

/**
 * The output for the final response to the kit's k-th MESSAGE: `{kind:'response', message:k,
 * code}`. Lync answers 200 (consumed), 202 (accepted for proxying) or 415 (format not
 * supported), echoing the `Message-Id` (the shared conventions; [MS-CONFIM] section 3.3.2.5 has
 * the IM MCU return the Message-Id in its response, and pidgin-sipe reads it from there in
 * `process_message_response`, `sipe-im.c`). A missing or different echo gives a note only.
 */
export function responseOutput(
  message: number,
  response: WireMessage,
  sentMessageId: string,
): Classification {
  const code = response.status;
  if (code === undefined || !Number.isInteger(code) || code < 100 || code > 699) {
    return unrecognised(`the answer to message ${message} has no valid status code`);
  }
  const echoed = headerValue(response.headers, 'message-id')?.trim();
  const out: WireOutput = { channel: 'wire', kind: 'response', message, code };
  if (code >= 300 || echoed === sentMessageId) return { kind: 'output', output: out };
  return {
    kind: 'output',
    output: out,
    note:
      echoed === undefined
        ? `the ${code} answer to message ${message} does not echo its Message-Id "${sentMessageId}"`
        : `the ${code} answer to message ${message} echoes Message-Id "${echoed}", not "${sentMessageId}"`,
  };
}

function output(out: WireOutput): Classification {
  return { kind: 'output', output: out };
}

function unrecognised(reason: string): Classification {
  return { kind: 'unrecognised', reason };
}

// ---------------------------------------------------------------------------------------------
// Bodies

type Read<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: '#comment',
});

/** Parses an XML body with a real parser into one root element, or says what is wrong. */
function parseRoot(body: string): Read<{ root: XmlElement }> {
  if (body.trim() === '') return { ok: false, reason: 'the body is empty' };
  if (/<!DOCTYPE/i.test(body)) {
    return { ok: false, reason: 'the body has a DOCTYPE, which no IM body has' };
  }
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    return {
      ok: false,
      reason: `malformed XML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`,
    };
  }
  const nodes = toElements(parser.parse(body) as unknown[]);
  if (nodes.length !== 1) {
    return { ok: false, reason: `the XML has ${nodes.length} root elements, not one` };
  }
  return { ok: true, root: nodes[0] as XmlElement };
}

function toElements(nodes: unknown[]): XmlElement[] {
  const elements: XmlElement[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    const record = node as Record<string, unknown>;
    const name = Object.keys(record).find((key) => key !== ':@');
    if (name === undefined || name === '#text' || name === '#comment') continue;
    const content = (record[name] as unknown[]) ?? [];
    const text = content
      .map((child) => (child as Record<string, unknown>)['#text'])
      .filter((value): value is string | number => value !== undefined)
      .join('');
    elements.push({
      name,
      attributes: (record[':@'] as Record<string, string>) ?? {},
      children: toElements(content),
      text: String(text).trim(),
    });
  }
  return elements;
}

function localName(element: XmlElement): string {
  const colon = element.name.indexOf(':');
  return colon < 0 ? element.name : element.name.slice(colon + 1);
}

/** The namespace of an element named on its own start tag (the only place IM bodies name it). */
function namespaceOf(element: XmlElement, inherited?: string): string | undefined {
  const colon = element.name.indexOf(':');
  const key = colon < 0 ? 'xmlns' : `xmlns:${element.name.slice(0, colon)}`;
  return element.attributes[key] ?? inherited;
}

function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => localName(child) === name);
}

function checkRoot(root: XmlElement, name: string, namespace: string | undefined): string | null {
  if (localName(root) !== name) {
    return `the root element is <${root.name}>, not <${name}>`;
  }
  const actual = namespaceOf(root);
  if (actual !== namespace) {
    return namespace === undefined
      ? `<${name}> is in namespace "${actual}", expected none`
      : `<${name}> is in namespace ${actual === undefined ? 'none' : `"${actual}"`}, expected "${namespace}"`;
  }
  return null;
}

function onlyChild(parent: XmlElement, name: string): Read<{ element: XmlElement }> {
  const found = childrenNamed(parent, name);
  if (found.length !== 1) {
    return {
      ok: false,
      reason: `<${localName(parent)}> has ${found.length} <${name}> elements, expected one`,
    };
  }
  return { ok: true, element: found[0] as XmlElement };
}

function readMessageId(root: XmlElement): Read<{ messageId: string }> {
  const id = onlyChild(root, 'message-id');
  if (!id.ok) return id;
  if (id.element.text === '') return { ok: false, reason: '<message-id> is empty' };
  return { ok: true, messageId: id.element.text };
}

/** A delivery (code undefined) or a failure with its code. */
type Notification = Read<{ messageId: string; code: number | undefined }>;

/**
 * [MS-CONFIM] section 2.2.2: `<imdn>` in the rtc/2005/08/imdn namespace, one `<message-id>`,
 * and `<recipient uri="...">` elements, each with a `<status>` SIP code. A code from 200 to 299
 * is a delivery, any other a failure (the reading of `sipe_process_imdn`, `sipe-conf.c`); with
 * several recipients the first failure is the notification's.
 */
export function readMsImdn(body: string): Notification {
  const parsed = parseRoot(body);
  if (!parsed.ok) return parsed;
  const { root } = parsed;
  const wrong = checkRoot(root, 'imdn', MS_IMDN_NAMESPACE);
  if (wrong !== null) return { ok: false, reason: wrong };
  const id = readMessageId(root);
  if (!id.ok) return id;
  const recipients = childrenNamed(root, 'recipient');
  if (recipients.length === 0) return { ok: false, reason: '<imdn> has no <recipient>' };
  let failure: number | undefined;
  for (const recipient of recipients) {
    const status = onlyChild(recipient, 'status');
    if (!status.ok) return status;
    const code = sipCode(status.element.text);
    if (code === undefined) {
      return { ok: false, reason: `<status> "${status.element.text}" is no SIP status code` };
    }
    if ((code < 200 || code >= 300) && failure === undefined) failure = code;
  }
  return { ok: true, messageId: id.messageId, code: failure };
}

/**
 * RFC 5438 (its IMDN XML format): `<imdn>` in urn:ietf:params:xml:ns:imdn, one `<message-id>` and a
 * `<delivery-notification>` whose `<status>` holds `<delivered/>`, `<failed/>`, `<forbidden/>`
 * or `<error/>`. RFC 5438 carries no SIP code: as the shared conventions of this project say,
 * a failure's code is read from an `<error>` element holding a number (inside `<status>` or
 * `<delivery-notification>`), else 500. Display and processing notifications have no place in
 * the model and are refused.
 */
export function readRfcImdn(body: string): Notification {
  const parsed = parseRoot(body);
  if (!parsed.ok) return parsed;
  const { root } = parsed;
  const wrong = checkRoot(root, 'imdn', RFC_IMDN_NAMESPACE);
  if (wrong !== null) return { ok: false, reason: wrong };
  const id = readMessageId(root);
  if (!id.ok) return id;
  const delivery = childrenNamed(root, 'delivery-notification');
  if (delivery.length !== 1) {
    const other = root.children.find((child) => localName(child).endsWith('-notification'));
    return {
      ok: false,
      reason:
        other !== undefined && delivery.length === 0
          ? `<${localName(other)}> is not a delivery notification`
          : `<imdn> has ${delivery.length} <delivery-notification> elements, expected one`,
    };
  }
  const notification = delivery[0] as XmlElement;
  const status = onlyChild(notification, 'status');
  if (!status.ok) return status;
  const isCode = (child: XmlElement) => localName(child) === 'error' && child.text !== '';
  const states = status.element.children
    .filter((child) => !isCode(child))
    .map(localName)
    .filter((name) => ['delivered', 'failed', 'forbidden', 'error'].includes(name));
  const codes = [...status.element.children, ...notification.children].filter(isCode);
  if (states.length > 1) {
    return { ok: false, reason: `<status> holds more than one state (${states.join(', ')})` };
  }
  const state = states[0] ?? (codes.length > 0 ? 'error' : undefined);
  if (state === undefined) {
    return {
      ok: false,
      reason: '<status> holds none of <delivered/>, <failed/>, <forbidden/>, <error/>',
    };
  }
  if (state === 'delivered') {
    if (codes.length > 0) {
      return { ok: false, reason: '<delivered/> comes with an <error> code: which one holds?' };
    }
    return { ok: true, messageId: id.messageId, code: undefined };
  }
  const codeText = codes[0]?.text;
  if (codeText === undefined) return { ok: true, messageId: id.messageId, code: 500 };
  const code = sipCode(codeText);
  if (code === undefined)
    return { ok: false, reason: `<error> "${codeText}" is no SIP status code` };
  return { ok: true, messageId: id.messageId, code };
}

/**
 * Lync's typing indication: `<KeyboardActivity>` (no namespace) with one `<status>` whose
 * `status` attribute is `type` or `idle` (`sipe-user.c` builds it, `sipe-incoming.c` reads it).
 */
export function readKeyboardActivity(body: string): Read<{ state: 'typing' | 'idle' }> {
  const parsed = parseRoot(body);
  if (!parsed.ok) return parsed;
  const wrong = checkRoot(parsed.root, 'KeyboardActivity', undefined);
  if (wrong !== null) return { ok: false, reason: wrong };
  const status = onlyChild(parsed.root, 'status');
  if (!status.ok) return status;
  const value = status.element.attributes.status;
  if (value === 'type') return { ok: true, state: 'typing' };
  if (value === 'idle') return { ok: true, state: 'idle' };
  return {
    ok: false,
    reason:
      value === undefined
        ? '<status> has no status attribute'
        : `<status status="${value}">: expected "type" or "idle"`,
  };
}

/**
 * RFC 3994 (the isComposing document and its schema): `<isComposing>` in
 * urn:ietf:params:xml:ns:im-iscomposing with one `<state>`, `active` or `idle`.
 */
export function readIsComposing(body: string): Read<{ state: 'typing' | 'idle' }> {
  const parsed = parseRoot(body);
  if (!parsed.ok) return parsed;
  const wrong = checkRoot(parsed.root, 'isComposing', IS_COMPOSING_NAMESPACE);
  if (wrong !== null) return { ok: false, reason: wrong };
  const state = onlyChild(parsed.root, 'state');
  if (!state.ok) return state;
  if (state.element.text === 'active') return { ok: true, state: 'typing' };
  if (state.element.text === 'idle') return { ok: true, state: 'idle' };
  return { ok: false, reason: `<state> "${state.element.text}": expected "active" or "idle"` };
}

function sipCode(text: string): number | undefined {
  if (!/^\d{3}$/.test(text)) return undefined;
  const code = Number(text);
  return code >= 100 && code <= 699 ? code : undefined;
}
