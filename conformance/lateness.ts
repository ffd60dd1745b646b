import type { Output } from '../machines/index.ts';
import type { Trace } from './trace.ts';

/** Lateness of one kind of output in a real-time run, in milliseconds. */
export interface LatenessFigures {
  /** The output, as reports print it. */
  readonly output: string;
  readonly count: number;
  readonly minMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
}

/** What a real-time run observed of the implementation's timing (`--clock real`). */
export interface RealTimeSummary {
  readonly jitterMs: number;
  /** Outputs of clock steps, by how long after their instant they arrived. */
  readonly timed: readonly LatenessFigures[];
  /** Outputs of stimuli, by how long after the stimulus they arrived. */
  readonly responses: readonly LatenessFigures[];
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** What an output is, without what it carries (bodies, message numbers, codes). */
function kindOf(output: Output): string {
  const head = 'name' in output ? output.name : output.kind;
  const detail = 'state' in output ? output.state : 'status' in output ? output.status : '';
  return `${output.channel} ${head}${detail ? ` ${detail}` : ''}`;
}

function figures(samples: Map<string, number[]>): LatenessFigures[] {
  return [...samples]
    .map(([output, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        output,
        count: sorted.length,
        minMs: round(sorted[0] ?? 0),
        medianMs: round(sorted[Math.floor((sorted.length - 1) / 2)] ?? 0),
        maxMs: round(sorted.at(-1) ?? 0),
      };
    })
    .sort((a, b) => a.output.localeCompare(b.output));
}

/**
 * The lateness of every output of passing steps: a clock step's outputs are due at its end, a
 * stimulus's at the stimulus. Settling steps are left out: what they catch belongs to no
 * instant of the model.
 */
export function realTimeSummary(traces: readonly Trace[], jitterMs: number): RealTimeSummary {
  const timed = new Map<string, number[]>();
  const responses = new Map<string, number[]>();
  for (const trace of traces) {
    for (const step of trace.steps) {
      if (step.verdict !== 'pass' || step.settling) continue;
      const due = step.at + (step.stimulus.type === 'clock.advance' ? step.stimulus.ms : 0);
      const into = step.stimulus.type === 'clock.advance' ? timed : responses;
      for (const { output, at } of step.observed) {
        // A refusal the adapter threw is stamped at its stimulus: it says nothing of timing.
        if (output.channel === 'error') continue;
        const label = kindOf(output);
        const list = into.get(label) ?? [];
        list.push(at - due);
        into.set(label, list);
      }
    }
  }
  return { jitterMs, timed: figures(timed), responses: figures(responses) };
}
