/**
 * Hostile adapters: they misbehave as programs rather than as implementations (throw, hang,
 * answer nonsense). The kit must end every case in bounded time with a verdict that says what
 * went wrong, and must never crash.
 */
import type { Output } from '../../machines/index.ts';
import type { Adapter } from '../adapter.ts';
import { type Applied, delegate, observeLater, wrapReference } from './wrap.ts';

const never = () => new Promise<never>(() => undefined);

/** `apply` throws a plain Error (no refusal `kind`) when asked to start composing. */
export const applyThrows: Adapter = wrapReference('apply throws', () => ({
  system: (inner) =>
    delegate(inner, {
      apply(stimulus: Applied) {
        if (stimulus.type === 'app.setComposing') throw new Error('keyboard driver crashed');
        return inner.apply(stimulus);
      },
    }),
}));

/** `apply` throws something that is not an Error at all. */
export const applyThrowsString: Adapter = wrapReference('apply throws a string', () => ({
  system: (inner) =>
    delegate(inner, {
      apply(stimulus: Applied) {
        if (stimulus.type === 'app.setComposing') throw 'out of coffee';
        return inner.apply(stimulus);
      },
    }),
}));

/** `apply` returns a promise that never settles once the call is up. */
export const applyHangs: Adapter = wrapReference('apply never resolves', () => ({
  system: (inner) =>
    delegate(inner, {
      apply: (stimulus: Applied) =>
        stimulus.type === 'app.establish' || stimulus.type === 'conf.join'
          ? inner.apply(stimulus)
          : never(),
    }),
}));

/** `settle` never resolves. */
export const settleHangs: Adapter = wrapReference('settle never resolves', () => ({
  system: (inner) => delegate(inner, { settle: never }),
}));

/** `query` answers with a value no state query can take. */
export const queryGarbage: Adapter = wrapReference('query returns garbage', () => ({
  system: (inner) => delegate(inner, { query: () => ({ flowState: 'on fire' }) as never }),
}));

/** `query` answers with something that is not an object. */
export const queryNotAnObject: Adapter = wrapReference('query returns a string', () => ({
  system: (inner) => delegate(inner, { query: () => 'all good' as never }),
}));

/** `query` throws. */
export const queryThrows: Adapter = wrapReference('query throws', () => ({
  system: (inner) =>
    delegate(inner, {
      query: () => {
        throw new Error('state register unreadable');
      },
    }),
}));

/** A malformed output, reported on establish alongside the real ones. */
export function malformedOutput(output: unknown, name = 'malformed output'): Adapter {
  return wrapReference(name, (context) => ({
    system: (inner) =>
      delegate(inner, {
        async apply(stimulus: Applied) {
          await inner.apply(stimulus);
          if (stimulus.type === 'app.establish' || stimulus.type === 'conf.join') {
            context.observe(output as Output);
          }
        },
      }),
  }));
}

/** An output on an unknown wire kind. */
export const unknownWireKind = malformedOutput(
  { channel: 'wire', kind: 'smoke-signal' },
  'unknown wire kind',
);

/** An output that cannot even be copied (it refers to itself). */
export const circularOutput = (() => {
  const output: Record<string, unknown> = { channel: 'event', name: 'joinCompleted' };
  output.self = output;
  return malformedOutput(output, 'circular output');
})();

/** An output reported from outside any kit call, after a few turns, malformed. */
export const lateMalformedOutput: Adapter = wrapReference('late malformed output', (context) => ({
  system: (inner) =>
    delegate(inner, {
      async apply(stimulus: Applied) {
        await inner.apply(stimulus);
        if (stimulus.type === 'app.establish' || stimulus.type === 'conf.join') {
          const output: Record<string, unknown> = { channel: 'event', name: 'joinCompleted' };
          output.self = output;
          observeLater(context.observe, 2)(output as Output);
        }
      },
    }),
}));

/** `create` throws. */
export const createThrows: Adapter = {
  name: 'create throws',
  profile: 'ucma-guide',
  create() {
    throw new Error('licence server unreachable');
  },
};

/** `create` never resolves. */
export const createHangs: Adapter = {
  name: 'create never resolves',
  profile: 'ucma-guide',
  create: never,
};

/** `create` returns something that is not a system under test. */
export const createReturnsJunk: Adapter = {
  name: 'create returns junk',
  profile: 'ucma-guide',
  create: () => ({ apply: 'not a function' }) as never,
};

/** A timer callback of the implementation throws. */
export const timerThrows: Adapter = wrapReference('timer callback throws', () => ({
  clock: (clock) => ({
    now: () => clock.now(),
    setTimeout: (callback, ms) =>
      clock.setTimeout(() => {
        callback();
        throw new Error('refresh timer lost its socket');
      }, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  }),
}));

/**
 * A timer that re-arms itself at zero delay forever: virtual time can never move past it.
 * Armed when the application starts composing; `onSpin` counts its firings.
 */
export function spinningTimer(onSpin: () => void = () => undefined): Adapter {
  return wrapReference('timer re-arms itself forever', (context) => ({
    system: (inner) =>
      delegate(inner, {
        async apply(stimulus: Applied) {
          await inner.apply(stimulus);
          if (stimulus.type === 'app.setComposing') {
            const spin = () => {
              onSpin();
              context.clock.setTimeout(spin, 0);
            };
            context.clock.setTimeout(spin, 1);
          }
        },
      }),
  }));
}

/**
 * A correct but asynchronous implementation: every output is reported `delay` event-loop turns
 * after it happens, and there is no `settle`, so the kit must wait `drainTurns` turns.
 */
export function asyncOutputs(delay: number): Adapter {
  return wrapReference(`outputs ${delay} turns late, no settle`, () => ({
    observe: (observe) => observeLater(observe, delay),
    system: (inner) => delegate(inner, { settle: undefined }),
  }));
}
