/**
 * Misbehaving adapters run in their own host process, as `imflow check` runs them by default.
 * Whatever the adapter does (exit, die, loop, exhaust its memory, pollute globals, flood,
 * write on the protocol's channel), the run ends in bounded time with a verdict that says what
 * went wrong, an exit code of 0, 1 or 2 that agrees with it, and short lines.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../cli/io.ts';
import { main } from '../../cli/main.ts';
import { adapterWithVariable } from '../../cli/test-support.ts';

const typescript = fileURLToPath(new URL('./test-adapters/misbehaving.ts', import.meta.url));
const python = `python3 ${fileURLToPath(new URL('./test-adapters/misbehaving.py', import.meta.url))}`;
/**
 * Real milliseconds one adapter call may take: room for a loaded machine, and for an adapter
 * to exhaust its memory; less for an adapter that hangs, which waits out the limit in each of
 * several cases.
 */
const STEP_TIMEOUT_MS = 2000;
const HANG_STEP_TIMEOUT_MS = 1000;
/** What a call the adapter did not answer in time is reported as. */
const notAnswered = (call: string) =>
  new RegExp(
    `${call.replace(/[.()]/g, '\\$&')} (did not finish|got no answer) within ${HANG_STEP_TIMEOUT_MS} ms`,
  );
/** Real time a whole run may take: a few abandoned cases, each with a host restart. */
const RUN_BUDGET_MS = 60_000;
/**
 * A run that fails needs only the cases where the misbehaviour strikes: nearly all strike at
 * the first app.setComposing (settle and create at the first case), which the tests of the
 * local-composing group of the flow reach, several cases of them, each abandoned and each with
 * a host restart. A run that must pass still runs the whole check, so that the misbehaviour
 * has every case to disturb.
 */
const WHERE_IT_STRIKES = ['--only', 'local-composing', '--machine', 'imFlow'];

interface Hostile {
  /** The adapter: a misbehaviour of the TypeScript module, or of the Python example. */
  readonly ts?: string;
  readonly py?: string;
  readonly code: 0 | 1 | 2;
  /** What the report must say. */
  readonly says: RegExp;
  readonly extra?: readonly string[];
  /** The adapter never answers: the run uses the shorter step limit. */
  readonly hangs?: true;
}

const CONFORMANT = 0;
const NOT_CONFORMANT = 1;
const step = String.raw`during step \d+ \(app\.setComposing\); the case was abandoned`;

const table: Record<string, Hostile> = {
  'process.exit(0) inside apply': {
    ts: 'exit-0-in-apply',
    code: NOT_CONFORMANT,
    says: new RegExp(`The adapter exited with code 0 ${step}`),
  },
  'process.exit(3) in a timer of its own': {
    ts: 'exit-3-in-timer',
    code: NOT_CONFORMANT,
    says: /The adapter exited with code 3 during step \d+/,
  },
  'a SIGKILL to itself': {
    ts: 'kill-itself',
    code: NOT_CONFORMANT,
    says: new RegExp(`The adapter was killed by signal SIGKILL ${step}`),
  },
  'a synchronous infinite loop': {
    ts: 'busy-loop',
    code: NOT_CONFORMANT,
    says: notAnswered('apply(app.setComposing)'),
    hangs: true,
  },
  'unbounded allocation under a 64 MiB heap': {
    ts: 'out-of-memory',
    code: NOT_CONFORMANT,
    says: new RegExp(
      `The adapter (was killed by signal \\w+|exited with code \\d+): it ran out of memory ${step}`,
    ),
    extra: ['--adapter-memory', '64'],
  },
  'apply never resolves': {
    ts: 'apply-hangs',
    code: NOT_CONFORMANT,
    says: notAnswered('apply(app.setComposing)'),
    hangs: true,
  },
  'settle never resolves': {
    ts: 'settle-hangs',
    code: NOT_CONFORMANT,
    // Over the protocol, apply answers once the system has settled: the hang shows there.
    says: notAnswered('apply(app.establish)'),
    hangs: true,
  },
  'polluted Object.prototype and Array.prototype': {
    ts: 'pollutes-globals',
    code: CONFORMANT,
    says: /imflow: CONFORMANT$/,
  },
  'fields of the clock overwritten': {
    ts: 'tampers-with-the-clock',
    code: CONFORMANT,
    says: /imflow: CONFORMANT$/,
  },
  'outputs after dispose()': {
    ts: 'reports-after-dispose',
    code: CONFORMANT,
    says: /Notes \(.*the verdict stands\)\n.*\n\s+- The adapter reported an output after dispose\(\): event flowStateChanged state=terminated\./,
  },
  'a throwing dispose()': {
    ts: 'dispose-throws',
    code: CONFORMANT,
    says: /- dispose\(\) failed: socket already closed/,
  },
  'an unhandled rejection': {
    ts: 'unhandled-rejection',
    code: CONFORMANT,
    says: /- The adapter noted: a promise was rejected and never handled: stray rejection from the adapter/,
  },
  'an exception thrown where nothing awaits it': {
    ts: 'uncaught-exception',
    code: CONFORMANT,
    says: /- The adapter noted: an exception was thrown outside any call: stray exception from the adapter/,
  },
  '100,000 outputs in one step': {
    ts: 'output-flood',
    code: NOT_CONFORMANT,
    // Under load the flood may outlast the step time-out; either way the count is reported.
    says: new RegExp(
      `The adapter reported 100\\d{3} outputs in one step, more than the limit of 1000; the first: wire composing state=typing; |did not finish within ${STEP_TIMEOUT_MS} ms; the case was abandoned\\. It had reported \\d+ outputs by then, more than the limit of 1000\\.`,
    ),
  },
  'a line of its own on standard output': {
    ts: 'writes-to-stdout',
    code: NOT_CONFORMANT,
    says: /The adapter broke the protocol: it wrote a line that is not JSON on its standard output: "debug"/,
  },
  'console.log (kept off the protocol channel)': {
    ts: 'logs-to-console',
    code: CONFORMANT,
    says: /imflow: CONFORMANT$/,
  },
  'an output of an unknown wire kind': {
    ts: 'unknown-wire-kind',
    code: NOT_CONFORMANT,
    says: /broke the protocol: output params\.output\.kind must be equal to one of the allowed values .*"smoke-signal"/,
  },
  'an output that refers to itself': {
    ts: 'circular-output',
    code: NOT_CONFORMANT,
    says: /apply\(app\.setComposing\) threw: the adapter reported an output that is not plain data \(.*circular/,
  },
  'create() throws': {
    ts: 'create-throws',
    code: NOT_CONFORMANT,
    says: /Could not create the system under test: licence server unreachable/,
  },
  'query() throws': {
    ts: 'query-throws',
    code: NOT_CONFORMANT,
    says: /query\(\) failed: state register unreadable/,
  },
  'a timer callback throws': {
    ts: 'timer-throws',
    code: NOT_CONFORMANT,
    says: /A timer callback of the implementation threw: refresh timer lost its socket/,
  },
  'Python: os._exit(3) inside apply': {
    py: 'py-exit',
    code: NOT_CONFORMANT,
    says: new RegExp(`The adapter exited with code 3 ${step}`),
  },
  'Python: print() on the protocol channel': {
    py: 'py-print',
    code: NOT_CONFORMANT,
    says: /it wrote a line that is not JSON on its standard output: "debug: composing" \(logs belong on standard error\)/,
  },
  'Python: an infinite loop': {
    py: 'py-loop',
    code: NOT_CONFORMANT,
    says: notAnswered('apply(app.setComposing)'),
    hangs: true,
  },
  'Python: an output with an impossible state': {
    py: 'py-bad-output',
    code: NOT_CONFORMANT,
    says: /output params\.output\.state must be equal to one of the allowed values \(allowed: "idle", "active", "terminated"; got "on fire"\)/,
  },
  'Python: an exception inside apply': {
    py: 'py-raise',
    code: NOT_CONFORMANT,
    says: /apply\(app\.setComposing\) threw: KeyError: 'composing'/,
  },
};

/**
 * Each run names its misbehaviour to its own host process, not through the kit's environment,
 * so that the runs that fail, which mostly wait for time-outs and host restarts, can run side
 * by side: a module that sets the variable in the host before it loads the misbehaving adapter,
 * and for Python the variable on the command line.
 */
let dir: string;
const moduleFor = (name: string) => join(dir, `${name}.mts`);
const commandFor = (name: string) => `env IMFLOW_MISBEHAVIOUR=${name} ${python}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-hostile-'));
  for (const hostile of Object.values(table)) {
    if (!hostile.ts) continue;
    adapterWithVariable(moduleFor(hostile.ts), typescript, 'IMFLOW_MISBEHAVIOUR', hostile.ts);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  delete process.env.IMFLOW_MISBEHAVIOUR;
});

describe('misbehaving adapters, isolated', () => {
  // Each check replaces process.exit for as long as it runs and puts back what it found; runs
  // side by side can finish in another order than they started and put back another run's
  // replacement, so the real one is put back once they are all done.
  const exit = process.exit;
  afterAll(() => {
    process.exit = exit;
  });

  it('has at least 20, two of them in Python', () => {
    const rows = Object.values(table);
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows.filter((row) => row.py).length).toBeGreaterThanOrEqual(2);
  });

  // The runs that must pass first, one after the other; then the runs that fail, side by side.
  const rows = Object.entries(table).sort(([, a], [, b]) => a.code - b.code);
  for (const [name, hostile] of rows) {
    const fails = hostile.code !== CONFORMANT;
    // A run that must pass runs alone: a step slowed by runs beside it must not fail it.
    const test = fails ? it.concurrent : it;
    test(`${name}: ${hostile.code === 0 ? 'CONFORMANT' : 'NOT CONFORMANT'} with what went wrong, in bounded time`, async () => {
      const adapter = hostile.ts
        ? ['--adapter', moduleFor(hostile.ts), '--profile', 'basic']
        : ['--adapter-command', commandFor(hostile.py ?? '')];
      const out: string[] = [];
      const err: string[] = [];
      const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
      const started = performance.now();
      const code = await main(
        [
          'check',
          ...adapter,
          '--runs',
          '0',
          '--seed',
          '1',
          '--step-timeout',
          String(hostile.hangs ? HANG_STEP_TIMEOUT_MS : STEP_TIMEOUT_MS),
          '--out',
          join(dir, 'reports', hostile.ts ?? hostile.py ?? ''),
          ...(fails ? WHERE_IT_STRIKES : []),
          ...(hostile.extra ?? []),
        ],
        io,
      );
      const elapsed = performance.now() - started;
      const text = out.join('\n');
      expect({ code, errors: err.join('\n') }).toEqual({ code: hostile.code, errors: '' });
      expect(text).toMatch(hostile.says);
      // The summary agrees with the exit code, once, at the end.
      const verdict = hostile.code === 0 ? 'CONFORMANT' : 'NOT CONFORMANT';
      expect(text.endsWith(`imflow: ${verdict}`)).toBe(true);
      expect(text.match(/^Profile [^:]+: (NOT )?CONFORMANT/gm)).toEqual([
        expect.stringMatching(new RegExp(`: ${verdict}$`)),
      ]);
      // The report stays small and its lines short, whatever the adapter sent.
      expect(text.length).toBeLessThan(40_000);
      expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThan(2000);
      expect(elapsed).toBeLessThan(RUN_BUDGET_MS);
    });
  }
});

describe('misbehaving adapters, in the kit process (--in-process)', () => {
  it('process.exit(0) inside apply fails the step instead of ending the run with 0', async () => {
    process.env.IMFLOW_MISBEHAVIOUR = 'exit-0-in-apply';
    const out: string[] = [];
    const io: Io = { out: (t) => out.push(t), err: (t) => out.push(t), interactive: false };
    const code = await main(
      ['check', '--adapter', typescript, '--in-process', '--profile', 'basic', '--runs', '0'],
      io,
    );
    const text = out.join('\n');
    expect(code).toBe(NOT_CONFORMANT);
    expect(text).toMatch(/apply\(app\.setComposing\) threw: the adapter called process\.exit\(0\)/);
    expect(text.endsWith('imflow: NOT CONFORMANT')).toBe(true);
  });
});
