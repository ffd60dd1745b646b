import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { commandDetails } from '../cli/help.ts';
import { createCli } from '../cli/main.ts';
import { defaultProfile } from '../machines/index.ts';
import { runSuite } from './suite.ts';
import refusesNothing from './test-adapters/refuses-nothing.ts';
import { mcuStuckRetrying } from './test-adapters/wrong.ts';
import type { Trace } from './trace.ts';
import { traceSchema } from './trace-schema.ts';

const validate = new Ajv2020({ allErrors: true, strict: true }).compile(traceSchema);

function problems(data: unknown): string {
  return validate(data) ? '' : JSON.stringify(validate.errors, null, 1);
}

/** A trace as a file holds it. */
const asFile = (trace: Trace): unknown => JSON.parse(JSON.stringify(trace));

let traces: Trace[];

beforeAll(async () => {
  const runs = await Promise.all(
    [referenceAdapter, refusesNothing, mcuStuckRetrying].map((adapter) =>
      runSuite({ adapter, profiles: [defaultProfile], seed: 3, runs: 5 }),
    ),
  );
  traces = runs.flatMap((run) =>
    run.profiles.flatMap((p) =>
      p.machines.flatMap((m) => [
        ...m.pathCases,
        ...(m.property?.failure ? [m.property.failure.trace] : []),
      ]),
    ),
  );
}, 60_000);

describe('the JSON Schema of traces', () => {
  it('accepts every trace the kit records, passing and failing, path and property', () => {
    expect(traces.some((t) => t.verdict === 'fail')).toBe(true);
    expect(traces.some((t) => t.origin === 'property')).toBe(true);
    expect(traces.some((t) => t.machine === 'mcuSession')).toBe(true);
    for (const trace of traces) expect(problems(asFile(trace)), trace.name).toBe('');
  });

  it('accepts a trace that names its profile, and one with the adapter module recorded', () => {
    const trace = asFile(traces[0] as Trace) as Record<string, unknown>;
    expect(problems({ ...trace, profile: defaultProfile.name, adapterModule: './a.ts' })).toBe('');
  });

  it('refuses what replay and verify-trace refuse', () => {
    const trace = asFile(traces[0] as Trace) as Record<string, unknown> & { steps: unknown[] };
    const step = trace.steps[0] as Record<string, unknown>;
    const withStep = (change: Record<string, unknown>) => ({
      ...trace,
      steps: [{ ...step, ...change }],
    });
    expect(problems({ ...trace, format: 'imflow-trace/0' })).toMatch(/format/);
    expect(problems({ ...trace, machine: 'phone' })).toMatch(/machine/);
    const { steps: _, ...noSteps } = trace;
    expect(problems(noSteps)).toMatch(/steps/);
    expect(problems(withStep({ stimulus: { type: 'app.dance' } }))).not.toBe('');
    expect(problems(withStep({ stimulus: { type: 'clock.advance' } }))).toMatch(/ms/);
    expect(
      problems(withStep({ observed: [{ output: { channel: 'wire', kind: 'invite' }, at: 0 }] })),
    ).not.toBe('');
    expect(problems(withStep({ queries: { flowState: 'open' } }))).toMatch(/flowState/);
  });

  it('accepts the example trace that `imflow verify-trace --help` shows', () => {
    createCli({ out: () => undefined, err: () => undefined, interactive: false }, () => undefined);
    const help = commandDetails('verify-trace') ?? '';
    const example = help.slice(help.indexOf('{'), help.lastIndexOf('}') + 1);
    // The help annotates fields in parentheses; the file has none.
    const json = example.replace(/ {2,}\([^)]*\)$/gm, '');
    expect(problems(JSON.parse(json))).toBe('');
  });
});
