import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import {
  basicProfile,
  createModels,
  guideProfile,
  type MachineModel,
  PLAIN_TEXT,
  type Profile,
  type Stimulus,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun, type Limits } from './case-run.ts';
import { runProperty } from './properties.ts';
import { runSuite } from './suite.ts';
import * as hostile from './test-adapters/hostile.ts';
import type { Trace } from './trace.ts';

const limits: Limits = { stepTimeoutMs: 200, drainTurns: 5 };
/** Real time one hostile case may take: one abandoned step at most (a clock step gets 4×). */
const caseBudgetMs = 4 * limits.stepTimeoutMs + 1000;

const modelOf = (profile: Profile, id: MachineModel['id']): MachineModel => {
  const model = createModels(profile).find((m) => m.id === id);
  if (!model) throw new Error(`no ${id} model`);
  return model;
};

const flow = modelOf(basicProfile, 'imFlow');
const mcu = modelOf(guideProfile, 'mcuSession');

/** Establish, compose past the time-out (so timers fire), send, hang up. */
const flowCase: Stimulus[] = [
  { type: 'app.establish', template: null },
  { type: 'app.setComposing' },
  { type: 'clock.advance', ms: 4000 },
  { type: 'app.send', body: 'hello', contentType: PLAIN_TEXT },
  { type: 'app.terminate' },
];
const mcuCase: Stimulus[] = [
  { type: 'conf.join', imMcu: true },
  { type: 'server.joinCompleted' },
  { type: 'server.mcuActivated' },
  { type: 'conf.leave' },
];

/** Runs one case as the suite would; returns its trace and the real time it took. */
async function runCase(adapter: Adapter, model = flow, stimuli = flowCase) {
  const started = performance.now();
  const run = await CaseRun.start({ adapter, model, name: adapter.name, origin: 'path', limits });
  for (const stimulus of stimuli) if (!(await run.step(stimulus))) break;
  await run.close();
  return { trace: run.trace(), ms: performance.now() - started };
}

const lastFailure = (trace: Trace) =>
  trace.setupFailure ?? trace.steps.at(-1)?.failure?.message ?? '';

interface HostileCase {
  readonly adapter: Adapter;
  /** What the failure message must say: the problem, with the offending field or error text. */
  readonly message: RegExp;
  /** The stimulus of the step that fails, or `setup` when the system could not be created. */
  readonly at: Stimulus['type'] | 'setup';
}

const cases: Record<string, HostileCase> = {
  'apply throws a plain Error': {
    adapter: hostile.applyThrows,
    message: /^apply\(app\.setComposing\) threw: keyboard driver crashed$/,
    at: 'app.setComposing',
  },
  'apply throws a string': {
    adapter: hostile.applyThrowsString,
    message: /^apply\(app\.setComposing\) threw: out of coffee$/,
    at: 'app.setComposing',
  },
  'apply never resolves': {
    adapter: hostile.applyHangs,
    message: /^apply\(app\.setComposing\) did not finish within 200 ms; the case was abandoned\.$/,
    at: 'app.setComposing',
  },
  'settle never resolves': {
    adapter: hostile.settleHangs,
    message: /^settle\(\) did not finish within 200 ms; the case was abandoned\.$/,
    at: 'app.establish',
  },
  'query returns an impossible state': {
    adapter: hostile.queryGarbage,
    message: /query\(\)\.flowState is "on fire"; allowed: idle, active, terminated/,
    at: 'app.establish',
  },
  'query returns a string': {
    adapter: hostile.queryNotAnObject,
    message: /query\(\) must return an object, got all good/,
    at: 'app.establish',
  },
  'query throws': {
    adapter: hostile.queryThrows,
    message: /^query\(\) failed: state register unreadable$/,
    at: 'app.establish',
  },
  'an output of an unknown wire kind': {
    adapter: hostile.unknownWireKind,
    message: /malformed output: unknown wire kind "smoke-signal"; known: message, composing/,
    at: 'app.establish',
  },
  'an output of an unknown event name': {
    adapter: hostile.malformedOutput({ channel: 'event', name: 'typingStarted' }),
    message: /malformed output: unknown event name "typingStarted"/,
    at: 'app.establish',
  },
  'an output without a channel': {
    adapter: hostile.malformedOutput({ name: 'flowStateChanged', state: 'active' }),
    message: /malformed output: unknown channel undefined; use "event", "wire" or "error"/,
    at: 'app.establish',
  },
  'an error output without its kind': {
    adapter: hostile.malformedOutput({ channel: 'error', operation: 'app.send' }),
    message: /malformed output: an error output needs "operation" .* and "kind"/,
    at: 'app.establish',
  },
  'an output that is not an object': {
    adapter: hostile.malformedOutput(null),
    message: /malformed output: an output must be an object, got null/,
    at: 'app.establish',
  },
  'an output that refers to itself': {
    adapter: hostile.circularOutput,
    message: /malformed output: an output that is not plain data \(.*circular/s,
    at: 'app.establish',
  },
  'a malformed output reported from a callback of its own': {
    adapter: hostile.lateMalformedOutput,
    message: /malformed output: an output that is not plain data/,
    // Reported two turns after establish, so it lands in the next step: still caught.
    at: 'app.setComposing',
  },
  'create throws': {
    adapter: hostile.createThrows,
    message: /^Could not create the system under test: licence server unreachable$/,
    at: 'setup',
  },
  'create never resolves': {
    adapter: hostile.createHangs,
    message:
      /^Could not create the system under test: adapter\.create\(\) did not finish within 200 ms$/,
    at: 'setup',
  },
  'create returns no system': {
    adapter: hostile.createReturnsJunk,
    message: /must return an object with apply\(\) and query\(\) methods/,
    at: 'setup',
  },
  'a timer callback throws': {
    adapter: hostile.timerThrows,
    message: /^A timer callback of the implementation threw: refresh timer lost its socket$/,
    at: 'clock.advance',
  },
  'a timer re-arms itself forever': {
    adapter: hostile.spinningTimer(),
    message: /^advancing the clock did not finish within 800 ms; the case was abandoned\.$/,
    at: 'clock.advance',
  },
};

describe.each(Object.entries(cases))('a hostile adapter: %s', (_name, test) => {
  it('fails the case in bounded time, saying what went wrong', async () => {
    const { trace, ms } = await runCase(test.adapter);
    expect(ms).toBeLessThan(caseBudgetMs);
    expect(trace.verdict).toBe('fail');
    expect(lastFailure(trace)).toMatch(test.message);
    if (test.at === 'setup') {
      // No stimulus was applied, and the trace does not pretend one was.
      expect(trace.steps).toHaveLength(0);
    } else {
      expect(trace.steps.at(-1)?.stimulus.type).toBe(test.at);
      expect(trace.steps.filter((step) => step.verdict === 'fail')).toHaveLength(1);
    }
  });
});

describe('after a hostile case', () => {
  it('nothing it left behind keeps running', async () => {
    let spins = 0;
    const { trace } = await runCase(hostile.spinningTimer(() => spins++));
    expect(trace.verdict).toBe('fail');
    const atClose = spins;
    expect(atClose).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spins).toBe(atClose);
  });

  it('the kit still judges a conforming adapter, with the same small limits', async () => {
    await runCase(hostile.applyHangs);
    await runCase(hostile.spinningTimer());
    for (const [model, stimuli] of [
      [flow, flowCase],
      [mcu, mcuCase],
    ] as const) {
      const { trace } = await runCase(referenceAdapter, model, stimuli);
      expect(trace.verdict, lastFailure(trace)).toBe('pass');
      expect(trace.steps.length).toBeGreaterThanOrEqual(stimuli.length);
    }
  });

  it('a case whose system was never created applies nothing and records why', async () => {
    const { trace } = await runCase(hostile.createThrows);
    expect(trace.steps).toHaveLength(0);
    expect(trace.verdict).toBe('fail');
    expect(trace.setupFailure).toMatch(/licence server unreachable/);
  });
});

describe('hostile adapters through the suite', () => {
  it.each([
    ['apply never resolves', hostile.applyHangs, /did not finish within 200 ms/],
    ['settle never resolves', hostile.settleHangs, /settle\(\) did not finish/],
    ['create throws', hostile.createThrows, /licence server unreachable/],
    ['query returns garbage', hostile.queryGarbage, /"on fire"/],
  ] as const)('%s: every path case fails, none hangs', async (_name, adapter, message) => {
    const started = performance.now();
    const suite = await runSuite({ adapter, profiles: [basicProfile], runs: 0, limits });
    expect(suite.verdict).toBe('not-conformant');
    const cases = suite.profiles[0]?.machines.flatMap((m) => m.pathCases) ?? [];
    expect(cases.length).toBeGreaterThan(0);
    for (const trace of cases) {
      if (trace.verdict === 'pass') continue;
      expect(lastFailure(trace)).toMatch(message);
    }
    expect(cases.some((trace) => trace.verdict === 'fail')).toBe(true);
    expect(performance.now() - started).toBeLessThan(cases.length * caseBudgetMs);
  });

  it('a property test of an adapter that throws shrinks to the one throwing step', async () => {
    const result = await runProperty({
      adapter: hostile.applyThrows,
      model: flow,
      runs: 30,
      seed: 5,
      limits,
      replayCommand: (seed, path) => `--seed ${seed} --path ${path}`,
    });
    expect(result.passed).toBe(false);
    const trace = result.failure?.trace;
    if (!trace) throw new Error(result.error ?? 'no counterexample');
    // Setting Composing throws once the call is up (the adapter declares it unsupported before
    // that): establishing and setting Composing is the minimum.
    expect(trace.steps.map((step) => step.stimulus.type)).toEqual([
      'app.establish',
      'app.setComposing',
    ]);
    expect(lastFailure(trace)).toMatch(/keyboard driver crashed/);
  });
});

describe('an asynchronous adapter without settle()', () => {
  it('conforms when its outputs arrive within drainTurns turns', async () => {
    for (const [profile, machine] of [
      [basicProfile, 'imFlow'],
      [guideProfile, 'mcuSession'],
    ] as const) {
      const suite = await runSuite({
        adapter: hostile.asyncOutputs(3),
        profiles: [profile],
        machine,
        seed: 3,
        runs: 20,
        limits,
      });
      const failures = suite.profiles[0]?.machines.flatMap((m) =>
        m.pathCases.filter((t) => t.verdict === 'fail').map(lastFailure),
      );
      expect(suite.verdict, failures?.join('\n')).toBe('conformant');
    }
  });

  it('is judged on what arrived: outputs later than drainTurns are missing', async () => {
    const { trace } = await runCase(hostile.asyncOutputs(3 * limits.drainTurns));
    expect(trace.verdict).toBe('fail');
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0]?.failure?.missing?.length).toBeGreaterThan(0);
    // More patience makes the same implementation pass.
    const patient = await CaseRun.start({
      adapter: hostile.asyncOutputs(3 * limits.drainTurns),
      model: flow,
      name: 'patient',
      origin: 'path',
      limits: { ...limits, drainTurns: 4 * limits.drainTurns },
    });
    for (const stimulus of flowCase) expect(await patient.step(stimulus)).toBe(true);
    await patient.close();
  });
});
