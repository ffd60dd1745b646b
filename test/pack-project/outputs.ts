// Written as an adapter author would, with the types `imflow/conformance` exports: a wrong
// field or channel here must be a type error in the author's project.
import type {
  Adapter,
  ApplicationEvent,
  Declarations,
  ErrorOutput,
  KitClock,
  MachineId,
  Output,
  Profile,
  ProfileOptions,
  Queries,
  Stimulus,
  SutContext,
  SystemUnderTest,
  TemplateSpec,
  WireOutput,
} from 'imflow/conformance';
import { defaultProfile } from 'imflow/machines';
import type { ConformanceSuiteOptions } from 'imflow/vitest';

export const established: Output = { channel: 'event', name: 'flowStateChanged', state: 'active' };
export const typing: Output = { channel: 'wire', kind: 'composing', state: 'typing' };
export const refused: Output = {
  channel: 'error',
  operation: 'app.send',
  kind: 'invalid-operation',
};
export const idle: Queries = { flowState: 'idle', localComposingState: 'idle' };
export const profile: Profile = defaultProfile;
export const declarations: Declarations = { unobservable: [{ channel: 'wire', kind: 'bye' }] };

export function describeStimulus(stimulus: Stimulus): string {
  return stimulus.type === 'clock.advance' ? `${stimulus.ms} ms` : stimulus.type;
}

export function idleSystem(clock: KitClock): SystemUnderTest {
  return {
    apply: () => undefined,
    query: () => ({ ...idle, flowState: clock.now() > 0 ? 'active' : 'idle' }),
  };
}

export const joined: ApplicationEvent = { channel: 'event', name: 'joinCompleted' };
export const bye: WireOutput = { channel: 'wire', kind: 'bye' };
export const invalid: ErrorOutput = {
  channel: 'error',
  operation: 'app.setIdle',
  kind: 'invalid-argument',
};
export const template: TemplateSpec = {
  consumptionMode: 'consumed-locally',
  composingTimeoutMs: 5000,
};
export const readings: ProfileOptions = defaultProfile.options;
export const machines: readonly MachineId[] = ['imFlow', 'mcuSession'];
export const suiteOptions: ConformanceSuiteOptions = { runs: 10, seed: 1 };

export const idleAdapter: Adapter = {
  name: 'idle',
  profile: 'basic',
  declarations,
  create: (context: SutContext) => idleSystem(context.clock),
};
