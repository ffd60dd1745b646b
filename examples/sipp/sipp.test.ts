import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { adapterWithVariable, runInProcess } from '../../cli/test-support.ts';
import { SipRemoteParty } from '../../conformance/wire/sip-remote.ts';
import type { RemoteStimulus, WireOutput } from '../../machines/index.ts';
import { systemClock } from '../../reference/clock.ts';
import { Endpoint } from '../../reference/endpoint.ts';
import { SipNetwork } from '../../reference/sip-transport.ts';
import type { TrafficRecord } from '../../sipstack/index.ts';
import { SCENARIO_VARIABLE } from './adapter.ts';
import {
  findSipp,
  freePort,
  type SippExit,
  type SippRun,
  type SippTransport,
  scenarioPath,
  startSipp,
} from './sipp.ts';
import { SippTwin } from './twin.ts';

const installed = findSipp() !== undefined;
if (!installed) {
  console.warn(
    'examples/sipp/sipp.test.ts: SKIPPED, sipp is not installed (apt-get install sip-tester); these tests run SIPp itself.',
  );
}

/** How far a real arrival may lie from its planned instant (loopback, a loaded 2-core machine). */
const TOLERANCE_MS = 150;

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** Registers what a test closes at its end: here, or on a concurrent test's own context. */
type Cleanup = (close: () => Promise<unknown>) => void;
const afterThisTest: Cleanup = (close) => closers.push(close);
const onContext =
  (onTestFinished: (handler: () => Promise<void>) => void): Cleanup =>
  (close) =>
    onTestFinished(async () => {
      await close();
    });

/** SIPp with a scenario, stopped at the end of the test whatever happens. */
async function sipp(
  scenario: string,
  transport: SippTransport,
  extra: { twin?: { address: string; port: number } } = {},
  cleanup: Cleanup = afterThisTest,
) {
  const run = await startSipp({
    scenario: scenarioPath(scenario),
    transport,
    calls: 1,
    deadlineMs: 8000,
    recvTimeoutMs: 6000,
    ...extra,
  });
  cleanup(() => run.stop());
  return run;
}

/** The kit's remote party calling SIPp, recording what it observes with arrival times. */
async function kitCalling(run: SippRun, cleanup: Cleanup = afterThisTest) {
  const outputs: { output: WireOutput; at: number }[] = [];
  const notes: string[] = [];
  const traffic: TrafficRecord[] = [];
  const party = await SipRemoteParty.start({
    endpoint: run.endpoint,
    transport: run.transport,
    timeoutMs: 2000,
    observe: (output, at) => outputs.push({ output, at }),
    note: (message) => notes.push(message),
    onTraffic: (record) => traffic.push(record),
  });
  cleanup(() => party.close());
  const kitUri = () => {
    const invite = traffic.find((record) => record.text.startsWith('INVITE '));
    const contact = /^Contact:[ \t]*<([^>]+)>/im.exec(invite?.text ?? '')?.[1];
    if (contact === undefined) throw new Error('the kit sent no INVITE with a Contact');
    return contact;
  };
  /**
   * One stimulus, then its answer awaited, as a check drives the kit: SIPp takes one request
   * at a time, and one that arrives before SIPp has answered the previous (TCP hands them over
   * together) aborts its call.
   */
  const send = async (stimulus: RemoteStimulus) => {
    await party.apply(stimulus);
    await party.settled();
  };
  return { party, outputs, notes, kitUri, send };
}

/** SIPp's exit, bounded, with what it logged when it is not the one expected. */
async function exitOf(run: SippRun): Promise<SippExit> {
  const exit = await run.exited;
  if (exit.code !== 0) console.error(`${exit.meaning}\n${exit.errors}\n${exit.output}`);
  return exit;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.skipIf(!installed)('SIPp as the endpoint, driven by the kit as remote party', () => {
  it.each<SippTransport>(['udp', 'tcp'])(
    'uas-consumes.xml (%s): every message is answered 200, INFOs too, in any order, then the BYE',
    async (transport) => {
      const run = await sipp('uas-consumes.xml', transport);
      const kit = await kitCalling(run);
      await kit.party.call();
      await kit.send({ type: 'remote.message', body: 'first', contentType: 'text/plain' });
      await kit.send({ type: 'remote.typing' });
      await kit.send({ type: 'remote.message', body: 'second', contentType: 'text/html' });
      await kit.send({ type: 'remote.idle' });
      await kit.send({ type: 'remote.typing' });
      await kit.send({ type: 'remote.message', body: 'third', contentType: 'text/plain' });
      await kit.send({ type: 'remote.bye' });
      expect(kit.outputs.map(({ output }) => output)).toEqual(
        [1, 2, 3].map((message) => ({ channel: 'wire', kind: 'response', message, code: 200 })),
      );
      // Every INFO and the BYE were answered 2xx, and each answer echoed its Message-Id.
      expect(kit.notes).toEqual([]);
      expect((await exitOf(run)).code).toBe(0);
    },
  );

  it('uas-answers-202.xml: every message is answered 202, the call itself succeeds', async () => {
    const run = await sipp('uas-answers-202.xml', 'udp');
    const kit = await kitCalling(run);
    await kit.party.call();
    await kit.send({ type: 'remote.message', body: 'first', contentType: 'text/plain' });
    await kit.send({ type: 'remote.message', body: 'second', contentType: 'text/plain' });
    await kit.send({ type: 'remote.bye' });
    expect(kit.outputs.map(({ output }) => output)).toEqual([
      { channel: 'wire', kind: 'response', message: 1, code: 202 },
      { channel: 'wire', kind: 'response', message: 2, code: 202 },
    ]);
    expect((await exitOf(run)).code).toBe(0);
  });
});

/** The composing notifications observed, as their state and time after `from`. */
function composing(outputs: readonly { output: WireOutput; at: number }[], from: number) {
  return outputs
    .filter(({ output }) => output.kind === 'composing')
    .map(({ output, at }) => ({
      state: (output as Extract<WireOutput, { kind: 'composing' }>).state,
      after: Math.round(at - from),
    }));
}

/** Expects the composing notifications at the planned instants, within the tolerance. */
function expectCadence(
  seen: readonly { state: string; after: number }[],
  planned: readonly { state: string; after: number }[],
) {
  expect(seen.map(({ state }) => state)).toEqual(planned.map(({ state }) => state));
  seen.forEach(({ after }, index) => {
    const wanted = planned[index]?.after ?? Number.NaN;
    expect(
      Math.abs(after - wanted),
      `notification ${index + 1} at ${after} ms, planned ${wanted} ms`,
    ).toBeLessThanOrEqual(TOLERANCE_MS);
  });
}

// Each of these waits out a composing time-out of 4 s: they run side by side.
describe.skipIf(!installed)(
  'SIPp typing cadence, Composing set over its 3PCC twin socket',
  { concurrent: true },
  () => {
    async function typingCall(scenario: string, cleanup: Cleanup) {
      const twin = await SippTwin.listen();
      cleanup(() => twin.close());
      const run = await sipp(scenario, 'udp', { twin: twin.address }, cleanup);
      await twin.connected(2000);
      const kit = await kitCalling(run, cleanup);
      await kit.party.call();
      const call = await twin.callFrom(kit.kitUri(), 2000);
      return { run, twin, kit, call };
    }

    it('uas-typing.xml: Typing at once, refreshed at 3000 ms, Idle at 4000 ms; a message inside the pause keeps the cadence', async ({
      onTestFinished,
    }) => {
      const { run, twin, kit, call } = await typingCall(
        'uas-typing.xml',
        onContext(onTestFinished),
      );
      const start = performance.now();
      await twin.setComposing(call, 1000);
      await pause(1500);
      await kit.party.apply({
        type: 'remote.message',
        body: 'while typing',
        contentType: 'text/plain',
      });
      await kit.party.settled();
      await pause(2700);
      expectCadence(composing(kit.outputs, start), [
        { state: 'typing', after: 0 },
        { state: 'typing', after: 3000 },
        { state: 'idle', after: 4000 },
      ]);
      expect(kit.outputs.map(({ output }) => output)).toContainEqual({
        channel: 'wire',
        kind: 'response',
        message: 1,
        code: 200,
      });
      // Idle again: SIPp takes Composing anew and starts over with Typing at once.
      const again = performance.now();
      await twin.setComposing(call, 1000);
      await pause(300);
      expectCadence(composing(kit.outputs, again).slice(3), [{ state: 'typing', after: 0 }]);
      await kit.party.apply({ type: 'remote.bye' });
      await kit.party.settled();
      expect(kit.notes).toEqual([]);
      expect((await exitOf(run)).code).toBe(0);
    });

    it('uas-typing-wrong-period.xml: the refresh comes at 2000 ms, not at the 3000 ms period', async ({
      onTestFinished,
    }) => {
      const { run, twin, kit, call } = await typingCall(
        'uas-typing-wrong-period.xml',
        onContext(onTestFinished),
      );
      const start = performance.now();
      await twin.setComposing(call, 1000);
      await pause(4200);
      const seen = composing(kit.outputs, start);
      expectCadence(seen, [
        { state: 'typing', after: 0 },
        { state: 'typing', after: 2000 },
        { state: 'idle', after: 4000 },
      ]);
      expect(Math.abs((seen[1]?.after ?? 0) - 3000)).toBeGreaterThan(TOLERANCE_MS);
      await kit.party.apply({ type: 'remote.bye' });
      await kit.party.settled();
      expect((await exitOf(run)).code).toBe(0);
    });
  },
);

describe.skipIf(!installed)("SIPp as the caller of the reference's SIP endpoint", () => {
  it.each<SippTransport>(['udp', 'tcp'])(
    'uac-calls-reference.xml (%s): the reference takes the call, the message and the typing',
    async (transport) => {
      const network = await SipNetwork.start({
        address: '127.0.0.2',
        user: 'imflow',
        transports: [transport],
        transactionTimeoutMs: 2000,
      });
      closers.push(() => network.close());
      const raised: string[] = [];
      const endpoint = new Endpoint({ name: 'imflow', network, clock: systemClock });
      endpoint.on('incomingCall', ({ call }) => {
        call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
          flow.on('messageReceived', ({ body, contentType }) =>
            raised.push(`message ${contentType} ${body.trim()}`),
          );
          flow.on('remoteComposingStateChanged', ({ state }) => raised.push(`remote ${state}`));
          flow.on('stateChanged', ({ state }) => raised.push(`flow ${state}`));
        });
        void call.accept();
      });
      const run = await startSipp({
        scenario: scenarioPath('uac-calls-reference.xml'),
        transport,
        remote: `${network.address}:${network.port}`,
        service: 'imflow',
        calls: 1,
        deadlineMs: 6000,
        recvTimeoutMs: 3000,
      });
      closers.push(() => run.stop());
      expect((await exitOf(run)).code).toBe(0);
      expect(raised).toEqual([
        'flow active',
        'message text/plain Hello from SIPp',
        'remote composing',
        'flow terminated',
      ]);
    },
  );
});

const ADAPTER = fileURLToPath(new URL('./adapter.ts', import.meta.url));

/**
 * `imflow check --wire sip` with the SIPp adapter, on one requirement group, reports in a
 * temporary folder. With a scenario, the adapter runs SIPp with it: a module of its own sets
 * the adapter's variable in the adapter's host process, so that checks side by side, each
 * with its own scenario, do not share the kit's environment.
 */
async function wireCheck(
  endpoint: string,
  only: string,
  { scenario, cleanup = afterThisTest }: { scenario?: string; cleanup?: Cleanup } = {},
) {
  const out = mkdtempSync(join(tmpdir(), 'imflow-sipp-check-'));
  cleanup(async () => rmSync(out, { recursive: true, force: true }));
  const adapter = scenario
    ? adapterWithVariable(join(out, 'adapter.mts'), ADAPTER, SCENARIO_VARIABLE, scenario)
    : ADAPTER;
  const started = performance.now();
  const result = await runInProcess(
    'check',
    '--clock',
    'real',
    // Wide enough that a loaded test machine cannot make an on-time output late.
    '--jitter-ms',
    '250',
    '--wire',
    'sip',
    '--endpoint',
    endpoint,
    '--adapter',
    adapter,
    '--only',
    only,
    '--runs',
    '0',
    '--seed',
    '1',
    '--out',
    out,
  );
  return { ...result, ms: Math.round(performance.now() - started) };
}

/** A check where the adapter runs SIPp itself, with `scenario`, on a free port. */
async function scenarioCheck(scenario: string, only: string, cleanup: Cleanup = afterThisTest) {
  const endpoint = `sip:sipp@127.0.0.1:${await freePort('127.0.0.1')}`;
  return wireCheck(endpoint, only, { scenario, cleanup });
}

// These checks wait out real time on ports of their own: they run side by side.
describe.skipIf(!installed)('imflow check --wire sip against SIPp', { concurrent: true }, () => {
  it.for<SippTransport>(['udp', 'tcp'])(
    'uas-consumes.xml (%s), SIPp started beside the check: the messaging rules pass',
    async (transport, { onTestFinished }) => {
      const cleanup = onContext(onTestFinished);
      const run = await startSipp({
        scenario: scenarioPath('uas-consumes.xml'),
        transport,
        deadlineMs: 20_000,
      });
      cleanup(() => run.stop());
      const check = await wireCheck(run.endpoint, 'messaging', { cleanup });
      expect(check.text).toMatch(/Profile sipp-scenarios: CONFORMANT/);
      expect(check.text).toMatch(/messaging +2 +1 +0 /);
      expect(check.code).toBe(0);
      expect((await run.stop()).code).toBe(0);
    },
  );

  it('uas-answers-202.xml: the check fails, naming MSG-7 (200 for a message consumed locally)', async ({
    onTestFinished,
  }) => {
    const check = await scenarioCheck(
      'uas-answers-202.xml',
      'messaging',
      onContext(onTestFinished),
    );
    expect(check.text).toMatch(/NOT CONFORMANT/);
    // Whichever content type the first message carries, a 202 for it breaks MSG-7.
    expect(check.text).toMatch(/MSG-7: imFlow path 1 .*\n(?:.*\n)?\s+stimulus: +remote\.message /);
    expect(check.text).toMatch(/observed: +wire response code=202 message=1/);
    expect(check.code).toBe(1);
  });
});

// Each of these times SIPp's pauses against the kit's clock, to 250 ms: two SIPp runs side by
// side, each with its twin, made one of them late by 400 ms on a loaded machine.
describe.skipIf(!installed)('imflow check --wire sip against SIPp, typing', () => {
  it('uas-typing.xml, Composing set through the twin socket: the local-composing rules pass', async () => {
    const check = await scenarioCheck('uas-typing.xml', 'local-composing');
    expect(check.text).toMatch(/Profile sipp-scenarios: CONFORMANT/);
    // Passing: LC-1, LC-2, LC-7, LC-10, LC-11, and LC-14 (composing travels as INFO).
    expect(check.text).toMatch(/local-composing +6 +0 +0 /);
    expect(check.code).toBe(0);
  });

  it('uas-typing-wrong-period.xml: the check fails, naming LC-2 (the refresh period)', async () => {
    const check = await scenarioCheck('uas-typing-wrong-period.xml', 'local-composing');
    expect(check.text).toMatch(/NOT CONFORMANT/);
    expect(check.text).toMatch(/1\. LC-2: imFlow path/);
    expect(check.text).toMatch(/unexpected: +wire composing state=typing/);
    expect(check.code).toBe(1);
  });
});

describe.skipIf(!installed)('the SIPp runner', () => {
  it('reports exit 254 when the port is taken, before SIPp listens', async () => {
    const port = await freePort('127.0.0.1');
    const holder = createSocket('udp4');
    await new Promise<void>((resolve) => holder.bind(port, '127.0.0.1', () => resolve()));
    closers.push(() => new Promise<void>((resolve) => holder.close(() => resolve())));
    await expect(
      startSipp({
        scenario: scenarioPath('uas-consumes.xml'),
        transport: 'udp',
        port,
        deadlineMs: 3000,
      }),
    ).rejects.toThrow(
      /exited before it listened .*exit 254 \(-2\): fatal error binding a socket: the port is in use/,
    );
  });

  it('reports exit 255 when no call comes before the deadline (-timeout with -timeout_error)', async () => {
    const started = performance.now();
    const quick = await startSipp({
      scenario: scenarioPath('uas-consumes.xml'),
      transport: 'udp',
      calls: 1,
      deadlineMs: 1000,
    });
    closers.push(() => quick.stop());
    const exit = await quick.exited;
    expect(exit.code).toBe(255);
    expect(exit.killed).toBe(false);
    expect(exit.meaning).toMatch(/^exit 255 \(-1\): fatal error/);
    expect(performance.now() - started).toBeLessThan(2500);
  });
});

describe('imflow check --wire sip with no endpoint listening', () => {
  it('fails each case with the reason the call could not be set up, quickly, and says how to run it again', async () => {
    // Over TCP a closed port refuses at once; nothing listens on this one.
    const endpoint = 'sip:sipp@127.0.0.1:5186;transport=tcp';
    const { code, text, ms } = await wireCheck(endpoint, 'messaging');
    expect(code).toBe(1);
    expect(text).toContain('imflow: NOT CONFORMANT');
    expect(text).toMatch(/The call could not be set up on the wire: /);
    expect(text).toContain(`--wire sip --endpoint '${endpoint}'`);
    expect(ms).toBeLessThan(20_000);
  });
});
