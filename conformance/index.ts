/** The conformance kit: adapter contract, runner, oracle, path and property tests. */
export type { Adapter, SutContext, SystemUnderTest } from './adapter.ts';
export { refusalKind } from './adapter.ts';
export { CaseRun, defaultLimits, type Limits } from './case-run.ts';
export { judgeStep, type Judgement, type Observation } from './oracle.ts';
export { type PathPlan, type PlannedPath, planPaths } from './paths.ts';
export * from './trace.ts';
export { type KitClock, VirtualClock } from './virtual-clock.ts';
