/**
 * The bodies of the Lync IM conventions on SIP (docs: the conventions shared by the kit's wire
 * binding and this transport; [MS-CONFIM] 2.2.2; RFC 3994; RFC 5438; RFC 4566): composing
 * notifications, delivery notifications and the IM session description, written and parsed.
 *
 * XML is parsed by fast-xml-parser after a well-formedness check, so that prefixes, comments,
 * attribute order and white space are all handled as XML defines them, not by pattern matching.
 */

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DeliveryStatus, WireComposingState } from './transport.ts';

/** The conventions' composing body (Lync's KeyboardActivity, sent in INFO). */
export const KEYBOARD_ACTIVITY_TYPE = 'application/xml';
/** RFC 3994 composing indication. */
export const IS_COMPOSING_TYPE = 'application/im-iscomposing+xml';
/** [MS-CONFIM] 2.2.2 delivery notification. */
export const MS_IMDN_TYPE = 'application/ms-imdn+xml';
/** RFC 5438 delivery notification. */
export const IMDN_TYPE = 'message/imdn+xml';

const MS_IMDN_NAMESPACE = 'http://schemas.microsoft.com/rtc/2005/08/imdn';
const IMDN_NAMESPACE = 'urn:ietf:params:xml:ns:imdn';
const IS_COMPOSING_NAMESPACE = 'urn:ietf:params:xml:ns:im-iscomposing';

/** A body this side cannot take: the status to answer with and why (the reason phrase). */
export class SipBodyError extends Error {
  constructor(
    readonly status: 400 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'SipBodyError';
  }
}

/** A delivery notification read from the wire. */
export interface ParsedDeliveryNotification {
  readonly id: string;
  readonly status: DeliveryStatus;
  readonly code?: number;
}

/** The KeyboardActivity body of the conventions for `state`. */
export function keyboardActivityBody(state: WireComposingState): string {
  const status = state === 'typing' ? 'type' : 'idle';
  return `<?xml version="1.0"?><KeyboardActivity><status status="${status}" /></KeyboardActivity>`;
}

/**
 * The composing state of a KeyboardActivity (conventions) or isComposing (RFC 3994 3.2) body.
 *
 * @throws SipBodyError 415 for another content type, 400 for a body that does not say a state.
 */
export function parseComposing(contentType: string | undefined, body: string): WireComposingState {
  if (contentType === KEYBOARD_ACTIVITY_TYPE) {
    const root = parseRoot(body, 'KeyboardActivity');
    const status = attribute(only(root.element, 'status', 'KeyboardActivity'), 'status');
    if (status === 'type') return 'typing';
    if (status === 'idle') return 'idle';
    throw new SipBodyError(
      400,
      `KeyboardActivity status ${JSON.stringify(status)} is neither "type" nor "idle"`,
    );
  }
  if (contentType === IS_COMPOSING_TYPE) {
    const root = parseRoot(body, 'isComposing', IS_COMPOSING_NAMESPACE);
    const state = text(only(root.element, 'state', 'isComposing'));
    if (state === 'active') return 'typing';
    if (state === 'idle') return 'idle';
    throw new SipBodyError(
      400,
      `isComposing state ${JSON.stringify(state)} is neither "active" nor "idle"`,
    );
  }
  throw new SipBodyError(
    415,
    `composing notifications are ${KEYBOARD_ACTIVITY_TYPE} (KeyboardActivity) or ${IS_COMPOSING_TYPE}, not ${contentType ?? 'a body without Content-Type'}`,
  );
}

/** True for the content types that carry a delivery notification. */
export function isDeliveryNotificationType(contentType: string | undefined): boolean {
  return contentType === MS_IMDN_TYPE || contentType === IMDN_TYPE;
}

/**
 * The [MS-CONFIM] 2.2.2 body reporting on message `id`: status 200 when delivered, else the
 * failure code; `recipient` is the URI of the party that received the message.
 */
export function msImdnBody(notification: ParsedDeliveryNotification, recipient: string): string {
  const status = notification.status === 'success' ? 200 : (notification.code ?? 500);
  return (
    `<?xml version="1.0"?><imdn xmlns="${MS_IMDN_NAMESPACE}">` +
    `<message-id>${escapeXml(notification.id)}</message-id>` +
    `<recipient uri="${escapeXml(recipient)}"><status>${status}</status></recipient></imdn>`
  );
}

/**
 * Reads a delivery notification: [MS-CONFIM] 2.2.2 (`<recipient><status>` 200 = delivered,
 * else the failure code) or RFC 5438 7.2 (`<delivered/>`; `<failed/>` or `<error/>` a failure,
 * its code the number in an `<error>` element, else 500). An RFC 5438 display or processing
 * notification reports no delivery: `undefined`.
 *
 * @throws SipBodyError 415 for another content type, 400 for a body that is not a notification.
 */
export function parseDeliveryNotification(
  contentType: string | undefined,
  body: string,
): ParsedDeliveryNotification | undefined {
  if (contentType === MS_IMDN_TYPE) {
    const { element } = parseRoot(body, 'imdn', MS_IMDN_NAMESPACE);
    const id = messageId(element);
    const recipient = only(element, 'recipient', 'imdn');
    const status = statusCode(text(only(recipient, 'status', 'recipient')));
    return status === 200 ? { id, status: 'success' } : { id, status: 'failure', code: status };
  }
  if (contentType === IMDN_TYPE) {
    const { element } = parseRoot(body, 'imdn', IMDN_NAMESPACE);
    const id = messageId(element);
    const [delivery] = children(element, 'delivery-notification');
    if (!delivery) return undefined;
    const status = only(delivery, 'status', 'delivery-notification');
    if (children(status, 'delivered').length > 0) return { id, status: 'success' };
    if (children(status, 'failed').length > 0 || children(status, 'error').length > 0) {
      const code = children(status, 'error')
        .map((error) => Number(text(error)))
        .find((value) => Number.isInteger(value) && value >= 300 && value <= 699);
      return { id, status: 'failure', code: code ?? 500 };
    }
    throw new SipBodyError(
      400,
      'the imdn delivery-notification status is none of delivered, failed, error',
    );
  }
  throw new SipBodyError(
    415,
    `delivery notifications are ${MS_IMDN_TYPE} or ${IMDN_TYPE}, not ${contentType ?? 'a body without Content-Type'}`,
  );
}

/**
 * The session description of an IM call (conventions; RFC 4566): one `m=message <port> sip null`
 * media line with the formats taken in `a=accept-types`.
 */
export function imSessionDescription(
  address: string,
  port: number,
  acceptTypes: readonly string[],
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

/** True for a session description with an IM media line (`message`, or older Lync's `x-ms-message`). */
export function offersInstantMessaging(sdp: string): boolean {
  return /^m=(message|x-ms-message) \d+ sip /m.test(sdp);
}

type XmlElement = { readonly [key: string]: unknown };

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: () => true,
});

/**
 * Checks well-formedness, parses, and returns the root element after checking its local name
 * and, when given, its namespace (declared on the root, for its prefix or as the default).
 */
function parseRoot(body: string, localName: string, namespace?: string): { element: XmlElement } {
  // A document type could declare entities; none of these bodies has one.
  if (/<!DOCTYPE/i.test(body)) throw new SipBodyError(400, 'the XML body has a DOCTYPE');
  const valid = XMLValidator.validate(body);
  if (valid !== true) {
    throw new SipBodyError(400, `the XML body is not well-formed: ${valid.err.msg}`);
  }
  const document = parser.parse(body) as Record<string, unknown[]>;
  const roots = Object.keys(document).filter((key) => !key.startsWith('?'));
  const [name] = roots;
  if (roots.length !== 1 || name === undefined) {
    throw new SipBodyError(400, `the XML body has ${roots.length} root elements, not one`);
  }
  const [prefix, local] = name.includes(':') ? name.split(':', 2) : [undefined, name];
  if (local !== localName) {
    throw new SipBodyError(400, `the XML body's root is <${name}>, not <${localName}>`);
  }
  const element = asElement(document[name]?.[0]);
  if (namespace !== undefined) {
    const declared = attribute(element, prefix === undefined ? 'xmlns' : `xmlns:${prefix}`);
    if (declared !== namespace) {
      throw new SipBodyError(
        400,
        `<${localName}> is in namespace ${JSON.stringify(declared ?? null)}, not ${namespace}`,
      );
    }
  }
  return { element };
}

/** Child elements by local name (children are in their root's namespace in every such body). */
function children(element: XmlElement, localName: string): XmlElement[] {
  return Object.entries(element)
    .filter(([key]) => !key.startsWith('@') && key !== '#text')
    .filter(([key]) => (key.includes(':') ? key.slice(key.indexOf(':') + 1) : key) === localName)
    .flatMap(([, values]) => (values as unknown[]).map(asElement));
}

function only(element: XmlElement, localName: string, parent: string): XmlElement {
  const found = children(element, localName);
  if (found.length !== 1 || !found[0]) {
    throw new SipBodyError(400, `<${parent}> has ${found.length} <${localName}> elements, not one`);
  }
  return found[0];
}

function messageId(imdn: XmlElement): string {
  const id = text(only(imdn, 'message-id', 'imdn')).trim();
  if (id.length === 0) throw new SipBodyError(400, 'the imdn <message-id> is empty');
  return id;
}

function statusCode(value: string): number {
  const code = Number(value.trim());
  if (Number.isInteger(code) && code >= 200 && code <= 699) return code;
  throw new SipBodyError(400, `the imdn status ${JSON.stringify(value)} is not a SIP status code`);
}

/** A text-only element is parsed as its string; one with attributes keeps its text in `#text`. */
function asElement(value: unknown): XmlElement {
  if (typeof value === 'string') return { '#text': [value] };
  return (value ?? {}) as XmlElement;
}

function text(element: XmlElement): string {
  const value = element['#text'];
  return Array.isArray(value) ? value.join('') : typeof value === 'string' ? value : '';
}

function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`@${name}`];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}
