import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WireOutput } from '../../machines/index.ts';
import {
  type SipContent,
  type SipDialog,
  type SipMessageView,
  type SipTransportName,
  type SipUserAgent,
  startUserAgent,
} from '../../sipstack/index.ts';
import type { WireBreach } from './breaches.ts';
import { msImdnBody } from './lync-sip.ts';
import { SipRemoteParty, type WireRemote } from './sip-remote.ts';

const TIMEOUT_MS = 1500;
const IM_ANSWER = (port: number) =>
  `v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=session\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message ${port} sip sip:bob@127.0.0.1\r\na=accept-types:text/plain application/ms-imdn+xml\r\n`;

/**
 * A scripted endpoint on 127.0.0.1: it answers the kit's INVITE as told, answers MESSAGEs
 * 202 when the body says "proxy", 415 when it says "refuse", else 200, echoing the Message-Id,
 * and records every request it gets.
 */
class ScriptedEndpoint {
  readonly received: SipMessageView[] = [];
  /** The text of every message the endpoint sent, as it went on the wire. */
  readonly sent: string[] = [];
  dialog: Promise<SipDialog> | undefined;

  private constructor(
    readonly agent: SipUserAgent,
    readonly transport: SipTransportName,
  ) {}

  static async start(
    transport: SipTransportName,
    invite: 'accept' | 'busy' | 'audio-only' = 'accept',
  ): Promise<ScriptedEndpoint> {
    let endpoint: ScriptedEndpoint | undefined;
    const agent = await startUserAgent({
      address: '127.0.0.1',
      user: 'bob',
      transports: [transport],
      transactionTimeoutMs: TIMEOUT_MS,
      onTraffic: (record) => {
        if (record.direction === 'sent') endpoint?.sent.push(record.text);
      },
    });
    endpoint = new ScriptedEndpoint(agent, transport);
    agent.onInvite((incoming) => {
      if (invite === 'busy') {
        incoming.reject(486);
        return;
      }
      const body =
        invite === 'accept'
          ? IM_ANSWER(agent.port)
          : 'v=0\r\ns=session\r\nm=audio 4000 RTP/AVP 0\r\n';
      endpoint.dialog = incoming.accept({ contentType: 'application/sdp', body });
      endpoint.dialog
        .then((dialog) => dialog.onRequest((request, respond) => endpoint.take(request, respond)))
        .catch(() => {});
    });
    return endpoint;
  }

  get target(): string {
    return this.transport === 'tcp' ? `${this.agent.uri};transport=tcp` : this.agent.uri;
  }

  private take(request: SipMessageView, respond: (status: number, content?: SipContent) => void) {
    this.received.push(request);
    const messageId = request.headers['message-id'];
    const echo: Record<string, string> = messageId === undefined ? {} : { 'Message-Id': messageId };
    const status =
      request.method === 'MESSAGE' && request.contentType === 'text/plain'
        ? request.body === 'proxy'
          ? 202
          : request.body === 'refuse'
            ? 415
            : 200
        : 200;
    try {
      respond(status, { contentType: '', body: '', headers: echo });
    } catch {
      // BYE: answered by the dialog
    }
  }

  async send(method: string, content?: SipContent): Promise<number | undefined> {
    const dialog = await this.requireDialog();
    return (await dialog.request(method, content)).status;
  }

  async requireDialog(): Promise<SipDialog> {
    if (this.dialog === undefined) throw new Error('the kit has not called the endpoint');
    return this.dialog;
  }

  async waitFor(count: number): Promise<void> {
    const deadline = performance.now() + TIMEOUT_MS;
    while (this.received.length < count && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

interface Observed {
  readonly outputs: WireOutput[];
  readonly times: number[];
  readonly notes: string[];
}

function observer(): Observed & {
  observe: (output: WireOutput, at: number) => void;
  note: (message: string) => void;
} {
  const outputs: WireOutput[] = [];
  const times: number[] = [];
  const notes: string[] = [];
  return {
    outputs,
    times,
    notes,
    observe: (output, at) => {
      outputs.push(output);
      times.push(at);
    },
    note: (message) => notes.push(message),
  };
}

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** The sockets left open once the closing callbacks have run (bounded wait). */
async function socketsAfterClose(expected: number): Promise<number> {
  const deadline = performance.now() + 500;
  while (socketCount() > expected && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return socketCount();
}

function socketCount(): number {
  return process
    .getActiveResourcesInfo()
    .filter((name) => ['UDPWrap', 'TCPServerWrap', 'TCPSocketWrap'].includes(name)).length;
}

async function startKit(endpoint: string, transport: SipTransportName, seen: Observed & object) {
  const kit = await SipRemoteParty.start({
    endpoint,
    transport,
    timeoutMs: TIMEOUT_MS,
    ...(seen as ReturnType<typeof observer>),
  });
  closing.push(() => kit.close());
  return kit;
}

describe.each(['udp', 'tcp'] as const)('the kit as the remote party over %s', (transport) => {
  it('sets up the call, sends the stimuli and observes what the endpoint sends', async () => {
    const sockets = await socketsAfterClose(0);
    const endpoint = await ScriptedEndpoint.start(transport);
    closing.push(() => endpoint.agent.close());
    const seen = observer();
    const kit: WireRemote = await startKit(endpoint.target, transport, seen);
    await kit.call();

    const before = performance.now();
    await kit.apply({ type: 'remote.message', body: 'hello', contentType: 'text/plain' });
    await kit.apply({ type: 'remote.message', body: 'proxy', contentType: 'text/plain' });
    await kit.apply({ type: 'remote.message', body: 'refuse', contentType: 'text/plain' });
    await kit.apply({ type: 'remote.typing' });
    await kit.settled();
    expect(seen.outputs).toEqual([
      { channel: 'wire', kind: 'response', message: 1, code: 200 },
      { channel: 'wire', kind: 'response', message: 2, code: 202 },
      { channel: 'wire', kind: 'response', message: 3, code: 415 },
    ]);
    for (const at of seen.times) expect(at).toBeGreaterThanOrEqual(before);
    expect(seen.notes).toEqual([]);
    const kitIds = endpoint.received
      .filter((request) => request.method === 'MESSAGE')
      .map((request) => request.headers['message-id']);
    expect(kitIds).toHaveLength(3);
    expect(new Set(kitIds).size).toBe(3);
    const info = endpoint.received.find((request) => request.method === 'INFO');
    expect(info?.contentType).toBe('application/xml');
    expect(info?.body).toContain('status="type"');

    seen.outputs.length = 0;
    expect(
      await endpoint.send('INFO', {
        contentType: 'application/xml',
        body: '<?xml version="1.0"?><KeyboardActivity><status status="type" /></KeyboardActivity>',
      }),
    ).toBe(200);
    expect(
      await endpoint.send('MESSAGE', {
        contentType: 'text/plain; charset=UTF-8',
        body: 'hi, kit',
        headers: { 'Message-Id': 'ep-1' },
      }),
    ).toBe(200);
    expect(
      await endpoint.send('MESSAGE', {
        contentType: 'application/ms-imdn+xml',
        body: msImdnBody(kitIds[1] ?? '', endpoint.agent.uri, 200),
      }),
    ).toBe(200);
    expect(await endpoint.send('INFO', { contentType: 'text/plain', body: 'what is this' })).toBe(
      200,
    );
    expect(seen.outputs).toEqual([
      { channel: 'wire', kind: 'composing', state: 'typing' },
      { channel: 'wire', kind: 'message', body: 'hi, kit', contentType: 'text/plain' },
      { channel: 'wire', kind: 'deliveryNotification', message: 2, status: 'success' },
    ]);
    expect(seen.notes).toEqual([expect.stringMatching(/INFO is left out: .*text\/plain/)]);

    const received = endpoint.received.length;
    await kit.apply({
      type: 'remote.deliveryNotification',
      message: 1,
      status: 'failure',
      code: 486,
    });
    await kit.settled();
    await endpoint.waitFor(received + 1);
    const imdn = endpoint.received.at(-1);
    expect(imdn?.contentType).toBe('application/ms-imdn+xml');
    expect(imdn?.body).toContain('<message-id>ep-1</message-id>');
    expect(imdn?.body).toContain('<status>486</status>');
    await expect(
      kit.apply({ type: 'remote.deliveryNotification', message: 2, status: 'success' }),
    ).rejects.toThrow(/message 2 cannot be sent: the endpoint has sent 1 message/);

    seen.outputs.length = 0;
    const dialog = await endpoint.requireDialog();
    await dialog.bye();
    const deadline = performance.now() + TIMEOUT_MS;
    while (seen.outputs.length === 0 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen.outputs).toEqual([{ channel: 'wire', kind: 'bye' }]);
    await expect(kit.apply({ type: 'remote.typing' })).rejects.toThrow(/the IM call has ended/);

    await kit.close();
    await endpoint.agent.close();
    expect(await socketsAfterClose(sockets)).toBe(sockets);
  });

  it('ends the call with BYE on remote.bye, and the endpoint sees it', async () => {
    const endpoint = await ScriptedEndpoint.start(transport);
    closing.push(() => endpoint.agent.close());
    const seen = observer();
    const kit = await startKit(endpoint.target, transport, seen);
    await kit.call();
    await kit.apply({ type: 'remote.bye' });
    await kit.settled();
    await endpoint.waitFor(1);
    expect(endpoint.received.map((request) => request.method)).toEqual(['BYE']);
    expect(seen.notes).toEqual([]);
    await expect(
      kit.apply({ type: 'remote.message', body: 'x', contentType: 'text/plain' }),
    ).rejects.toThrow(/has ended/);
  });

  it('rejects a call the endpoint refuses with 486, within the bound', async () => {
    const endpoint = await ScriptedEndpoint.start(transport, 'busy');
    closing.push(() => endpoint.agent.close());
    const kit = await startKit(endpoint.target, transport, observer());
    const started = performance.now();
    await expect(kit.call()).rejects.toThrow(/rejected the IM call with 486/);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);
    await expect(kit.apply({ type: 'remote.typing' })).rejects.toThrow(
      /the IM call was not set up \(.*486/,
    );
  });

  it('rejects an answer without an IM media line and ends that call', async () => {
    const endpoint = await ScriptedEndpoint.start(transport, 'audio-only');
    closing.push(() => endpoint.agent.close());
    const kit = await startKit(endpoint.target, transport, observer());
    await expect(kit.call()).rejects.toThrow(/without an IM media line .*m=audio/);
    await endpoint.waitFor(1);
    expect(endpoint.received.map((request) => request.method)).toEqual(['BYE']);
  });

  it('rejects a call nobody answers, within the bound, and leaves no socket', async () => {
    const sockets = await socketsAfterClose(0);
    const port = await freePort(transport);
    const seen = observer();
    const target = `sip:nobody@127.0.0.1:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`;
    const kit = await SipRemoteParty.start({
      endpoint: target,
      transport,
      timeoutMs: 600,
      ...seen,
    });
    const started = performance.now();
    await expect(kit.call()).rejects.toThrow(
      transport === 'udp' ? /did not answer the INVITE over udp within 600 ms/ : /503.*listening/,
    );
    expect(performance.now() - started).toBeLessThan(1500);
    await kit.close();
    expect(await socketsAfterClose(sockets)).toBe(sockets);
  });
});

describe('what the stack handles on its own becomes a note', () => {
  it('notes a retransmitted request and one out of CSeq order, observing each once', async () => {
    const endpoint = await ScriptedEndpoint.start('udp');
    closing.push(() => endpoint.agent.close());
    const seen = observer();
    const kit = await startKit(endpoint.target, 'udp', seen);
    await kit.call();
    const typing =
      '<?xml version="1.0"?><KeyboardActivity><status status="type" /></KeyboardActivity>';
    await endpoint.send('INFO', { contentType: 'application/xml', body: typing });
    await endpoint.send('INFO', {
      contentType: 'application/xml',
      body: typing.replace('type', 'idle'),
    });
    const [first, second] = endpoint.sent.filter((text) => text.startsWith('INFO '));
    if (first === undefined || second === undefined) throw new Error('the INFOs were not sent');
    const kitPort = Number(/^INFO sip:[^@]+@127\.0\.0\.2:(\d+)/.exec(first)?.[1]);
    const raw = createSocket('udp4');
    closing.push(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve));
    const sendRaw = (text: string) =>
      new Promise<void>((resolve, reject) =>
        raw.send(text, kitPort, '127.0.0.2', (error) => (error ? reject(error) : resolve())),
      );
    // The second INFO again, as it was: a retransmission. The first one with a new branch: a
    // new request whose CSeq is lower than the last one seen.
    await sendRaw(second);
    await sendRaw(first.replace(/branch=([^;\s]+)/, 'branch=$1x'));
    const deadline = performance.now() + TIMEOUT_MS;
    while (seen.notes.length < 2 && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen.outputs).toEqual([
      { channel: 'wire', kind: 'composing', state: 'typing' },
      { channel: 'wire', kind: 'composing', state: 'idle' },
    ]);
    expect(seen.notes).toEqual([
      expect.stringMatching(/sent its INFO CSeq \d+ again over udp \(a retransmission\)/),
      expect.stringMatching(/INFO CSeq \d+ arrived after a request with a higher CSeq/),
    ]);
  });
});

describe('the kit refuses what it cannot do', () => {
  it('refuses a stimulus before the call and bad endpoints, saying why', async () => {
    const seen = observer();
    const kit = await startKit('sip:bob@127.0.0.1:5999', 'udp', seen);
    await expect(kit.apply({ type: 'remote.typing' })).rejects.toThrow(
      /no IM call yet: call\(\) first/,
    );
    const bad = (endpoint: string, transport: SipTransportName = 'udp', address?: string) =>
      SipRemoteParty.start({
        endpoint,
        transport,
        ...(address === undefined ? {} : { address }),
        ...seen,
      });
    await expect(bad('bob@127.0.0.1:5060')).rejects.toThrow(/not of the form/);
    await expect(bad('sip:bob@10.0.0.1:5060')).rejects.toThrow(/not of the form/);
    await expect(bad('sip:bob@127.0.0.1:5060;transport=tcp')).rejects.toThrow(
      /drop ;transport=tcp/,
    );
    await expect(bad('sip:bob@127.0.0.1:5060', 'tcp')).rejects.toThrow(/add ;transport=tcp/);
    await expect(bad('sip:bob@127.0.0.2:5060')).rejects.toThrow(/the kit's own address/);
    await kit.close();
    await expect(kit.call()).rejects.toThrow(/closed/);
  });
});

/** A port on 127.0.0.1 nothing listens on: bound once by the system, then released. */
async function freePort(transport: SipTransportName): Promise<number> {
  if (transport === 'udp') {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address();
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    return port;
  }
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

describe('what only the wire shows', () => {
  it('reports a composing notification carried by MESSAGE as a breach of LC-14, and not one carried by INFO', async () => {
    const endpoint = await ScriptedEndpoint.start('udp');
    closing.push(() => endpoint.agent.close());
    const seen = observer();
    const breaches: WireBreach[] = [];
    const kit = await SipRemoteParty.start({
      endpoint: endpoint.target,
      transport: 'udp',
      timeoutMs: TIMEOUT_MS,
      ...seen,
      breach: (breach) => breaches.push(breach),
    });
    closing.push(() => kit.close());
    await kit.call();
    const dialog = await endpoint.requireDialog();
    const composing = (state: 'active' | 'idle') =>
      `<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>${state}</state></isComposing>`;
    await dialog.request('INFO', {
      contentType: 'application/im-iscomposing+xml',
      body: composing('active'),
    });
    expect(breaches).toEqual([]);
    await dialog.request('MESSAGE', {
      contentType: 'application/im-iscomposing+xml',
      body: composing('idle'),
    });
    expect(seen.outputs).toEqual([
      { channel: 'wire', kind: 'composing', state: 'typing' },
      { channel: 'wire', kind: 'composing', state: 'idle' },
    ]);
    expect(breaches).toHaveLength(1);
    expect(breaches[0]?.requirement).toBe('LC-14');
    expect(breaches[0]?.message).toMatch(/composing notification \(idle\) in a MESSAGE request/);
  });
});
