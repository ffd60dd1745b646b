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
   * (`options.explicitIdle`) or an open point whose resolution is an allowed branch (`OP-8`).
   */
  readonly openPoint: string;
  /**
   * The should-rule whose preferred branch the variant leaves, when it does: the run must list
   * an advisory of it (and still pass). Absent for a branch the model allows without advisory.
   */
  readonly advises?: string;
  /** The built-in profile it extends. */
  readonly profile: MutantProfile;
  /** Profile sections it states on top of `profile`, as in a profile file. */
  readonly profileFields?: Readonly<Record<string, unknown>>;
  readonly declarations?: Declarations;
  /** Changes to `reference/` or `adapters/`; none when only the profile differs. */
  readonly patches: readonly Patch[];
}

const REVERT_HALFWAY = 'revertDelayMs: Math.floor(profile.timing.revertToleranceMs / 2),';
const lines = (...parts: string[]) => parts.join('\n');

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
  {
    id: 'guide-event-on-change',
    description:
      'Follows the guide page but raises RemoteComposingStateChanged only when the remote state changes.',
    openPoint: 'C9',
    profile: 'ucma-guide',
    profileFields: { options: { remoteComposingEvent: 'on-change' } },
    patches: [],
  },
  {
    id: 'reference-event-on-every-notification',
    description:
      'Follows page 000 but raises RemoteComposingStateChanged for every arriving notification.',
    openPoint: 'options.remoteComposingEvent',
    profile: 'ucma-reference',
    profileFields: { options: { remoteComposingEvent: 'every-notification' } },
    patches: [],
  },
  {
    id: 'reference-no-event-after-silence',
    description:
      'Raises the remote event only on a change and never presumes a silent remote idle, so a Typing after six seconds of silence raises nothing.',
    openPoint: 'OP-1',
    advises: 'RC-5',
    profile: 'ucma-reference',
    patches: [
      {
        file: 'reference/remote-composing.ts',
        find: lines('  typingReceived(): boolean {', '    this.#restartSilenceTimer();'),
        replace: '  typingReceived(): boolean {',
      },
    ],
  },
  {
    id: 'guide-typing-on-composing-again',
    description: 'Follows the guide page but sends Typing on every setting of Composing.',
    openPoint: 'C10',
    profile: 'ucma-guide',
    profileFields: { options: { composingAgainNotification: 'sent' } },
    patches: [],
  },
  {
    id: 'reference-silent-composing-again',
    description:
      'Follows page 000 but sends nothing more when Composing is set while already composing.',
    openPoint: 'OP-3',
    profile: 'ucma-reference',
    profileFields: { options: { composingAgainNotification: 'not-sent' } },
    patches: [],
  },
  {
    id: 'guide-proxied-one-at-a-time',
    description:
      'Follows the guide page but holds a proxied message until the previous one is notified.',
    openPoint: 'C11',
    profile: 'ucma-guide',
    profileFields: { options: { proxiedMessages: 'one-at-a-time' } },
    patches: [],
  },
  {
    id: 'mcu-failover-before-callback-without-call',
    description:
      'Sets up the call with the MCU only once the join has completed, so a failover while Active before the BeginJoin callback ends no call.',
    openPoint: 'OP-2',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/mcu-session.ts',
        find: lines('  #hasMcuCall = false;', ''),
        replace: lines(
          '  #hasMcuCall = false;',
          '  /** The call with the MCU exists once the join has completed. */',
          '  #joined = false;',
          '',
        ),
      },
      {
        file: 'reference/mcu-session.ts',
        find: lines('  handle(report: FocusReport): void {', '    switch (this.#state) {'),
        replace: lines(
          '  handle(report: FocusReport): void {',
          "    if (report.type === 'join-completed') this.#joined = true;",
          '    switch (this.#state) {',
        ),
      },
      {
        file: 'reference/mcu-session.ts',
        find: "      if (hadCall) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });",
        replace:
          "      if (hadCall && this.#joined) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });",
      },
    ],
  },
  {
    id: 'refresh-at-timeout-instant',
    description:
      'With a refresh period equal to the time-out, sends the refresh that falls on the time-out instant.',
    openPoint: 'OP-4',
    advises: 'LC-10',
    profile: 'ucma-reference',
    patches: [
      {
        file: 'reference/local-composing.ts',
        find: 'if (this.#options.clock.now() >= this.#deadline) {',
        replace: 'if (this.#options.clock.now() > this.#deadline) {',
      },
    ],
  },
  {
    id: 'widest-revert-tolerance',
    description:
      'Declares the widest revert tolerance (10 s) and reverts halfway through it, five seconds after the time-out.',
    openPoint: 'OP-5',
    profile: 'ucma-guide',
    profileFields: { timing: { revertToleranceMs: 10_000 } },
    patches: [],
  },
  {
    id: 'failure-code-any-integer',
    description: 'Accepts any whole number as a failure code and puts it on the wire as given.',
    openPoint: 'OP-7',
    advises: 'DN-9',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/flow.ts',
        find: 'if (!Number.isInteger(responseCode) || responseCode < 400 || responseCode > 699) {',
        replace: 'if (!Number.isInteger(responseCode)) {',
      },
    ],
  },
  {
    id: 'terminate-without-bye',
    description: 'Ends the flow on terminate without telling the remote party (no BYE).',
    openPoint: 'OP-8',
    advises: 'LIFE-8',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/call.ts',
        find: "    const sendBye = () => this.#transport?.send({ type: 'bye' });",
        replace: '    const sendBye = () => undefined;',
      },
    ],
  },
  {
    id: 'second-terminate-ignored',
    description: 'Ignores a second terminate instead of refusing it.',
    openPoint: 'OP-8',
    advises: 'LIFE-6',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/call.ts',
        find: lines(
          "    if (this.#state === 'terminated') {",
          '      throw new InvalidOperationError(',
          "        'Cannot terminate the call: it is already Terminated. Terminate a call only once.',",
          '      );',
          '    }',
        ),
        replace: "    if (this.#state === 'terminated') return Promise.resolve();",
      },
    ],
  },
  {
    id: 'second-establish-ignored',
    description: 'Ignores a second establish of an established call instead of refusing it.',
    openPoint: 'OP-8',
    advises: 'LIFE-9',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/call.ts',
        find: lines(
          "    if (this.#state !== 'idle') {",
          '      throw new InvalidOperationError(',
          '        `Cannot establish the call',
        ),
        replace: lines(
          "    if (this.#state === 'established') return Promise.resolve();",
          "    if (this.#state !== 'idle') {",
          '      throw new InvalidOperationError(',
          '        `Cannot establish the call',
        ),
      },
    ],
  },
  {
    id: 'consumed-notification-refused-as-argument',
    description:
      'Refuses a delivery notification on a ConsumedLocally flow as an unknown message (invalid argument) rather than as an invalid operation.',
    openPoint: 'OP-12',
    advises: 'DN-5',
    profile: 'basic',
    patches: [
      {
        file: 'reference/flow.ts',
        find: "    if (this.#configuration.consumptionMode !== 'proxied-to-remote-entity') {",
        replace: '    if (this.#configuration.consumptionMode === undefined) {',
      },
    ],
  },
  {
    id: 'unsupported-format-consumed',
    description:
      'Consumes a message in any well-formed content type, listed in SupportedFormats or not.',
    openPoint: 'OP-13',
    advises: 'MSG-5',
    profile: 'basic',
    patches: [
      {
        file: 'reference/flow.ts',
        find: 'if (!isSupportedFormat(this.#configuration.supportedFormats, contentType)) {',
        replace: 'if (!isContentType(contentType)) {',
      },
    ],
  },
  {
    id: 'composing-again-in-window-starts-over',
    description:
      'Composing set again after the time-out, before the revert, starts a new episode with a Typing, as a first setting does.',
    openPoint: 'OP-14',
    advises: 'LC-13',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/local-composing.ts',
        find: lines(
          '      this.#timedOut = false;',
          "      if (this.#options.settings.typingOnComposingAgain) this.#options.notify('typing');",
        ),
        replace: lines('      this.#timedOut = false;', "      this.#options.notify('typing');"),
      },
    ],
  },
  {
    id: 'leave-reports-mcu-call-end',
    description: 'Reports the end of the call with the MCU when the conference is left.',
    openPoint: 'OP-8',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'reference/mcu-session.ts',
        find: lines(
          "    if (this.#state === 'terminated') return;",
          '    this.#hasMcuCall = false;',
          "    this.#enter('terminated');",
        ),
        replace: lines(
          "    if (this.#state === 'terminated') return;",
          '    const hadCall = this.#hasMcuCall;',
          '    this.#hasMcuCall = false;',
          "    this.#enter('terminated');",
          "    if (hadCall) this.#events.emit('mcuCallTerminated', { reason: 'mcu-failover' });",
        ),
      },
    ],
  },
  {
    id: 'mcu-terminated-at-join',
    description:
      'Knows at the join that the conference has no IM MCU and ends the MCU session then, before the BeginJoin callback.',
    openPoint: 'OP-9',
    profile: 'ucma-guide',
    patches: [
      {
        file: 'adapters/reference.ts',
        find: lines(
          '          () => undefined,',
          '        );',
          '        return;',
          '      }',
          "      case 'conf.leave':",
        ),
        replace: lines(
          '          () => undefined,',
          '        );',
          '        // This platform learns the conference lacks the IM MCU as it asks to join.',
          '        if (!stimulus.imMcu) mcu.terminate();',
          '        return;',
          '      }',
          "      case 'conf.leave':",
        ),
      },
    ],
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
  /** The should-rule the variant is expected to get an advisory for. */
  readonly advises?: string;
  readonly conformant: boolean;
  /** Requirements the report marks failed: each one is a false failure. */
  readonly requirementsReported: readonly string[];
  /** Departures from should-rules the run reported (allowed, never failures). */
  readonly advisories: number;
  /** The rules of those advisories, sorted. */
  readonly advisoryRules: readonly string[];
  readonly durationMs: number;
  readonly error?: string;
}

function variantPatchSet(variant: Variant): PatchSet {
  return { id: variant.id, label: `variant ${variant.id}`, patches: variant.patches };
}

/** Runs the suite on a variant under its own profile and declarations. */
export async function runVariant(variant: Variant, options: KillOptions): Promise<VariantResult> {
  const started = performance.now();
  const base = {
    id: variant.id,
    openPoint: variant.openPoint,
    profile: variant.profile,
    ...(variant.advises ? { advises: variant.advises } : {}),
  };
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
      advisories: result.profiles.reduce((sum, profile) => sum + profile.advisories.length, 0),
      advisoryRules: [
        ...new Set(
          result.profiles.flatMap((profile) => profile.advisories.map((a) => a.requirement)),
        ),
      ].sort(),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    return {
      ...base,
      conformant: false,
      requirementsReported: [],
      advisories: 0,
      advisoryRules: [],
      durationMs: Math.round(performance.now() - started),
      error: (error as Error)?.message ?? String(error),
    };
  }
}
