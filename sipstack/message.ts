import { randomBytes } from 'node:crypto';
import sip, { type SipAddressHeader, type SipPackageMessage, type SipUri } from 'sip';
import { SipUsageError } from './errors.ts';
import type { SipContent, SipMessageView } from './types.ts';

/*
 * The `sip` package works on latin1 ("binary") strings, one character per byte, so that its
 * Content-Length (the string's length) counts bytes. Bodies cross into and out of it through these
 * two functions, so that text with characters beyond ASCII keeps a correct Content-Length.
 */
export function toWire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
export function fromWire(wire: string): string {
  return Buffer.from(wire, 'latin1').toString('utf8');
}

/** The methods this user agent takes, for Allow headers. */
export const allowed = 'INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, NOTIFY, BENOTIFY';

/** A From or To tag (RFC 3261 19.3): random, so that dialogs never collide. */
export function newTag(): string {
  return randomBytes(6).toString('hex');
}

const reasons: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  200: 'OK',
  202: 'Accepted',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return reasons[status] ?? (status < 300 ? 'OK' : 'Failure');
}

function formatAddress(header: SipAddressHeader): string {
  let text = `<${sip.stringifyUri(header.uri)}>`;
  for (const [name, value] of Object.entries(header.params ?? {})) {
    text += value === null ? `;${name}` : `;${name}=${value}`;
  }
  return header.name ? `${header.name} ${text}` : text;
}

/** The first value of a parsed header, as text, whatever structure the package gave it. */
function formatHeader(name: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const first: unknown = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null || typeof first !== 'object') return String(first);
  if (name === 'cseq') {
    const cseq = first as { seq: number; method: string };
    return `${cseq.seq} ${cseq.method}`;
  }
  if (name === 'via') {
    const via = first as { protocol?: string; host?: string; port?: number; params?: object };
    let text = `SIP/2.0/${via.protocol ?? ''} ${via.host ?? ''}${via.port ? `:${via.port}` : ''}`;
    for (const [param, paramValue] of Object.entries(via.params ?? {})) {
      text += paramValue === null ? `;${param}` : `;${param}=${paramValue}`;
    }
    return text;
  }
  if ('uri' in first) return formatAddress(first as SipAddressHeader);
  return sip.stringifyAuthHeader(first as Record<string, string>);
}

export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** The owner's view of a message: plain strings, body decoded as UTF-8. */
export function viewOf(message: SipPackageMessage): SipMessageView {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    const text = formatHeader(name, value);
    if (text !== undefined) headers[name] = text;
  }
  return {
    ...(message.method === undefined ? {} : { method: message.method }),
    ...(message.status === undefined
      ? {}
      : { status: message.status, reason: message.reason ?? '' }),
    headers,
    contentType: mediaType(headers['content-type']),
    body: fromWire(message.content ?? ''),
  };
}

/** Headers the user agent and its dialogs set themselves; an owner's value would break matching. */
const managedHeaders = new Set([
  'via',
  'to',
  'from',
  'call-id',
  'cseq',
  'contact',
  'route',
  'record-route',
  'max-forwards',
  'content-length',
]);

/** The body and its headers as the package wants them; an empty content type means no body. */
export function contentHeaders(content: SipContent | undefined): {
  headers: Record<string, string>;
  content: string;
} {
  if (content === undefined) return { headers: {}, content: '' };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(content.headers ?? {})) {
    const lower = name.toLowerCase();
    if (managedHeaders.has(lower)) {
      throw new SipUsageError(
        `the header ${name} is set by the user agent: leave it out of the content's headers`,
      );
    }
    if (lower === 'content-type') {
      throw new SipUsageError('give the Content-Type as contentType, not among the headers');
    }
    headers[lower] = value;
  }
  if (content.contentType !== '') headers['content-type'] = content.contentType;
  return { headers, content: toWire(content.body) };
}

export function contentOf(view: SipMessageView): SipContent {
  return { contentType: view.headers['content-type'] ?? '', body: view.body };
}

/** The URI of a message's first Contact, where the peer takes requests of the dialog. */
export function contactOf(message: SipPackageMessage): string | SipUri | undefined {
  const contact = message.headers.contact;
  return Array.isArray(contact) ? contact[0]?.uri : undefined;
}

export function tagOf(header: SipAddressHeader | undefined): string | undefined {
  const tag = header?.params?.tag;
  return typeof tag === 'string' ? tag : undefined;
}

/** The checks the package's own transports make before handing a message on (RFC 3261 8.1.1). */
export function isWellFormed(message: SipPackageMessage | undefined): message is SipPackageMessage {
  if (message === undefined) return false;
  const h = message.headers;
  const startLine = message.method !== undefined || (message.status ?? 0) >= 100;
  return (
    startLine &&
    Array.isArray(h.via) &&
    h.via.length > 0 &&
    typeof h['call-id'] === 'string' &&
    h.to !== undefined &&
    h.from !== undefined &&
    h.cseq !== undefined &&
    Number.isFinite(h.cseq.seq)
  );
}
