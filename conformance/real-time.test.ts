import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { runInProcess } from '../cli/test-support.ts';
import { createModels, findBuiltInProfile, type Stimulus } from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun } from './case-run.ts';
import { realTimeSummary } from './lateness.ts';
import { RealTimeClock } from './real-time-clock.ts';
import { lateTimers, withTiming, wrapReference } from './test-adapters/wrap.ts';
import { EARLY_TOLERANCE_MS, type Trace, type TraceStep } from './trace.ts';

// Wide enough that a loaded test machine cannot make an on-time output late, and the outputs
// below late or early by clear margins.
const JITTER_MS = 250;
const REFRESH_MS = 3000;
// A time-out far beyond the case, so that the only timed output is the Typing refresh.
const profile = withTiming(findBuiltInProfile('ucma-reference') ?? assertNever(), {
  refreshPeriodMs: REFRESH_MS,
  composingTimeoutMs: 30_000,
});
const model = createModels(profile).find((m) => m.id === 'imFlow') ?? assertNever();

function assertNever(): never {
  throw new Error('the built-in profile or machine is missing');
}

/** Composing set once, then time up to the refresh, exactly, then a little past it. */
const refreshCase: Stimulus[] = [
  { type: 'app.establish', template: null },
  { type: 'app.setComposing' },
  { type: 'clock.advance', ms: REFRESH_MS - 1 },
  { type: 'clock.advance', ms: 1 },
  { type: 'clock.advance', ms: 300 },
];

const refreshTimer = (ms: number) => ms === REFRESH_MS;

/** Where a step ends on the model's time line. */
const endOf = (step: TraceStep) =>
  step.at + (step.stimulus.type === 'clock.advance' ? step.stimulus.ms : 0);

/** When the model has the refresh due: a refresh period after Composing was set. */
function refreshDue(trace: Trace | undefined): number {
  const set = trace?.steps.find((step) => step.stimulus.type === 'app.setComposing');
  return (set?.at ?? Number.NaN) + REFRESH_MS;
}

async function runRealTime(adapter: Adapter, stimuli = refreshCase, caseModel = model) {
  const run = await CaseRun.start({
    adapter,
    model: caseModel,
    name: 'refresh in real time',
    origin: 'path',
    clock: { kind: 'real', jitterMs: JITTER_MS },
  });
  for (const stimulus of stimuli) if (!(await run.step(stimulus))) break;
  await run.close();
  return run.trace();
}

// Composing set again at a refresh restarts the time-out there. In real time that stimulus
// comes after the refresh's settling window, so the time-out falls due later than the plan's
// amounts say, while the refresh keeps its phase.
const RESTART_TIMEOUT_MS = 3500;
const restartModel =
  createModels(
    withTiming(findBuiltInProfile('ucma-reference') ?? assertNever(), {
      refreshPeriodMs: REFRESH_MS,
      composingTimeoutMs: RESTART_TIMEOUT_MS,
    }),
  ).find((m) => m.id === 'imFlow') ?? assertNever();
/** The refresh, exactly; Composing again; the next refresh; the plan's step to the time-out. */
const restartCase: Stimulus[] = [
  { type: 'app.establish', template: null },
  { type: 'app.setComposing' },
  { type: 'clock.advance', ms: REFRESH_MS - 1 },
  { type: 'clock.advance', ms: 1 },
  { type: 'app.setComposing' },
  { type: 'clock.advance', ms: REFRESH_MS },
  { type: 'clock.advance', ms: RESTART_TIMEOUT_MS - REFRESH_MS },
];

describe('checking in real time', () => {
  // The cases wait side by side: three seconds of real time, six and a half for the restart.
  const results = Promise.all([
    runRealTime(referenceAdapter),
    runRealTime(
      wrapReference('refresh late within the tolerance', () => ({
        clock: (clock) => lateTimers(clock, refreshTimer, 50),
      })),
    ),
    runRealTime(
      wrapReference('refresh late beyond the tolerance', () => ({
        clock: (clock) => lateTimers(clock, refreshTimer, JITTER_MS * 3),
      })),
    ),
    runRealTime(
      wrapReference('refresh early', () => ({
        clock: (clock) => lateTimers(clock, refreshTimer, -400),
      })),
    ),
    runRealTime(
      wrapReference('refresh early within the tolerance', () => ({
        clock: (clock) => lateTimers(clock, refreshTimer, -(EARLY_TOLERANCE_MS - 2)),
      })),
    ),
    runRealTime(referenceAdapter, restartCase, restartModel),
  ]);

  it('passes the reference, and stamps each output with the time it arrived', async () => {
    const [trace] = await results;
    expect(trace?.verdict).toBe('pass');
    const refresh = trace?.steps.find(
      (step) => step.stimulus.type === 'clock.advance' && step.observed.length > 0,
    );
    const due = refreshDue(trace);
    expect(refresh && endOf(refresh)).toBe(due);
    const arrived = refresh?.observed[0]?.at ?? 0;
    expect(arrived).toBeGreaterThanOrEqual(due - EARLY_TOLERANCE_MS);
    expect(arrived).toBeLessThan(due + JITTER_MS);
  });

  it('adds settling steps so that the model keeps to the wall clock', async () => {
    const [trace] = await results;
    const settling = trace?.steps.filter((step) => step.settling) ?? [];
    expect(settling.length).toBeGreaterThan(0);
    // The case's clock steps still end where it has them, counted from the stimulus that set
    // the timer: a millisecond before the refresh, at it, and 300 ms after it.
    const due = refreshDue(trace);
    const planned = trace?.steps.filter((step) => !step.settling).map(endOf) ?? [];
    expect(planned).toEqual(expect.arrayContaining([due - 1, due, due + 300]));
  });

  it('accepts an output late by less than the tolerance, and measures how late it was', async () => {
    const [, withinTolerance] = await results;
    expect(withinTolerance?.verdict).toBe('pass');
    const summary = realTimeSummary(withinTolerance ? [withinTolerance] : [], JITTER_MS);
    const typing = summary.timed.find((f) => f.output === 'wire composing typing');
    expect(typing?.count).toBe(1);
    expect(typing?.minMs).toBeGreaterThanOrEqual(49);
    expect(typing?.maxMs).toBeLessThan(JITTER_MS);
    expect(summary.responses.some((f) => f.output === 'wire composing typing')).toBe(true);
  });

  it('fails an output later than the tolerance, naming the refresh rule', async () => {
    const [, , beyond] = await results;
    expect(beyond?.verdict).toBe('fail');
    const failing = beyond?.steps.find((step) => step.verdict === 'fail');
    expect(failing && endOf(failing)).toBe(refreshDue(beyond));
    expect(failing?.failure?.requirements.some((id) => id.startsWith('LC-'))).toBe(true);
  });

  it('records the tolerance, so that the trace judges the same offline', async () => {
    const [trace] = await results;
    expect(trace?.realTime).toEqual({ jitterMs: JITTER_MS });
    const file = join(mkdtempSync(join(tmpdir(), 'imflow-real-time-')), 'trace.json');
    writeFileSync(file, JSON.stringify(trace));
    const offline = await runInProcess('verify-trace', file);
    expect(offline.text).toMatch(/pass/i);
    expect(offline.code).toBe(0);
  });

  it('accepts an output a little early, within the early tolerance', async () => {
    const [, , , , slightlyEarly] = await results;
    expect(slightlyEarly?.verdict).toBe('pass');
    const refresh = slightlyEarly?.steps.find(
      (step) => step.stimulus.type === 'clock.advance' && step.observed.length > 0,
    );
    // Whether it came during the millisecond-before probe or after, it is judged with the
    // deadline it belongs to.
    expect(refresh && endOf(refresh)).toBe(refreshDue(slightlyEarly));
  });

  it('fails an output that comes before its instant, beyond the early tolerance', async () => {
    const [, , , early] = await results;
    expect(early?.verdict).toBe('fail');
    const failing = early?.steps.find((step) => step.verdict === 'fail');
    expect(failing && endOf(failing)).toBe(refreshDue(early) - 1);
    expect(failing?.failure?.message).toMatch(/differ|before it was due/);
  });

  it('takes a clock step to the deadline the plan has it reach, though settling moved it', async () => {
    const [, , , , , restarted] = await results;
    expect(restarted?.verdict).toBe('pass');
    const planned = restarted?.steps.filter((step) => !step.settling) ?? [];
    expect(planned.map((step) => step.transitions)).toEqual([
      ['establish'],
      ['local.startComposing'],
      ['local.composing.wait'],
      ['local.refresh'],
      ['local.composingAgain.notified'],
      ['local.refresh'],
      ['local.timeout'],
    ]);
    // The time-out is due a full time-out after Composing was set again, not where the plan's
    // amounts alone would have ended.
    const again = planned[4];
    const timedOut = planned[6];
    expect(timedOut && endOf(timedOut)).toBe((again?.at ?? Number.NaN) + RESTART_TIMEOUT_MS);
  });
});

describe('the real-time clock', () => {
  it('never fires a timer before its instant, even one set at the end of a long turn', async () => {
    const clock = new RealTimeClock();
    const fired: { due: number; at: number }[] = [];
    // A long synchronous stretch leaves the host's loop time behind the monotonic clock.
    const busyUntil = performance.now() + 30;
    while (performance.now() < busyUntil) {
      // busy, as an implementation's long handler would be
    }
    for (const ms of [1, 10, 25]) {
      const due = clock.now() + ms;
      clock.setTimeout(() => fired.push({ due, at: clock.now() }), ms);
    }
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(fired).toHaveLength(3);
    for (const { due, at } of fired) expect(at).toBeGreaterThanOrEqual(due);
    clock.stop();
  });

  it('cancels a timer, and fires nothing once stopped', async () => {
    const clock = new RealTimeClock();
    let fired = 0;
    const cancelled = clock.setTimeout(() => fired++, 5);
    clock.clearTimeout(cancelled);
    clock.setTimeout(() => fired++, 5);
    clock.stop();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
