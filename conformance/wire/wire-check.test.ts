import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../../cli/test-support.ts';
import { findMutant } from '../../mutants/catalogue.ts';
import { killOnTheWire } from '../../mutants/wire.ts';

// Each test listens on a port of its own: the endpoint is rebound for every case.
const endpoint = (port: number, transport = '') => `sip:sut@127.0.0.1:${port}${transport}`;

// In turn, not side by side: a check plans before its first case, in one synchronous stretch,
// and in a shared process that held up another check's real-time steps. On a loaded 2-core
// machine, a stall of 5 s abandoned the first step of the TCP check.
describe('a check on the wire (the fast part; npm run wire runs it all)', () => {
  it('passes the reference endpoint over UDP, and writes a packet capture of the run', async () => {
    const pcap = join(mkdtempSync(join(tmpdir(), 'imflow-wire-')), 'run.pcap');
    const started = performance.now();
    const { code, text } = await runInProcess(
      'check',
      '--wire',
      'sip',
      '--endpoint',
      endpoint(5181),
      '--in-process',
      '--jitter-ms',
      '250',
      '--only',
      'messaging',
      '--runs',
      '0',
      '--pcap',
      pcap,
    );
    // The whole report as the message: a real-time failure may not come again to be read.
    expect(text, text).toContain('imflow: CONFORMANT');
    expect(code).toBe(0);
    expect(text).toMatch(/real time, outputs awaited up to 250 ms/);
    expect(text).toMatch(/Answers to stimuli, after the stimulus/);
    const written = /Wrote (\d+) SIP messages to /.exec(text);
    expect(Number(written?.[1])).toBeGreaterThan(10);
    const capture = readFileSync(pcap);
    expect(capture.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(capture.readUInt32LE(20)).toBe(101);
    expect(capture.toString('latin1')).toContain('MESSAGE sip:');
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('passes the reference endpoint over TCP', async () => {
    const { code, text } = await runInProcess(
      'check',
      '--wire',
      'sip',
      '--endpoint',
      endpoint(5182, ';transport=tcp'),
      '--in-process',
      '--jitter-ms',
      '250',
      '--only',
      'flow-lifecycle',
      '--runs',
      '0',
    );
    // The whole report as the message: a real-time failure may not come again to be read.
    expect(text, text).toContain('imflow: CONFORMANT');
    expect(code).toBe(0);
  });

  it('kills a mutant that answers 202 on a flow that consumes messages, naming its rule', async () => {
    const mutant = findMutant('msg-consumed-answered-202');
    if (!mutant) throw new Error('the mutant left the catalogue');
    const kill = await killOnTheWire(mutant, {
      endpoint: endpoint(5183),
      seed: 1,
      clock: { kind: 'real', jitterMs: 250 },
    });
    expect(kill.error).toBeUndefined();
    expect(kill.killed).toBe(true);
    expect(kill.requirementsReported).toContain(mutant.requirement);
  });
});
