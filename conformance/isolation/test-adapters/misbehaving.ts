/**
 * Adapters that misbehave as programs, for the isolation tests: each wraps the reference
 * adapter and does one thing no adapter should. A host process loads this module; the
 * environment variable IMFLOW_MISBEHAVIOUR names the misbehaviour its default export has.
 */
import type { Output } from '../../../machines/index.ts';
import type { Adapter, SutContext } from '../../adapter.ts';
import { timerThrows } from '../../test-adapters/hostile.ts';
import { type Applied, delegate, wrapReference } from '../../test-adapters/wrap.ts';

/** Most misbehaviours strike when the case first sets the local composing state. */
const TRIGGER = 'app.setComposing';
const never = () => new Promise<never>(() => undefined);

/** An adapter that does `act` (instead of, or before, applying) when the trigger arrives. */
function onTrigger(
  name: string,
  act: (context: SutContext, stimulus: Applied) => unknown,
  { instead = false } = {},
): Adapter {
  return wrapReference(name, (context) => ({
    system: (inner) =>
      delegate(inner, {
        async apply(stimulus: Applied) {
          if (stimulus.type !== TRIGGER) return inner.apply(stimulus);
          const result = act(context, stimulus);
          if (instead) return result as Promise<void>;
          return inner.apply(stimulus);
        },
      }),
  }));
}

const misbehaviours: Record<string, () => Adapter> = {
  'exit-0-in-apply': () => onTrigger('exits 0', () => process.exit(0)),
  'exit-3-in-timer': () =>
    onTrigger('exits 3 from a timer', () => setTimeout(() => process.exit(3), 0)),
  'kill-itself': () => onTrigger('kills itself', () => process.kill(process.pid, 'SIGKILL')),
  'busy-loop': () =>
    onTrigger('loops for ever', () => {
      for (;;) {
        // A synchronous loop: only killing the process ends it.
      }
    }),
  'out-of-memory': () =>
    onTrigger('allocates without end', () => {
      const hoard: number[][] = [];
      for (;;) hoard.push(new Array(100_000).fill(hoard.length));
    }),
  'apply-hangs': () => onTrigger('apply never resolves', never, { instead: true }),
  'settle-hangs': () =>
    wrapReference('settle never resolves', () => ({
      system: (inner) => delegate(inner, { settle: never }),
    })),
  'pollutes-globals': () =>
    wrapReference('pollutes globals', (context) => {
      const prototype = Object.prototype as unknown as Record<string, unknown>;
      prototype.requirements = ['POLLUTED-1'];
      prototype.transitions = 'polluted';
      (Array.prototype as unknown as Record<string, unknown>).polluted = true;
      return { clock: () => context.clock };
    }),
  'tampers-with-the-clock': () =>
    wrapReference('tampers with the clock', (context) => {
      const { clock } = context;
      const kept = {
        now: clock.now.bind(clock),
        setTimeout: clock.setTimeout.bind(clock),
        clearTimeout: clock.clearTimeout.bind(clock),
      };
      // What it was handed is changed for everyone holding it; the reference keeps a copy.
      Object.assign(clock, { now: () => 1_000_000_000, setTimeout: () => 0 });
      return { clock: () => kept };
    }),
  'reports-after-dispose': () =>
    wrapReference('reports after dispose', (context) => ({
      system: (inner) =>
        delegate(inner, {
          dispose() {
            context.observe({ channel: 'event', name: 'flowStateChanged', state: 'terminated' });
          },
        }),
    })),
  'dispose-throws': () =>
    wrapReference('dispose throws', () => ({
      system: (inner) =>
        delegate(inner, {
          dispose() {
            throw new Error('socket already closed');
          },
        }),
    })),
  'unhandled-rejection': () =>
    onTrigger('leaves a rejection unhandled', () => {
      Promise.reject(new Error('stray rejection from the adapter'));
    }),
  'uncaught-exception': () =>
    onTrigger('throws from a timer of its own', () =>
      setTimeout(() => {
        throw new Error('stray exception from the adapter');
      }, 0),
    ),
  'output-flood': () =>
    onTrigger('floods', (context) => {
      for (let index = 0; index < 100_000; index++) {
        context.observe({ channel: 'wire', kind: 'composing', state: 'typing' });
      }
    }),
  'writes-to-stdout': () => onTrigger('writes to stdout', () => process.stdout.write('debug\n')),
  'logs-to-console': () => onTrigger('logs', () => console.log('composing now')),
  'unknown-wire-kind': () =>
    onTrigger('reports an unknown wire kind', (context) =>
      context.observe({ channel: 'wire', kind: 'smoke-signal' } as unknown as Output),
    ),
  'circular-output': () =>
    onTrigger('reports a circular output', (context) => {
      const output: Record<string, unknown> = { channel: 'event', name: 'joinCompleted' };
      output.self = output;
      context.observe(output as unknown as Output);
    }),
  'create-throws': () => ({
    name: 'create throws',
    profile: 'ucma-guide',
    create() {
      throw new Error('licence server unreachable');
    },
  }),
  'query-throws': () =>
    wrapReference('query throws', () => ({
      system: (inner) =>
        delegate(inner, {
          query: () => {
            throw new Error('state register unreadable');
          },
        }),
    })),
  // The same misbehaviour as in the kit's own process, now across the protocol.
  'timer-throws': () => timerThrows,
};

const chosen = process.env.IMFLOW_MISBEHAVIOUR ?? '';
const make = misbehaviours[chosen];
if (!make) {
  throw new Error(
    `IMFLOW_MISBEHAVIOUR is "${chosen}"; known: ${Object.keys(misbehaviours).join(', ')}`,
  );
}

export const names = Object.keys(misbehaviours);
export default make();
