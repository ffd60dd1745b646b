/** The conformance kit: adapter contract, runner, oracle, path and property tests. */
export type {
  Adapter,
  Declarations,
  OutputPattern,
  StimulusPattern,
  SutContext,
  SystemUnderTest,
  WireContext,
} from './adapter.ts';
export { refusalKind } from './adapter.ts';
export { CaseRun, defaultLimits, type Limits } from './case-run.ts';
export { nodeHostCommand, splitCommandLine } from './isolation/commands.ts';
export { AdapterExited, type HostCommand } from './isolation/host-process.ts';
export { PROTOCOL_VERSION, protocolSchemaFiles } from './isolation/protocol.ts';
export {
  type IsolatedAdapter,
  IsolatedStartError,
  type IsolationOptions,
  startIsolatedAdapter,
} from './isolation/proxy.ts';
export {
  AdapterLoadError,
  adapterProfile,
  assertAdapter,
  loadAdapter,
} from './load-adapter.ts';
export { MergeError, mergeShards } from './merge.ts';
export {
  type Advisory,
  type Judgement,
  type JudgeOptions,
  judgeStep,
  type Observation,
} from './oracle.ts';
export { type PathPlan, type PlannedPath, planPaths } from './paths.ts';
export type { PropertyResult } from './properties.ts';
export type * from './public-types.ts';
export * from './reporters/index.ts';
export type * from './results.ts';
export { parseShard, type Shard } from './shard.ts';
export { DEFAULT_RUNS, runSuite, type SuiteListener, type SuiteOptions } from './suite.ts';
export * from './trace.ts';
export { traceSchema } from './trace-schema.ts';
export { type KitClock, VirtualClock } from './virtual-clock.ts';
