import { outputSchemaProblem } from '../conformance/isolation/validate.ts';
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

/** Every stimulus type of the alphabet and the machine it drives. */
const STIMULI: Readonly<Record<string, 'imFlow' | 'mcuSession' | 'both'>> = {
  'app.establish': 'imFlow',
  'app.initialize': 'imFlow',
  'app.send': 'imFlow',
  'app.setComposing': 'imFlow',
  'app.setIdle': 'imFlow',
  'app.deliverySuccess': 'imFlow',
  'app.deliveryFailure': 'imFlow',
  'app.terminate': 'imFlow',
  'remote.message': 'imFlow',
  'remote.typing': 'imFlow',
  'remote.idle': 'imFlow',
  'remote.deliveryNotification': 'imFlow',
  'remote.bye': 'imFlow',
  'conf.join': 'mcuSession',
  'conf.leave': 'mcuSession',
  'server.joinCompleted': 'mcuSession',
  'server.mcuActivated': 'mcuSession',
  'server.mcuFailover': 'mcuSession',
  'server.focusReconnecting': 'mcuSession',
  'server.failoverCompleted': 'mcuSession',
  'server.focusReconnected': 'mcuSession',
  'clock.advance': 'both',
};

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
    const machineOf = STIMULI[stimulus.type];
    if (machineOf === undefined) {
      throw new UsageError(
        `Malformed trace ${where}.stimulus.type is ${JSON.stringify(stimulus.type).slice(0, 80)}, not a stimulus of the model; ${trace.machine} knows ${Object.keys(
          STIMULI,
        )
          .filter((type) => [trace.machine, 'both'].includes(STIMULI[type] as string))
          .join(', ')}.`,
      );
    }
    if (machineOf !== 'both' && machineOf !== trace.machine) {
      throw new UsageError(
        `Malformed trace ${where}.stimulus.type is "${stimulus.type}", a stimulus of the ${machineOf} machine, but "machine" is "${trace.machine}".`,
      );
    }
    const at: unknown = step.at;
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at) || at < 0)) {
      throw new UsageError(
        `Malformed trace ${where}.at must be a non-negative number of milliseconds, got ${JSON.stringify(at)}.`,
      );
    }
    if (stimulus.type === 'clock.advance') {
      const ms: unknown = stimulus.ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
        throw new UsageError(
          `Malformed trace ${where}.stimulus.ms must be a non-negative number of milliseconds, got ${JSON.stringify(ms)}.`,
        );
      }
    }
    step.observed.forEach((timed, j) => {
      const problem =
        outputShapeProblem(timed.output) ??
        outputSchemaProblem(timed.output, `${where}.observed[${j}].output`);
      if (problem) throw new UsageError(`Malformed trace ${where}.observed[${j}]: ${problem}.`);
      const outputAt: unknown = timed.at;
      if (
        outputAt !== undefined &&
        (typeof outputAt !== 'number' || !Number.isFinite(outputAt) || outputAt < 0)
      ) {
        throw new UsageError(
          `Malformed trace ${where}.observed[${j}].at must be a non-negative number of milliseconds, got ${JSON.stringify(outputAt)}.`,
        );
      }
    });
    const problem = step.queries === undefined ? undefined : queriesProblem(step.queries);
    if (problem)
      throw new UsageError(
        `Malformed trace ${where}.queries: ${problem.replace('query()', 'queries')}.`,
      );
  });
  const profile = traceProfile(trace.profile as unknown, file);
  if (trace.steps.length === 0) {
    throw new UsageError(
      `Malformed trace ${file}: "steps" is empty; a trace to judge needs at least one step.`,
    );
  }

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
