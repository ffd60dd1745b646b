import { formatOutput, type Stimulus } from '../machines/index.ts';
import type { Trace, TraceStep } from './trace.ts';

/** Plain-text rendering of traces and failures, shared by every text reporter. */

export function formatStimulus(stimulus: Stimulus): string {
  const { type, ...rest } = stimulus;
  const details = Object.entries(rest).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  return details.length > 0 ? `${type} ${details.join(' ')}` : type;
}

export function formatStep(step: TraceStep, index: number): string {
  const outputs = step.observed.map((timed) => `${formatOutput(timed.output)} @${timed.at}ms`);
  const mark = step.verdict === 'pass' ? ' ' : '✗';
  return `${mark} ${String(index + 1).padStart(2)}. t=${step.at}ms ${formatStimulus(step.stimulus)}${outputs.length > 0 ? ` → ${outputs.join(', ')}` : ''}`;
}

/** The failing step of a trace: what was expected, what was seen, and the whole trace. */
export function formatFailure(trace: Trace): string {
  const index = trace.steps.findIndex((step) => step.verdict === 'fail');
  const step = trace.steps[index];
  if (!step?.failure) return `${trace.name}: ${trace.verdict}`;
  const { failure } = step;
  const lines = [
    `${trace.name} (${trace.machine}, profile ${trace.profile.name}) failed at step ${index + 1}: ${formatStimulus(step.stimulus)}`,
    `  requirements: ${failure.requirements.length > 0 ? failure.requirements.join(', ') : '(none named)'}`,
    `  ${failure.message}`,
  ];
  if (failure.expected) {
    lines.push(
      `  expected outputs: ${failure.expected.outputs.map(formatOutput).join(', ') || '(none)'}`,
    );
    lines.push(
      `  observed outputs: ${step.observed.map((timed) => formatOutput(timed.output)).join(', ') || '(none)'}`,
    );
  }
  for (const output of failure.missing ?? []) lines.push(`  missing:    ${formatOutput(output)}`);
  for (const output of failure.unexpected ?? [])
    lines.push(`  unexpected: ${formatOutput(output)}`);
  for (const mismatch of failure.queryMismatches ?? []) {
    lines.push(`  ${mismatch.query}: expected ${mismatch.expected}, observed ${mismatch.observed}`);
  }
  lines.push('  trace:');
  trace.steps.forEach((s, i) => {
    lines.push(`    ${formatStep(s, i)}`);
  });
  if (trace.replay) lines.push(`  replay: ${trace.replay}`);
  return lines.join('\n');
}
