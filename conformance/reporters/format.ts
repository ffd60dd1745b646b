import { join } from 'node:path';
import { formatOutput, type Output, type Stimulus } from '../../machines/index.ts';
import type { RealTimeSummary } from '../lateness.ts';
import type { PropertyFailure } from '../properties.ts';
import type {
  MachineCoverage,
  MachineResult,
  ProfileResult,
  RequirementVerdictValue,
  TransitionCoverage,
} from '../results.ts';
import type { Trace, TraceStep } from '../trace.ts';

/** Shared text forms and selections used by the reporters and the replay commands. */

function value(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@+-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

/** One line for a stimulus, e.g. `app.send body=hi contentType=text/plain`, `clock.advance 3000 ms`. */
export function formatStimulus(stimulus: Stimulus): string {
  if (stimulus.type === 'clock.advance') return `clock.advance ${stimulus.ms} ms`;
  const details = Object.entries(stimulus)
    .filter(([key]) => key !== 'type')
    .map(([key, v]) => `${key}=${value(v)}`);
  return [stimulus.type, ...details].join(' ');
}

export function formatOutputs(outputs: readonly Output[]): string {
  return outputs.length === 0 ? '(nothing)' : outputs.map(formatOutput).join('; ');
}

/** The numbered lines of a trace, the failing step marked. */
export function traceLines(trace: Trace): string[] {
  return trace.steps.map((step, index) => {
    const observed = formatOutputs(step.observed.map((o) => o.output));
    const after = step.failure?.after;
    const mark =
      step.verdict !== 'fail' ? '' : after ? `  <-- FAILED (after step ${after})` : '  <-- FAILED';
    return `${index + 1}. [t=${step.at}] ${formatStimulus(step.stimulus)} -> ${observed}${mark}`;
  });
}

/** The first failing step of a trace, with its index. */
export function failingStep(trace: Trace): { index: number; step: TraceStep } | undefined {
  const index = trace.steps.findIndex((step) => step.verdict === 'fail');
  const step = trace.steps[index];
  return step ? { index, step } : undefined;
}

/** Why a failing case failed, in one sentence: the setup or the failing step's message. */
export function failureMessage(trace: Trace): string | undefined {
  return trace.setupFailure ?? failingStep(trace)?.step.failure?.message;
}

/** Where a case failed: its failing step, or before any step. */
export function failurePlace(trace: Trace): string {
  if (trace.setupFailure) return 'before the first step';
  const found = failingStep(trace);
  return found ? `step ${found.index + 1} of ${trace.steps.length}` : 'no failing step';
}

/**
 * The expected and observed outputs of a failing step as text. When both print the same
 * outputs (only their timing differs) each output shows its time: expected at the instant the
 * model makes it due (the end of a clock step), observed when the implementation reported it.
 */
export function expectedAndObserved(step: TraceStep): { expected?: string; observed: string } {
  const observedOutputs = step.observed.map((o) => o.output);
  const observed = formatOutputs(observedOutputs);
  const outputs = step.failure?.expected?.outputs;
  if (!outputs) return { observed };
  const expected = formatOutputs(outputs);
  if (expected !== observed || outputs.length === 0) return { expected, observed };
  const due = step.at + (step.stimulus.type === 'clock.advance' ? step.stimulus.ms : 0);
  return {
    expected: outputs.map((output) => `${formatOutput(output)} at t=${due}`).join('; '),
    observed: step.observed.map((o) => `${formatOutput(o.output)} at t=${o.at}`).join('; '),
  };
}

/** Detail lines of a failing step: the stimulus, the message, expected against observed. */
export function failureDetails(step: TraceStep): string[] {
  const lines = [`stimulus:   ${formatStimulus(step.stimulus)}`];
  const failure = step.failure;
  if (failure) lines.push(`problem:    ${failure.message}`);
  const { expected, observed } = expectedAndObserved(step);
  if (expected !== undefined) lines.push(`expected:   ${expected}`);
  lines.push(`observed:   ${observed}`);
  if (failure?.missing && failure.missing.length > 0) {
    lines.push(`missing:    ${formatOutputs(failure.missing)}`);
  }
  if (failure?.unexpected && failure.unexpected.length > 0) {
    lines.push(`unexpected: ${formatOutputs(failure.unexpected)}`);
  }
  for (const mismatch of failure?.queryMismatches ?? []) {
    lines.push(
      `query ${mismatch.query}: expected ${mismatch.expected}, observed ${mismatch.observed}`,
    );
  }
  return lines;
}

/**
 * The failures of a case after its first one (the case went on from the model state the
 * observation left), each headed by where it came and the rules it names, then its details.
 */
export function laterFailureLines(trace: Trace): string[] {
  const lines: string[] = [];
  trace.steps.forEach((step, index) => {
    if (step.verdict !== 'fail' || step.failure?.after === undefined) return;
    const rules = step.failure.requirements.join(', ') || '(none named)';
    lines.push(
      `then step ${index + 1} (after the failure at step ${step.failure.after}): ${rules}`,
    );
    lines.push(...failureDetails(step).map((line) => `  ${line}`));
  });
  return lines;
}

/** Every requirement a case's failing steps name, first failure and later ones, sorted. */
export function blamedInCase(trace: Trace): readonly string[] {
  const rules = trace.steps.flatMap((step) =>
    step.verdict === 'fail' ? (step.failure?.requirements ?? []) : [],
  );
  return [...new Set(rules)].sort();
}

export interface FailingCase {
  readonly machine: MachineResult;
  readonly trace: Trace;
  /** Set for a property counterexample. */
  readonly property?: PropertyFailure;
  /** Other failing cases that name the same rules, left out for this, the shortest one. */
  readonly alsoIn: readonly string[];
}

/** What makes two failures the same: the machine and the rules named (or, if none, the message). */
function failureKey(machine: MachineResult, trace: Trace): string {
  const rules = blamedInCase(trace);
  const what =
    rules.length > 0 ? [...rules].sort().join(',') : `(adapter) ${failureMessage(trace) ?? ''}`;
  return `${machine.machine}|${what}`;
}

/**
 * Every failing test case of a profile, duplicates included: failing path cases, then property
 * counterexamples (first and further ones). The json reporter writes each one as a trace.
 */
export function everyFailingCase(profile: ProfileResult): Omit<FailingCase, 'alsoIn'>[] {
  const all: Omit<FailingCase, 'alsoIn'>[] = [];
  for (const machine of profile.machines) {
    for (const trace of machine.pathCases)
      if (trace.verdict === 'fail') all.push({ machine, trace });
    const property = machine.property;
    for (const failure of property?.failure ? [property.failure, ...(property.further ?? [])] : [])
      all.push({ machine, trace: failure.trace, property: failure });
  }
  return all;
}

/**
 * Every distinct failure of a profile, once, with its shortest trace: failing path cases, then
 * property counterexamples (first and further ones). Cases naming the same rules are folded
 * into the shortest, listed in `alsoIn`.
 */
export function failingCases(profile: ProfileResult): FailingCase[] {
  const all = everyFailingCase(profile);
  const groups = new Map<string, Omit<FailingCase, 'alsoIn'>[]>();
  for (const failing of all) {
    const key = failureKey(failing.machine, failing.trace);
    groups.set(key, [...(groups.get(key) ?? []), failing]);
  }
  return [...groups.values()].map((group) => {
    const shortest = group.reduce((best, next) =>
      next.trace.steps.length < best.trace.steps.length ? next : best,
    );
    return {
      ...shortest,
      alsoIn: group.filter((other) => other !== shortest).map((other) => other.trace.name),
    };
  });
}

/** One line per advisory: the rule, the transition that carried it, where it was seen. */
export function advisoryLines(profile: ProfileResult): string[] {
  return profile.advisories.map(
    (a) =>
      `${a.requirement} (${a.transition}): ${a.case}, step ${a.step}${a.strict ? ' (a failure under --strict)' : ''}`,
  );
}

/** Requirement IDs a failing case names (empty when the adapter itself misbehaved). */
export function blamed(trace: Trace): readonly string[] {
  return failingStep(trace)?.step.failure?.requirements ?? [];
}

/** A file name made of the profile and test case names: lowercase letters, digits and dashes. */
export function traceFileName(profile: string, trace: Trace): string {
  const slug = `${profile}-${trace.name}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${slug || 'trace'}.json`;
}

/** Where the json reporter writes a failing trace. */
export function tracePath(outDir: string, profile: string, trace: Trace): string {
  return join(outDir, 'traces', traceFileName(profile, trace));
}

/** The replay command of a trace, with the placeholder replaced by the file that holds it. */
export function replayFor(trace: Trace, file: string | undefined): string | undefined {
  if (!trace.replay) return undefined;
  if (!trace.replay.includes('<trace.json>')) return trace.replay;
  return file ? trace.replay.replace('<trace.json>', file) : undefined;
}

export type CoverageCounts = Record<TransitionCoverage, number> & { total: number };

export function coverageCounts(coverage: MachineCoverage): CoverageCounts {
  const counts: CoverageCounts = {
    total: 0,
    covered: 0,
    failed: 0,
    'not-claimed': 0,
    'other-reading': 0,
    'not-chosen': 0,
    'not-reached': 0,
  };
  for (const status of Object.values(coverage.transitions)) {
    counts[status]++;
    counts.total++;
  }
  return counts;
}

/**
 * Covered transitions as a share of those this implementation had to take: all, less those the
 * profile does not claim, those of another reading and those it was free not to choose.
 * Undefined when none is left.
 */
export function coveragePercent(counts: CoverageCounts): number | undefined {
  const relevant =
    counts.total - counts['not-claimed'] - counts['other-reading'] - counts['not-chosen'];
  return relevant > 0 ? (100 * counts.covered) / relevant : undefined;
}

/**
 * The coverage with its base: "40 covered of the 40 the profile requires (100.0%)". The base
 * leaves out the transitions the profile does not claim, those of another reading, and those
 * the implementation was free not to choose.
 */
export function coverageSentence(counts: CoverageCounts): string {
  const required =
    counts.total - counts['not-claimed'] - counts['other-reading'] - counts['not-chosen'];
  const percent = coveragePercent(counts);
  return `${counts.covered} transitions covered of the ${required} the profile requires${percent === undefined ? '' : ` (${percent.toFixed(1)}%)`}`;
}

export type VerdictCounts = Record<RequirementVerdictValue, number>;

export function verdictCounts(profile: ProfileResult): VerdictCounts {
  const counts: VerdictCounts = { pass: 0, advisory: 0, fail: 0, inconclusive: 0, untestable: 0 };
  for (const verdict of profile.requirements) counts[verdict.verdict]++;
  return counts;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** A failing trace as one block of text: where it failed, why, the trace, the replay command. */
export function formatFailure(trace: Trace): string {
  const found = failingStep(trace);
  const lines = [
    `${trace.name} (${trace.machine}, profile ${trace.profile.name}) failed ${failurePlace(trace)}`,
  ];
  if (trace.setupFailure) lines.push(`problem:    ${trace.setupFailure}`);
  if (found) {
    lines.push(`requirements: ${blamed(trace).join(', ') || '(none named)'}`);
    lines.push(...failureDetails(found.step));
    lines.push(...laterFailureLines(trace));
  }
  lines.push('trace:', ...traceLines(trace).map((line) => `  ${line}`));
  if (trace.replay) lines.push(`replay: ${trace.replay}`);
  return lines.join('\n');
}

/** The lateness a real-time run observed, one line per kind of output. */
export function realTimeLines(summary: RealTimeSummary): string[] {
  const rows = (title: string, figures: RealTimeSummary['timed']) =>
    figures.length === 0
      ? []
      : [
          `  ${title} (ms: min / median / max, count)`,
          ...figures.map(
            (f) => `    ${f.output}: ${f.minMs} / ${f.medianMs} / ${f.maxMs}, ${f.count}`,
          ),
        ];
  return [
    `Real time: outputs awaited up to ${summary.jitterMs} ms after their instant (--jitter-ms).`,
    ...rows('Timed outputs, after the instant they were due', summary.timed),
    ...rows('Answers to stimuli, after the stimulus', summary.responses),
  ];
}
