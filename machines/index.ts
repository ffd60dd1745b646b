/**
 * The model: machines, requirement catalogue, profiles. Everything outside `machines/` imports
 * from here and nowhere deeper.
 */
export * from './alphabet.ts';
export { rulesForQuery, rulesForUnexpectedOutput } from './attribution.ts';
export type { TransitionMeta } from './meta.ts';
export {
  abstractTimeKey,
  boundaryProbed,
  type ClockStepKind,
  clockSteps,
  createModels,
  type DeclaredTransition,
  declaredStates,
  declaredTransitions,
  definitionDigest,
  type Exploration,
  explorationEvents,
  flowTemplates,
  INVALID_COMPOSING_TIMEOUTS,
  type MachineModel,
  type ModelSnapshot,
  type StepResult,
  stepAcrossDeadlines,
} from './model.ts';
export * from './profile.ts';
export * from './requirements.ts';
