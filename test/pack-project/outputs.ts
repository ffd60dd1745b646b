// Written as an adapter author would, with the types `imflow/conformance` exports: a wrong
// field or channel here must be a type error in the author's project.
import type {
  Declarations,
  KitClock,
  Output,
  Profile,
  Queries,
  Stimulus,
  SystemUnderTest,
} from 'imflow/conformance';
import { defaultProfile } from 'imflow/machines';

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
