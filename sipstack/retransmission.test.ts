import { createSocket, type Socket } from 'node:dgram';
import sip from 'sip';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type IncomingInvite,
  SipTimeoutError,
  type SipUserAgent,
  startUserAgent,
  type TrafficRecord,
  type UserAgentOptions,
} from './index.ts';
import { connect, sdpOffer, startParties, summary } from './test-support.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A bare UDP socket on 127.0.0.2 that plays the other party by hand, collecting what it gets. */
async function rawParty(): Promise<{ socket: Socket; port: number; received: string[] }> {
  const socket = await boundSocket('127.0.0.2');
  const received: string[] = [];
  socket.on('message', (data) => received.push(data.toString('latin1')));
  return { socket, port: socket.address().port, received };
}

/** A user agent on UDP alone, closed after the test, recording its traffic. */
async function udpAgent(
  options: Partial<UserAgentOptions> & { address: string },
): Promise<{ agent: SipUserAgent; traffic: TrafficRecord[] }> {
  const traffic: TrafficRecord[] = [];
  const agent = await startUserAgent({
    transports: ['udp'],
    ...options,
    onTraffic: (record) => traffic.push(record),
  });
  cleanups.push(() => agent.close());
  return { agent, traffic };
}

/** Settles as the callee's accept of the next INVITE settles. */
function acceptNextInvite(callee: SipUserAgent): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) =>
    callee.onInvite((invite: IncomingInvite) =>
      invite.accept({ contentType: 'application/sdp', body: sdpOffer }).then(resolve, reject),
    ),
  );
}

/** A UDP socket bound on the address, closed after the test. */
async function boundSocket(address: string): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, resolve));
  cleanups.push(() => new Promise<void>((resolve) => socket.close(() => resolve())));
  return socket;
}

function sendRaw(socket: Socket, text: string, port: number): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(Buffer.from(text, 'latin1'), port, '127.0.0.1', (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}

function inviteText(fromPort: number, toPort: number, branch: string): string {
  return [
    `INVITE sip:callee@127.0.0.1:${toPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.2:${fromPort};branch=${branch}`,
    'Max-Forwards: 70',
    `To: <sip:callee@127.0.0.1:${toPort}>`,
    `From: <sip:raw@127.0.0.2:${fromPort}>;tag=rawtag`,
    `Call-ID: raw-${branch}@127.0.0.2`,
    'CSeq: 1 INVITE',
    `Contact: <sip:raw@127.0.0.2:${fromPort}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${sdpOffer.length}`,
    '',
    sdpOffer,
  ].join('\r\n');
}

function ackFor(okText: string, toPort: number, fromPort: number): string {
  const ok = sip.parse(okText);
  const toTag = ok?.headers.to?.params?.tag;
  return [
    `ACK sip:callee@127.0.0.1:${toPort} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.2:${fromPort};branch=z9hG4bKack${toTag}`,
    'Max-Forwards: 70',
    `To: <sip:callee@127.0.0.1:${toPort}>;tag=${toTag}`,
    `From: <sip:raw@127.0.0.2:${fromPort}>;tag=rawtag`,
    `Call-ID: ${ok?.headers['call-id']}`,
    'CSeq: 1 ACK',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const sentOks = (traffic: readonly TrafficRecord[]) =>
  traffic.filter((record) => record.direction === 'sent' && record.text.startsWith('SIP/2.0 200'));

describe('over UDP', () => {
  it('answers a retransmitted request again with the same answer and hands it on once', async () => {
    const parties = await startParties();
    cleanups.push(parties.close);
    const { calling, called } = await connect(parties.caller.agent, parties.callee.agent, 'udp');
    let handed = 0;
    called.onRequest((_request, respond) => {
      handed += 1;
      respond(202);
    });
    const answer = await calling.request('MESSAGE', { contentType: 'text/plain', body: 'once' });
    expect(answer.status).toBe(202);
    const request = parties.caller.traffic.find((record) => record.text.startsWith('MESSAGE '));
    if (request === undefined) throw new Error('the caller recorded no MESSAGE');
    const raw = await rawParty();
    await sendRaw(
      raw.socket,
      Buffer.from(request.text, 'utf8').toString('latin1'),
      parties.callee.agent.port,
    );
    const answers = () =>
      parties.callee.traffic.filter(
        (record) => record.direction === 'sent' && /^CSeq: 2 MESSAGE/m.test(record.text),
      );
    await expect.poll(() => answers().length, { timeout: 1000 }).toBe(2);
    expect(answers()[1]?.text).toBe(answers()[0]?.text);
    expect(answers()[0]?.text.startsWith('SIP/2.0 202 Accepted')).toBe(true);
    expect(handed).toBe(1);
  });

  it('sends the 200 to an INVITE again until the ACK comes, then stops', async () => {
    const { agent: callee, traffic } = await udpAgent({ address: '127.0.0.1', user: 'callee' });
    const accepted = acceptNextInvite(callee);
    const raw = await rawParty();
    await sendRaw(raw.socket, inviteText(raw.port, callee.port, 'z9hG4bKraw1'), callee.port);
    const oks = () => raw.received.filter((text) => text.startsWith('SIP/2.0 200'));
    // T1 = 500 ms: a second copy comes after half a second.
    await expect.poll(() => oks().length, { timeout: 1500, interval: 50 }).toBe(2);
    expect(oks()[1]).toBe(oks()[0]);
    await sendRaw(raw.socket, ackFor(oks()[0] ?? '', callee.port, raw.port), callee.port);
    await expect(accepted).resolves.toMatchObject({ transport: 'udp', ended: false });
    const sentAfterAck = sentOks(traffic).length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(sentOks(traffic).length).toBe(sentAfterAck);
  });

  it('rejects accept with SipTimeoutError when the ACK never comes, and ends the call with BYE', async () => {
    const { agent: callee } = await udpAgent({
      address: '127.0.0.1',
      user: 'callee',
      transactionTimeoutMs: 700,
    });
    const accepted = acceptNextInvite(callee);
    const raw = await rawParty();
    const started = performance.now();
    await sendRaw(raw.socket, inviteText(raw.port, callee.port, 'z9hG4bKraw2'), callee.port);
    await expect(accepted).rejects.toThrow(SipTimeoutError);
    await expect(accepted).rejects.toThrow(
      /no ACK for the 200 to the INVITE from sip:raw@127\.0\.0\.2:\d+ over udp within 700 ms/,
    );
    expect(performance.now() - started).toBeLessThan(1200);
    await expect.poll(() => raw.received.some((text) => text.startsWith('BYE '))).toBe(true);
  });

  it('acknowledges a retransmitted 200 again and sets up the dialog once', async () => {
    const { agent: caller, traffic } = await udpAgent({ address: '127.0.0.2', user: 'caller' });
    const socket = await boundSocket('127.0.0.1');
    const port = socket.address().port;
    let okCopies = 0;
    socket.on('message', (data, rinfo) => {
      const request = sip.parse(data);
      if (request?.method !== 'INVITE') return;
      const to = { ...request.headers.to, params: { tag: 'rawcallee' } };
      const ok = sip.makeResponse(request, 200, 'OK', {
        headers: {
          to,
          contact: [{ uri: `sip:raw@127.0.0.1:${port}` }],
          'content-type': 'application/sdp',
        },
        content: sdpOffer,
      });
      const text = Buffer.from(sip.stringify(ok), 'latin1');
      // The 200 goes out three times, as if the first copies had been lost.
      for (let copy = 0; copy < 3; copy++) socket.send(text, rinfo.port, rinfo.address);
      okCopies += 3;
    });
    const dialog = await caller.invite(`sip:raw@127.0.0.1:${port}`, {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    expect(dialog.remoteContent.body).toBe(sdpOffer);
    await expect
      .poll(() => summary(traffic, 'sent').filter((line) => line.startsWith('ACK')).length)
      .toBe(okCopies);
    expect(summary(traffic, 'sent').filter((line) => line.startsWith('INVITE'))).toEqual([
      'INVITE (1 INVITE)',
    ]);
  });

  it('sends an unanswered INVITE again after 500 ms and then 1 s (RFC 3261 17.1.1.2, timer A)', async () => {
    const { agent: caller, traffic } = await udpAgent({
      address: '127.0.0.2',
      transactionTimeoutMs: 1800,
    });
    const listener = await boundSocket('127.0.0.1');
    const heard: number[] = [];
    listener.on('message', () => heard.push(performance.now()));
    const started = performance.now();
    const attempt = caller.invite(`sip:mute@127.0.0.1:${listener.address().port}`, {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    await expect(attempt).rejects.toThrow(SipTimeoutError);
    const sent = traffic.filter((record) => record.direction === 'sent');
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((record) => record.text)).size).toBe(1);
    const offsets = heard.map((at) => at - started);
    expect(offsets).toHaveLength(3);
    expect(offsets[1]).toBeGreaterThan(450);
    expect(offsets[1]).toBeLessThan(900);
    expect(offsets[2]).toBeGreaterThan(1400);
  });

  it('answers 500 a request whose CSeq is lower than one seen, and hands it on marked out of order', async () => {
    const parties = await startParties();
    cleanups.push(parties.close);
    const { calling, called } = await connect(parties.caller.agent, parties.callee.agent, 'udp');
    const seen: [string, boolean][] = [];
    called.onRequest((request, respond, info) => {
      seen.push([request.headers.cseq ?? '', info.outOfOrder]);
      respond(200);
    });
    await calling.request('MESSAGE', { contentType: 'text/plain', body: 'first' });
    await calling.request('MESSAGE', { contentType: 'text/plain', body: 'second' });
    const second = parties.caller.traffic.find(
      (record) => record.direction === 'sent' && /^CSeq: 3 MESSAGE/m.test(record.text),
    );
    if (second === undefined) throw new Error('the caller recorded no second MESSAGE');
    // The same request as a new transaction with an older number: as if it had been overtaken.
    const stale = second.text
      .replace(/^CSeq: 3 MESSAGE/m, 'CSeq: 2 MESSAGE')
      .replace(/branch=[^;\r\n]+/, 'branch=z9hG4bKstale');
    const raw = await rawParty();
    await sendRaw(
      raw.socket,
      Buffer.from(stale, 'utf8').toString('latin1'),
      parties.callee.agent.port,
    );
    await expect.poll(() => raw.received.length).toBe(1);
    expect(raw.received[0]).toMatch(/^SIP\/2\.0 500 CSeq Out of Order\r\n/);
    expect(seen).toEqual([
      ['2 MESSAGE', false],
      ['3 MESSAGE', false],
      ['2 MESSAGE', true],
    ]);
  });

  it('answers a CANCEL of an INVITE not answered yet with 200, and the INVITE with 487', async () => {
    const { agent: callee } = await udpAgent({ address: '127.0.0.1', user: 'callee' });
    const invites: IncomingInvite[] = [];
    callee.onInvite((invite) => invites.push(invite));
    const raw = await rawParty();
    const invite = inviteText(raw.port, callee.port, 'z9hG4bKraw3');
    await sendRaw(raw.socket, invite, callee.port);
    await expect.poll(() => invites.length).toBe(1);
    const cancel = invite
      .split('\r\n\r\n')[0]
      ?.replace(/^INVITE /, 'CANCEL ')
      .replace('CSeq: 1 INVITE', 'CSeq: 1 CANCEL')
      .replace(/^Content-Type: .*\r\n/m, '')
      .replace(/^Content-Length: \d+/m, 'Content-Length: 0');
    await sendRaw(raw.socket, `${cancel}\r\n\r\n`, callee.port);
    await expect
      .poll(() =>
        raw.received
          .map((text) =>
            /^SIP\/2\.0 (\d+).*\r\n[\s\S]*^CSeq: 1 (\w+)/m.exec(text)?.slice(1).join(' '),
          )
          // The 487 is repeated every 500 ms until the ACK (timer G), which this party never sends.
          .slice(0, 3),
      )
      .toEqual(['100 INVITE', '200 CANCEL', '487 INVITE']);
    await expect(
      invites[0]?.accept({ contentType: 'application/sdp', body: sdpOffer }),
    ).rejects.toThrow(/answered already/);
  });
});
