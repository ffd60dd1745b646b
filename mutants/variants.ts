/**
 * Variants, the mutants' counterpart: the reference implementation changed to take another
 * *legitimate* behaviour where the pages leave a choice open, or configured for another reading
 * of a profile option. Each one must pass under the profile and declarations it states: a
 * variant that fails is a false failure of the kit, the worst bug it can have
 * (`variants.test.ts`, `npm run mutants`).
 */
import type { Adapter, Declarations } from '../conformance/adapter.ts';
import { type Profile, parseProfile } from '../machines/index.ts';
import type { Patch, PatchSet } from './apply.ts';
import type { MutantProfile } from './catalogue.ts';
import { failedRequirements, type KillOptions, runPatched } from './kill.ts';

export interface Variant {
  /** Stable, unique, kebab-case. */
  readonly id: string;
  /** The legitimate behaviour it takes, in one sentence. */
  readonly description: string;
  /**
   * What leaves the choice open: a contradiction (`C2`), a profile option
   * (`options.explicitIdle`) or a requirement whose strength is `should`.
   */
  readonly openPoint: string;
  /** The built-in profile it extends. */
  readonly profile: MutantProfile;
  /** Profile sections it states on top of `profile`, as in a profile file. */
  readonly profileFields?: Readonly<Record<string, unknown>>;
  readonly declarations?: Declarations;
  /** Changes to `reference/` or `adapters/`; none when only the profile differs. */
  readonly patches: readonly Patch[];
}

const REVERT_HALFWAY = 'revertDelayMs: Math.floor(profile.timing.revertToleranceMs / 2),';

export const variants: readonly Variant[] = [
  {
    id: 'revert-at-timeout',
    description: 'Reverts to Idle at the very instant of the composing time-out, with no lag.',
    openPoint: 'C2',
    profile: 'ucma-guide',
    patches: [
      { file: 'adapters/reference.ts', find: REVERT_HALFWAY, replace: 'revertDelayMs: 0,' },
    ],
  },
  {
    id: 'revert-at-window-end',
    description: 'Reverts to Idle as late as the tolerance allows: at the end of the window.',
    openPoint: 'C2',
    profile: 'ucma-reference',
    patches: [
      {
        file: 'adapters/reference.ts',
        find: REVERT_HALFWAY,
        replace: 'revertDelayMs: profile.timing.revertToleranceMs,',
      },
    ],
  },
  {
    id: 'guide-with-three-second-refresh',
    description:
      'Follows the guide page everywhere but refreshes Typing every 3 s, as page 000 says.',
    openPoint: 'timing.refreshPeriodMs',
    profile: 'ucma-guide',
    profileFields: { timing: { refreshPeriodMs: 3000 } },
    patches: [],
  },
  {
    id: 'guide-refusing-explicit-idle',
    description: 'Follows the guide page but refuses an explicit Idle, as page 000 says.',
    openPoint: 'options.explicitIdle',
    profile: 'ucma-guide',
    profileFields: { options: { explicitIdle: 'rejected' } },
    patches: [],
  },
  {
    id: 'guide-sending-idle',
    description:
      'Follows the guide page but puts an Idle notification on the wire when composing ends.',
    openPoint: 'options.idleNotification',
    profile: 'ucma-guide',
    profileFields: { options: { idleNotification: 'sent' } },
    patches: [],
  },
  {
    id: 'reference-raising-remote-idle',
    description:
      'Follows page 000 but raises RemoteComposingStateChanged when an Idle notification arrives.',
    openPoint: 'options.remoteIdleEvent',
    profile: 'ucma-reference',
    profileFields: { options: { remoteIdleEvent: 'raised' } },
    patches: [],
  },
  {
    id: 'guide-idle-before-message',
    description: 'Follows the guide page but sends Idle before a message typed while composing.',
    openPoint: 'options.sendWhileComposing',
    profile: 'ucma-guide',
    profileFields: { options: { sendWhileComposing: 'idle-notification' } },
    patches: [],
  },
  {
    id: 'guide-mcu-stays-retrying',
    description:
      'Follows the guide page but keeps the MCU session Retrying when the focus reconnects without an active MCU.',
    openPoint: 'options.focusReconnectWithoutMcu',
    profile: 'ucma-guide',
    profileFields: { options: { focusReconnectWithoutMcu: 'stay-retrying' } },
    patches: [],
  },
  {
    id: 'long-default-timeout',
    description:
      'A platform whose default composing time-out is 10 s, longer than two refresh periods.',
    openPoint: 'timing.composingTimeoutMs',
    profile: 'ucma-guide',
    profileFields: { timing: { composingTimeoutMs: 10_000 } },
    patches: [],
  },
];

export function findVariant(id: string): Variant | undefined {
  return variants.find((variant) => variant.id === id);
}

/** The profile a variant states, validated as a profile file would be. */
export function variantProfile(variant: Variant): Profile {
  return parseProfile(
    { name: variant.id, extends: variant.profile, ...(variant.profileFields ?? {}) },
    `variant ${variant.id}`,
  );
}

export interface VariantResult {
  readonly id: string;
  readonly openPoint: string;
  readonly profile: string;
  readonly conformant: boolean;
  /** Requirements the report marks failed: each one is a false failure. */
  readonly requirementsReported: readonly string[];
  /** Departures from should-rules the run reported (allowed, never failures). */
  readonly advisories: number;
  readonly durationMs: number;
  readonly error?: string;
}

function variantPatchSet(variant: Variant): PatchSet {
  return { id: variant.id, label: `variant ${variant.id}`, patches: variant.patches };
}

/** Advisories recorded in a suite result's traces, whatever their shape there. */
function countAdvisories(result: unknown): number {
  let count = 0;
  const visit = (value: unknown, key?: string) => {
    if (Array.isArray(value)) {
      if (key === 'advisories') count += value.length;
      else for (const item of value) visit(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value)) if (k !== 'profile') visit(v, k);
    }
  };
  visit(result);
  return count;
}

/** Runs the suite on a variant under its own profile and declarations. */
export async function runVariant(variant: Variant, options: KillOptions): Promise<VariantResult> {
  const started = performance.now();
  const base = { id: variant.id, openPoint: variant.openPoint, profile: variant.profile };
  try {
    const profile = variantProfile(variant);
    const adapt = (adapter: Adapter): Adapter => ({
      ...adapter,
      profile: { extends: variant.profile, ...(variant.profileFields ?? {}) },
      ...(variant.declarations ? { declarations: variant.declarations } : {}),
    });
    const { result } = await runPatched(variantPatchSet(variant), profile, options, adapt);
    return {
      ...base,
      conformant: result.verdict === 'conformant',
      requirementsReported: failedRequirements(result),
      advisories: countAdvisories(result.profiles),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      ...base,
      conformant: false,
      requirementsReported: [],
      advisories: 0,
      durationMs: Math.round(performance.now() - started),
      error: (error as Error)?.message ?? String(error),
    };
  }
}
