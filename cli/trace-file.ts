import { outputShapeProblem, queriesProblem } from '../conformance/output-shape.ts';
import { assertTraceShape, type Trace, TraceFormatError } from '../conformance/trace.ts';
import {
  builtInProfiles,
  createModels,
  findBuiltInProfile,
  type MachineModel,
  type Profile,
  ProfileError,
  parseProfile,
} from '../machines/index.ts';
import { UsageError } from './io.ts';
import { readJsonFile } from './json-file.ts';

export interface LoadedTrace {
  readonly trace: Trace;
  readonly profile: Profile;
  readonly model: MachineModel;
}

/**
 * Reads a trace file for `replay` and `verify-trace`: valid JSON, the trace shape, outputs and
 * state readings of the model's alphabet, and a usable profile (a built-in name or a profile
 * object). Every problem is a UsageError that names the file and where in it.
 */
export async function readTraceFile(file: string): Promise<LoadedTrace> {
  const data = await readJsonFile(file, 'trace file');
  try {
    assertTraceShape(data, file);
  } catch (error) {
    if (error instanceof TraceFormatError) throw new UsageError(`Malformed trace ${error.message}`);
    throw error;
  }
  const trace = data;
  trace.steps.forEach((step, index) => {
    const where = `${file}: steps[${index}]`;
    const { stimulus } = step;
    if (stimulus.type === 'clock.advance') {
      const ms: unknown = stimulus.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new UsageError(
          `Malformed trace ${where}.stimulus.ms must be a non-negative number of milliseconds, got ${JSON.stringify(ms)}.`,
        );
      }
    }
    step.observed.forEach((timed, j) => {
      const problem = outputShapeProblem(timed.output);
      if (problem) throw new UsageError(`Malformed trace ${where}.observed[${j}]: ${problem}.`);
    });
    const problem = step.queries === undefined ? undefined : queriesProblem(step.queries);
    if (problem)
      throw new UsageError(
        `Malformed trace ${where}.queries: ${problem.replace('query()', 'queries')}.`,
      );
  });
  const profile = traceProfile(trace.profile as unknown, file);
  const model = createModels(profile).find((m) => m.id === trace.machine);
  if (!model) throw new UsageError(`${file}: the model has no machine "${trace.machine}".`);
  return { trace, profile, model };
}

function traceProfile(value: unknown, file: string): Profile {
  if (value === undefined) {
    throw new UsageError(
      `Malformed trace ${file}: "profile" is missing; give a built-in profile name (${builtInProfiles.map((p) => p.name).join(', ')}) or a profile object.`,
    );
  }
  if (typeof value === 'string') {
    const found = findBuiltInProfile(value);
    if (found) return found;
    throw new UsageError(
      `Malformed trace ${file}: "profile" is "${value}", not a built-in profile (${builtInProfiles.map((p) => p.name).join(', ')}); embed the profile object instead.`,
    );
  }
  try {
    return parseProfile(value, `${file}: profile`);
  } catch (error) {
    if (error instanceof ProfileError) throw new UsageError(`Malformed trace: ${error.message}`);
    throw error;
  }
}
