import { describe, expect, it } from 'vitest';
import {
  IMDN_TYPE,
  IS_COMPOSING_TYPE,
  imSessionDescription,
  KEYBOARD_ACTIVITY_TYPE,
  keyboardActivityBody,
  MS_IMDN_TYPE,
  msImdnBody,
  offersInstantMessaging,
  parseComposing,
  parseDeliveryNotification,
  SipBodyError,
} from './sip-bodies.ts';

function bodyError(run: () => unknown): SipBodyError {
  try {
    run();
  } catch (error) {
    if (error instanceof SipBodyError) return error;
    throw error;
  }
  throw new Error('expected a SipBodyError');
}

describe('composing bodies', () => {
  it('writes KeyboardActivity and reads it back', () => {
    expect(keyboardActivityBody('typing')).toContain('<status status="type" />');
    expect(keyboardActivityBody('idle')).toContain('<status status="idle" />');
    for (const state of ['typing', 'idle'] as const) {
      expect(parseComposing(KEYBOARD_ACTIVITY_TYPE, keyboardActivityBody(state))).toBe(state);
    }
  });

  it('reads KeyboardActivity without declaration, with comments and other quoting', () => {
    const body =
      "<KeyboardActivity>\n  <!-- lync -->\n  <status status='idle'></status>\n</KeyboardActivity>";
    expect(parseComposing(KEYBOARD_ACTIVITY_TYPE, body)).toBe('idle');
  });

  it('reads RFC 3994 isComposing, prefixed or not', () => {
    const plain =
      '<?xml version="1.0" encoding="UTF-8"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>60</refresh></isComposing>';
    const prefixed =
      '<im:isComposing xmlns:im="urn:ietf:params:xml:ns:im-iscomposing"><im:state>idle</im:state></im:isComposing>';
    expect(parseComposing(IS_COMPOSING_TYPE, plain)).toBe('typing');
    expect(parseComposing(IS_COMPOSING_TYPE, prefixed)).toBe('idle');
  });

  it('refuses what is not a composing notification, naming why', () => {
    expect(bodyError(() => parseComposing('text/plain', 'hi')).status).toBe(415);
    const broken = bodyError(() => parseComposing(KEYBOARD_ACTIVITY_TYPE, '<KeyboardActivity>'));
    expect(broken.status).toBe(400);
    expect(broken.message).toMatch(/not well-formed/);
    expect(
      bodyError(() =>
        parseComposing(
          KEYBOARD_ACTIVITY_TYPE,
          '<KeyboardActivity><status status="busy"/></KeyboardActivity>',
        ),
      ).message,
    ).toMatch(/"busy"/);
    expect(
      bodyError(() =>
        parseComposing(
          IS_COMPOSING_TYPE,
          '<isComposing xmlns="urn:other"><state>active</state></isComposing>',
        ),
      ).message,
    ).toMatch(/namespace "urn:other"/);
    expect(
      bodyError(() =>
        parseComposing(KEYBOARD_ACTIVITY_TYPE, '<Other><status status="type"/></Other>'),
      ).message,
    ).toMatch(/root is <Other>/);
  });
});

describe('delivery notification bodies', () => {
  it('writes [MS-CONFIM] imdn and reads it back, escaping the id', () => {
    const success = msImdnBody({ id: 'a<&>"b', status: 'success' }, 'sip:bob@127.0.0.2:5060');
    expect(success).toContain('<status>200</status>');
    expect(success).toContain('<recipient uri="sip:bob@127.0.0.2:5060">');
    expect(parseDeliveryNotification(MS_IMDN_TYPE, success)).toEqual({
      id: 'a<&>"b',
      status: 'success',
    });
    const failure = msImdnBody({ id: 'm-1', status: 'failure', code: 480 }, 'sip:bob@x');
    expect(parseDeliveryNotification(MS_IMDN_TYPE, failure)).toEqual({
      id: 'm-1',
      status: 'failure',
      code: 480,
    });
  });

  it('reads RFC 5438 delivered, failed with and without a code', () => {
    const imdn = (status: string) =>
      `<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m-7</message-id><datetime>2026-01-01T00:00:00Z</datetime><delivery-notification><status>${status}</status></delivery-notification></imdn>`;
    expect(parseDeliveryNotification(IMDN_TYPE, imdn('<delivered/>'))).toEqual({
      id: 'm-7',
      status: 'success',
    });
    expect(parseDeliveryNotification(IMDN_TYPE, imdn('<failed/><error>408</error>'))).toEqual({
      id: 'm-7',
      status: 'failure',
      code: 408,
    });
    expect(parseDeliveryNotification(IMDN_TYPE, imdn('<failed/>'))).toEqual({
      id: 'm-7',
      status: 'failure',
      code: 500,
    });
    expect(bodyError(() => parseDeliveryNotification(IMDN_TYPE, imdn('<gone/>'))).status).toBe(400);
  });

  it('takes an RFC 5438 display notification as no delivery report', () => {
    const display =
      '<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m-1</message-id><display-notification><status><displayed/></status></display-notification></imdn>';
    expect(parseDeliveryNotification(IMDN_TYPE, display)).toBeUndefined();
  });

  it('refuses a notification without an id, in the wrong namespace, or with a DOCTYPE', () => {
    const noId = `<imdn xmlns="http://schemas.microsoft.com/rtc/2005/08/imdn"><recipient uri="x"><status>200</status></recipient></imdn>`;
    expect(bodyError(() => parseDeliveryNotification(MS_IMDN_TYPE, noId)).message).toMatch(
      /0 <message-id>/,
    );
    const rfcBodyAsMs = `<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>m</message-id></imdn>`;
    expect(bodyError(() => parseDeliveryNotification(MS_IMDN_TYPE, rfcBodyAsMs)).status).toBe(400);
    const doctype = `<!DOCTYPE imdn [<!ENTITY a "b">]><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>&a;</message-id></imdn>`;
    expect(bodyError(() => parseDeliveryNotification(IMDN_TYPE, doctype)).message).toMatch(
      /DOCTYPE/,
    );
    expect(bodyError(() => parseDeliveryNotification('application/xml', '<a/>')).status).toBe(415);
  });
});

describe('IM session description', () => {
  it('has a message media line with the accepted types, and is recognised', () => {
    const sdp = imSessionDescription('127.0.0.1', 5070, ['text/plain', 'text/html']);
    expect(sdp).toMatch(/^m=message 5070 sip null\r$/m);
    expect(sdp).toMatch(/^a=accept-types:text\/plain text\/html\r$/m);
    expect(offersInstantMessaging(sdp)).toBe(true);
    expect(offersInstantMessaging('v=0\r\nm=x-ms-message 5060 sip null\r\n')).toBe(true);
    expect(offersInstantMessaging('v=0\r\nm=audio 5004 RTP/AVP 0\r\n')).toBe(false);
  });
});
