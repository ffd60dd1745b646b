import type { Profile, Requirement, RequirementGroup } from '../machines/index.ts';
import type { Declarations } from './adapter.ts';
import type { RealTimeSummary } from './lateness.ts';
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
  /**
   * Needs a capability the profile does not claim, or a stimulus the adapter declares
   * unsupported (the plan's `unsupportedNeeds` says which).
   */
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
  /** Under `--only`, the group's transitions only. */
  readonly transitions: Readonly<Record<string, TransitionCoverage>>;
  /**
   * Guard-outcome coverage: of the outcomes the model can show through this adapter (each
   * guarded transition's guard holding, `id:true`, and failing, `id:false`), those a passing
   * step saw; `missing` lists the rest.
   */
  readonly guards: {
    readonly goals: number;
    readonly seen: number;
    readonly missing: readonly string[];
  };
  /** Named situations the planner aims for, and whether a passing path case reached each. */
  readonly situations: readonly { readonly name: string; readonly reached: boolean }[];
}

export interface MachineResult {
  readonly machine: 'imFlow' | 'mcuSession';
  readonly title: string;
  /** Inconclusive when the profile does not claim the capability the machine needs. */
  readonly status: 'run' | 'not-claimed';
  readonly plan: {
    readonly paths: number;
    readonly totalSteps: number;
    /** Declared transitions this run judges (those of other groups left out under --only). */
    readonly transitions: number;
    /** Of them, those the planner can take under the profile and declarations. */
    readonly plannable?: number;
    /**
     * The others, each with why it cannot be planned: not claimed by the profile, reached only
     * through a stimulus the adapter declares unsupported, under another reading of the
     * profile (unreachable), or taken only by the implementation's own choice (spontaneous).
     */
    readonly notPlannable?: Readonly<
      Record<string, 'not-claimed' | 'unsupported' | 'unreachable' | 'spontaneous'>
    >;
    readonly reachableStates: number;
    readonly planMs: number;
    /** Rounds of fresh cases planned around failed steps, so that a later bug still shows. */
    readonly replans: number;
  };
  /** Transitions the planner could not reach without stimuli the adapter declares unsupported. */
  readonly unsupportedNeeds?: Readonly<Record<string, readonly string[]>>;
  readonly pathCases: readonly Trace[];
  readonly property?: PropertyResult;
  readonly coverage: MachineCoverage;
  readonly durationMs: number;
}

/**
 * `advisory`: a should-rule the implementation departed from where the model allows it; it
 * passes (and fails only under `--strict`).
 */
export type RequirementVerdictValue = 'pass' | 'advisory' | 'fail' | 'inconclusive' | 'untestable';

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
  /** Observations of the rule this adapter declares it cannot make, when some remain. */
  readonly note?: string;
}

/** One departure from a should-rule: where it happened and which transition carried it. */
export interface AdvisoryRecord {
  readonly requirement: string;
  readonly transition: string;
  readonly case: string;
  readonly machine: 'imFlow' | 'mcuSession';
  /** 1-based step of the case. */
  readonly step: number;
  /** Set when `--strict` made it a failure. */
  readonly strict?: true;
}

export interface ProfileResult {
  readonly profile: Profile;
  readonly machines: readonly MachineResult[];
  readonly requirements: readonly RequirementVerdict[];
  /**
   * Every advisory, once per rule and transition (the first place it was seen); they never
   * change the verdict unless the run is strict.
   */
  readonly advisories: readonly AdvisoryRecord[];
  readonly verdict: 'conformant' | 'not-conformant';
}

export interface SuiteResult {
  readonly adapter: string;
  /** The adapter module as the command line named it; absent for the bundled adapter. */
  readonly adapterModule?: string;
  readonly only?: RequirementGroup;
  /** Advisories fail (`--strict`). */
  readonly strict?: boolean;
  /** What the adapter declared; merging shards judges the verdicts under the same ones. */
  readonly declarations?: Declarations;
  readonly seed: number;
  /** Property-test runs per machine. */
  readonly runs?: number;
  /** Set when this is one shard of a run (`--shard i/n`); `imflow merge-reports` joins them. */
  readonly shard?: { readonly index: number; readonly count: number };
  /**
   * Set when the run stopped at its first failing case (`--bail`): the case, and what was not
   * run after it. Such a run is never conformant.
   */
  readonly bailed?: { readonly after: string; readonly notRun: readonly string[] };
  readonly profiles: readonly ProfileResult[];
  readonly verdict: 'conformant' | 'not-conformant';
  readonly durationMs: number;
  /** A run in real time (`--clock real`): the tolerance it judged with and the lateness seen. */
  readonly realTime?: RealTimeSummary;
  /**
   * Problems outside any test case, such as errors an adapter raised asynchronously where no
   * step could catch them (set by the command line, which then reports the run not conformant).
   */
  readonly notes?: readonly string[];
}
