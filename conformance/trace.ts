import {
  branchEvent,
  type ModelEvent,
  type Output,
  type Profile,
  type Queries,
  type Stimulus,
} from '../machines/index.ts';
import type { Declarations } from './adapter.ts';
import { declarationsProblems } from './declarations.ts';
import type { Advisory } from './oracle.ts';

/** The portable record of one test case: enough to replay it or to judge it again offline. */
export const TRACE_FORMAT = 'imflow-trace/1';

export interface TimedOutput {
  readonly output: Output;
  /** Virtual time at which the implementation reported it. */
  readonly at: number;
}

export interface StepFailure {
  readonly message: string;
  readonly requirements: readonly string[];
  readonly expected?: { readonly outputs: readonly Output[]; readonly queries: Queries };
  readonly missing?: readonly Output[];
  readonly unexpected?: readonly Output[];
  readonly queryMismatches?: readonly { query: string; expected: string; observed: string }[];
  /** Set when the step failed only because `--strict` makes its advisories failures. */
  readonly strict?: true;
  /**
   * Set on a failure that came after an earlier one in the same case: the 1-based number of
   * the first failing step. The case went on from a model state consistent with what was
   * observed there (see `TraceStep.continuation`).
   */
  readonly after?: number;
}

export interface TraceStep {
  readonly stimulus: Stimulus;
  /** Virtual time when the stimulus was applied. */
  readonly at: number;
  readonly observed: readonly TimedOutput[];
  readonly queries: Queries;
  readonly verdict: 'pass' | 'fail';
  /** Transitions the model took (its IDs), and how it resolved an implementation's choice. */
  readonly transitions: readonly string[];
  readonly branch?: readonly string[];
  /** Should-rules the implementation departed from in this step, where the model allows it. */
  readonly advisories?: readonly Advisory[];
  readonly failure?: StepFailure;
  /**
   * On a failing step the case went on from: the model events (`branchName` of each) that
   * lead to the model state consistent with what was observed; empty when the step had no
   * effect on the model. Absent on a failing step that ended its case.
   */
  readonly continuation?: readonly string[];
  /**
   * A step the kit added in real time (`--clock real`): after a stimulus or a deadline, the
   * model's time moves on by the window in which the outputs of that step were still awaited.
   */
  readonly settling?: true;
}

/**
 * How much before its instant a real-time output still counts as on time. An implementation's
 * timer starts when its stimulus arrives, after the kit sent it, so it falls due late, never
 * early; but a host's timers are set from a loop time read at the start of the loop's turn,
 * which on a busy loop lags the monotonic clock: they fire about a millisecond early as a rule,
 * and a few on a loaded machine. (The kit's own real-time clock never fires early.)
 */
export const EARLY_TOLERANCE_MS = 5;

/**
 * The outputs of a clock step reported before it ended, when what time obliges is due: early,
 * unless the model allows them there. In real time, within the early tolerance is on time.
 */
export function earlyOutputs(
  observed: readonly TimedOutput[],
  end: number,
  realTime: boolean,
): TimedOutput[] {
  const tolerance = realTime ? EARLY_TOLERANCE_MS : 0;
  return observed.filter((timed) => timed.at < end - tolerance);
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

export interface Trace {
  readonly format: typeof TRACE_FORMAT;
  readonly name: string;
  readonly origin: 'path' | 'property' | 'recorded' | 'replay';
  readonly machine: 'imFlow' | 'mcuSession';
  readonly profile: Profile;
  /** The name of the adapter that recorded it. */
  readonly adapter?: string;
  /** Recorded on the wire (`check --wire`): the kit observed the wire outputs itself. */
  readonly onTheWire?: true;
  /** Recorded in real time (`check --clock real`), with the tolerance it was judged with. */
  readonly realTime?: { readonly jitterMs: number };
  /**
   * The adapter module the run loaded, as the command line named it (relative to the
   * directory the run started in); absent for the bundled reference adapter. `imflow replay`
   * loads it when no `--adapter` is given.
   */
  readonly adapterModule?: string;
  /** What the adapter declared it cannot observe or be driven with; judged accordingly. */
  readonly declarations?: Declarations;
  readonly steps: readonly TraceStep[];
  readonly verdict: Verdict;
  /** Set when no step could run: the system under test could not be created. */
  readonly setupFailure?: string;
  /** For inconclusive cases: why the case could not decide. */
  readonly reason?: string;
  /** The shell command that reproduces this case. */
  readonly replay?: string;
  /**
   * What the adapter did that no step could judge: outputs after dispose(), a dispose() that
   * threw, errors raised where nothing awaited them. Shown with the case; they do not fail it.
   */
  readonly notes?: readonly string[];
}

/**
 * The model events a recorded step stands for, in order: its branch when the implementation
 * chose one (a spontaneous move, or an allowed way of handling the stimulus), else its stimulus.
 */
export function stepEvents(
  step: Pick<TraceStep, 'stimulus' | 'branch' | 'continuation'>,
): ModelEvent[] {
  return (step.continuation ?? step.branch ?? [step.stimulus.type]).map((name) =>
    branchEvent(step.stimulus, name),
  );
}

export class TraceFormatError extends Error {
  override name = 'TraceFormatError';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of a trace read from a file, naming the first problem and where it is.
 * Recorded traces need only `format`, `machine`, `profile` and steps with `stimulus`,
 * `observed` and `queries`; everything a judgement adds is optional.
 */
export function assertTraceShape(data: unknown, origin: string): asserts data is Trace {
  const fail = (what: string): never => {
    throw new TraceFormatError(`${origin}: ${what}`);
  };
  if (!isRecord(data)) fail('a trace must be a JSON object.');
  const trace = data as Record<string, unknown>;
  if (trace.format !== TRACE_FORMAT)
    fail(`"format" must be "${TRACE_FORMAT}", got ${JSON.stringify(trace.format)}.`);
  if (trace.machine !== 'imFlow' && trace.machine !== 'mcuSession') {
    fail(`"machine" must be "imFlow" or "mcuSession", got ${JSON.stringify(trace.machine)}.`);
  }
  if (trace.adapterModule !== undefined && typeof trace.adapterModule !== 'string')
    fail(`"adapterModule" must be a module path, got ${JSON.stringify(trace.adapterModule)}.`);
  if (!Array.isArray(trace.steps)) fail('"steps" must be an array.');
  const problems = declarationsProblems(trace.declarations);
  if (problems.length > 0) fail(`"declarations" are invalid: ${problems.join(' ')}`);
  (trace.steps as unknown[]).forEach((step, index) => {
    if (!isRecord(step)) fail(`steps[${index}] must be an object.`);
    const s = step as Record<string, unknown>;
    if (!isRecord(s.stimulus) || typeof s.stimulus.type !== 'string') {
      fail(`steps[${index}].stimulus must be an object with a "type".`);
    }
    if (!Array.isArray(s.observed))
      fail(`steps[${index}].observed must be an array of {output, at}.`);
    for (const [j, timed] of (s.observed as unknown[]).entries()) {
      if (!isRecord(timed) || !isRecord(timed.output) || typeof timed.output.channel !== 'string') {
        fail(`steps[${index}].observed[${j}] must be {output: {channel, ...}, at}.`);
      }
    }
    if (s.queries !== undefined && !isRecord(s.queries))
      fail(`steps[${index}].queries must be an object.`);
  });
}
