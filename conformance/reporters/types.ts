import type { Profile, RequirementGroup } from '../../machines/index.ts';
import type { ClockMode } from '../case-run.ts';
import type { ProfileResult, SuiteResult } from '../results.ts';
import type { Trace } from '../trace.ts';

/** Where a reporter writes: text for the terminal, files under `outDir`. */
export interface ReporterIo {
  /** Writes one line (a trailing newline is added when missing). */
  out(text: string): void;
  err(text: string): void;
  /** Writes text as is, without a newline; only on an interactive terminal, for progress. */
  write?(text: string): void;
  /** Whether output goes to an interactive terminal, where a progress bar makes sense. */
  readonly interactive: boolean;
}

export interface ReporterContext {
  readonly io: ReporterIo;
  /** Directory for report files (`--out`, default `reports/`), created on demand. */
  readonly outDir: string;
  /** Names of every reporter of this run, so one can refer to what another writes. */
  readonly reporters: readonly string[];
}

/** What is known before the first test case runs. */
export interface RunInfo {
  readonly adapter: string;
  /** How the adapter was named on the command line, if not the bundled reference adapter. */
  readonly adapterModule?: string;
  readonly profiles: readonly Profile[];
  readonly seed: number;
  /** Property-test runs per machine. */
  readonly runs: number;
  readonly only?: RequirementGroup;
  /** Advisories fail (`--strict`). */
  readonly strict?: boolean;
  readonly machine?: 'imFlow' | 'mcuSession';
  /** Set when a single property counterexample is being replayed. */
  readonly path?: string;
  /** Set when this run is one shard of a larger one (`--shard i/n`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Set for a run in real time (`--clock real`). */
  readonly clock?: ClockMode;
}

/**
 * A reporter renders a conformance run. Every hook is optional; they are called in this order:
 *
 * 1. `onRunStart` once, after the options are validated and the adapter is loaded, before any
 *    test case runs;
 * 2. for each profile: `onProfileStart` after its test cases are planned (with their number),
 *    `onCaseEnd` after each test case (path or property run, passing or not, shrink runs
 *    included), and `onProfileEnd` with the profile's results;
 * 3. `onRunEnd` once with the whole result; this is where a reporter writes its report. The
 *    run waits for the returned promise, and a rejection is reported as an error (exit 2).
 */
export interface Reporter {
  onRunStart?(info: RunInfo): void;
  onProfileStart?(profile: Profile, plannedCases: number): void;
  onCaseEnd?(trace: Trace): void;
  onProfileEnd?(result: ProfileResult): void;
  onRunEnd?(result: SuiteResult): Promise<void> | void;
}

export type ReporterFactory = (context: ReporterContext) => Reporter;
