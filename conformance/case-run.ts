import {
  boundaryProbed,
  formatOutput,
  type MachineModel,
  type ModelSnapshot,
  type Output,
  type Queries,
  rulesForQuery,
  rulesForUnexpectedOutput,
  type Stimulus,
  stepAcrossDeadlines,
  type TransitionMeta,
} from '../machines/index.ts';
import { type Adapter, refusalKind, type SystemUnderTest } from './adapter.ts';
import { type ResolvedDeclarations, resolveDeclarations } from './declarations.ts';
import { AdapterExited, CallAbandoned } from './isolation/host-process.ts';
import { type Judgement, type JudgeOptions, judgeStep } from './oracle.ts';
import { outputShapeProblem, queriesProblem, snapshotOutput } from './output-shape.ts';
import { RealTimeClock } from './real-time-clock.ts';
import {
  EARLY_TOLERANCE_MS,
  earlyOutputs,
  type StepFailure,
  type TimedOutput,
  TRACE_FORMAT,
  type Trace,
  type TraceStep,
} from './trace.ts';
import { VirtualClock } from './virtual-clock.ts';
import { isOnTheWire, wireBreaches } from './wire/breaches.ts';

/** How long the kit waits for an adapter, in real time; nothing an adapter does can hang the kit. */
export interface Limits {
  /** Real milliseconds one stimulus, settle or query may take. */
  readonly stepTimeoutMs: number;
  /** Event-loop turns the kit waits for late outputs when the adapter has no `settle`. */
  readonly drainTurns: number;
  /** Outputs one step may report; beyond it the step fails with the count (default 1000). */
  readonly maxOutputsPerStep?: number;
}

export const defaultLimits: Limits = { stepTimeoutMs: 5000, drainTurns: 20 };

/**
 * How a case's time passes: on the kit's virtual clock, or on the wall clock (`--clock real`),
 * where each output is awaited up to `jitterMs` after its instant.
 */
export type ClockMode =
  | { readonly kind: 'virtual' }
  | { readonly kind: 'real'; readonly jitterMs: number };

export const virtualTime: ClockMode = { kind: 'virtual' };

/**
 * The jitter tolerance of a real-time run unless `--jitter-ms` says otherwise. On the 2-core
 * machines the kit is developed on, the host's timers came late by 4 to 71 ms at the 99th
 * percentile while other work ran; 100 ms keeps a loaded CI machine from failing a conforming
 * implementation, and is still well inside every window the pages define (the shortest, the
 * revert tolerance, is 500 ms by default).
 */
export const DEFAULT_JITTER_MS = 100;

const DEFAULT_MAX_OUTPUTS_PER_STEP = 1000;
/** Outputs kept in the trace of a step that reported too many: enough to see what it was. */
const KEPT_OF_TOO_MANY = 10;
/** Notes kept per case; beyond it they are counted. */
const MAX_NOTES = 10;
/** Failures one case records when it goes on after them; the next one ends it. */
export const MAX_FAILURES_PER_CASE = 4;

class AdapterTimeout extends Error {}

async function within<T>(work: () => T | Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AdapterTimeout(`${what} did not finish within ${ms} ms`)),
      ms,
    );
  });
  const attempt = Promise.resolve().then(work);
  // A promise abandoned after a time-out must not surface later as an unhandled rejection.
  attempt.catch(() => undefined);
  try {
    return await Promise.race([attempt, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** An output as one line of bounded length, for messages. */
const short = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}...` : text);

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Why a step could not be judged on its outputs: the adapter itself misbehaved. */
function adapterFailure(message: string, requirements: readonly string[]): StepFailure {
  return { message, requirements };
}

/** Why the oracle refused a step, in one sentence; early outputs are named with their time. */
function judgementMessage(
  judgement: Judgement & { ok: false },
  early: readonly TimedOutput[],
  end: number,
): string {
  const differs = 'The observed outputs or states differ from every continuation the model allows';
  if (judgement.untimely.length === 0) return `${differs}.`;
  const untimely = new Set(judgement.untimely.map(formatOutput));
  const when = early
    .filter((timed) => untimely.has(formatOutput(timed.output)))
    .map((timed) => `${formatOutput(timed.output)} at ${timed.at} ms`);
  const onlyTime =
    judgement.missing.length + judgement.unexpected.length + judgement.queryMismatches.length === 0;
  return `${onlyTime ? 'The outputs are right but not their time' : differs}: reported before it was due at ${end} ms, ${when.join(', ')}.`;
}

/**
 * One test case in progress: a fresh system under test and the model, stepped side by side.
 * Each stimulus is applied, the system settles, its outputs and state readings are judged
 * against the model. A failure ends the case, unless the case goes on after failures
 * (`continueAfterFailure`): then, where exactly one model state explains what was observed,
 * the case records the failure and goes on from that state, so that a later bug still shows.
 */
export class CaseRun {
  readonly steps: TraceStep[] = [];
  #snapshot: ModelSnapshot;
  #buffer: TimedOutput[] = [];
  #malformed: string[] = [];
  /** Outputs of the current step beyond the limit: counted, not kept. */
  #overflow = 0;
  #notes: string[] = [];
  #droppedNotes = 0;
  #broken = false;
  /** No further step is judged: the case failed and could not, or may not, go on. */
  #ended = false;
  #closed = false;
  #setupFailure: string | undefined;
  /** Requirements whose effect no output has shown yet (see `#hiddenRequirements`). */
  #suspects: string[] = [];
  /**
   * Should-rules of calls the implementation accepted without any effect (an allowed branch):
   * if a later step fails, the call may have taken effect after all (a template applied
   * outside its handler shows only when a time-out comes), so the rule is named too.
   */
  #acceptedWithoutEffect: string[] = [];
  /**
   * Rules of steps that restarted or stopped a running timer, kept until the old deadline (and
   * the revert window after it) has passed: a restart that did not happen, or a timer left
   * running, shows only then, perhaps behind other outputs (a refresh left out because the old
   * time-out ended the episode, or one sent twice at once by the old and the new episode).
   */
  #timersChanged: { rules: readonly string[]; remainingMs: number; stopped?: true }[] = [];
  /** Output channels the application no longer sees, after a known fault (`hides`). */
  #hiddenChannels = new Set<string>();
  /**
   * Real time: outputs that came within the early tolerance before a deadline, during the step
   * that ended just before it: they belong to the step that reaches it.
   */
  #carried: TimedOutput[] = [];
  /** Real time: the window after the last step in which its outputs were awaited. */
  #owedSettling = 0;
  /**
   * Real time: how far settling steps have moved the model ahead of the plan's timeline; the
   * next planned clock steps are shortened by it, so that they end where the plan has them.
   */
  #ahead = 0;
  /**
   * Real time: the model taken through the case's own stimuli with no settling, as the plan
   * has it. A clock step that there reaches a deadline, or stops just before one, does so here
   * too: settling moves the instants of later stimuli, and with them the timers they start,
   * so the plan's amount alone could stop short of a deadline it was meant to reach.
   */
  #planned: ModelSnapshot | undefined;

  private constructor(
    readonly model: MachineModel,
    readonly name: string,
    readonly origin: Trace['origin'],
    private readonly limits: Limits,
    private readonly clock: VirtualClock | RealTimeClock,
    private sut: SystemUnderTest | undefined,
    private readonly adapterName: string,
    private readonly declarations: ResolvedDeclarations,
    private readonly strict: boolean,
    private readonly continueAfterFailure: boolean,
    private readonly clockMode: ClockMode,
  ) {
    this.#snapshot = model.initial();
    if (clockMode.kind === 'real') this.#planned = this.#snapshot;
  }

  static async start(options: {
    adapter: Adapter;
    model: MachineModel;
    name: string;
    origin: Trace['origin'];
    limits?: Limits;
    /** The adapter's declarations, resolved once per run (resolved here when absent). */
    declarations?: ResolvedDeclarations;
    /** Advisories fail their step (`--strict`). */
    strict?: boolean;
    /**
     * Go on after a failing step from the model state consistent with what was observed,
     * where exactly one is (see `Judgement.continuation`). Property runs do not: shrinking
     * wants the first failure.
     */
    continueAfterFailure?: boolean;
    /** Virtual time unless given. */
    clock?: ClockMode;
  }): Promise<CaseRun> {
    const limits = options.limits ?? defaultLimits;
    const clockMode = options.clock ?? virtualTime;
    const clock = clockMode.kind === 'real' ? new RealTimeClock() : new VirtualClock();
    const run = new CaseRun(
      options.model,
      options.name,
      options.origin,
      limits,
      clock,
      undefined,
      options.adapter.name,
      options.declarations ?? resolveDeclarations(options.adapter.declarations),
      options.strict ?? false,
      options.continueAfterFailure ?? false,
      clockMode,
    );
    try {
      await options.adapter.prepare?.();
      const sut = await within(
        () =>
          options.adapter.create({
            clock,
            machine: options.model.id,
            profile: options.model.profile,
            observe: (output) => run.#record(output),
            note: (message) => run.#note(message),
          }),
        limits.stepTimeoutMs,
        'adapter.create()',
      );
      if (
        typeof sut !== 'object' ||
        sut === null ||
        typeof sut.apply !== 'function' ||
        typeof sut.query !== 'function'
      ) {
        throw new Error('adapter.create() must return an object with apply() and query() methods');
      }
      run.sut = sut;
    } catch (error) {
      run.#broken = true;
      run.#setupFailure =
        error instanceof AdapterExited
          ? `Could not create the system under test: the adapter ${error.detail} during create().`
          : `Could not create the system under test: ${(error as Error)?.message ?? String(error)}`;
    }
    return run;
  }

  get failed(): boolean {
    return this.#setupFailure !== undefined || this.steps.some((step) => step.verdict === 'fail');
  }

  /** Whether the case has ended: broken, or failed without going on. */
  get ended(): boolean {
    return this.#ended || this.#broken || this.#setupFailure !== undefined;
  }

  /** The 1-based number of the first failing step, if a step failed. */
  #firstFailure(): number | undefined {
    const index = this.steps.findIndex((step) => step.verdict === 'fail');
    return index === -1 ? undefined : index + 1;
  }

  /**
   * Records a failing step judged by the model, and goes on from `continuation` when the case
   * may: the suspects were named by this failure and are not blamed again. Returns whether the
   * case goes on.
   */
  #recordFailure(
    step: Omit<TraceStep, 'failure' | 'continuation'> & {
      failure: NonNullable<TraceStep['failure']>;
    },
    continuation:
      | {
          snapshot: ModelSnapshot;
          branch: readonly string[];
          transitions?: readonly TransitionMeta[];
        }
      | undefined,
  ): boolean {
    const first = this.#firstFailure();
    const failures = this.steps.filter((s) => s.verdict === 'fail').length + 1;
    const goesOn =
      this.continueAfterFailure && continuation !== undefined && failures < MAX_FAILURES_PER_CASE;
    const after =
      first === undefined
        ? {}
        : {
            after: first,
            message: `${step.failure.message} This step comes after the failure at step ${first}, judged from the model state consistent with what was observed there.`,
          };
    this.steps.push({
      ...step,
      failure: { ...step.failure, ...after },
      ...(goesOn ? { continuation: continuation.branch } : {}),
    });
    if (!goesOn) {
      this.#ended = true;
      return false;
    }
    this.#snapshot = continuation.snapshot;
    for (const t of continuation.transitions ?? []) if (t.hides) this.#hiddenChannels.add(t.hides);
    this.#suspects = [];
    this.#acceptedWithoutEffect = [];
    this.#timersChanged = [];
    return true;
  }

  get snapshot(): ModelSnapshot {
    return this.#snapshot;
  }

  #note(message: unknown) {
    const text = String(message);
    if (this.#notes.length < MAX_NOTES)
      this.#notes.push(text.length > 300 ? `${text.slice(0, 297)}...` : text);
    else this.#droppedNotes++;
  }

  #record(output: Output) {
    // Called by untrusted code, perhaps from a callback of its own: report, never throw.
    try {
      if (this.#closed) {
        this.#note(
          `The adapter reported an output after dispose(): ${short(formatOutput(snapshotOutput(output)))}.`,
        );
        return;
      }
      const problem = outputShapeProblem(output);
      if (problem) this.#malformed.push(problem);
      else if (
        this.#buffer.length >= (this.limits.maxOutputsPerStep ?? DEFAULT_MAX_OUTPUTS_PER_STEP)
      )
        this.#overflow++;
      else this.#buffer.push({ output: snapshotOutput(output), at: this.clock.now() });
    } catch (error) {
      this.#malformed.push(
        `an output that is not plain data (${(error as Error)?.message ?? String(error)})`,
      );
    }
  }

  async #settle() {
    const sut = this.sut;
    if (sut?.settle) {
      await within(() => sut.settle?.(), this.limits.stepTimeoutMs, 'settle()');
      await nextTurn();
    } else {
      for (let turn = 0; turn < this.limits.drainTurns; turn++) await nextTurn();
    }
  }

  /**
   * Applies a stimulus. A clock advance is cut at the model's deadlines and each piece is
   * judged on its own, so an output is checked at the very instant it is due.
   * Returns false once the case has failed.
   */
  async step(stimulus: Stimulus): Promise<boolean> {
    const planned = this.#planned;
    if (planned) this.#planned = stepAcrossDeadlines(this.model, planned, stimulus).snapshot;
    if (stimulus.type !== 'clock.advance')
      return (await this.#judged(stimulus)) && this.#settlingStep();
    if (this.ended) return false;
    const probed = planned && boundaryProbed(this.model, planned, stimulus.ms);
    const deadline = this.model.nextDeadlineMs(this.#snapshot);
    if (probed && deadline !== null) {
      // Reaching the boundary brings the model back to the plan's timeline.
      this.#ahead = 0;
      const ms = probed === 'deadline' ? deadline : deadline - 1;
      if (ms <= 0) return true;
      return (await this.#judged({ type: 'clock.advance', ms })) && this.#settlingStep();
    }
    let remaining = stimulus.ms;
    for (;;) {
      const absorbed = Math.min(this.#ahead, remaining);
      this.#ahead -= absorbed;
      remaining -= absorbed;
      if (remaining <= 0) return true;
      const deadline = this.model.nextDeadlineMs(this.#snapshot);
      const ms = deadline === null ? remaining : Math.min(remaining, deadline);
      if (!(await this.#judged({ type: 'clock.advance', ms }))) return false;
      remaining -= ms;
      if (!(await this.#settlingStep())) return false;
    }
  }

  /**
   * Real time: a step that ends within the early tolerance before a deadline hands what came in
   * that last stretch to the step that reaches the deadline, whose outputs they may be.
   */
  #carryEarly(after: ModelSnapshot) {
    const next = this.model.nextDeadlineMs(after);
    if (next === null || next > EARLY_TOLERANCE_MS) return;
    const due = this.#modelNow() + next;
    this.#carried = this.#buffer.filter((timed) => timed.at >= due - EARLY_TOLERANCE_MS);
    this.#buffer = this.#buffer.filter((timed) => timed.at < due - EARLY_TOLERANCE_MS);
  }

  /** The model's time, which in real time is where the steps have brought it. */
  #modelNow(): number {
    return this.clock instanceof RealTimeClock ? this.clock.modelNow : this.clock.now();
  }

  /**
   * Real time: how long after a step its outputs are still awaited. After a stimulus, and after
   * a clock step that reached a deadline, the jitter tolerance; never up to the model's next
   * deadline, whose outputs belong to the step that reaches it.
   */
  #settlingWindow(before: ModelSnapshot, after: ModelSnapshot, stimulus: Stimulus): number {
    if (this.clockMode.kind !== 'real') return 0;
    if (stimulus.type === 'clock.advance') {
      const due = this.model.nextDeadlineMs(before);
      if (due === null || stimulus.ms < due) return 0;
    }
    const next = this.model.nextDeadlineMs(after);
    return Math.max(0, Math.min(this.clockMode.jitterMs, next === null ? Infinity : next - 1));
  }

  /**
   * Real time: the model's time catches up with the window the last step's outputs were
   * awaited in, as a step of its own that expects nothing.
   */
  async #settlingStep(): Promise<boolean> {
    const owed = this.#owedSettling;
    this.#owedSettling = 0;
    if (owed <= 0 || this.ended) return !this.ended;
    const deadline = this.model.nextDeadlineMs(this.#snapshot);
    const ms = deadline === null ? owed : Math.min(owed, deadline - 1);
    if (ms <= 0) return true;
    const ok = await this.#judged({ type: 'clock.advance', ms }, true);
    // With no timer running, the model's time is free: nothing planned depends on it.
    this.#ahead = this.model.runningTimers(this.#snapshot) === 0 ? 0 : this.#ahead + ms;
    return ok;
  }

  async #judged(stimulus: Stimulus, settling = false): Promise<boolean> {
    if (this.ended || !this.sut) return false;
    const sut = this.sut;
    const at = this.#modelNow();
    this.#buffer = this.#carried;
    this.#carried = [];
    this.#malformed = [];
    this.#overflow = 0;
    const expectedStep = this.model.step(this.#snapshot, stimulus);
    const blame = [...new Set(expectedStep.transitions.flatMap((t) => t.requirements))].sort();
    const fail = (
      message: string,
      requirements: readonly string[] = blame,
      queries: Queries = {},
    ) => {
      // A step that reported too many outputs keeps only the first few: reports stay small.
      const tooMany = this.#overflow > 0;
      this.steps.push({
        stimulus,
        at,
        ...(settling ? { settling } : {}),
        observed: tooMany ? this.#buffer.slice(0, KEPT_OF_TOO_MANY) : this.#buffer,
        queries,
        verdict: 'fail',
        transitions: expectedStep.transitions.map((t) => t.id),
        failure: {
          ...adapterFailure(
            tooMany && !message.includes('outputs in one step')
              ? `${message} It had reported ${this.#buffer.length + this.#overflow} outputs by then, more than the limit of ${this.#buffer.length}.`
              : message,
            requirements,
          ),
          ...(this.#firstFailure() === undefined ? {} : { after: this.#firstFailure() }),
        },
      });
      // What the adapter itself got wrong leaves no model state to go on from.
      this.#ended = true;
      return false;
    };
    try {
      if (stimulus.type === 'clock.advance') {
        await within(
          () => this.clock.advance(stimulus.ms, () => this.#settle()),
          // In real time the step lasts as long as the time it moves, before any settling.
          this.limits.stepTimeoutMs * 4 + (this.clockMode.kind === 'real' ? stimulus.ms : 0),
          'advancing the clock',
        );
      } else {
        if (this.clock instanceof RealTimeClock) await this.clock.waitUntil(at);
        try {
          await within(
            () => sut.apply(stimulus),
            this.limits.stepTimeoutMs,
            `apply(${stimulus.type})`,
          );
        } catch (error) {
          if (error instanceof AdapterTimeout) throw error;
          if (error instanceof AdapterExited || error instanceof CallAbandoned) throw error;
          const kind = refusalKind(error);
          if (!kind) {
            return fail(
              `apply(${stimulus.type}) threw: ${(error as Error)?.message ?? String(error)}`,
            );
          }
          this.#buffer.push({ output: { channel: 'error', operation: stimulus.type, kind }, at });
        }
      }
      await this.#settle();
      if (this.clock instanceof RealTimeClock && !settling) {
        const window = this.#settlingWindow(this.#snapshot, expectedStep.snapshot, stimulus);
        await this.clock.waitUntil(this.#modelNow() + window);
        this.#owedSettling = window;
      }
      // (Not the check at a case's end, which moves no time: nothing comes after it.)
      if (
        this.clock instanceof RealTimeClock &&
        stimulus.type === 'clock.advance' &&
        stimulus.ms > 0
      )
        this.#carryEarly(expectedStep.snapshot);
    } catch (error) {
      this.#broken = true;
      // Whatever the abandoned step left running (a timer re-arming itself, say) stops here.
      this.clock.stop();
      return fail(this.#abandonMessage(error, stimulus));
    }
    if (this.#overflow > 0) {
      const limit = this.#buffer.length;
      const first = this.#buffer.slice(0, 3).map((timed) => short(formatOutput(timed.output)));
      return fail(
        `The adapter reported ${limit + this.#overflow} outputs in one step, more than the limit of ${limit}; the first: ${first.join('; ')}.`,
      );
    }
    const breaches = isOnTheWire(sut) ? sut[wireBreaches]() : [];
    if (breaches.length > 0) {
      return fail(
        breaches.map((breach) => breach.message).join(' '),
        [...new Set(breaches.map((breach) => breach.requirement))].sort(),
      );
    }
    if (this.clock.callbackErrors.length > 0) {
      const errors = this.clock.callbackErrors.splice(0);
      return fail(
        `A timer callback of the implementation threw: ${(errors[0] as Error)?.message ?? String(errors[0])}`,
      );
    }
    if (this.#malformed.length > 0) {
      return fail(`The adapter reported a malformed output: ${this.#malformed.join('; ')}`);
    }
    let queries: Queries;
    try {
      queries = await within(() => sut.query(), this.limits.stepTimeoutMs, 'query()');
      const problem = queriesProblem(queries);
      if (problem) return fail(`The adapter's ${problem}`);
      queries = { ...queries };
    } catch (error) {
      if (error instanceof AdapterExited || error instanceof CallAbandoned) {
        this.#broken = true;
        return fail(this.#abandonMessage(error, stimulus));
      }
      if (error instanceof AdapterTimeout) this.#broken = true;
      return fail(`query() failed: ${(error as Error)?.message ?? String(error)}`);
    }
    const observed = this.#buffer;
    // What time obliges is due at the end of a clock step: anything seen before it came early.
    const early =
      stimulus.type === 'clock.advance'
        ? earlyOutputs(observed, at + stimulus.ms, this.clockMode.kind === 'real')
        : [];
    const judgement = judgeStep(
      this.model,
      this.#snapshot,
      stimulus,
      {
        outputs: observed.map((timed) => timed.output),
        queries,
        early: early.map((timed) => timed.output),
      },
      this.#judgeOptions(),
    );
    // What every step records, in the order its trace shows it.
    const judged = <V extends TraceStep['verdict']>(verdict: V) => ({
      stimulus,
      at,
      ...(settling ? { settling } : {}),
      observed,
      queries,
      verdict,
      transitions: judgement.transitions.map((t) => t.id),
    });
    if (judgement.ok && this.strict && judgement.advisories.length > 0) {
      const rules = [...new Set(judgement.advisories.map((a) => a.requirement))].sort();
      // The model knows the branch taken: the case may go on from it.
      return this.#recordFailure(
        {
          ...judged('fail'),
          advisories: judgement.advisories,
          failure: {
            message: `The implementation departs from ${rules.join(', ')} (${judgement.advisories.map((a) => a.transition).join(', ')}): the model allows it, and --strict makes the advisory a failure.`,
            requirements: rules,
            expected: judgement.expected,
            strict: true,
          },
        },
        { snapshot: judgement.snapshot, branch: judgement.branch },
      );
    }
    if (judgement.ok) {
      this.#trackTimerChanges(this.#snapshot, stimulus, judgement);
      this.#suspects = this.#hiddenRequirements(this.#snapshot, stimulus, judgement);
      const accepted = judgement.transitions
        .filter((t) => t.choice === 'ignored')
        .flatMap((t) => t.deviates ?? []);
      this.#acceptedWithoutEffect = [...new Set([...this.#acceptedWithoutEffect, ...accepted])];
      this.#snapshot = judgement.snapshot;
      this.steps.push({
        ...judged('pass'),
        // The branch is recorded whenever the model did anything but take the stimulus as it is.
        ...(judgement.branch.length === 1 && judgement.branch[0] === stimulus.type
          ? {}
          : { branch: judgement.branch }),
        ...(judgement.advisories.length > 0 ? { advisories: judgement.advisories } : {}),
      });
      return true;
    }
    return this.#recordFailure(
      {
        ...judged('fail'),
        failure: {
          message:
            judgementMessage(
              judgement,
              early,
              at + (stimulus.type === 'clock.advance' ? stimulus.ms : 0),
            ) +
            (this.#suspects.length > 0
              ? ` An earlier step changed the model's state in a way no output has shown yet (${this.#suspects.join(', ')}); a transition skipped or half done there shows only now, so those rules are named too.`
              : '') +
            (this.#acceptedWithoutEffect.length > 0
              ? ` An earlier call was accepted without any effect where the rule asks for a refusal (${this.#acceptedWithoutEffect.join(', ')}); if it took effect after all, it shows only now, so those rules are named too.`
              : ''),
          requirements: [
            ...new Set([
              ...judgement.requirements,
              ...this.#suspects,
              ...this.#acceptedWithoutEffect,
              ...this.#leftRunning(judgement),
            ]),
          ].sort(),
          expected: judgement.expected,
          missing: judgement.missing,
          unexpected: judgement.unexpected,
          queryMismatches: judgement.queryMismatches,
        },
      },
      judgement.continuation,
    );
  }

  /**
   * Keeps the rules of a step that restarted or stopped a timer until the old deadline has
   * passed (see `#timersChanged`).
   */
  #trackTimerChanges(
    before: ModelSnapshot,
    stimulus: Stimulus,
    judgement: Judgement & { ok: true },
  ) {
    if (stimulus.type === 'clock.advance') {
      this.#timersChanged = this.#timersChanged
        .map((change) => ({ ...change, remainingMs: change.remainingMs - stimulus.ms }))
        .filter((change) => change.remainingMs >= 0);
      return;
    }
    const rules = judgement.transitions.filter((t) => !t.boundary).flatMap((t) => t.requirements);
    if (rules.length === 0) return;
    const kept = this.model.timersKept(before, judgement.snapshot);
    const restartedDeadline = kept ? this.model.nextDeadlineMs(kept) : null;
    const stoppedDeadline = this.model.stoppedDeadlineMs(before, judgement.snapshot);
    const keep = { rules: [...new Set(rules)].sort() };
    const tolerance = this.model.profile.timing.revertToleranceMs;
    if (restartedDeadline !== null)
      this.#timersChanged.push({ ...keep, remainingMs: restartedDeadline + tolerance });
    if (stoppedDeadline !== null)
      this.#timersChanged.push({
        ...keep,
        remainingMs: stoppedDeadline + tolerance,
        stopped: true,
      });
  }

  /**
   * The rules of restarts still within their old deadline, and, of stops, only the rules that
   * govern what the failing step got wrong: a stop (a send, say) has rules of its own that a
   * timer left running does not concern.
   */
  #leftRunning(judgement: Judgement & { ok: false }): string[] {
    const governing = new Set([
      ...[...judgement.missing, ...judgement.unexpected].flatMap((output) =>
        rulesForUnexpectedOutput(output),
      ),
      ...judgement.queryMismatches.flatMap((mismatch) => rulesForQuery(mismatch.query)),
    ]);
    return this.#timersChanged.flatMap((entry) =>
      entry.stopped ? entry.rules.filter((id) => governing.has(id)) : entry.rules,
    );
  }

  /** What the oracle may judge: the adapter's declarations, less what a known fault hid. */
  #judgeOptions(): JudgeOptions {
    const judge = this.declarations.judge;
    if (this.#hiddenChannels.size === 0) return judge;
    const hidden = this.#hiddenChannels;
    const observable = judge.observable;
    return {
      ...judge,
      observable: (output) => !hidden.has(output.channel) && (observable?.(output) ?? true),
    };
  }

  /** Why a step was abandoned: the adapter's process ended, or a call did not finish. */
  #abandonMessage(error: unknown, stimulus: Stimulus): string {
    if (error instanceof AdapterExited) {
      return `The adapter ${error.detail} during step ${this.steps.length + 1} (${stimulus.type}); the case was abandoned.`;
    }
    return `${(error as Error)?.message ?? String(error)}; the case was abandoned.`;
  }

  /**
   * The requirements whose effect no output has shown yet, suspects when a later step fails:
   * those of a step that changed the model's state without any output, or that restarted a
   * running timer behind the outputs it showed (the restart shows only when the old deadline
   * passes). Steps that show nothing and change no reading, such as time passing, keep them.
   */
  #hiddenRequirements(
    before: ModelSnapshot,
    stimulus: Stimulus,
    judgement: Judgement & { ok: true },
  ): string[] {
    const after = judgement.snapshot;
    const sameReadings =
      JSON.stringify(this.model.queries(before)) === JSON.stringify(this.model.queries(after));
    const showsNothing = judgement.expected.outputs.length === 0 && sameReadings;
    const silent = showsNothing && this.model.serialize(before) !== this.model.serialize(after);
    const restarted =
      stimulus.type !== 'clock.advance' && this.model.timersKept(before, after) !== undefined;
    if (silent || restarted) {
      const ids = judgement.transitions.filter((t) => !t.boundary).flatMap((t) => t.requirements);
      if (ids.length > 0) return [...new Set(ids)].sort();
    }
    return showsNothing ? this.#suspects : [];
  }

  /** Ends the case and releases the system under test. */
  async close(): Promise<void> {
    if (this.#closed) return;
    if (!this.ended && this.sut && this.steps.length > 0) {
      // Outputs may still trickle in after the last judged step. A zero-length clock step lets
      // the system settle once more with no time passing, where the model allows no output;
      // it stays in the trace only when it caught something.
      const before = this.steps.length;
      await this.#judged({ type: 'clock.advance', ms: 0 });
      const check = this.steps[before];
      if (check?.verdict === 'pass' && check.observed.length === 0) this.steps.splice(before, 1);
    }
    this.#closed = true;
    this.clock.stop();
    const sut = this.sut;
    if (sut?.dispose && !this.#broken) {
      try {
        await within(() => sut.dispose?.(), this.limits.stepTimeoutMs, 'dispose()');
      } catch (error) {
        // A system that cannot be disposed of cannot change a verdict already reached: a note.
        this.#note(`dispose() failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  trace(replay?: string): Trace {
    return {
      format: TRACE_FORMAT,
      name: this.name,
      origin: this.origin,
      machine: this.model.id,
      profile: this.model.profile,
      adapter: this.adapterName,
      ...(isOnTheWire(this.sut) ? { onTheWire: true as const } : {}),
      ...(this.clockMode.kind === 'real'
        ? { realTime: { jitterMs: this.clockMode.jitterMs } }
        : {}),
      // Recorded with the queries answered, so that an offline verdict judges as this one did.
      declarations: { ...this.declarations.declared, queries: this.declarations.answered },
      steps: this.steps,
      verdict: this.failed ? 'fail' : 'pass',
      ...(this.#setupFailure ? { setupFailure: this.#setupFailure } : {}),
      ...(replay ? { replay } : {}),
      ...(this.#notes.length > 0
        ? {
            notes: [
              ...this.#notes,
              ...(this.#droppedNotes > 0 ? [`and ${this.#droppedNotes} more notes`] : []),
            ],
          }
        : {}),
    };
  }
}
