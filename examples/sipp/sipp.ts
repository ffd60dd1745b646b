/**
 * Runs SIPp (the SIP test tool, Debian package `sip-tester`) as a child process with one of the
 * scenarios beside this file, on loopback only: it picks free ports, waits until SIPp listens,
 * and stops it by a deadline whatever happens. SIPp's own exit code says how its calls went
 * (SIPp's documentation, "Exit codes"); `describeSippExit` puts it in words.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SippTransport = 'udp' | 'tcp';

/** The folder of the scenarios, beside this runner. */
export const SCENARIOS = dirname(fileURLToPath(import.meta.url));

export function scenarioPath(name: string): string {
  return join(SCENARIOS, name);
}

export interface SippOptions {
  /** Path of the XML scenario. */
  readonly scenario: string;
  readonly transport: SippTransport;
  /** SIPp's own loopback address (-i). Default 127.0.0.1. */
  readonly address?: string;
  /** SIPp's SIP port (-p). Default: a free port. */
  readonly port?: number;
  /** For a client scenario: the party to call, `127.0.0.x:port`. */
  readonly remote?: string;
  /** The user part SIPp calls (-s). */
  readonly service?: string;
  /** Calls after which SIPp exits (-m). Default: no limit, `stop` ends it. */
  readonly calls?: number;
  /**
   * The 3PCC twin socket SIPp connects to at start (-3pcc), for the typing scenarios: a
   * listening `SippTwin` (`twin.ts`).
   */
  readonly twin?: { readonly address: string; readonly port: number };
  /**
   * Bound on SIPp's whole run, in ms: SIPp's own global time-out (-timeout, failing with
   * -timeout_error), and the runner kills it shortly after if it still runs.
   */
  readonly deadlineMs: number;
  /** Bound on every wait of a recv in the scenario (-recv_timeout), in ms. */
  readonly recvTimeoutMs?: number;
  /**
   * SIPp does not keep this process alive (for a run that lasts as long as the process): it is
   * still stopped at the deadline, and when the process exits.
   */
  readonly background?: boolean;
}

export interface SippExit {
  /** SIPp's exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The runner killed SIPp because it outlived its deadline. */
  readonly killed: boolean;
  /** The exit in words. */
  readonly meaning: string;
  /** SIPp's error log (-trace_err) and the end of its output, for a failure report. */
  readonly errors: string;
  readonly output: string;
}

export interface SippRun {
  readonly address: string;
  readonly port: number;
  readonly transport: SippTransport;
  /** The SIP URI the kit calls: `sip:sipp@127.0.0.1:PORT`, `;transport=tcp` over TCP. */
  readonly endpoint: string;
  /** Settles once SIPp has exited, by itself or stopped. */
  readonly exited: Promise<SippExit>;
  /** Ends SIPp (SIGTERM: SIPp exits as at the end of its calls; SIGKILL if it lingers). */
  stop(): Promise<SippExit>;
}

/** The exit codes SIPp documents (`sipp.rst`, "Exit codes"; `defines.h`), in words. */
export function describeSippExit(code: number | null, signal: string | null): string {
  if (code === null) return `SIPp was ended by ${signal ?? 'a signal'}`;
  switch (code) {
    case 0:
      return 'exit 0: all calls were successful';
    case 1:
      return 'exit 1: at least one call failed (or the scenario file could not be read)';
    case 97:
      return 'exit 97: SIPp ended on an internal command or its global time-out (-timeout) before any call succeeded';
    case 99:
      return 'exit 99: normal exit without calls processed';
    case 255:
      return 'exit 255 (-1): fatal error (a bad scenario or option, or the time-out with -timeout_error)';
    case 254:
      return 'exit 254 (-2): fatal error binding a socket: the port is in use';
    case 253:
      return 'exit 253 (-3): RTP check failed';
    default:
      return `exit ${code}: not one of the codes SIPp documents`;
  }
}

/** The path of `sipp`, or undefined when it is not installed. */
export function findSipp(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v sipp'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const LOOPBACK = /^127(?:\.\d{1,3}){3}$/;
/** Time SIPp gets between SIGTERM and SIGKILL, and past its own deadline before the kill. */
const GRACE_MS = 1000;
const LISTEN_WAIT_MS = 3000;

/** A port free for both UDP and TCP on `address`, as the OS hands one out. */
export async function freePort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = createServer();
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, address, () => {
        const bound = server.address();
        resolve(typeof bound === 'object' && bound !== null ? bound.port : 0);
      });
    });
    await new Promise((resolve) => server.close(resolve));
    const socket = createSocket('udp4');
    const free = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, address, () => resolve(true));
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    if (free) return port;
  }
  throw new Error(`no port free for both UDP and TCP was found on ${address}`);
}

/**
 * Whether process `pid` holds a socket bound (UDP) or listening (TCP) on address:port: the
 * socket's line in /proc/net, whose inode is one of the process's descriptors (another process
 * holding the port does not count).
 */
function bound(protocol: 'udp' | 'tcp', address: string, port: number, pid: number): boolean {
  const [a, b, c, d] = address.split('.').map(Number) as [number, number, number, number];
  const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
  const local = `${hex(d, 2)}${hex(c, 2)}${hex(b, 2)}${hex(a, 2)}:${hex(port, 4)}`;
  let table: string;
  let descriptors: string[];
  try {
    table = readFileSync(`/proc/net/${protocol}`, 'utf8');
    descriptors = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  const inodes = new Set<string>();
  for (const descriptor of descriptors) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${descriptor}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode !== undefined) inodes.add(inode);
    } catch {
      // closed meanwhile
    }
  }
  return table.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    // TCP state 0A is LISTEN; a bound UDP socket has no listening state. Field 9 is the inode.
    return (
      fields[1] === local &&
      (protocol === 'udp' || fields[3] === '0A') &&
      inodes.has(fields[9] ?? '')
    );
  });
}

/**
 * Starts SIPp with a scenario and resolves once it listens on its SIP port (a server scenario),
 * or rejects, saying why, when it exits first or does not listen within 3 s.
 */
export async function startSipp(options: SippOptions): Promise<SippRun> {
  const address = options.address ?? '127.0.0.1';
  if (!LOOPBACK.test(address)) {
    throw new Error(`SIPp's address ${address} is not on loopback: give one in 127.0.0.0/8`);
  }
  if (options.remote !== undefined && !/^127(?:\.\d{1,3}){3}:\d{1,5}$/.test(options.remote)) {
    throw new Error(`the party to call, ${options.remote}, is not 127.x.y.z:port on loopback`);
  }
  if (!(Number.isFinite(options.deadlineMs) && options.deadlineMs > 0)) {
    throw new Error(`deadlineMs ${options.deadlineMs} is not a positive number of milliseconds`);
  }
  const sipp = findSipp();
  if (sipp === undefined) {
    throw new Error('sipp is not installed: apt-get install sip-tester (Debian, Ubuntu)');
  }
  const port = options.port ?? (await freePort(address));
  const twin = options.twin;
  if (twin !== undefined && !LOOPBACK.test(twin.address)) {
    throw new Error(`the twin socket ${twin.address} is not on loopback: give one in 127.0.0.0/8`);
  }
  const logs = mkdtempSync(join(tmpdir(), 'imflow-sipp-'));
  const errorFile = join(logs, 'errors.log');
  const args = [
    ...(options.remote === undefined ? [] : [options.remote]),
    '-sf',
    options.scenario,
    '-i',
    address,
    '-p',
    String(port),
    '-t',
    options.transport === 'tcp' ? 't1' : 'u1',
    // The control socket binds every address unless told otherwise.
    '-ci',
    address,
    '-nostdin',
    // SIPp's timers tick every 10 ms by default (`sipp -h`), so a scripted pause may end up to
    // 10 ms early; the kit probes a millisecond before each deadline.
    '-timer_resol',
    '1',
    '-timeout',
    `${Math.ceil(options.deadlineMs / 1000)}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errorFile,
    ...(options.service === undefined ? [] : ['-s', options.service]),
    ...(options.calls === undefined ? [] : ['-m', String(options.calls)]),
    ...(options.recvTimeoutMs === undefined
      ? []
      : ['-recv_timeout', String(options.recvTimeoutMs)]),
    ...(twin === undefined ? [] : ['-3pcc', `${twin.address}:${twin.port}`]),
  ];
  const child = spawn(sipp, args, { cwd: logs, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let killed = false;
  const deadline = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, options.deadlineMs + GRACE_MS);
  if (options.background) {
    // The process ends before SIPp's exit can be seen: its log folder goes now.
    const endWithProcess = () => {
      child.kill('SIGTERM');
      rmSync(logs, { recursive: true, force: true });
    };
    process.once('exit', endWithProcess);
    child.once('exit', () => process.off('exit', endWithProcess));
    for (const handle of [child, child.stdout, child.stderr, deadline]) {
      (handle as { unref?: () => void } | null)?.unref?.();
    }
  }
  const exited = new Promise<SippExit>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(deadline);
      let errors = '';
      try {
        errors = readFileSync(errorFile, 'utf8').slice(-4000);
      } catch {
        // no error log: SIPp logged no error
      }
      rmSync(logs, { recursive: true, force: true });
      const meaning = `${describeSippExit(code, signal)}${killed ? ` (killed ${GRACE_MS} ms after its ${options.deadlineMs} ms deadline)` : ''}`;
      resolve({ code, signal, killed, meaning, errors, output });
    };
    child.once('exit', finish);
    child.once('error', (error) => {
      output += `\n${error.message}`;
      finish(null, null);
    });
  });
  const run: SippRun = {
    address,
    port,
    transport: options.transport,
    endpoint: `sip:sipp@${address}:${port}${options.transport === 'tcp' ? ';transport=tcp' : ''}`,
    exited,
    stop: () => stop(child, exited),
  };
  if (options.remote !== undefined) return run;
  await waitListening(run, child.pid ?? -1, exited);
  return run;
}

async function waitListening(run: SippRun, pid: number, exited: Promise<SippExit>): Promise<void> {
  let exit: SippExit | undefined;
  void exited.then((value) => {
    exit = value;
  });
  const ready = () => bound(run.transport, run.address, run.port, pid);
  const until = performance.now() + LISTEN_WAIT_MS;
  while (!ready()) {
    if (exit !== undefined) {
      throw new Error(
        `SIPp exited before it listened on ${run.address}:${run.port}: ${exit.meaning}\n${exit.errors}${exit.output}`,
      );
    }
    if (performance.now() > until) {
      const stopped = await run.stop();
      throw new Error(
        `SIPp did not listen on ${run.transport} ${run.address}:${run.port} within ${LISTEN_WAIT_MS} ms; stopped: ${stopped.meaning}\n${stopped.output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function stop(child: ChildProcess, exited: Promise<SippExit>): Promise<SippExit> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const lingering = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
    const exit = await exited;
    clearTimeout(lingering);
    return exit;
  }
  return exited;
}
