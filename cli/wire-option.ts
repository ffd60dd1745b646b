import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ClockMode } from '../conformance/case-run.ts';
import { endpointProblem } from '../conformance/wire/sip-remote.ts';
import { transportOf } from '../conformance/wire/wire-adapter.ts';
import type { TrafficRecord } from '../sipstack/index.ts';
import { writePcap } from '../sipstack/index.ts';
import { UsageError } from './io.ts';
import { single } from './options.ts';
import { prepareOutDir } from './out-dir.ts';

/** What `--wire`, `--endpoint` and `--pcap` ask for, checked before anything runs. */
export interface WireChoice {
  readonly endpoint: string;
  /** Where the packet capture goes, if asked for. */
  readonly pcap?: string;
}

/** Packets a capture keeps; beyond it the capture says how many it left out. */
export const MAX_CAPTURED = 200_000;

/** `--wire sip --endpoint URI [--pcap FILE]`, and the real time a wire check needs. */
export function wireOption(
  options: { wire?: unknown; endpoint?: unknown; pcap?: unknown },
  clock: ClockMode,
  clockGiven: boolean,
): WireChoice | undefined {
  const wire = single('wire', options.wire);
  const endpoint = single('endpoint', options.endpoint);
  const pcap = single('pcap', options.pcap);
  if (wire === undefined) {
    if (endpoint !== undefined || pcap !== undefined) {
      throw new UsageError(
        `--${endpoint !== undefined ? 'endpoint' : 'pcap'} belongs to a check on the wire: give --wire sip with it.`,
      );
    }
    return undefined;
  }
  if (wire !== 'sip') {
    throw new UsageError(`--wire must be sip (the only binding), got "${wire.slice(0, 40)}".`);
  }
  if (endpoint === undefined) {
    throw new UsageError(
      '--wire sip needs --endpoint sip:USER@127.0.0.1:PORT: the SIP URI the implementation listens on.',
    );
  }
  const problem = endpointProblem(endpoint, transportOf(endpoint));
  if (problem) {
    throw new UsageError(
      `--endpoint must be a SIP URI on loopback, sip:USER@127.x.y.z:PORT (add ;transport=tcp for TCP): ${problem}.`,
    );
  }
  if (clockGiven && clock.kind !== 'real') {
    throw new UsageError(
      '--wire checks an implementation on its own clock: it runs in real time, so drop --clock virtual.',
    );
  }
  if (pcap !== undefined && pcap.trim() === '') {
    throw new UsageError('--pcap is empty: give the file the packet capture goes to.');
  }
  return { endpoint, ...(pcap !== undefined ? { pcap } : {}) };
}

/** Collects what crossed the wire, and writes it as a pcap at the end of the run. */
export class Capture {
  readonly #records: TrafficRecord[] = [];
  #left = 0;

  record = (record: TrafficRecord) => {
    if (this.#records.length < MAX_CAPTURED) this.#records.push(record);
    else this.#left++;
  };

  /** Writes the file; returns a sentence for the report. */
  write(path: string): string {
    try {
      writePcap(path, this.#records);
    } catch (error) {
      throw new UsageError(
        `Could not write the packet capture ${path}: ${(error as Error).message}`,
      );
    }
    const left = this.#left > 0 ? `; ${this.#left} more were left out` : '';
    return `Wrote ${this.#records.length} SIP messages to ${path} (pcap, loopback)${left}.`;
  }
}

/**
 * Fails early, before a long run, when the capture file cannot be written; an existing file is
 * left as it is until the run has a capture to put there.
 */
export async function checkWritable(path: string) {
  await prepareOutDir(dirname(path), '--pcap');
  try {
    accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a directory');
  } catch (error) {
    throw new UsageError(`--pcap ${path} cannot be written: ${(error as Error).message}`);
  }
}
