import type * as model from '../machines/index.ts';

/**
 * The model's types an adapter author works with, re-exported so that one import
 * (`imflow/conformance`) is enough to write an adapter. The model itself, with its values
 * (built-in profiles, the requirement catalogue, `formatOutput`), is `imflow/machines`.
 */

/**
 * Everything the kit can apply to a system under test: the application's API calls
 * (`app.*`), what the remote party sends (`remote.*`), what the conference focus and MCU
 * report (`conf.*`, `server.*`) and virtual time passing (`clock.advance`, which the kit
 * handles itself and never passes to `apply`).
 *
 * @example
 * ```ts
 * const send: Stimulus = { type: 'app.send', body: 'hi', contentType: 'text/plain' };
 * ```
 */
export type Stimulus = model.Stimulus;
/** Stimuli that go through the implementation's API (`app.*`). */
export type ApplicationStimulus = model.ApplicationStimulus;
/** What the simulated remote participant sends towards the implementation (`remote.*`). */
export type RemoteStimulus = model.RemoteStimulus;
/** What the simulated conference focus and MCU report (`conf.*`, `server.*`). */
export type ConferenceStimulus = model.ConferenceStimulus;
/** Virtual time passing; the kit moves its clock and never calls `apply` with it. */
export type ClockStimulus = model.ClockStimulus;
/** What the application passes to Initialize (`app.establish`, `app.initialize`). */
export type TemplateSpec = model.TemplateSpec;

/**
 * One output of the implementation, reported through `observe` when it happens: an event
 * raised to the application (`channel: 'event'`), something put on the wire
 * (`channel: 'wire'`) or a refused operation (`channel: 'error'`).
 *
 * @example
 * ```ts
 * observe({ channel: 'event', name: 'flowStateChanged', state: 'active' });
 * observe({ channel: 'wire', kind: 'composing', state: 'typing' });
 * ```
 */
export type Output = model.Output;
/** Events raised to the application (`channel: 'event'`). */
export type ApplicationEvent = model.ApplicationEvent;
/** What goes on the wire to the remote party or the MCU (`channel: 'wire'`). */
export type WireOutput = model.WireOutput;
/** A refused operation (`channel: 'error'`), named by the stimulus type it refused. */
export type ErrorOutput = model.ErrorOutput;
/** Why an operation was refused: an invalid operation in this state, or an invalid argument. */
export type ErrorKind = model.ErrorKind;

/**
 * The states a system under test reports from `query()` after every step; leave out what
 * the implementation cannot tell (and declare it in `declarations.queries`).
 */
export type Queries = model.Queries;
/** The flow's state as `query()` reports it. */
export type FlowState = model.FlowState;
/** The local composing state as `query()` reports it. */
export type ComposingState = model.ComposingState;
/** The MCU session's state as `query()` reports it. */
export type McuState = model.McuState;
/** How a flow's template consumes received messages. */
export type ConsumptionMode = model.ConsumptionMode;

/**
 * A validated profile: the capabilities an implementation claims, its timing values and the
 * reading it follows wherever the pages disagree. `SutContext.profile` hands it to `create`.
 */
export type Profile = model.Profile;
/** The optional capabilities of a profile. */
export type ProfileCapabilities = model.Capabilities;
/** The timing values of a profile, in virtual milliseconds. */
export type ProfileTiming = model.Timing;
/** The reading a profile follows at each point where the pages disagree (see the errata). */
export type ProfileOptions = model.Options;
/** The machines of the model: the IM flow and the conference MCU session. */
export type MachineId = model.MachineModel['id'];
