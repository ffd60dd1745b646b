import { describe, expect, it } from 'vitest';
import type { SutContext, SystemUnderTest } from '../conformance/index.ts';
import { guideProfile, type Output } from '../machines/index.ts';
import { closedAfterEach, until } from '../reference/test-helpers.ts';
import {
  type SipDialog,
  type SipMessageView,
  type SipUserAgent,
  startUserAgent,
} from '../sipstack/index.ts';
import adapter from './reference-sip.ts';

const closers = closedAfterEach();

/** A port free on 127.0.0.1 for UDP and TCP: the one a user agent found, once it let it go. */
async function freePort(): Promise<number> {
  const probe = await startUserAgent({ address: '127.0.0.1' });
  const { port } = probe;
  await probe.close();
  return port;
}

/** The kit's side: a user agent on 127.0.0.2 that records the requests it gets and answers 200. */
async function startKit(): Promise<{ agent: SipUserAgent; requests: SipMessageView[] }> {
  const agent = await startUserAgent({
    address: '127.0.0.2',
    user: 'kit',
    transactionTimeoutMs: 1500,
  });
  closers.push(() => agent.close());
  return { agent, requests: [] };
}

type WireSutContext = SutContext & { wire?: { endpoint: string; remote: string } };

function contextFor(endpoint: string, outputs: Output[], notes: string[]): WireSutContext {
  return {
    clock: { now: () => 0, setTimeout: () => undefined, clearTimeout: () => undefined },
    observe: (output: Output) => outputs.push(output),
    note: (message: string) => notes.push(message),
    machine: 'imFlow',
    profile: guideProfile,
    wire: { endpoint, remote: 'sip:kit@127.0.0.2:5060' },
  };
}

const offer = {
  contentType: 'application/sdp',
  body: [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.2',
    's=-',
    'c=IN IP4 127.0.0.2',
    't=0 0',
    'm=message 5060 sip null',
    'a=accept-types:text/plain',
    '',
  ].join('\r\n'),
};

async function create(endpoint: string, outputs: Output[], notes: string[] = []) {
  const sut: SystemUnderTest = await adapter.create(contextFor(endpoint, outputs, notes));
  closers.push(async () => sut.dispose?.());
  return sut;
}

/** The kit INVITEs as it applies app.establish; both complete. */
async function establish(sut: SystemUnderTest, kit: SipUserAgent, endpoint: string) {
  const [dialog] = await Promise.all([
    kit.invite(endpoint, offer),
    sut.apply({ type: 'app.establish', template: null }),
  ]);
  return dialog;
}

function record(dialog: SipDialog, requests: SipMessageView[]): void {
  dialog.onRequest((request, respond) => {
    requests.push(request);
    const id = request.headers['message-id'];
    respond(200, id ? { contentType: '', body: '', headers: { 'Message-Id': id } } : undefined);
  });
}

describe('the reference adapter on SIP', { timeout: 5000 }, () => {
  it('accepts the kit INVITE at app.establish, then carries the application side of the call', async () => {
    const endpoint = `sip:sut@127.0.0.1:${await freePort()}`;
    const outputs: Output[] = [];
    const notes: string[] = [];
    const sut = await create(endpoint, outputs, notes);
    const kit = await startKit();

    const dialog = await establish(sut, kit.agent, endpoint);
    record(dialog, kit.requests);
    expect(dialog.remoteContent.contentType).toBe('application/sdp');
    expect(dialog.remoteContent.body).toMatch(/^m=message \d+ sip null\r$/m);
    expect(outputs).toEqual([
      { channel: 'event', name: 'flowConfigurationRequested' },
      { channel: 'event', name: 'flowStateChanged', state: 'active' },
    ]);
    expect(await sut.query()).toEqual({ flowState: 'active', localComposingState: 'idle' });

    await sut.apply({ type: 'app.send', body: 'from the application', contentType: 'text/plain' });
    await until('the MESSAGE reaches the kit', () => kit.requests.length === 1);
    const [message] = kit.requests;
    expect(message?.method).toBe('MESSAGE');
    expect(message?.body).toBe('from the application');
    expect(message?.contentType).toBe('text/plain');
    expect(message?.headers['message-id']).toMatch(/\S/);

    const answer = await dialog.request('MESSAGE', {
      contentType: 'text/plain',
      body: 'from the kit',
      headers: { 'Message-Id': 'kit-1' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers['message-id']).toBe('kit-1');
    expect(outputs).toContainEqual({
      channel: 'event',
      name: 'messageReceived',
      body: 'from the kit',
      contentType: 'text/plain',
    });

    await sut.apply({ type: 'app.setComposing' });
    await until('the INFO reaches the kit', () => kit.requests.length === 2);
    const [, info] = kit.requests;
    expect(info?.method).toBe('INFO');
    expect(info?.contentType).toBe('application/xml');
    expect(info?.body).toContain('<status status="type" />');
    await sut.settle?.();
    expect(await sut.query()).toEqual({ flowState: 'active', localComposingState: 'composing' });

    await sut.apply({ type: 'app.terminate' });
    await until('the BYE reaches the kit', () => kit.requests.some((r) => r.method === 'BYE'));
    expect(outputs.at(-1)).toEqual({
      channel: 'event',
      name: 'flowStateChanged',
      state: 'terminated',
    });
    // Only application outputs: the kit observes the wire itself.
    expect(
      outputs.every((output) => output.channel === 'event' || output.channel === 'error'),
    ).toBe(true);
    expect(notes).toEqual([]);
  });

  it('leaves a second app.establish to the implementation to refuse, and reports no wire', async () => {
    const endpoint = `sip:sut@127.0.0.1:${await freePort()}`;
    const outputs: Output[] = [];
    const sut = await create(endpoint, outputs);
    const kit = await startKit();
    await establish(sut, kit.agent, endpoint);
    await expect(sut.apply({ type: 'app.establish', template: null })).rejects.toMatchObject({
      kind: 'invalid-operation',
    });
  });

  it('frees the port at dispose: the next case binds it at once', async () => {
    const endpoint = `sip:sut@127.0.0.1:${await freePort()}`;
    const kit = await startKit();
    const first = await adapter.create(contextFor(endpoint, [], []));
    const dialog = await establish(first, kit.agent, endpoint);
    const ended = new Promise((resolve) => dialog.onEnd(resolve));
    await first.dispose?.();
    // The case ended with the call up: the implementation hung up.
    expect(await ended).toBe('bye-received');
    const outputs: Output[] = [];
    const second = await create(endpoint, outputs);
    await establish(second, kit.agent, endpoint);
    expect(outputs).toContainEqual({ channel: 'event', name: 'flowStateChanged', state: 'active' });
  });

  it('refuses to run outside wire mode, and stimuli that are not the application', async () => {
    const outputs: Output[] = [];
    const { wire: _, ...plain } = contextFor('sip:sut@127.0.0.1:5070', outputs, []);
    await expect(async () => adapter.create(plain)).rejects.toThrow(
      /this adapter runs only in wire mode: imflow check --clock real --wire sip/,
    );
    await expect(async () =>
      adapter.create(contextFor('sip:sut@192.0.2.1:5070', outputs, [])),
    ).rejects.toThrow(/not a SIP URI with a user, a loopback address and a port/);
    const sut = await create(`sip:sut@127.0.0.1:${await freePort()}`, outputs);
    await expect(async () =>
      sut.apply({ type: 'remote.message', body: 'x', contentType: 'text/plain' }),
    ).rejects.toThrow(/remote\.message reached the reference's wire adapter/);
    await expect(async () =>
      sut.apply({ type: 'app.send', body: 'x', contentType: 'text/plain' }),
    ).rejects.toThrow(/app\.send before the call is established/);
    const unsupported = adapter.declarations?.unsupported?.map((pattern) => pattern.type) ?? [];
    expect(unsupported).toEqual(expect.arrayContaining(['conf.join', 'server.focusReconnected']));
    expect(unsupported).not.toContain('remote.message');
    expect(adapter.profile).toBe('ucma-guide');
  });
});
