/**
 * Building blocks of the kit's self-test adapters: each one wraps the reference adapter (which
 * conforms) and changes one thing, so that a test knows exactly which rule the result breaks.
 */
import referenceAdapter from '../../adapters/reference.ts';
import type { Output, Profile, Stimulus } from '../../machines/index.ts';
import type { Adapter, SutContext, SystemUnderTest } from '../adapter.ts';
import type { KitClock } from '../virtual-clock.ts';

/** A stimulus as `apply` receives it: the kit keeps clock advances to itself. */
export type Applied = Exclude<Stimulus, { type: 'clock.advance' }>;

/** What a wrapper may change about one system under test; everything left out is passed through. */
export interface Wrapping {
  /** The profile the reference is built from (the kit still judges against the real one). */
  readonly profile?: (profile: Profile) => Profile;
  /** The clock the reference schedules its timers on. */
  readonly clock?: (clock: KitClock) => KitClock;
  /** The callback the reference reports its outputs through. */
  readonly observe?: (observe: SutContext['observe']) => SutContext['observe'];
  /** The object handed to the kit, given the reference's. */
  readonly system?: (inner: SystemUnderTest) => SystemUnderTest;
}

/**
 * An adapter over the reference implementation with one change. `wrapping` is called once per
 * test case, so a wrapper may keep per-case state in its closure.
 */
export function wrapReference(name: string, wrapping: (context: SutContext) => Wrapping): Adapter {
  return {
    name,
    profile: referenceAdapter.profile,
    ...(referenceAdapter.declarations ? { declarations: referenceAdapter.declarations } : {}),
    async create(context) {
      const change = wrapping(context);
      const inner = await referenceAdapter.create({
        ...context,
        profile: change.profile?.(context.profile) ?? context.profile,
        clock: change.clock?.(context.clock) ?? context.clock,
        observe: change.observe?.(context.observe) ?? context.observe,
      });
      return change.system?.(inner) ?? inner;
    },
  };
}

/**
 * A system under test that forwards to `inner` except for `overrides`. An override given as
 * `undefined` removes the method (a `settle` the kit must do without, say).
 */
export function delegate(
  inner: SystemUnderTest,
  overrides: { [K in keyof SystemUnderTest]?: SystemUnderTest[K] | undefined },
): SystemUnderTest {
  const base: SystemUnderTest = {
    apply: (stimulus) => inner.apply(stimulus),
    query: () => inner.query(),
  };
  const { settle, dispose } = inner;
  if (settle) base.settle = () => settle.call(inner);
  if (dispose) base.dispose = () => dispose.call(inner);
  return { ...base, ...overrides };
}

/** A clock on which the timers `which` picks (by their requested delay) fire `lateByMs` late. */
export function lateTimers(
  clock: KitClock,
  which: (ms: number) => boolean,
  lateByMs: number,
): KitClock {
  return {
    now: () => clock.now(),
    setTimeout: (callback, ms) => clock.setTimeout(callback, which(ms) ? ms + lateByMs : ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
}

/** A copy of `profile` with some timing values changed. */
export function withTiming(profile: Profile, timing: Partial<Profile['timing']>): Profile {
  return { ...profile, timing: { ...profile.timing, ...timing } as Profile['timing'] };
}

/** Resolves after `turns` turns of the event loop (each a `setImmediate`). */
export async function turns(count: number): Promise<void> {
  for (let turn = 0; turn < count; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Reports `output` through `observe` after `count` event-loop turns. */
export function observeLater(observe: SutContext['observe'], count: number) {
  return (output: Output) => {
    void turns(count).then(() => observe(output));
  };
}
