/**
 * The cost of isolation, printed as tables by `npm run bench`:
 *  1. the full `imflow check --profile all` with the adapter in the kit's process and in a host
 *     process of its own, in turn (the bar: isolated at most 1.5 times as long);
 *  2. the time per step of the same path tests in-process, over the protocol to a TypeScript
 *     host, and over the protocol to the Python example;
 *  3. the two isolation mechanisms Node offers, on the measure that matters here: the time of a
 *     JSON-RPC round trip and of a start.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import referenceAdapter from '../adapters/reference.ts';
import type { Adapter } from '../conformance/adapter.ts';
import { CaseRun } from '../conformance/case-run.ts';
import { nodeHostCommand } from '../conformance/isolation/commands.ts';
import { startIsolatedAdapter } from '../conformance/isolation/proxy.ts';
import { planPaths } from '../conformance/paths.ts';
import { basicProfile, createModels } from '../machines/index.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);

export function printTable(rows: string[][]): void {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  '));
    if (index === 0) console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  }
}

/**
 * CPU seconds of this process's finished children (and of theirs), from /proc/self/stat: the
 * isolated check's host process counts too, since the check waits for it. Undefined off Linux.
 */
export function childrenCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
    // cutime and cstime, the 16th and 17th fields of the line, in clock ticks (100 a second).
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

interface Timed {
  readonly ms: number;
  readonly cpuS: number | undefined;
  /** Where the kit's main thread spent the run; undefined off Linux. */
  readonly mainThread: MainThread | undefined;
}

/** The check's main thread, from its schedstat: on a CPU, ready but waiting for one, asleep. */
interface MainThread {
  readonly runMs: number;
  readonly waitMs: number;
  readonly idleMs: number;
}

/**
 * The last schedstat reading of a running process's main thread (its task ID is its process
 * ID): run time and time spent runnable without a CPU, in nanoseconds. Read every few
 * milliseconds while it runs, since the figures go with the process; the last reading misses
 * at most that interval.
 */
function watchMainThread(pid: number | undefined) {
  let last: { runNs: number; waitNs: number } | undefined;
  const read = () => {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ');
      last = { runNs: Number(run), waitNs: Number(wait) };
    } catch {
      // Ended, or not Linux: the last reading stands.
    }
  };
  read();
  const timer = setInterval(read, 5);
  return (wallMs: number): MainThread | undefined => {
    clearInterval(timer);
    if (!last) return undefined;
    const runMs = last.runNs / 1e6;
    const waitMs = last.waitNs / 1e6;
    return { runMs, waitMs, idleMs: Math.max(0, wallMs - runMs - waitMs) };
  };
}

async function timedCheck(extra: readonly string[]): Promise<Timed> {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  const running = exec(
    process.execPath,
    [
      'bin/imflow.mjs',
      'check',
      '--profile',
      'all',
      '--seed',
      '1',
      '--reporter',
      'json',
      '--out',
      'reports/bench',
      ...extra,
    ],
    { cwd: root },
  );
  const mainThreadAt = watchMainThread(running.child.pid);
  await running;
  const ms = performance.now() - started;
  const cpuAfter = childrenCpuSeconds();
  return {
    ms,
    cpuS: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
    mainThread: mainThreadAt(ms),
  };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Table 1: the whole check, each way, in turn (in-process, isolated, in-process, ...), so that
 * a machine whose speed drifts slows both alike. The ratio is taken pair by pair and its
 * median printed: on a shared machine one lucky or unlucky run must not decide it.
 */
async function wholeCheck(rounds: number): Promise<void> {
  const inProcess: Timed[] = [];
  const isolated: Timed[] = [];
  const oneHost: Timed[] = [];
  for (let round = 0; round < rounds; round++) {
    inProcess.push(await timedCheck(['--in-process']));
    isolated.push(await timedCheck([]));
    oneHost.push(await timedCheck(['--jobs', '1']));
  }
  const ratiosOf = (runs: Timed[]) =>
    runs.map((run, index) => run.ms / (inProcess[index] as Timed).ms);
  const ratios = ratiosOf(isolated);
  const measuredCpu = [...inProcess, ...isolated, ...oneHost].every(
    (run) => run.cpuS !== undefined,
  );
  const cpuRatioOf = (runs: Timed[]) =>
    measuredCpu
      ? median(
          runs.map((run, index) => (run.cpuS ?? 0) / ((inProcess[index] as Timed).cpuS ?? 1)),
        ).toFixed(2)
      : '-';
  const cpu = (runs: Timed[]) =>
    measuredCpu ? median(runs.map((run) => run.cpuS as number)).toFixed(2) : '-';
  console.log(
    `\nimflow check --profile all --seed 1 (${rounds} runs each, in turn; medians, and the median of the ratios of each pair; CPU counts the host's)`,
  );
  printTable([
    ['adapter', 'ms', 'ratio', 'CPU s', 'CPU ratio'],
    [
      'in-process (--in-process)',
      median(inProcess.map((run) => run.ms)).toFixed(0),
      '1.00',
      cpu(inProcess),
      '1.00',
    ],
    [
      'isolated (default: one host per core, up to one per profile)',
      median(isolated.map((run) => run.ms)).toFixed(0),
      median(ratios).toFixed(2),
      cpu(isolated),
      cpuRatioOf(isolated),
    ],
    [
      'isolated, one host (--jobs 1)',
      median(oneHost.map((run) => run.ms)).toFixed(0),
      median(ratiosOf(oneHost)).toFixed(2),
      cpu(oneHost),
      cpuRatioOf(oneHost),
    ],
  ]);
  console.log(
    `ratio of each pair, default: ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')}; one host: ${ratiosOf(
      oneHost,
    )
      .map((ratio) => ratio.toFixed(2))
      .join(', ')}`,
  );
  mainThreadTable([
    ['in-process', inProcess],
    ['isolated (default)', isolated],
    ['isolated, one host', oneHost],
  ]);
}

/**
 * Where the kit's own thread spent each way's wall time: running, ready but waiting for a CPU
 * (taken by hosts or the kit's other threads), or asleep waiting for a host's answer. The kit's
 * judging is on this one thread, so these three say what isolation costs it.
 */
function mainThreadTable(ways: readonly [string, readonly Timed[]][]): void {
  const measured = ways.every(([, runs]) => runs.every((run) => run.mainThread !== undefined));
  if (!measured) return;
  const ms = (runs: readonly Timed[], part: keyof MainThread) =>
    median(runs.map((run) => (run.mainThread as MainThread)[part])).toFixed(0);
  console.log("\nThe kit's main thread in the same runs (medians, ms, from its schedstat)");
  printTable([
    ['adapter', 'wall', 'on a CPU', 'waiting for a CPU', 'asleep'],
    ...ways.map(([name, runs]) => [
      name,
      median(runs.map((run) => run.ms)).toFixed(0),
      ms(runs, 'runMs'),
      ms(runs, 'waitMs'),
      ms(runs, 'idleMs'),
    ]),
  ]);
}

/** Table 2: µs per step of the basic profile's flow path tests, `repeat` times over. */
async function perStep(repeat: number): Promise<void> {
  const model = createModels(basicProfile).find((m) => m.id === 'imFlow');
  if (!model) throw new Error('no imFlow model');
  const plan = planPaths(model);
  const steps = plan.totalSteps * repeat;
  const round = async (adapter: Adapter) => {
    for (const path of plan.paths) {
      const run = await CaseRun.start({ adapter, model, name: path.name, origin: 'path' });
      for (const stimulus of path.stimuli) await run.step(stimulus);
      await run.close();
    }
  };
  const measure = async (adapter: Adapter) => {
    // One warm-up round, so that each side runs compiled code.
    await round(adapter);
    const started = performance.now();
    for (let index = 0; index < repeat; index++) await round(adapter);
    return ((performance.now() - started) * 1000) / steps;
  };
  const local = await measure(referenceAdapter);
  const host = await startIsolatedAdapter({
    command: nodeHostCommand('adapters/reference.ts'),
    label: 'the reference adapter',
    stepTimeoutMs: 5000,
  });
  const overTs = await measure(host);
  await host.close();
  const python = await startIsolatedAdapter({
    command: { argv: ['python3', 'examples/python/adapter.py'], cwd: root },
    label: 'the Python example',
    stepTimeoutMs: 5000,
  });
  const overPy = await measure(python);
  await python.close();
  console.log(
    `\nPer step: basic profile, imFlow path tests (${plan.totalSteps} steps) × ${repeat}`,
  );
  printTable([
    ['adapter', 'µs/step', 'protocol overhead µs/step'],
    ['reference, in-process', local.toFixed(0), '-'],
    ['reference over the protocol (Node host)', overTs.toFixed(0), (overTs - local).toFixed(0)],
    ['Python example over the protocol', overPy.toFixed(0), (overPy - local).toFixed(0)],
  ]);
}

const request = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'apply',
  params: { sut: 1, now: 0, stimulus: { type: 'app.send', body: 'hi', contentType: 'text/plain' } },
});
const answer = `JSON.stringify({ jsonrpc: '2.0', id: JSON.parse(line).id, result: { state: { flowState: 'active' } } })`;

/** Table 3: round trip and start of a worker thread (with resource limits) and of a child process. */
async function mechanisms(trips: number): Promise<void> {
  let started = performance.now();
  const worker = new Worker(
    `require('node:worker_threads').parentPort.on('message', (line) => require('node:worker_threads').parentPort.postMessage(${answer}));`,
    { eval: true, resourceLimits: { maxOldGenerationSizeMb: 256 } },
  );
  await new Promise((resolve) => worker.once('online', resolve));
  const workerStart = performance.now() - started;
  started = performance.now();
  for (let trip = 0; trip < trips; trip++) {
    await new Promise((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(request);
    });
  }
  const workerTrip = ((performance.now() - started) * 1000) / trips;
  await worker.terminate();

  started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '-e',
      `require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => process.stdout.write(${answer} + '\\n'));`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let waiting: (() => void) | undefined;
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
      buffered = buffered.slice(newline + 1);
      waiting?.();
    }
  });
  const trip = () =>
    new Promise<void>((resolve) => {
      waiting = resolve;
      child.stdin.write(`${request}\n`);
    });
  await trip();
  const childStart = performance.now() - started;
  started = performance.now();
  for (let index = 0; index < trips; index++) await trip();
  const childTrip = ((performance.now() - started) * 1000) / trips;
  child.stdin.end();

  console.log(`\nIsolation mechanisms: one JSON-RPC message and its answer, ${trips} round trips`);
  printTable([
    ['mechanism', 'start ms', 'round trip µs'],
    ['worker_threads (resourceLimits)', workerStart.toFixed(1), workerTrip.toFixed(1)],
    ['child_process (stdio lines)', childStart.toFixed(1), childTrip.toFixed(1)],
  ]);
}

/** Prints the three tables. */
export async function benchIsolation({ rounds = 3, repeat = 20, trips = 5000 } = {}) {
  await mechanisms(trips);
  await perStep(repeat);
  await wholeCheck(rounds);
}
