import type { Profile, Requirement, RequirementGroup } from '../machines/index.ts';
import type { PropertyResult } from './properties.ts';
import type { Trace } from './trace.ts';

/**
 * The results of a conformance run, as plain data: reporters only render them, and the JSON
 * reporter writes them out as they are (this file is its schema).
 */

export type TransitionCoverage =
  /** Taken in a passing step. */
  | 'covered'
  /** Taken in the step where a test failed. */
  | 'failed'
  /** Needs a capability the profile does not claim. */
  | 'not-claimed'
  /** Ruled out by the profile's options (it belongs to another reading of the pages). */
  | 'other-reading'
  /** A move the implementation may make within a window; it chose the alternative. */
  | 'not-chosen'
  /** Planned but never taken, for example because a test failed before reaching it. */
  | 'not-reached';

export interface MachineCoverage {
  readonly states: {
    readonly total: number;
    readonly covered: number;
    readonly uncovered: readonly string[];
  };
  readonly transitions: Readonly<Record<string, TransitionCoverage>>;
}

export interface MachineResult {
  readonly machine: 'imFlow' | 'mcuSession';
  readonly title: string;
  /** Inconclusive when the profile does not claim the capability the machine needs. */
  readonly status: 'run' | 'not-claimed';
  readonly plan: {
    readonly paths: number;
    readonly totalSteps: number;
    readonly transitions: number;
    readonly reachableStates: number;
    readonly planMs: number;
  };
  readonly pathCases: readonly Trace[];
  readonly property?: PropertyResult;
  readonly coverage: MachineCoverage;
  readonly durationMs: number;
}

export type RequirementVerdictValue = 'pass' | 'fail' | 'inconclusive' | 'untestable';

/**
 * Why a requirement is inconclusive: the profile does not claim what it needs; a test failed
 * before reaching it; or no test of this run takes it (another machine or group was chosen,
 * or it falls to another shard).
 */
export type InconclusiveCause = 'not-claimed' | 'not-reached' | 'not-run';

export interface RequirementVerdict {
  readonly requirement: Requirement;
  readonly verdict: RequirementVerdictValue;
  /** Set for an inconclusive verdict. */
  readonly cause?: InconclusiveCause;
  /** Names of the test cases that exercised it. */
  readonly tests: readonly string[];
  /** Names of the failing test cases that named it. */
  readonly failures: readonly string[];
  readonly reason?: string;
}

export interface ProfileResult {
  readonly profile: Profile;
  readonly machines: readonly MachineResult[];
  readonly requirements: readonly RequirementVerdict[];
  readonly verdict: 'conformant' | 'not-conformant';
}

export interface SuiteResult {
  readonly adapter: string;
  /** The adapter module as the command line named it; absent for the bundled adapter. */
  readonly adapterModule?: string;
  readonly only?: RequirementGroup;
  readonly seed: number;
  /** Property-test runs per machine. */
  readonly runs?: number;
  /** Set when this is one shard of a run (`--shard i/n`); `imflow merge-reports` joins them. */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly profiles: readonly ProfileResult[];
  readonly verdict: 'conformant' | 'not-conformant';
  readonly durationMs: number;
  /**
   * Problems outside any test case, such as errors an adapter raised asynchronously where no
   * step could catch them (set by the command line, which then reports the run not conformant).
   */
  readonly notes?: readonly string[];
}
