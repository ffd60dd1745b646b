import type { BranchChoice } from './alphabet.ts';
import type { Capabilities } from './profile.ts';

/**
 * What every transition of every machine declares about itself. The kit reads it to attribute
 * verdicts and coverage to requirements; the diagrams print it on the edges.
 */
export interface TransitionMeta {
  /** Stable identifier, unique within its machine. */
  readonly id: string;
  /** Requirement IDs (see `requirements.ts`) this transition realises. */
  readonly requirements: readonly string[];
  /** The transition only happens for an implementation that claims this capability. */
  readonly capability?: keyof Capabilities;
  /** The implementation takes this transition on its own, inside a window the model allows. */
  readonly spontaneous?: true;
  /** A clock step that reaches a deadline's boundary without crossing it: nothing may happen. */
  readonly boundary?: true;
  /**
   * Should-rules (requirement IDs) this transition departs from. The model allows it, so it
   * never fails a step; taking it is reported as an advisory (a failure only under `--strict`).
   */
  readonly deviates?: readonly string[];
  /**
   * Set on an allowed branch: the stimulus carries this choice when the implementation takes
   * it (see `BranchChoice`). Such a transition is also `spontaneous`: the kit never plans it.
   */
  readonly choice?: BranchChoice;
  /**
   * A known fault, never allowed: what an implementation that broke the transition's rules
   * in this way is left in. The kit judges no step by it; after a failing step it may go on
   * from such a state when it alone explains what was observed.
   */
  readonly fault?: true;
  /**
   * On a known fault: the output channel the application no longer sees after it (a flow
   * never offered for configuration is never handed to the application, so none of its events
   * reach it). Later steps of the case are judged without that channel.
   */
  readonly hides?: 'event';
}

/**
 * An allowed branch: the implementation may handle the stimulus this way instead of the
 * preferred one. `deviates` names the should-rules it departs from (empty where the pages allow
 * both readings equally).
 */
export function allowedBranch<const TConfig extends object>(
  meta: Omit<TransitionMeta, 'choice' | 'spontaneous' | 'deviates'> & {
    readonly choice: BranchChoice;
    readonly deviates: readonly string[];
  },
  config: TConfig,
): TConfig & { meta: TransitionMeta } {
  return { ...config, meta: { ...meta, spontaneous: true } };
}

/**
 * A known fault (see `TransitionMeta.fault`): carried by a choice like an allowed branch, so
 * the model can take it, but never accepted as a step's outcome.
 */
export function knownFault<const TConfig extends object>(
  meta: Omit<TransitionMeta, 'choice' | 'spontaneous' | 'deviates' | 'fault'> & {
    readonly choice: BranchChoice;
  },
  config: TConfig,
): TConfig & { meta: TransitionMeta } {
  return { ...config, meta: { ...meta, spontaneous: true, deviates: [], fault: true } };
}

/** Attaches the requirement bookkeeping to a transition config, keeping its inferred type. */
export function realises<const TConfig extends object>(
  meta: TransitionMeta,
  config: TConfig,
): TConfig & { meta: TransitionMeta } {
  return { ...config, meta };
}
