import { describe, expect, it } from 'vitest';
import {
  type SipDialog,
  type SipTransportName,
  type SipUserAgent,
  startUserAgent,
  type TrafficRecord,
} from '../sipstack/index.ts';
import type { InstantMessagingCall } from './call.ts';
import { systemClock } from './clock.ts';
import { Endpoint } from './endpoint.ts';
import type { InstantMessagingFlow } from './flow.ts';
import type { PlatformSettings } from './settings.ts';
import { SipNetwork } from './sip-transport.ts';
import { InstantMessagingFlowTemplate, type InstantMessagingFlowTemplateInit } from './template.ts';
import { closedAfterEach, until } from './test-helpers.ts';
import type { WireMessage } from './transport.ts';

/** Short timers, on the wall clock: typing every 150 ms, composing 400 ms, Idle sent. */
const settings: Partial<PlatformSettings> = {
  refreshPeriodMs: 150,
  defaultComposingTimeoutMs: 400,
  remotePresumedIdleMs: 1000,
  explicitIdleAllowed: true,
  idleNotificationOnWire: true,
};

const closers = closedAfterEach();

/** A SIP network recording its traffic and problems. */
async function network(address: string, user: string, port?: number) {
  const traffic: TrafficRecord[] = [];
  const problems: string[] = [];
  const received: WireMessage[] = [];
  const sip = await SipNetwork.start({
    address,
    user,
    ...(port === undefined ? {} : { port }),
    transactionTimeoutMs: 1500,
    onTraffic: (record) => traffic.push(record),
    onProblem: (problem) => problems.push(problem.message),
  });
  sip.onReceive((_from, message) => received.push(message));
  closers.push(() => sip.close());
  return { sip, traffic, problems, received };
}

/** Everything a flow raised, as short strings. */
function recordFlow(flow: InstantMessagingFlow, log: string[]): void {
  flow.on('stateChanged', ({ state }) => log.push(`state:${state}`));
  flow.on('messageReceived', ({ body, contentType }) => log.push(`message:${contentType}:${body}`));
  flow.on('responseReceived', ({ code }) => log.push(`response:${code}`));
  flow.on('remoteComposingStateChanged', ({ state }) => log.push(`remote:${state}`));
  flow.on('deliveryNotificationReceived', ({ status, code }) =>
    log.push(`delivery:${status}${code === undefined ? '' : `:${code}`}`),
  );
}

function configure(
  call: InstantMessagingCall,
  log: string[],
  template?: InstantMessagingFlowTemplateInit,
) {
  call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
    if (template) flow.initialize(new InstantMessagingFlowTemplate(template));
    recordFlow(flow, log);
  });
}

function targetOf(uri: string, transport: SipTransportName): string {
  return transport === 'tcp' ? `${uri};transport=tcp` : uri;
}

/** Alice on 127.0.0.1 calls bob on 127.0.0.2 over `transport`; bob accepts. */
async function call(
  transport: SipTransportName,
  templates: {
    alice?: InstantMessagingFlowTemplateInit;
    bob?: InstantMessagingFlowTemplateInit;
  } = {},
) {
  const a = await network('127.0.0.1', 'alice');
  const b = await network('127.0.0.2', 'bob');
  const alice = new Endpoint({ name: 'alice', network: a.sip, clock: systemClock, settings });
  const bob = new Endpoint({ name: 'bob', network: b.sip, clock: systemClock, settings });
  const log = { alice: [] as string[], bob: [] as string[] };
  let bobCall: InstantMessagingCall | undefined;
  bob.on('incomingCall', ({ call: incoming }) => {
    bobCall = incoming;
    configure(incoming, log.bob, templates.bob);
    void incoming.accept();
  });
  const aliceCall = alice.createCall(targetOf(b.sip.uri, transport));
  configure(aliceCall, log.alice, templates.alice);
  await aliceCall.establish();
  await until('bob has the call', () => bobCall?.flow?.state === 'active');
  const bobFlow = bobCall?.flow;
  const aliceFlow = aliceCall.flow;
  if (!bobCall || !bobFlow || !aliceFlow) throw new Error('the call has no flows');
  return { a, b, aliceCall, bobCall, aliceFlow, bobFlow, log };
}

const sentText = (traffic: readonly TrafficRecord[], start: string) =>
  traffic.filter((record) => record.direction === 'sent' && record.text.startsWith(start));

describe.each<SipTransportName>(['udp', 'tcp'])(
  'two endpoints over SIP (%s)',
  { timeout: 5000 },
  (transport) => {
    it('set up the call with an INVITE carrying the IM SDP, answered 200 with it', async () => {
      const { a, b, aliceCall, bobCall, log } = await call(transport);
      expect(aliceCall.state).toBe('established');
      expect(bobCall.state).toBe('established');
      expect(bobCall.remoteParticipant.name).toBe(a.sip.uri);
      expect(log.alice).toEqual(['state:active']);
      const [invite] = sentText(a.traffic, 'INVITE ');
      expect(invite?.transport).toBe(transport);
      expect(invite?.text).toMatch(/^m=message \d+ sip null\r$/m);
      const [ok] = sentText(b.traffic, 'SIP/2.0 200').filter((r) => /CSeq: 1 INVITE/i.test(r.text));
      expect(ok?.text).toMatch(/^Content-Type: application\/sdp/im);
      expect(ok?.text).toMatch(/^m=message \d+ sip null\r$/m);
      expect(ok?.text).toMatch(/^a=accept-types:text\/plain\r$/m);
      expect([...a.problems, ...b.problems]).toEqual([]);
    });

    it('carries messages as MESSAGE with Message-Id, answered 200, and 415 for a format not supported', async () => {
      const { a, b, aliceFlow, bobFlow, log } = await call(transport);
      const id = await aliceFlow.sendInstantMessage('hello bob');
      await until('alice has the answer', () => log.alice.includes('response:200'));
      expect(log.bob).toContain('message:text/plain:hello bob');
      const [message] = sentText(a.traffic, 'MESSAGE ');
      expect(message?.text).toMatch(new RegExp(`^Message-Id: ${id}\r$`, 'im'));
      expect(message?.text).toMatch(/^Content-Type: text\/plain\r$/im);
      expect(message?.text.endsWith('\r\n\r\nhello bob')).toBe(true);
      const answer = sentText(b.traffic, 'SIP/2.0 200').find((r) =>
        /CSeq: \d+ MESSAGE/i.test(r.text),
      );
      expect(answer?.text).toMatch(new RegExp(`^Message-Id: ${id}\r$`, 'im'));

      await bobFlow.sendInstantMessage({ contentType: 'text/html', body: '<b>no</b>' });
      await until('bob has the answer', () => log.bob.includes('response:415'));
      expect(log.alice).not.toContain('message:text/html:<b>no</b>');
      expect(sentText(a.traffic, 'SIP/2.0 415')).toHaveLength(1);
      await Promise.all([a.sip.settled(), b.sip.settled()]);
      expect([...a.problems, ...b.problems]).toEqual([]);
    });

    it('answers 202 in proxied mode and carries delivery notifications both ways', async () => {
      const proxied = { consumptionMode: 'proxied-to-remote-entity' } as const;
      const { a, b, aliceFlow, bobFlow, log } = await call(transport, {
        alice: proxied,
        bob: proxied,
      });
      const toBob = await aliceFlow.sendInstantMessage('forward this');
      await until('alice has the 202', () => log.alice.includes('response:202'));
      const [received] = bobFlow.messagesAwaitingDeliveryNotification;
      expect(received).toBe(toBob);
      bobFlow.sendSuccessDeliveryNotification(toBob);
      await until('alice has the notification', () => log.alice.includes('delivery:success'));
      const [notification] = sentText(b.traffic, 'MESSAGE ');
      expect(notification?.text).toMatch(/^Content-Type: application\/ms-imdn\+xml\r$/im);
      expect(notification?.text).toContain(`<message-id>${toBob}</message-id>`);
      expect(notification?.text).toContain('<status>200</status>');

      const toAlice = await bobFlow.sendInstantMessage('and this back');
      await until('bob has the 202', () => log.bob.includes('response:202'));
      aliceFlow.sendFailureDeliveryNotification(toAlice, 480);
      await until('bob has the failure', () => log.bob.includes('delivery:failure:480'));
      await Promise.all([a.sip.settled(), b.sip.settled()]);
      expect([...a.problems, ...b.problems]).toEqual([]);
    });

    it('carries typing and idle as INFO KeyboardActivity, both ways', async () => {
      const { a, b, aliceFlow, bobFlow, log } = await call(transport);
      aliceFlow.localComposingState = 'composing';
      await until('bob sees alice typing', () => log.bob.includes('remote:composing'));
      aliceFlow.localComposingState = 'idle';
      await until('bob sees alice idle', () => log.bob.includes('remote:idle'));
      const infos = sentText(a.traffic, 'INFO ');
      expect(infos.map((info) => /status="(\w+)"/.exec(info.text)?.[1])).toEqual(['type', 'idle']);
      expect(infos[0]?.text).toMatch(/^Content-Type: application\/xml\r$/im);

      bobFlow.localComposingState = 'composing';
      await until('alice sees bob typing', () => log.alice.includes('remote:composing'));
      // Bob's composing times out after 400 ms; with Idle on the wire, alice hears it.
      await until('alice sees bob idle', () => log.alice.includes('remote:idle'), 1500);
      const bobInfos = sentText(b.traffic, 'INFO ').map(
        (info) => /status="(\w+)"/.exec(info.text)?.[1],
      );
      expect(bobInfos[0]).toBe('type');
      expect(bobInfos.at(-1)).toBe('idle');
      expect(b.received.filter((message) => message.type === 'composing')).toHaveLength(2);
      await Promise.all([a.sip.settled(), b.sip.settled()]);
      expect([...a.problems, ...b.problems]).toEqual([]);
    });

    it('ends the call with BYE, answered 200, from either side', async () => {
      const first = await call(transport);
      await first.aliceCall.terminate();
      await until('bob hears the BYE', () => first.bobCall.state === 'terminated');
      expect(first.log.bob.at(-1)).toBe('state:terminated');
      expect(sentText(first.a.traffic, 'BYE ')).toHaveLength(1);
      await first.a.sip.settled();
      expect(
        sentText(first.b.traffic, 'SIP/2.0 200').filter((r) => /CSeq: \d+ BYE/i.test(r.text)),
      ).toHaveLength(1);
      await Promise.all(closers.splice(0).map((close) => close()));

      const second = await call(transport);
      await second.bobCall.terminate();
      await until('alice hears the BYE', () => second.aliceCall.state === 'terminated');
      expect(second.aliceFlow.state).toBe('terminated');
      expect(sentText(second.b.traffic, 'BYE ')).toHaveLength(1);
    });
  },
);

describe('SipNetwork', { timeout: 5000 }, () => {
  it('declines an incoming call the application terminates, so establish fails', async () => {
    const a = await network('127.0.0.1', 'alice');
    const b = await network('127.0.0.2', 'bob');
    const alice = new Endpoint({ name: 'alice', network: a.sip, settings });
    const bob = new Endpoint({ name: 'bob', network: b.sip, settings });
    bob.on('incomingCall', ({ call: incoming }) => void incoming.terminate());
    const outgoing = alice.createCall(b.sip.uri);
    await expect(outgoing.establish()).rejects.toThrow(/ended the call before it was established/);
    expect(outgoing.state).toBe('terminated');
    expect(sentText(b.traffic, 'SIP/2.0 603')).toHaveLength(1);
    expect(a.problems).toEqual([]);
  });

  it('refuses to dial what is not a loopback SIP URI, or its own address', async () => {
    const a = await network('127.0.0.1', 'alice');
    const alice = new Endpoint({ name: 'alice', network: a.sip, settings });
    expect(() => alice.createCall('bob').establish()).toThrow(
      /not a SIP URI on the loopback network/,
    );
    expect(() => alice.createCall('sip:bob@10.0.0.1:5060').establish()).toThrow(/loopback/);
    expect(() => alice.createCall(a.sip.uri.replace('alice', 'other')).establish()).toThrow(
      /own address/,
    );
    expect(() => new Endpoint({ name: 'second', network: a.sip })).toThrow(
      /Start one SipNetwork per endpoint/,
    );
  });

  it('closes every socket: the same UDP and TCP port binds again at once', async () => {
    const first = await network('127.0.0.1', 'alice');
    const second = await network('127.0.0.2', 'bob');
    const alice = new Endpoint({ name: 'alice', network: first.sip, settings });
    new Endpoint({ name: 'bob', network: second.sip, settings }).on(
      'incomingCall',
      ({ call: c }) => {
        void c.accept();
      },
    );
    // A TCP call leaves connected sockets on both sides, besides the listening ones.
    await alice.createCall(targetOf(second.sip.uri, 'tcp')).establish();
    const { port } = first.sip;
    await first.sip.close();
    await second.sip.close();
    const again = await network('127.0.0.1', 'alice', port);
    expect(again.sip.port).toBe(port);
    await again.sip.close();
  });
});

/** A bare user agent on 127.0.0.2 that calls bob's network and speaks the RFC forms. */
async function rawCaller(): Promise<{
  bob: Awaited<ReturnType<typeof network>>;
  log: string[];
  dialog: SipDialog;
  agent: SipUserAgent;
}> {
  const bob = await network('127.0.0.1', 'bob');
  const endpoint = new Endpoint({ name: 'bob', network: bob.sip, settings });
  const log: string[] = [];
  endpoint.on('incomingCall', ({ call: incoming }) => {
    configure(incoming, log);
    void incoming.accept();
  });
  const agent = await startUserAgent({
    address: '127.0.0.2',
    user: 'kit',
    transactionTimeoutMs: 1500,
  });
  closers.push(() => agent.close());
  const offer = ['v=0', 'o=- 0 0 IN IP4 127.0.0.2', 's=-', 'c=IN IP4 127.0.0.2', 't=0 0'];
  const dialog = await agent.invite(bob.sip.uri, {
    contentType: 'application/sdp',
    body: [...offer, 'm=message 5060 sip null', 'a=accept-types:text/plain', ''].join('\r\n'),
  });
  dialog.onRequest((_request, respond) => respond(200));
  return { bob, log, dialog, agent };
}

describe('SipNetwork, from a bare SIP peer', { timeout: 5000 }, () => {
  it('takes RFC 3994 isComposing (INFO and MESSAGE) and RFC 5438 imdn (MESSAGE, INFO, NOTIFY, BENOTIFY)', async () => {
    const { bob, log, dialog } = await rawCaller();
    const isComposing = (state: string) => ({
      contentType: 'application/im-iscomposing+xml',
      body: `<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>${state}</state></isComposing>`,
    });
    expect((await dialog.request('INFO', isComposing('active'))).status).toBe(200);
    expect((await dialog.request('MESSAGE', isComposing('idle'))).status).toBe(200);
    expect(log).toEqual(['state:active', 'remote:composing', 'remote:idle']);
    const imdn = (status: string) => ({
      contentType: 'message/imdn+xml',
      body: `<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>bob-1</message-id><delivery-notification><status>${status}</status></delivery-notification></imdn>`,
    });
    for (const method of ['MESSAGE', 'INFO', 'NOTIFY', 'BENOTIFY']) {
      expect((await dialog.request(method, imdn('<delivered/>'))).status).toBe(200);
    }
    expect((await dialog.request('NOTIFY', imdn('<failed/><error>486</error>'))).status).toBe(200);
    expect(bob.received.filter((message) => message.type === 'delivery-notification')).toEqual([
      ...Array(4).fill({ type: 'delivery-notification', id: 'bob-1', status: 'success' }),
      { type: 'delivery-notification', id: 'bob-1', status: 'failure', code: 486 },
    ]);
    expect(bob.problems).toEqual([]);
  });

  it('answers a message without Message-Id, refuses bad bodies and other methods, and IM-less INVITEs', async () => {
    const { bob, log, dialog, agent } = await rawCaller();
    const plain = await dialog.request('MESSAGE', { contentType: 'text/plain', body: 'no id' });
    expect(plain.status).toBe(200);
    expect(log).toContain('message:text/plain:no id');
    const broken = await dialog.request('INFO', {
      contentType: 'application/xml',
      body: '<Keyboard',
    });
    expect(broken.status).toBe(400);
    const other = await dialog.request('INFO', { contentType: 'text/plain', body: 'x' });
    expect(other.status).toBe(415);
    const update = await dialog.request('UPDATE');
    expect(update.status).toBe(405);
    expect(update.headers.allow).toMatch(/MESSAGE/);
    expect(bob.problems).toHaveLength(2);
    expect(bob.problems[0]).toMatch(/refused 400: the XML body is not well-formed/);
    await expect(
      agent.invite(bob.sip.uri, {
        contentType: 'application/sdp',
        body: 'v=0\r\nm=audio 5004 RTP/AVP 0\r\n',
      }),
    ).rejects.toThrow(/488/);
  });
});
