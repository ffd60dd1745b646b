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

/** Attaches the requirement bookkeeping to a transition config, keeping its inferred type. */
export function realises<const TConfig extends object>(
  meta: TransitionMeta,
  config: TConfig,
): TConfig & { meta: TransitionMeta } {
  return { ...config, meta };
}
