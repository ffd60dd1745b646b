import type { ErrorKind, Output, Profile, Queries, Stimulus } from '../machines/index.ts';
import type { KitClock } from './virtual-clock.ts';

/**
 * The adapter contract: the one module an implementer writes to check an implementation.
 *
 * ```ts
 * import type { Adapter } from 'imflow/conformance';
 * const adapter: Adapter = {
 *   name: 'my-im-stack',
 *   profile: 'ucma-guide',
 *   create: ({ clock, observe }) => new MySystemUnderTest(clock, observe),
 * };
 * export default adapter;
 * ```
 */
export interface Adapter {
  /** Shown in reports. */
  readonly name: string;
  /**
   * The profile the implementation claims: a built-in profile name, or a profile object
   * (partial sections are filled from the profile named in `extends`). Validated before any test.
   */
  readonly profile: string | Record<string, unknown>;
  /** Creates a fresh system under test for one test case; nothing may leak between cases. */
  create(context: SutContext): SystemUnderTest | Promise<SystemUnderTest>;
}

/** What the kit hands to each new system under test. */
export interface SutContext {
  /** Schedule every timer of the implementation here; the kit alone moves it. */
  readonly clock: KitClock;
  /**
   * Report each output when it happens: events raised to the application, what goes on the
   * wire, and operations refused (`channel: 'error'`). Late reports still count: the kit waits
   * for the system to settle before it judges a step.
   */
  readonly observe: (output: Output) => void;
  /** The machine this test case drives, so an adapter can set up only what it needs. */
  readonly machine: 'imFlow' | 'mcuSession';
  /**
   * The validated profile this run checks. A configurable implementation sets itself up from
   * it; a fixed one can ignore it (and fails where it does not behave as the profile says).
   */
  readonly profile: Profile;
}

/** One instance of the implementation, wired to the kit. */
export interface SystemUnderTest {
  /**
   * Applies one stimulus. `clock.advance` stimuli never arrive here: the kit moves the clock
   * itself. A refused operation is reported through `observe` with `channel: 'error'`, or by
   * throwing (or rejecting with) an error whose `kind` is `'invalid-operation'` or
   * `'invalid-argument'`. Any other exception fails the step.
   */
  apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): void | Promise<void>;
  /** Reports the current states the implementation exposes (omit what it cannot tell). */
  query(): Queries | Promise<Queries>;
  /**
   * Resolves when no work is in flight, such as messages still on an asynchronous network.
   * Without it the kit waits a bounded number of event-loop turns (see `drainTurns`).
   */
  settle?(): Promise<void>;
  /** Releases the instance at the end of its test case. */
  dispose?(): void | Promise<void>;
}

/** An error kind an adapter may attach to a thrown error to report a refused operation. */
export function refusalKind(error: unknown): ErrorKind | undefined {
  if (typeof error !== 'object' || error === null || !('kind' in error)) return undefined;
  const kind = (error as { kind: unknown }).kind;
  return kind === 'invalid-operation' || kind === 'invalid-argument' ? kind : undefined;
}
