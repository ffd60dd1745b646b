/**
 * Shared helpers of the machines' tests: a driver that steps a model and moves virtual time
 * without ever crossing a deadline, output constructors, and profile variants.
 */
import type {
  ComposingState,
  ErrorKind,
  FlowState,
  McuState,
  ModelEvent,
  Output,
  Queries,
  Stimulus,
  TemplateSpec,
} from './alphabet.ts';
import type { TransitionMeta } from './meta.ts';
import { createModels, type MachineModel, type ModelSnapshot } from './model.ts';
import { type Options, type Profile, parseProfile, type Timing } from './profile.ts';

export function flowModel(profile: Profile): MachineModel {
  const model = createModels(profile).find((candidate) => candidate.id === 'imFlow');
  if (!model) throw new Error('createModels returned no imFlow model');
  return model;
}

export function mcuModel(profile: Profile): MachineModel {
  const model = createModels(profile).find((candidate) => candidate.id === 'mcuSession');
  if (!model) throw new Error('createModels returned no mcuSession model');
  return model;
}

/** A built-in profile with some options or timings changed, through the public parser. */
export function variant(
  base: Profile,
  changes: { options?: Partial<Options>; timing?: Partial<Timing> },
): Profile {
  return parseProfile({ extends: base.name, ...changes });
}

/** One applied event, with the virtual time at which it was applied. */
export interface Step {
  readonly atMs: number;
  readonly event: ModelEvent;
  readonly outputs: readonly Output[];
  readonly transitions: readonly TransitionMeta[];
}

/** What a group of steps produced, in order. */
export interface Outcome {
  readonly outputs: readonly Output[];
  readonly transitions: readonly TransitionMeta[];
  readonly steps: readonly Step[];
}

function outcomeOf(steps: readonly Step[]): Outcome {
  return {
    outputs: steps.flatMap((step) => step.outputs),
    transitions: steps.flatMap((step) => step.transitions),
    steps,
  };
}

/** Drives one model through `step`, keeping the snapshot and a virtual clock. */
export class Driver {
  snapshot: ModelSnapshot;
  nowMs = 0;
  readonly log: Step[] = [];

  constructor(readonly model: MachineModel) {
    this.snapshot = model.initial();
  }

  /** Applies one event (a clock step must not cross the next deadline). */
  step(event: ModelEvent): Outcome {
    if (event.type === 'clock.advance') {
      const deadline = this.model.nextDeadlineMs(this.snapshot);
      if (deadline !== null && event.ms > deadline) {
        throw new Error(`clock step of ${event.ms} ms crosses the deadline at ${deadline} ms`);
      }
      this.nowMs += event.ms;
    }
    const result = this.model.step(this.snapshot, event);
    this.snapshot = result.snapshot;
    const step: Step = {
      atMs: this.nowMs,
      event,
      outputs: result.outputs,
      transitions: result.transitions,
    };
    this.log.push(step);
    return outcomeOf([step]);
  }

  /** Applies several events in order. */
  steps(...events: ModelEvent[]): Outcome {
    return outcomeOf(events.flatMap((event) => this.step(event).steps));
  }

  /** Moves virtual time forward by `totalMs`, in clock steps split at every deadline. */
  advance(totalMs: number): Outcome {
    const taken: Step[] = [];
    let remaining = totalMs;
    this.expectNoExpiredTimer();
    while (remaining > 0) {
      const deadline = this.model.nextDeadlineMs(this.snapshot);
      this.expectNoExpiredTimer();
      const ms = deadline === null ? remaining : Math.min(remaining, deadline);
      taken.push(...this.step({ type: 'clock.advance', ms }).steps);
      remaining -= ms;
    }
    return outcomeOf(taken);
  }

  /** Moves virtual time to the absolute instant `atMs` (not backwards). */
  advanceTo(atMs: number): Outcome {
    if (atMs < this.nowMs) throw new Error(`cannot go back from ${this.nowMs} to ${atMs} ms`);
    return this.advance(atMs - this.nowMs);
  }

  /** A deadline at zero or below is a timer that expired without being handled. */
  private expectNoExpiredTimer(): void {
    const deadline = this.model.nextDeadlineMs(this.snapshot);
    if (deadline !== null && deadline <= 0) {
      throw new Error(`a timer stands at ${deadline} ms: it expired without being handled`);
    }
  }

  queries(): Queries {
    return this.model.queries(this.snapshot);
  }

  deadline(): number | null {
    return this.model.nextDeadlineMs(this.snapshot);
  }

  stimuli(): readonly Stimulus[] {
    return this.model.stimuli(this.snapshot);
  }

  spontaneous(): readonly ModelEvent[] {
    return this.model.spontaneous(this.snapshot);
  }

  isIn(path: string): boolean {
    return this.model.activeStates(this.snapshot).includes(path);
  }

  /** Every output since the start, with the instant it was produced. */
  timeline(): { atMs: number; output: Output }[] {
    return this.log.flatMap((step) => step.outputs.map((output) => ({ atMs: step.atMs, output })));
  }
}

/** A flow whose call was established with `template` (default template when null). */
export function establishedFlow(profile: Profile, template: TemplateSpec | null = null): Driver {
  const driver = new Driver(flowModel(profile));
  driver.step({ type: 'app.establish', template });
  return driver;
}

/** An established flow where the application has just set Composing (at virtual time 0). */
export function composingFlow(profile: Profile, template: TemplateSpec | null = null): Driver {
  const driver = establishedFlow(profile, template);
  driver.step({ type: 'app.setComposing' });
  return driver;
}

export const ids = (outcome: Outcome): string[] => outcome.transitions.map((meta) => meta.id);

export const requirementsOf = (outcome: Outcome): string[] => [
  ...new Set(outcome.transitions.flatMap((meta) => meta.requirements)),
];

// Output constructors, spelled as the alphabet defines them.
export const typing: Output = { channel: 'wire', kind: 'composing', state: 'typing' };
export const idleNotification: Output = { channel: 'wire', kind: 'composing', state: 'idle' };
export const bye: Output = { channel: 'wire', kind: 'bye' };
export const mcuCallTerminated: Output = { channel: 'wire', kind: 'mcuCallTerminated' };
export const configurationRequested: Output = {
  channel: 'event',
  name: 'flowConfigurationRequested',
};
export const joinCompleted: Output = { channel: 'event', name: 'joinCompleted' };

export const flowStateChanged = (state: FlowState): Output => ({
  channel: 'event',
  name: 'flowStateChanged',
  state,
});
export const mcuStateChanged = (state: McuState): Output => ({
  channel: 'event',
  name: 'mcuStateChanged',
  state,
});
export const remoteComposingChanged = (state: ComposingState): Output => ({
  channel: 'event',
  name: 'remoteComposingStateChanged',
  state,
});
export const refused = (operation: Stimulus['type'], kind: ErrorKind): Output => ({
  channel: 'error',
  operation,
  kind,
});
export const wireMessage = (body: string, contentType: string): Output => ({
  channel: 'wire',
  kind: 'message',
  body,
  contentType,
});
export const messageReceived = (body: string, contentType: string): Output => ({
  channel: 'event',
  name: 'messageReceived',
  body,
  contentType,
});
export const response = (message: number, code: number): Output => ({
  channel: 'wire',
  kind: 'response',
  message,
  code,
});

export const isTyping = (output: Output): boolean =>
  output.channel === 'wire' && output.kind === 'composing' && output.state === 'typing';

export const isRemoteComposingEvent = (output: Output): boolean =>
  output.channel === 'event' && output.name === 'remoteComposingStateChanged';
