import { describe, expect, it } from 'vitest';
import type { RemoteStimulus } from '../../machines/index.ts';
import {
  answerFor,
  checkImAnswer,
  classifyRequest,
  headerValue,
  imOffer,
  KIT_ACCEPT_TYPES,
  keyboardActivityBody,
  mediaTypeOf,
  msImdnBody,
  type OutgoingRequest,
  readIsComposing,
  readKeyboardActivity,
  readMsImdn,
  readRfcImdn,
  requestFor,
  responseOutput,
  type WireMessage,
} from './lync-sip.ts';

const KIT = 'sip:imflow@127.0.0.2:5070';
const MS_NS = 'http://schemas.microsoft.com/rtc/2005/08/imdn';
const RFC_NS = 'urn:ietf:params:xml:ns:imdn';

const context = { nextMessageId: 'kit-1', receivedMessageIds: ['ep-1', 'ep-2'], recipientUri: KIT };

function built(stimulus: RemoteStimulus, ctx = context): OutgoingRequest {
  const result = requestFor(stimulus, ctx);
  if (!result.ok) throw new Error(result.reason);
  return result.request;
}

function asIncoming(request: OutgoingRequest): WireMessage {
  const headers: Record<string, string> = { ...request.content?.headers };
  if (request.content) headers['content-type'] = request.content.contentType;
  return { method: request.method, headers, body: request.content?.body ?? '' };
}

function rfcImdn(id: string, status: string, extra = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="${RFC_NS}"><message-id>${id}</message-id><datetime>2026-12-02T04:00:00Z</datetime><delivery-notification><status>${status}</status>${extra}</delivery-notification></imdn>`;
}

const composing = (state: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>${state}</state><contenttype>text/plain</contenttype></isComposing>`;

describe('the SDP of the IM call', () => {
  it('offers one message media line over sip with the accept-types', () => {
    const sdp = imOffer('127.0.0.2', 5070);
    const lines = sdp.split('\r\n');
    expect(lines[0]).toBe('v=0');
    expect(lines).toContain('c=IN IP4 127.0.0.2');
    expect(lines.filter((line) => line.startsWith('m='))).toEqual(['m=message 5070 sip null']);
    expect(lines).toContain(`a=accept-types:${KIT_ACCEPT_TYPES.join(' ')}`);
    expect(checkImAnswer(sdp)).toEqual({ ok: true, media: 'message' });
  });

  it('accepts an answer with message or x-ms-message over sip, whatever follows', () => {
    const answer = (m: string) => `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=session\r\n${m}\r\n`;
    expect(checkImAnswer(answer('m=message 5061 sip sip:bob@127.0.0.1'))).toEqual({
      ok: true,
      media: 'message',
    });
    expect(checkImAnswer(answer('m=x-ms-message 5061 sip null'))).toEqual({
      ok: true,
      media: 'x-ms-message',
    });
    expect(checkImAnswer(answer('m=audio 4000 RTP/AVP 0\r\nm=message 5061 SIP null')).ok).toBe(
      true,
    );
  });

  it('refuses answers without a usable IM media line, saying why', () => {
    const check = (sdp: string) => {
      const result = checkImAnswer(sdp);
      if (result.ok) throw new Error(`accepted: ${sdp}`);
      return result.reason;
    };
    expect(check('')).toMatch(/no SDP body/);
    expect(check('m=message 5061 sip null')).toMatch(/does not start with v=0/);
    expect(check('v=0\r\ns=x\r\n')).toMatch(/no media line/);
    expect(check('v=0\r\nm=audio 4000 RTP/AVP 0\r\n')).toMatch(/no IM media line.*m=audio/);
    expect(check('v=0\r\nm=message 0 sip null\r\n')).toMatch(/port 0/);
    expect(check('v=0\r\nm=message x sip null\r\n')).toMatch(/no valid port/);
    expect(check('v=0\r\nm=message 5061 TCP/MSRP *\r\n')).toMatch(/no IM media line/);
  });
});

describe('the requests of the kit', () => {
  it('sends a message as a MESSAGE with its type, body and Message-Id', () => {
    const request = built({ type: 'remote.message', body: 'héllo <b>', contentType: 'text/html' });
    expect(request).toEqual({
      method: 'MESSAGE',
      messageId: 'kit-1',
      content: { contentType: 'text/html', body: 'héllo <b>', headers: { 'Message-Id': 'kit-1' } },
    });
  });

  it('sends typing and idle as INFO KeyboardActivity, which reads back the same', () => {
    for (const [type, state] of [
      ['remote.typing', 'typing'],
      ['remote.idle', 'idle'],
    ] as const) {
      const request = built({ type });
      expect(request.method).toBe('INFO');
      expect(request.content?.contentType).toBe('application/xml');
      expect(classifyRequest(asIncoming(request), [])).toEqual({
        kind: 'output',
        output: { channel: 'wire', kind: 'composing', state },
      });
    }
  });

  it('sends a delivery notification naming the Message-Id of the endpoint message k', () => {
    const success = built({ type: 'remote.deliveryNotification', message: 2, status: 'success' });
    expect(success.method).toBe('MESSAGE');
    expect(success.content?.contentType).toBe('application/ms-imdn+xml');
    expect(readMsImdn(success.content?.body ?? '')).toEqual({
      ok: true,
      messageId: 'ep-2',
      code: undefined,
    });
    const failure = built({
      type: 'remote.deliveryNotification',
      message: 1,
      status: 'failure',
      code: 486,
    });
    expect(readMsImdn(failure.content?.body ?? '')).toEqual({
      ok: true,
      messageId: 'ep-1',
      code: 486,
    });
    const noCode = built({ type: 'remote.deliveryNotification', message: 1, status: 'failure' });
    expect(readMsImdn(noCode.content?.body ?? '')).toMatchObject({ code: 500 });
  });

  it('round-trips the kit notification through the endpoint side of the mapping', () => {
    // The endpoint's view: it sent ep-1 and ep-2, and reads the kit's IMDN with them.
    const request = built({ type: 'remote.deliveryNotification', message: 2, status: 'success' });
    expect(classifyRequest(asIncoming(request), ['ep-1', 'ep-2'])).toEqual({
      kind: 'output',
      output: { channel: 'wire', kind: 'deliveryNotification', message: 2, status: 'success' },
    });
  });

  it('escapes Message-Ids and URIs in the notification', () => {
    const body = msImdnBody('a<&>"b', 'sip:x@y;p="1"', 200);
    expect(readMsImdn(body)).toEqual({ ok: true, messageId: 'a<&>"b', code: undefined });
  });

  it('refuses a notification for a message the endpoint never sent or sent without id', () => {
    const outOfRange = requestFor(
      { type: 'remote.deliveryNotification', message: 3, status: 'success' },
      context,
    );
    expect(outOfRange).toEqual({
      ok: false,
      reason: expect.stringMatching(/message 3 .*has sent 2 messages/),
    });
    expect(
      requestFor({ type: 'remote.deliveryNotification', message: 0, status: 'success' }, context)
        .ok,
    ).toBe(false);
    const withoutId = requestFor(
      { type: 'remote.deliveryNotification', message: 1, status: 'success' },
      { ...context, receivedMessageIds: [undefined] },
    );
    expect(withoutId).toEqual({
      ok: false,
      reason: expect.stringMatching(/without a Message-Id/),
    });
  });

  it('sends BYE for remote.bye', () => {
    expect(built({ type: 'remote.bye' })).toEqual({ method: 'BYE' });
  });
});

describe('what the endpoint sends', () => {
  const sent = ['kit-1', 'kit-2', 'kit-3'];

  it('reads a MESSAGE as the endpoint message, with its Message-Id, header case aside', () => {
    const request: WireMessage = {
      method: 'MESSAGE',
      headers: { 'CONTENT-TYPE': 'Text/Plain; charset=UTF-8', 'message-ID': ' ep-9 ' },
      body: 'hi there',
    };
    expect(classifyRequest(request, sent)).toEqual({
      kind: 'output',
      output: { channel: 'wire', kind: 'message', body: 'hi there', contentType: 'text/plain' },
      messageId: 'ep-9',
    });
    expect(mediaTypeOf({ headers: {}, contentType: 'text/html', body: '' })).toBe('text/html');
  });

  it('keeps a message without Message-Id, with a note', () => {
    const result = classifyRequest(
      {
        method: 'message',
        headers: { 'content-type': 'application/x-imflow-unsupported' },
        body: '',
      },
      sent,
    );
    expect(result).toMatchObject({
      kind: 'output',
      output: { kind: 'message', contentType: 'application/x-imflow-unsupported', body: '' },
      note: expect.stringMatching(/without a Message-Id/),
    });
    expect('messageId' in result).toBe(false);
  });

  it('reads both IMDN formats in MESSAGE, INFO, NOTIFY and BENOTIFY', () => {
    const ms = msImdnBody('kit-2', 'sip:bob@127.0.0.1', 200);
    const msFailed = msImdnBody('kit-3', 'sip:bob@127.0.0.1', 408);
    const rfc = rfcImdn('kit-1', '<delivered/>');
    const rfcFailed = rfcImdn('kit-2', '<failed/>');
    for (const method of ['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY']) {
      const read = (type: string, body: string) =>
        classifyRequest({ method, headers: { 'Content-Type': type }, body }, sent);
      expect(read('application/ms-imdn+xml', ms)).toEqual({
        kind: 'output',
        output: { channel: 'wire', kind: 'deliveryNotification', message: 2, status: 'success' },
      });
      expect(read('application/ms-imdn+xml', msFailed)).toEqual({
        kind: 'output',
        output: {
          channel: 'wire',
          kind: 'deliveryNotification',
          message: 3,
          status: 'failure',
          code: 408,
        },
      });
      expect(read('message/imdn+xml', rfc)).toMatchObject({
        output: { message: 1, status: 'success' },
      });
      expect(read('message/imdn+xml', rfcFailed)).toMatchObject({
        output: { message: 2, status: 'failure', code: 500 },
      });
    }
  });

  it('reads the Microsoft IMDN strictly: namespace, status codes, several recipients', () => {
    const body = (inner: string, ns = MS_NS) =>
      `<?xml version="1.0" encoding="utf-8"?><imdn xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="${ns}"><message-id>7</message-id>${inner}</imdn>`;
    const recipient = (status: string) =>
      `<recipient uri="sip:a@b"><status>${status}</status><entry><key>ms-diagnostics</key><value>x</value></entry></recipient>`;
    expect(readMsImdn(body(recipient('202') + recipient('480')))).toEqual({
      ok: true,
      messageId: '7',
      code: 480,
    });
    expect(readMsImdn(body(recipient('200')))).toMatchObject({ ok: true, code: undefined });
    expect(readMsImdn(body(recipient('200'), RFC_NS))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/namespace/),
    });
    expect(readMsImdn(body(recipient('ok')))).toMatchObject({
      reason: expect.stringMatching(/no SIP status code/),
    });
    expect(readMsImdn(body(recipient('999')))).toMatchObject({ ok: false });
    expect(readMsImdn(body(''))).toMatchObject({ reason: expect.stringMatching(/no <recipient>/) });
    expect(readMsImdn(body('<recipient uri="sip:a@b"/>'))).toMatchObject({
      reason: expect.stringMatching(/0 <status>/),
    });
    const prefixed = `<i:imdn xmlns:i="${MS_NS}"><i:message-id>7</i:message-id><i:recipient uri="u"><i:status>200</i:status></i:recipient></i:imdn>`;
    expect(readMsImdn(prefixed)).toMatchObject({ ok: true, messageId: '7' });
  });

  it('reads the RFC 5438 failure states and codes', () => {
    expect(readRfcImdn(rfcImdn('a', '<failed/><error>486</error>'))).toMatchObject({ code: 486 });
    expect(readRfcImdn(rfcImdn('a', '<failed/>', '<error>404</error>'))).toMatchObject({
      code: 404,
    });
    expect(readRfcImdn(rfcImdn('a', '<forbidden/>'))).toMatchObject({ ok: true, code: 500 });
    expect(readRfcImdn(rfcImdn('a', '<error/>'))).toMatchObject({ ok: true, code: 500 });
    expect(readRfcImdn(rfcImdn('a', '<failed/><error>oops</error>'))).toMatchObject({
      reason: expect.stringMatching(/no SIP status code/),
    });
    expect(readRfcImdn(rfcImdn('a', '<delivered/><failed/>'))).toMatchObject({
      reason: expect.stringMatching(/more than one state/),
    });
    expect(readRfcImdn(rfcImdn('a', '<delivered/><error>500</error>'))).toMatchObject({
      ok: false,
    });
    expect(readRfcImdn(rfcImdn('a', '<unknown/>'))).toMatchObject({
      reason: expect.stringMatching(/none of <delivered\/>/),
    });
    const display = `<imdn xmlns="${RFC_NS}"><message-id>a</message-id><display-notification><status><displayed/></status></display-notification></imdn>`;
    expect(readRfcImdn(display)).toMatchObject({
      reason: expect.stringMatching(/display-notification> is not a delivery notification/),
    });
  });

  it('reads both composing formats', () => {
    const read = (method: string, type: string, body: string) =>
      classifyRequest({ method, headers: { 'content-type': type }, body }, sent);
    expect(read('INFO', 'application/xml', keyboardActivityBody('type'))).toMatchObject({
      output: { kind: 'composing', state: 'typing' },
    });
    expect(read('INFO', 'application/xml', keyboardActivityBody('idle'))).toMatchObject({
      output: { kind: 'composing', state: 'idle' },
    });
    for (const method of ['MESSAGE', 'INFO']) {
      expect(read(method, 'application/im-iscomposing+xml', composing('active'))).toMatchObject({
        output: { kind: 'composing', state: 'typing' },
      });
      expect(read(method, 'application/im-iscomposing+xml', composing(' idle '))).toMatchObject({
        output: { kind: 'composing', state: 'idle' },
      });
    }
    expect(
      readKeyboardActivity('<KeyboardActivity><status status="paused"/></KeyboardActivity>'),
    ).toMatchObject({ reason: expect.stringMatching(/expected "type" or "idle"/) });
    expect(readKeyboardActivity('<KeyboardActivity><status/></KeyboardActivity>')).toMatchObject({
      reason: expect.stringMatching(/no status attribute/),
    });
    expect(
      readKeyboardActivity(
        '<KeyboardActivity xmlns="urn:x"><status status="type"/></KeyboardActivity>',
      ),
    ).toMatchObject({ reason: expect.stringMatching(/expected none/) });
    expect(readIsComposing(composing('composing'))).toMatchObject({
      reason: expect.stringMatching(/expected "active" or "idle"/),
    });
    expect(readIsComposing('<isComposing><state>active</state></isComposing>')).toMatchObject({
      reason: expect.stringMatching(/namespace none/),
    });
  });

  it('turns malformed bodies into unrecognised results that name the fault', () => {
    const cases: [string, string, string, RegExp][] = [
      ['INFO', 'application/xml', '<KeyboardActivity><status status="type">', /malformed XML/],
      ['INFO', 'application/xml', '', /empty/],
      ['INFO', 'application/xml', '<a/><b/>', /malformed XML|2 root elements/],
      ['INFO', 'application/xml', '<Other/>', /root element is <Other>/],
      ['MESSAGE', 'application/ms-imdn+xml', 'not xml at all', /malformed XML|root elements/],
      [
        'NOTIFY',
        'message/imdn+xml',
        `<!DOCTYPE x [<!ENTITY a "b">]><imdn xmlns="${RFC_NS}"/>`,
        /DOCTYPE/,
      ],
      ['MESSAGE', 'application/ms-imdn+xml', `<imdn xmlns="${MS_NS}"/>`, /0 <message-id>/],
      [
        'MESSAGE',
        'application/ms-imdn+xml',
        `<imdn xmlns="${MS_NS}"><message-id></message-id></imdn>`,
        /<message-id> is empty/,
      ],
      ['MESSAGE', 'application/im-iscomposing+xml', '<isComposing', /malformed XML/],
    ];
    for (const [method, type, body, reason] of cases) {
      const result = classifyRequest({ method, headers: { 'content-type': type }, body }, sent);
      expect(result, body).toEqual({ kind: 'unrecognised', reason: expect.stringMatching(reason) });
    }
  });

  it('refuses a notification naming an unknown Message-Id', () => {
    const result = classifyRequest(
      {
        method: 'MESSAGE',
        headers: { 'content-type': 'application/ms-imdn+xml' },
        body: msImdnBody('nobody', KIT, 200),
      },
      sent,
    );
    expect(result).toEqual({
      kind: 'unrecognised',
      reason: expect.stringMatching(/"nobody", which is none of the kit's messages/),
    });
    expect(
      classifyRequest(
        {
          method: 'MESSAGE',
          headers: { 'content-type': 'application/ms-imdn+xml' },
          body: msImdnBody('x', KIT, 200),
        },
        [],
      ),
    ).toMatchObject({ reason: expect.stringMatching(/it has sent none/) });
  });

  it('reads BYE and refuses what has no meaning in the model', () => {
    expect(classifyRequest({ method: 'bye', headers: {}, body: '' }, sent)).toEqual({
      kind: 'output',
      output: { channel: 'wire', kind: 'bye' },
    });
    const reasons = [
      classifyRequest({ method: 'OPTIONS', headers: {}, body: '' }, sent),
      classifyRequest({ method: 'MESSAGE', headers: {}, body: 'x' }, sent),
      classifyRequest(
        { method: 'INFO', headers: { 'content-type': 'text/plain' }, body: 'x' },
        sent,
      ),
      classifyRequest(
        { method: 'NOTIFY', headers: { 'content-type': 'text/plain' }, body: '' },
        sent,
      ),
      classifyRequest({ status: 200, headers: {}, body: '' }, sent),
    ].map((result) => (result.kind === 'unrecognised' ? result.reason : 'recognised'));
    expect(reasons[0]).toMatch(/OPTIONS has no meaning/);
    expect(reasons[1]).toMatch(/without a Content-Type/);
    expect(reasons[2]).toMatch(/INFO with Content-Type text\/plain/);
    expect(reasons[3]).toMatch(/NOTIFY text\/plain has no meaning/);
    expect(reasons[4]).toMatch(/response/);
  });
});

describe('answers and responses', () => {
  it('answers 200 to every request it takes, 405 to other methods', () => {
    for (const method of ['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY', 'BYE', 'message']) {
      expect(answerFor({ method, headers: {}, body: 'garbage' })).toBe(200);
    }
    expect(answerFor({ method: 'OPTIONS', headers: {}, body: '' })).toBe(405);
  });

  it('maps the final response to the k-th MESSAGE, noting a missing or wrong echo', () => {
    const response = (status: number, headers: Record<string, string>): WireMessage => ({
      status,
      headers,
      body: '',
    });
    expect(responseOutput(2, response(202, { 'Message-ID': 'kit-2' }), 'kit-2')).toEqual({
      kind: 'output',
      output: { channel: 'wire', kind: 'response', message: 2, code: 202 },
    });
    expect(responseOutput(1, response(415, {}), 'kit-1')).toEqual({
      kind: 'output',
      output: { channel: 'wire', kind: 'response', message: 1, code: 415 },
    });
    expect(responseOutput(1, response(200, {}), 'kit-1')).toMatchObject({
      output: { code: 200 },
      note: expect.stringMatching(/does not echo its Message-Id "kit-1"/),
    });
    expect(responseOutput(1, response(200, { 'message-id': 'other' }), 'kit-1')).toMatchObject({
      note: expect.stringMatching(/echoes Message-Id "other", not "kit-1"/),
    });
    expect(responseOutput(1, { headers: {}, body: '' }, 'kit-1')).toMatchObject({
      kind: 'unrecognised',
    });
  });

  it('finds headers whatever the case of their names', () => {
    expect(headerValue({ 'Message-ID': 'a' }, 'message-id')).toBe('a');
    expect(headerValue({ 'message-id': 'a' }, 'MESSAGE-ID')).toBe('a');
    expect(headerValue({}, 'message-id')).toBeUndefined();
  });
});
