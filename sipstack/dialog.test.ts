import { afterEach, describe, expect, it } from 'vitest';
import {
  SipFailureError,
  type SipMessageView,
  type SipTransportName,
  type UserAgentOptions,
} from './index.ts';
import {
  connect,
  type Parties,
  sdpAnswer,
  sdpOffer,
  startParties,
  summary,
  targetOf,
} from './test-support.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Both parties, closed after the test. */
async function startedParties(options: Partial<UserAgentOptions> = {}): Promise<Parties> {
  const started = await startParties(options);
  close = started.close;
  return started;
}

/** Both parties, closed after the test, and a dialog between them over the transport. */
async function inDialog(transport: SipTransportName, options: Partial<UserAgentOptions> = {}) {
  const started = await startedParties(options);
  return {
    parties: started,
    ...(await connect(started.caller.agent, started.callee.agent, transport)),
  };
}

describe.each<SipTransportName>(['udp', 'tcp'])('a dialog over %s', (transport) => {
  it('is set up when the event loop was held up past the time-out while the ACK came', async () => {
    const parties = await startedParties({ transactionTimeoutMs: 300 });
    const accepted = new Promise<unknown>((resolve, reject) => {
      parties.callee.agent.onInvite((incoming) => {
        incoming.accept({ contentType: 'application/sdp', body: sdpAnswer }).then(resolve, reject);
        // The 200 is on its way; the process is then busy for longer than either side's
        // time-out, as a loaded machine may keep it, while the answer and the ACK come in time.
        const until = performance.now() + 800;
        while (performance.now() < until);
      });
    });
    const calling = await parties.caller.agent.invite(targetOf(parties.callee.agent, transport), {
      contentType: 'application/sdp',
      body: sdpOffer,
      transport,
    });
    expect(calling.callId).toBeTruthy();
    await expect(accepted).resolves.toBeDefined();
    // Over UDP the INVITE may be sent again during the stall; no BYE ends the call.
    const sent = summary(parties.caller.traffic, 'sent');
    expect(sent).toContain('ACK (1 ACK)');
    expect(sent.some((line) => line.startsWith('BYE'))).toBe(false);
    expect(summary(parties.callee.traffic, 'sent').some((line) => line.startsWith('BYE'))).toBe(
      false,
    );
  });

  it('is set up by INVITE with an SDP offer, 200 with the answer and ACK', async () => {
    const { parties, calling, called, invite } = await inDialog(transport);
    expect(invite.transport).toBe(transport);
    expect(invite.from).toBe(parties.caller.agent.uri);
    expect(invite.request.method).toBe('INVITE');
    expect(invite.request.contentType).toBe('application/sdp');
    expect(calling.remoteContent).toEqual({ contentType: 'application/sdp', body: sdpAnswer });
    expect(called.remoteContent).toEqual({ contentType: 'application/sdp', body: sdpOffer });
    expect(calling.callId).toBe(called.callId);
    expect(calling.transport).toBe(transport);
    expect(summary(parties.caller.traffic, 'sent')).toEqual(['INVITE (1 INVITE)', 'ACK (1 ACK)']);
    expect(summary(parties.callee.traffic, 'sent')).toEqual([
      '100 Trying (1 INVITE)',
      '200 OK (1 INVITE)',
    ]);
    const ack = parties.callee.traffic.find((record) => record.text.startsWith('ACK '));
    // The ACK goes to the callee's Contact, and carries both tags.
    expect(ack?.text.split(' ')[1]).toBe(targetOf(parties.callee.agent, transport));
    expect(ack?.text).toMatch(/^To: .*;tag=\w+/m);
    expect(ack?.text).toMatch(/^From: .*;tag=\w+/m);
    expect(calling.ended).toBe(false);
  });

  it('carries MESSAGEs answered 200, 202 and 415 with increasing CSeq, and INFO', async () => {
    const { calling, called } = await inDialog(transport);
    const received: SipMessageView[] = [];
    called.onRequest((request, respond) => {
      received.push(request);
      const status = Number(request.headers['x-answer'] ?? 200);
      respond(status, {
        contentType: '',
        body: '',
        headers: { 'Message-Id': request.headers['message-id'] ?? '' },
      });
    });
    const message = (answer: number, id: string) =>
      calling.request('MESSAGE', {
        contentType: 'text/plain; charset=utf-8',
        body: `héllo ${id}`,
        headers: { 'Message-Id': id, 'X-Answer': String(answer) },
      });
    const first = await message(200, 'm1');
    const second = await message(202, 'm2');
    const third = await message(415, 'm3');
    const info = await calling.request('INFO', {
      contentType: 'application/xml',
      body: '<?xml version="1.0"?><KeyboardActivity><status status="type" /></KeyboardActivity>',
    });
    expect([first.status, second.status, third.status, info.status]).toEqual([200, 202, 415, 200]);
    expect(first.reason).toBe('OK');
    expect(third.reason).toBe('Unsupported Media Type');
    expect(second.headers['message-id']).toBe('m2');
    expect(received.map((request) => [request.method, request.headers.cseq])).toEqual([
      ['MESSAGE', '2 MESSAGE'],
      ['MESSAGE', '3 MESSAGE'],
      ['MESSAGE', '4 MESSAGE'],
      ['INFO', '5 INFO'],
    ]);
    expect(received[0]?.body).toBe('héllo m1');
    expect(received[0]?.contentType).toBe('text/plain');
    expect(received[3]?.contentType).toBe('application/xml');
  });

  it('answers overlapping requests, each with its own answer', async () => {
    const { calling, called } = await inDialog(transport);
    const held: (() => void)[] = [];
    called.onRequest((request, respond) => {
      // The first two wait until the third has come, so that all three are open at once.
      held.push(() => respond(request.method === 'INFO' ? 200 : 202));
      if (held.length === 3) for (const answer of held.reverse()) answer();
    });
    const answers = await Promise.all([
      calling.request('MESSAGE', { contentType: 'text/plain', body: 'one' }),
      calling.request('INFO', { contentType: 'application/xml', body: '<a/>' }),
      calling.request('MESSAGE', { contentType: 'text/plain', body: 'three' }),
    ]);
    expect(answers.map((answer) => [answer.headers.cseq, answer.status])).toEqual([
      ['2 MESSAGE', 202],
      ['3 INFO', 200],
      ['4 MESSAGE', 202],
    ]);
  });

  it('lets the callee send requests too, and ends on a BYE from the caller', async () => {
    const { calling, called } = await inDialog(transport);
    calling.onRequest((_request, respond) => respond(200));
    const fromCallee = await called.request('MESSAGE', { contentType: 'text/plain', body: 'hi' });
    expect(fromCallee.status).toBe(200);
    expect(fromCallee.headers.cseq).toBe('1 MESSAGE');
    const seenByCallee: string[] = [];
    called.onRequest((request) => seenByCallee.push(request.method ?? ''));
    const calleeEnd = new Promise((resolve) => called.onEnd(resolve));
    const callerEnd = new Promise((resolve) => calling.onEnd(resolve));
    const answer = await calling.bye();
    expect(answer?.status).toBe(200);
    expect(await calleeEnd).toBe('bye-received');
    expect(await callerEnd).toBe('bye-sent');
    expect(seenByCallee).toEqual(['BYE']);
    expect(called.ended && calling.ended).toBe(true);
    expect(await calling.bye()).toBe(answer);
    await expect(
      calling.request('MESSAGE', { contentType: 'text/plain', body: 'late' }),
    ).rejects.toThrow(/has ended \(bye-sent\)/);
  });

  it('ends on a BYE from the callee', async () => {
    const { calling, called } = await inDialog(transport);
    const callerEnd = new Promise((resolve) => calling.onEnd(resolve));
    const answer = await called.bye();
    expect(answer?.status).toBe(200);
    expect(answer?.headers.cseq).toBe('1 BYE');
    expect(await callerEnd).toBe('bye-received');
    expect(await called.bye()).toBe(answer);
    expect(await calling.bye()).toBeUndefined();
  });

  it('rejects the caller with SipFailureError when the callee answers 486', async () => {
    const parties = await startedParties();
    parties.callee.agent.onInvite((invite) => invite.reject(486));
    const attempt = parties.caller.agent.invite(targetOf(parties.callee.agent, transport), {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    await expect(attempt).rejects.toBeInstanceOf(SipFailureError);
    await expect(attempt).rejects.toMatchObject({ status: 486, message: /486 Busy Here/ });
    // The non-2xx is acknowledged by the caller's transaction (RFC 3261 17.1.1.3).
    await expect.poll(() => summary(parties.callee.traffic, 'received')).toContain('ACK (1 ACK)');
  });

  it('answers 480 an INVITE that nobody handles', async () => {
    const parties = await startedParties();
    const attempt = parties.caller.agent.invite(targetOf(parties.callee.agent, transport), {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    await expect(attempt).rejects.toMatchObject({ status: 480 });
  });
});

describe('a dialog used wrongly or early', () => {
  it('refuses methods and headers that the user agent manages itself', async () => {
    const { parties, calling } = await inDialog('udp');
    await expect(calling.request('ACK')).rejects.toThrow(/sent by the user agent itself/);
    await expect(calling.request('INVITE')).rejects.toThrow(/re-INVITE is not supported/);
    await expect(calling.request('NOT A METHOD')).rejects.toThrow(/not a SIP method/);
    await expect(
      calling.request('MESSAGE', {
        contentType: 'text/plain',
        body: 'x',
        headers: { CSeq: '9 MESSAGE' },
      }),
    ).rejects.toThrow(/the header CSeq is set by the user agent/);
    await expect(
      parties.caller.agent.invite(parties.callee.agent.uri, {
        contentType: 'application/sdp',
        body: sdpOffer,
        headers: { 'Call-ID': 'mine' },
      }),
    ).rejects.toThrow(/the header Call-ID is set by the user agent/);
  });

  it('holds a request that comes before the handler is set, and answers 500 if none is set in time', async () => {
    const { parties, calling, called } = await inDialog('tcp', { transactionTimeoutMs: 800 });
    const early = calling.request('MESSAGE', { contentType: 'text/plain', body: 'early' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const bodies: string[] = [];
    called.onRequest((request, respond) => {
      bodies.push(request.body);
      respond(200);
    });
    expect((await early).status).toBe(200);
    expect(bodies).toEqual(['early']);
    const { calling: second } = await connect(parties.caller.agent, parties.callee.agent, 'tcp');
    const unhandled = await second.request('MESSAGE', {
      contentType: 'text/plain',
      body: 'nobody',
    });
    expect(unhandled.status).toBe(500);
  });
});
