import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SipFailureError, SipTimeoutError, SipUsageError, startUserAgent } from './index.ts';
import { connect, sdpOffer, startParties } from './test-support.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port on 127.0.0.1 that was free a moment ago and has nobody listening now. */
async function silentUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address !== 'object') throw new Error('no port');
  return address.port;
}

const socketKinds = ['UDPWrap', 'TCPSocketWrap', 'TCPServerWrap', 'Timeout'];
function countResources(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(socketKinds.map((kind) => [kind, 0]));
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind in counts) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

describe('bounds', () => {
  it('rejects an INVITE to a port where nobody listens with SipTimeoutError, on time', async () => {
    const caller = await startUserAgent({ address: '127.0.0.2', transactionTimeoutMs: 300 });
    cleanups.push(() => caller.close());
    const port = await silentUdpPort();
    const started = performance.now();
    const attempt = caller.invite(`sip:nobody@127.0.0.1:${port}`, {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    await expect(attempt).rejects.toBeInstanceOf(SipTimeoutError);
    await expect(attempt).rejects.toThrow(
      `INVITE to sip:nobody@127.0.0.1:${port} over udp: no final response within 300 ms`,
    );
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('rejects an in-dialog request that is never answered with SipTimeoutError naming it', async () => {
    const parties = await startParties({ transactionTimeoutMs: 400 });
    cleanups.push(parties.close);
    const { calling, called } = await connect(parties.caller.agent, parties.callee.agent, 'tcp');
    called.onRequest(() => {});
    const attempt = calling.request('INFO', { contentType: 'application/xml', body: '<a/>' });
    await expect(attempt).rejects.toBeInstanceOf(SipTimeoutError);
    await expect(attempt).rejects.toThrow(
      /^INFO to sip:callee@127\.0\.0\.1:\d+;transport=tcp over tcp: no final response within 400 ms$/,
    );
  });

  it('fails an INVITE over TCP to a closed port at once, as a 503 (RFC 3261 8.1.3.1)', async () => {
    const caller = await startUserAgent({ address: '127.0.0.2' });
    cleanups.push(() => caller.close());
    const port = await closedTcpPort();
    const started = performance.now();
    const attempt = caller.invite(`sip:nobody@127.0.0.1:${port};transport=tcp`, {
      contentType: 'application/sdp',
      body: sdpOffer,
    });
    await expect(attempt).rejects.toBeInstanceOf(SipFailureError);
    await expect(attempt).rejects.toMatchObject({ status: 503, message: /ECONNREFUSED/ });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses addresses and targets outside 127.0.0.0/8, and bad options', async () => {
    for (const address of ['10.0.0.1', '0.0.0.0', 'localhost', '::1', '128.0.0.1']) {
      await expect(startUserAgent({ address })).rejects.toThrow(SipUsageError);
    }
    await expect(startUserAgent({ address: '192.168.1.1' })).rejects.toThrow(/127\.0\.0\.0\/8/);
    await expect(startUserAgent({ address: '127.0.0.1', port: 70000 })).rejects.toThrow(
      SipUsageError,
    );
    await expect(startUserAgent({ address: '127.0.0.1', transports: [] })).rejects.toThrow(
      SipUsageError,
    );
    const caller = await startUserAgent({ address: '127.0.0.2', transports: ['udp'] });
    cleanups.push(() => caller.close());
    const offer = { contentType: 'application/sdp', body: sdpOffer };
    await expect(caller.invite('sip:someone@192.168.1.1:5060', offer)).rejects.toThrow(
      SipUsageError,
    );
    await expect(caller.invite('sip:someone@example.com', offer)).rejects.toThrow(/not a loopback/);
    await expect(caller.invite('not a uri', offer)).rejects.toThrow(/not a SIP URI/);
    await expect(caller.invite('sip:x@127.0.0.1:5999;transport=tcp', offer)).rejects.toThrow(
      /started without tcp/,
    );
  });

  it('refuses a port in use with SipUsageError naming it', async () => {
    const first = await startUserAgent({ address: '127.0.0.1' });
    cleanups.push(() => first.close());
    await expect(startUserAgent({ address: '127.0.0.1', port: first.port })).rejects.toThrow(
      `port ${first.port} on 127.0.0.1 is in use`,
    );
  });

  it('leaves no socket and no timer after close, and ends waits and dialogs', async () => {
    const before = countResources();
    const parties = await startParties();
    const udp = await connect(parties.caller.agent, parties.callee.agent, 'udp');
    const tcp = await connect(parties.caller.agent, parties.callee.agent, 'tcp');
    tcp.called.onRequest((_request, respond) => respond(200));
    await tcp.calling.request('MESSAGE', { contentType: 'text/plain', body: 'x' });
    udp.called.onRequest(() => {});
    const pending = udp.calling
      .request('MESSAGE', { contentType: 'text/plain', body: 'never answered' })
      .then(
        () => 'answered',
        (error: Error) => error.message,
      );
    const ends = new Promise((resolve) => tcp.called.onEnd(resolve));
    const during = countResources();
    expect(during.TCPSocketWrap).toBeGreaterThanOrEqual((before.TCPSocketWrap ?? 0) + 2);
    await parties.close();
    expect(await pending).toMatch(/closed/);
    expect(await ends).toBe('closed');
    // At most as many as before: the worker is shared with other test files, whose timers may end meanwhile.
    const after = countResources();
    for (const kind of socketKinds)
      expect(after[kind], kind).toBeLessThanOrEqual(before[kind] ?? 0);
  });

  it('lets a Node process that used the user agent exit by itself within 1 s of close', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sipstack-exit-'));
    const script = join(directory, 'close-and-exit.mts');
    const index = fileURLToPath(new URL('./index.ts', import.meta.url));
    writeFileSync(
      script,
      `import { startUserAgent } from ${JSON.stringify(index)};
const a = await startUserAgent({ address: '127.0.0.2' });
const b = await startUserAgent({ address: '127.0.0.1' });
b.onInvite((invite) => {
  invite.accept({ contentType: 'application/sdp', body: 'v=0' }).then((dialog) =>
    dialog.onRequest((_request, respond) => respond(200)),
  );
});
for (const transport of ['udp', 'tcp'] as const) {
  const dialog = await a.invite(b.uri, { contentType: 'application/sdp', body: 'v=0', transport });
  const answer = await dialog.request('OPTIONS');
  if (answer.status !== 200) throw new Error('OPTIONS answered ' + answer.status);
}
await Promise.all([a.close(), b.close()]);
console.log('closed');
`,
    );
    // `--import tsx` is resolved from the working directory: the project's root, where tsx is installed.
    const root = fileURLToPath(new URL('..', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let closedAt: number | undefined;
    let errors = '';
    child.stdout.on('data', (data: Buffer) => {
      if (data.toString().includes('closed')) closedAt = performance.now();
    });
    child.stderr.on('data', (data: Buffer) => {
      errors += data.toString();
    });
    const exit = await new Promise<number | null>((resolve) => {
      const killer = setTimeout(() => child.kill(), 15_000);
      child.on('exit', (code) => {
        clearTimeout(killer);
        resolve(code);
      });
    });
    expect(errors).toBe('');
    expect(exit).toBe(0);
    expect(closedAt).toBeDefined();
    expect(performance.now() - (closedAt ?? 0)).toBeLessThan(1000);
  });
});

describe('a TCP peer that sends garbage', () => {
  it('is cut off, and the user agent goes on answering others', async () => {
    const parties = await startParties();
    cleanups.push(parties.close);
    const socket = tcpConnect({
      host: '127.0.0.1',
      port: parties.callee.agent.port,
      localAddress: '127.0.0.2',
    });
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => {});
    socket.write('OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nContent-Length: many\r\n\r\n');
    await closed;
    const { calling, called } = await connect(parties.caller.agent, parties.callee.agent, 'tcp');
    called.onRequest((_request, respond) => respond(200));
    expect((await calling.request('INFO')).status).toBe(200);
  });
});
