/**
 * Mutants on the wire: bugs of the mutant catalogue run through the reference implementation's
 * SIP endpoint (`adapters/reference-sip.ts`) and judged by a wire check in real time, where
 * the kit sees only what crosses the wire and what the application is told. Each is chosen
 * because it shows on the wire: a wrong answer code, or a timer off.
 */
import type { ClockMode } from '../conformance/case-run.ts';
import { runSuite } from '../conformance/suite.ts';
import { onTheWire } from '../conformance/wire/wire-adapter.ts';
import { findBuiltInProfile, findRequirement } from '../machines/index.ts';
import { materialise, patchSetOf } from './apply.ts';
import { findMutant, type Mutant } from './catalogue.ts';
import { blamedBy, failedRequirements } from './kill.ts';

/** The catalogue's mutants checked on the wire: three on answers, four on timing. */
export const WIRE_MUTANTS: readonly string[] = [
  'msg-consumed-answered-202',
  'msg-proxied-answered-200',
  'msg-unsupported-format-accepted',
  'life-bye-not-sent',
  'lc-refresh-period-hardcoded',
  'lc-timeout-not-restarted',
  'lc-revert-never',
];

export interface WireKill {
  readonly id: string;
  readonly requirement: string;
  /** A failing case named the mutant's requirement. */
  readonly killed: boolean;
  readonly requirementsReported: readonly string[];
  /** Real time of the run, materialising included. */
  readonly durationMs: number;
  /** The mutant could not be run: never a kill. */
  readonly error?: string;
}

export interface WireKillOptions {
  /** The endpoint the mutated reference listens on, such as sip:sut@127.0.0.1:5080. */
  readonly endpoint: string;
  readonly seed: number;
  readonly clock: ClockMode & { kind: 'real' };
}

export function wireMutants(): Mutant[] {
  return WIRE_MUTANTS.map((id) => {
    const mutant = findMutant(id);
    if (!mutant) throw new Error(`The wire mutant ${id} is not in the mutant catalogue.`);
    return mutant;
  });
}

/**
 * Runs the path tests of the mutant's requirement group on the wire, up to the first case
 * that names its requirement.
 */
export async function killOnTheWire(mutant: Mutant, options: WireKillOptions): Promise<WireKill> {
  const started = performance.now();
  const base = { id: mutant.id, requirement: mutant.requirement };
  const elapsed = () => Math.round(performance.now() - started);
  const profile = findBuiltInProfile(mutant.profile);
  const group = findRequirement(mutant.requirement)?.group;
  if (!profile || !group) {
    return {
      ...base,
      killed: false,
      requirementsReported: [],
      durationMs: elapsed(),
      error: `the mutant names an unknown profile or requirement (${mutant.profile}, ${mutant.requirement})`,
    };
  }
  try {
    const copy = await materialise(patchSetOf(mutant), { entry: 'adapters/reference-sip.ts' });
    try {
      const result = await runSuite({
        adapter: onTheWire(copy.adapter, { endpoint: options.endpoint }),
        profiles: [profile],
        seed: options.seed,
        runs: 0,
        only: group,
        clock: options.clock,
        ...(mutant.strict ? { strict: true } : {}),
        bail: (failing) => blamedBy(failing).includes(mutant.requirement),
      });
      const reported = failedRequirements(result);
      return {
        ...base,
        killed: reported.includes(mutant.requirement),
        requirementsReported: reported,
        durationMs: elapsed(),
      };
    } finally {
      await copy.cleanup();
    }
  } catch (error) {
    return {
      ...base,
      killed: false,
      requirementsReported: [],
      durationMs: elapsed(),
      error: (error as Error)?.message ?? String(error),
    };
  }
}
