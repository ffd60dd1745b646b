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
  /** What the implementation cannot show or cannot be driven with; see {@link Declarations}. */
  readonly declarations?: Declarations;
  /** Creates a fresh system under test for one test case; nothing may leak between cases. */
  create(context: SutContext): SystemUnderTest | Promise<SystemUnderTest>;
  /**
   * Called before each `create`, outside its time limit: an adapter that must first start
   * something of its own (the process it runs in, after one was stopped) does it here.
   */
  prepare?(): Promise<void>;
}

/**
 * Matches outputs by channel and, when given, by `kind` (wire outputs), `name` (events) or
 * `operation` (errors): `{ channel: 'wire', kind: 'bye' }` matches every BYE.
 */
export interface OutputPattern {
  readonly channel: Output['channel'];
  readonly kind?: string;
  readonly name?: string;
  readonly operation?: string;
}

/**
 * Matches stimuli by type and by every other field given:
 * `{ type: 'server.focusReconnected', mcuActive: false }`. With `when`, it matches only where
 * the model's state readings are those given: `{ type: 'app.send', when: { flowState: 'idle' } }`
 * is a send before the call is established (an implementation with no flow object yet).
 */
export type StimulusPattern = {
  readonly type: Stimulus['type'];
  readonly when?: Queries;
} & Readonly<Record<string, unknown>>;

/**
 * What a legitimate adapter cannot do, declared up front so that the kit never fails it for it.
 */
export interface Declarations {
  /**
   * Outputs the adapter cannot observe (an implementation without a SIP dialog has no BYE to
   * report). The oracle leaves them out on both sides; a rule that rests only on them is
   * untestable for this adapter, never failed.
   */
  readonly unobservable?: readonly OutputPattern[];
  /**
   * Stimuli the implementation cannot be driven with. Path and property tests avoid them; the
   * rules that need them are inconclusive, with the reason.
   */
  readonly unsupported?: readonly StimulusPattern[];
  /**
   * The state queries the adapter answers. Each one declared must be answered on every step
   * where the model expects a value; a missing answer fails the step. Default: all of them.
   */
  readonly queries?: readonly (keyof Queries)[];
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
  /**
   * Reports a problem that is no output and no answer (an unhandled rejection in the adapter's
   * process, say): it becomes a note on the test case, shown in reports.
   */
  readonly note?: (message: string) => void;
  /** The machine this test case drives, so an adapter can set up only what it needs. */
  readonly machine: 'imFlow' | 'mcuSession';
  /**
   * The validated profile this run checks. A configurable implementation sets itself up from
   * it; a fixed one can ignore it (and fails where it does not behave as the profile says).
   */
  readonly profile: Profile;
  /**
   * Present in wire mode (`imflow check --wire sip`) only: the kit plays the remote participant
   * on real SIP and observes the wire itself, so the adapter drives the application side alone
   * and reports only `event` and `error` outputs.
   */
  readonly wire?: WireContext;
}

/** Where the implementation and the kit meet on the wire, as SIP URIs on loopback. */
export interface WireContext {
  /** The URI the implementation listens on, as given with `--endpoint`. */
  readonly endpoint: string;
  /** The kit's own URI: the remote participant that calls the endpoint. */
  readonly remote: string;
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
  /**
   * Reports the current states the implementation exposes. Every query the adapter declares
   * (`declarations.queries`, by default all) must be answered where the model expects a value;
   * leave out of the declarations what the implementation cannot tell.
   */
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
