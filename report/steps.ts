import { blamed, type FailingCase, formatStimulus } from '../conformance/reporters/format.ts';
import { stepEvents, type Trace, type TraceStep } from '../conformance/trace.ts';
import { formatOutput, type MachineModel, type ModelSnapshot } from '../machines/index.ts';

/**
 * A failing test case as the page's trace stepper shows it: every step in words, and the
 * states of the model after it, found by replaying the model along the trace.
 */

export interface StepView {
  /** Virtual time when the stimulus was applied. */
  readonly at: number;
  readonly stimulus: string;
  readonly verdict: 'pass' | 'fail';
  readonly observed: readonly { readonly output: string; readonly at: number }[];
  /** State readings the implementation gave after the step. */
  readonly queries: Readonly<Record<string, string>>;
  /** Model transitions taken (on a failing step: those the model expected). */
  readonly transitions: readonly string[];
  /** The model's moves, when the implementation chose among several. */
  readonly branch?: readonly string[];
  /** Active states of the model after the step (on a failing step: those it expected). */
  readonly active: readonly string[];
  readonly failure?: {
    readonly message: string;
    readonly requirements: readonly string[];
    readonly expected?: readonly string[];
    readonly expectedQueries?: Readonly<Record<string, string>>;
    readonly missing?: readonly string[];
    readonly unexpected?: readonly string[];
    readonly queryMismatches?: readonly {
      readonly query: string;
      readonly expected: string;
      readonly observed: string;
    }[];
  };
}

export interface FailureView {
  /** Unique in the page, e.g. `f3`. */
  readonly key: string;
  /** The id prefix of the diagram the stepper highlights. */
  readonly diagram: string;
  /** The view of the diagram shown when the case is selected (`imFlow.localComposing`). */
  readonly view: string;
  readonly name: string;
  readonly origin: Trace['origin'];
  readonly machine: Trace['machine'];
  readonly profile: string;
  /** Requirement IDs the failing step names (empty when the adapter itself misbehaved). */
  readonly blamed: readonly string[];
  /** Index in `steps` of the failing step, or -1 (a counterexample that passed again). */
  readonly failingStep: number;
  /** Active states before the first step. */
  readonly initial: readonly string[];
  readonly steps: readonly StepView[];
  readonly replay?: string;
  /** For a property counterexample: how often fast-check shrank it. */
  readonly shrinks?: number;
}

function plainRecord(record: object): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) result[key] = String(value);
  }
  return result;
}

/**
 * The active states after each step, replaying the model from its initial snapshot. A failing
 * step moves the model as it expected; a step the model cannot take leaves it where it was.
 */
export function replayActiveStates(
  model: MachineModel,
  trace: Trace,
): { initial: string[]; after: string[][] } {
  let snapshot: ModelSnapshot = model.initial();
  const initial = [...model.activeStates(snapshot)];
  const after: string[][] = [];
  for (const step of trace.steps) {
    try {
      let next = snapshot;
      for (const event of stepEvents(step)) next = model.step(next, event).snapshot;
      snapshot = next;
    } catch {
      // A recorded step the model does not know: the states stay as they were.
    }
    after.push([...model.activeStates(snapshot)]);
  }
  return { initial, after };
}

function stepView(step: TraceStep, active: readonly string[]): StepView {
  const failure = step.failure;
  return {
    at: step.at,
    stimulus: formatStimulus(step.stimulus),
    verdict: step.verdict,
    observed: step.observed.map((timed) => ({ output: formatOutput(timed.output), at: timed.at })),
    queries: plainRecord(step.queries ?? {}),
    transitions: step.transitions ?? [],
    ...(step.branch ? { branch: step.branch } : {}),
    active,
    ...(failure
      ? {
          failure: {
            message: failure.message,
            requirements: failure.requirements,
            ...(failure.expected
              ? {
                  expected: failure.expected.outputs.map(formatOutput),
                  expectedQueries: plainRecord(failure.expected.queries),
                }
              : {}),
            ...(failure.missing ? { missing: failure.missing.map(formatOutput) } : {}),
            ...(failure.unexpected ? { unexpected: failure.unexpected.map(formatOutput) } : {}),
            ...(failure.queryMismatches ? { queryMismatches: failure.queryMismatches } : {}),
          },
        }
      : {}),
  };
}

/** The stepper's view of one failing case. */
export function failureView(
  failing: FailingCase,
  model: MachineModel,
  keys: { key: string; diagram: string; view: string; profile: string; replay?: string },
): FailureView {
  const { trace, property } = failing;
  const { initial, after } = replayActiveStates(model, trace);
  return {
    key: keys.key,
    diagram: keys.diagram,
    view: keys.view,
    name: trace.name,
    origin: trace.origin,
    machine: trace.machine,
    profile: keys.profile,
    blamed: blamed(trace),
    failingStep: trace.steps.findIndex((step) => step.verdict === 'fail'),
    initial,
    steps: trace.steps.map((step, index) => stepView(step, after[index] ?? [])),
    ...(keys.replay ? { replay: keys.replay } : {}),
    ...(property ? { shrinks: property.shrinks } : {}),
  };
}
