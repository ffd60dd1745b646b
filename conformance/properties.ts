import fc from 'fast-check';
import type { MachineModel, ModelSnapshot, Stimulus } from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun, type ClockMode, type Limits } from './case-run.ts';
import { type ResolvedDeclarations, resolveDeclarations } from './declarations.ts';
import type { Trace } from './trace.ts';

/** Thrown by a command whose step the oracle failed; fast-check shrinks on it. */
class StepFailed extends Error {}

interface Harness {
  readonly run: CaseRun;
  /** The stimuli the run may draw here: supported by the adapter and, under `--only`, needed. */
  readonly drivable: (snapshot: ModelSnapshot) => readonly Stimulus[];
}

/**
 * A stimulus chosen among those the model defines in the current state. The choice is an
 * index, so shrinking can drop earlier commands and the rest still pick something meaningful.
 */
class StimulusCommand implements fc.AsyncCommand<Harness, Harness> {
  #label = 'stimulus';
  constructor(readonly choice: number) {}
  check = (harness: Readonly<Harness>) => harness.drivable(harness.run.snapshot).length > 0;
  async run(harness: Harness): Promise<void> {
    const options = harness.drivable(harness.run.snapshot);
    const stimulus = options[this.choice % options.length] as Stimulus;
    this.#label = JSON.stringify(stimulus);
    if (!(await harness.run.step(stimulus))) throw new StepFailed(this.#label);
  }
  toString = () => this.#label;
}

/** Virtual time passes; the runner cuts it at the model's deadlines. */
class AdvanceCommand implements fc.AsyncCommand<Harness, Harness> {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(harness: Harness): Promise<void> {
    if (!(await harness.run.step({ type: 'clock.advance', ms: this.ms }))) {
      throw new StepFailed(this.toString());
    }
  }
  toString = () => `advance ${this.ms} ms`;
}

/**
 * Time passes exactly to the model's next deadline, or to one millisecond before it: random
 * amounts rarely land on a boundary, and the boundaries are where timing bugs live.
 */
class DeadlineCommand implements fc.AsyncCommand<Harness, Harness> {
  constructor(readonly offset: 0 | -1) {}
  check = (harness: Readonly<Harness>) =>
    harness.run.model.nextDeadlineMs(harness.run.snapshot) !== null;
  async run(harness: Harness): Promise<void> {
    const deadline = harness.run.model.nextDeadlineMs(harness.run.snapshot) ?? 0;
    const ms = Math.max(1, deadline + this.offset);
    if (!(await harness.run.step({ type: 'clock.advance', ms })))
      throw new StepFailed(this.toString());
  }
  toString = () =>
    this.offset === 0 ? 'advance to the next deadline' : 'advance to 1 ms before the next deadline';
}

/**
 * Two server completions whose order the scheduler picks (the BeginJoin callback against the
 * MCU activation): both orders conform, and fast-check shrinks and replays the interleaving.
 */
class RacingCompletionsCommand implements fc.AsyncCommand<Harness, Harness> {
  #label = 'race join completion and MCU activation';
  constructor(readonly scheduler: fc.Scheduler) {}
  check = (harness: Readonly<Harness>) => {
    const types = harness.drivable(harness.run.snapshot).map((s) => s.type);
    return types.includes('server.joinCompleted') && types.includes('server.mcuActivated');
  };
  async run(harness: Harness): Promise<void> {
    const order: Stimulus[] = [];
    const racers: Stimulus[] = [{ type: 'server.joinCompleted' }, { type: 'server.mcuActivated' }];
    const arrivals = racers.map((stimulus) =>
      this.scheduler.schedule(Promise.resolve(stimulus), stimulus.type).then((s) => order.push(s)),
    );
    await this.scheduler.waitAll();
    await Promise.all(arrivals);
    this.#label = `race: ${order.map((s) => s.type).join(' then ')}`;
    for (const stimulus of order) {
      if (!(await harness.run.step(stimulus))) throw new StepFailed(this.#label);
    }
  }
  toString = () => this.#label;
}

export interface PropertyOptions {
  readonly adapter: Adapter;
  readonly model: MachineModel;
  readonly runs: number;
  readonly seed: number;
  /**
   * The replay path of a failure, to re-run exactly that counterexample: fast-check's
   * counterexample path, then `@` and the commands' replay log (which commands ran), without
   * which fast-check cannot walk the shrink tree of a command sequence again.
   */
  readonly path?: string;
  readonly limits?: Limits;
  /** Builds the shell command that replays a failure, given seed and path. */
  readonly replayCommand: (seed: number, path: string) => string;
  /** Called after every executed case, passing or not. */
  readonly onCase?: (trace: Trace) => void;
  readonly declarations?: ResolvedDeclarations;
  /** Stimulus types the runs may draw (`--only`); all when absent. */
  readonly stimulusTypes?: ReadonlySet<string>;
  /** Advisories fail their step (`--strict`). */
  readonly strict?: boolean;
  /**
   * After the first counterexample, how many more searches look for one that fails another
   * rule (each with the next seed); default {@link EXTRA_SEARCHES}.
   */
  readonly extraSearches?: number;
  /** Rules already known to fail (from the path tests): further searches look past them. */
  readonly knownFailing?: readonly string[];
  /**
   * Further searches end once a counterexample found so far satisfies this (a run that stops
   * once a given rule is named needs no more).
   */
  readonly searchUntil?: (trace: Trace) => boolean;
  /**
   * Virtual time unless given. In real time each run lasts the time it models: runs are
   * shorter, draw no quiet periods, and a counterexample is reported as found, unshrunk
   * (each shrink step would replay it in real time); replay it in virtual time to shrink it.
   */
  readonly clock?: ClockMode;
}

/** Commands per run in real time, where every advance is waited for. */
const REAL_TIME_MAX_COMMANDS = 12;

/** Further searches for counterexamples of other rules, once one has been found. */
export const EXTRA_SEARCHES = 3;

/** A shrunk counterexample, its trace and how to replay it. */
export interface PropertyFailure {
  readonly trace: Trace;
  readonly path: string;
  readonly replay: string;
  readonly shrinks: number;
}

export interface PropertyResult {
  readonly machine: MachineModel['id'];
  readonly runs: number;
  readonly seed: number;
  readonly passed: boolean;
  readonly failure?: PropertyFailure;
  /** Counterexamples of other rules found by the further searches (each with its own seed). */
  readonly further?: readonly PropertyFailure[];
  /** Why the property could not run to the end, if it could not (time limit, adapter crash). */
  readonly error?: string;
  /** Transition IDs the model took in passing steps of any run, for coverage. */
  readonly covered: readonly string[];
}

/** Splits a replay path into fast-check's counterexample path and the commands' replay log. */
function splitPath(path: string): { path: string; replayPath?: string } {
  const at = path.indexOf('@');
  return at === -1 ? { path } : { path: path.slice(0, at), replayPath: path.slice(at + 1) };
}

/**
 * Long stretches of silence: an hour to three days, or just below, at and above the limits of
 * Node's timers (setTimeout fires at once beyond 2³¹−1 ms, about 24.9 days) and of 32-bit
 * counts (2³² ms). Every timer the pages define runs for seconds, so once those have run out
 * nothing may happen: no output, no change of state. That is a rule the pages imply, and one
 * that short advances never test; an implementation that keeps real timers for long periods,
 * counts time in 32 bits or lets a periodic timer run on while idle shows it only here. The
 * runner cuts an advance at the model's deadlines, so everything pending expires first. A
 * stretch costs one step (a virtual clock skips the silence), so it adds modelled time, not
 * wall time; the bench prints the modelled time with and without these stretches.
 */
const QUIET_PERIOD = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 3_600_000, max: 3 * 86_400_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32) },
);

function commandsFor(
  model: MachineModel,
  replayPath: string | undefined,
  withClock: boolean,
  realTime: boolean,
) {
  const longestTimer = Math.max(
    model.profile.timing.composingTimeoutMs,
    model.profile.timing.refreshPeriodMs,
    model.profile.timing.remoteIdleMs,
  );
  const stimulus = fc.nat({ max: 63 }).map((choice) => new StimulusCommand(choice));
  const short = fc.integer({
    min: 1,
    max: longestTimer + model.profile.timing.revertToleranceMs + 1,
  });
  // Listed twice: stimuli drive the model into new states, clock steps only wait there.
  const clock = [
    fc
      .oneof(
        { weight: 9, arbitrary: short },
        ...(realTime ? [] : [{ weight: 1, arbitrary: QUIET_PERIOD }]),
      )
      .map((ms) => new AdvanceCommand(ms)),
    fc.constantFrom(0 as const, -1 as const).map((offset) => new DeadlineCommand(offset)),
  ];
  const base = [stimulus, stimulus, ...(withClock ? clock : [])];
  const racing =
    model.id === 'mcuSession' ? [fc.scheduler().map((s) => new RacingCompletionsCommand(s))] : [];
  return fc.commands([...base, ...racing], {
    maxCommands: realTime ? REAL_TIME_MAX_COMMANDS : 60,
    size: 'large',
    ...(replayPath ? { replayPath } : {}),
  });
}

/** The requirement keys a failing case names; an adapter's own misbehaviour counts as one key. */
function failingRules(run: CaseRun): string[] {
  const failed = run.steps.find((step) => step.verdict === 'fail');
  const rules = failed?.failure?.requirements ?? [];
  return rules.length > 0 ? [...rules] : ['(adapter)'];
}

/**
 * Model-based property test: random sequences of stimuli and clock advances run against a
 * fresh system and the model side by side; a failure is shrunk to a minimal trace. Once one is
 * found, further searches (next seeds) look for counterexamples that fail other rules, so that
 * one bug does not hide the next.
 */
export async function runProperty(options: PropertyOptions): Promise<PropertyResult> {
  const { adapter, model, runs, seed, limits } = options;
  const declarations = options.declarations ?? resolveDeclarations(adapter.declarations);
  const start = (name: string) =>
    CaseRun.start({
      adapter,
      model,
      name,
      origin: 'property',
      declarations,
      ...(options.strict ? { strict: true } : {}),
      ...(limits ? { limits } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
  const realTime = options.clock?.kind === 'real';
  const types = options.stimulusTypes;
  const drivable = (snapshot: ModelSnapshot) => {
    const queries = model.queries(snapshot);
    return model
      .stimuli(snapshot)
      .filter(
        (stimulus) =>
          (!types || types.has(stimulus.type)) && declarations.supported(stimulus, queries),
      );
  };
  const withClock = !types || types.has('clock.advance');
  const replaying = options.path ? splitPath(options.path) : undefined;
  const covered = new Set<string>();

  /** One search; failures naming only rules in `known` count as passing runs. */
  const search = async (searchSeed: number, known: ReadonlySet<string> | undefined) => {
    const property = fc.asyncProperty(
      commandsFor(model, replaying?.replayPath, withClock, realTime),
      async (commands) => {
        const run = await start(`${model.id} property`);
        try {
          await fc.asyncModelRun(
            () => ({ model: { run, drivable }, real: { run, drivable } }),
            commands,
          );
        } catch (error) {
          if (!(error instanceof StepFailed) || !known) throw error;
          if (failingRules(run).some((rule) => !known.has(rule))) throw error;
        } finally {
          await run.close();
          for (const step of run.steps) {
            if (step.verdict === 'pass') for (const id of step.transitions) covered.add(id);
          }
          options.onCase?.(run.trace());
        }
      },
    );
    return fc.check(property, {
      numRuns: runs,
      seed: searchSeed,
      ...(replaying ? { path: replaying.path, endOnFailure: true } : {}),
      ...(realTime ? { endOnFailure: true } : {}),
      interruptAfterTimeLimit: 120_000,
    });
  };

  /** Runs a shrunk counterexample once more to record its trace. */
  const record = async (
    details: Awaited<ReturnType<typeof search>>,
  ): Promise<{ failure: PropertyFailure; rules: string[] } | undefined> => {
    const counterexample = details.counterexample?.[0];
    if (!counterexample || !details.counterexamplePath) return undefined;
    const run = await start(`${model.id} property counterexample`);
    try {
      for (const command of counterexample) {
        const harness = { run, drivable };
        if (!command.check(harness)) continue;
        try {
          await command.run(harness, harness);
        } catch {
          break;
        }
      }
    } finally {
      await run.close();
    }
    // The commands' replay log is only in their printed form: `cmd,cmd /*replayPath="..."*/`.
    const log = /\/\*replayPath="([^"]*)"\*\//.exec(String(counterexample))?.[1];
    const path = log ? `${details.counterexamplePath}@${log}` : details.counterexamplePath;
    const replay = options.replayCommand(details.seed, path);
    return {
      failure: { trace: run.trace(replay), path, replay, shrinks: details.numShrinks },
      rules: failingRules(run),
    };
  };

  const details = await search(seed, undefined);
  // What every outcome reports, passing or not.
  const outcome = () => ({ machine: model.id, runs: details.numRuns, seed, covered: [...covered] });
  if (!details.failed) return { ...outcome(), passed: true };
  const first = await record(details);
  if (!first) {
    return {
      ...outcome(),
      passed: false,
      error: details.interrupted
        ? 'The property was interrupted by its time limit before it finished.'
        : `The property failed without a counterexample: ${String(details.errorInstance)}`,
    };
  }
  const further: PropertyFailure[] = [];
  const satisfied = () =>
    options.searchUntil !== undefined &&
    [first.failure, ...further].some((failure) => options.searchUntil?.(failure.trace));
  if (!replaying && !satisfied()) {
    const known = new Set([...(options.knownFailing ?? []), ...first.rules]);
    const extraSearches = options.extraSearches ?? (realTime ? 0 : EXTRA_SEARCHES);
    for (let extra = 1; extra <= extraSearches; extra++) {
      const next = await search((seed + extra) % 2 ** 31, known);
      if (!next.failed) break;
      const found = await record(next);
      if (!found) break;
      // The recorded run may end on a known rule when the implementation is not deterministic.
      if (found.rules.every((rule) => known.has(rule))) break;
      further.push(found.failure);
      for (const rule of found.rules) known.add(rule);
      if (satisfied()) break;
    }
  }
  return {
    ...outcome(),
    passed: false,
    failure: first.failure,
    ...(further.length > 0 ? { further } : {}),
  };
}
