/**
 * Adapters that declare what they cannot do, over the (conforming) reference implementation,
 * and adapters with two independent faults: the kit's self-tests of declarations, of one run
 * reporting every distinct failure, and of `--only`.
 */
import referenceAdapter from '../../adapters/reference.ts';
import type { Stimulus } from '../../machines/index.ts';
import type { Adapter, Declarations } from '../adapter.ts';
import { type Applied, delegate, withTiming, wrapReference } from './wrap.ts';
import { secondNotificationAccepted } from './wrong.ts';

/** The reference adapter with more declarations added to its own. */
function declaring(adapter: Adapter, more: Declarations): Adapter {
  const own = referenceAdapter.declarations ?? {};
  return {
    ...adapter,
    declarations: {
      unobservable: [...(own.unobservable ?? []), ...(more.unobservable ?? [])],
      unsupported: [...(own.unsupported ?? []), ...(more.unsupported ?? [])],
      ...(more.queries ? { queries: more.queries } : {}),
    },
  };
}

/** An implementation without a SIP dialog: it has no BYE to report, and says so. */
export const byeUnobserved: Adapter = declaring(
  wrapReference('cannot observe BYE', () => ({
    observe: (observe) => (output) => {
      if (!(output.channel === 'wire' && output.kind === 'bye')) observe(output);
    },
  })),
  { unobservable: [{ channel: 'wire', kind: 'bye' }] },
);

/**
 * An adapter that sees none of the call's signalling: no BYE, no StateChanged event, no flow
 * state reading. The rules that show only through those are untestable for it.
 */
export const callSignalsUnobserved: Adapter = declaring(
  wrapReference('cannot observe the call state', () => ({
    observe: (observe) => (output) => {
      if (output.channel === 'wire' && output.kind === 'bye') return;
      if (output.channel === 'event' && output.name === 'flowStateChanged') return;
      observe(output);
    },
    system: (inner) =>
      delegate(inner, {
        async query() {
          const { flowState: _unanswered, ...rest } = await inner.query();
          return rest;
        },
      }),
  })),
  {
    unobservable: [
      { channel: 'wire', kind: 'bye' },
      { channel: 'event', name: 'flowStateChanged' },
    ],
    queries: ['localComposingState', 'mcuState'],
  },
);

/** The focus reconnect that reports the MCU inactive, which this implementation cannot simulate. */
export const FOCUS_WITHOUT_MCU: Stimulus = { type: 'server.focusReconnected', mcuActive: false };

/**
 * An implementation that cannot be driven with a focus reconnect reporting the MCU inactive,
 * and declares it. It records every stimulus it is driven with, so a test can see what came.
 */
export function focusWithoutMcuUnsupported(applied: Applied[]): Adapter {
  return declaring(
    wrapReference('cannot simulate a focus reconnect without the MCU', () => ({
      system: (inner) =>
        delegate(inner, {
          apply(stimulus: Applied) {
            applied.push(stimulus);
            if (stimulus.type === 'server.focusReconnected' && !stimulus.mcuActive)
              throw new Error('this test server cannot reconnect the focus without the MCU');
            return inner.apply(stimulus);
          },
        }),
    })),
    { unsupported: [FOCUS_WITHOUT_MCU] },
  );
}

/** The reference as it is, recording every stimulus it is driven with. */
export function recording(applied: Applied[]): Adapter {
  return wrapReference('records its stimuli', () => ({
    system: (inner) =>
      delegate(inner, {
        apply(stimulus: Applied) {
          applied.push(stimulus);
          return inner.apply(stimulus);
        },
      }),
  }));
}

/**
 * The local composing state stops being answered once Composing was set: the adapter declares
 * every query (by default), so the missing answer fails the step.
 */
export const composingQueryStops: Adapter = wrapReference('stops answering composing', () => {
  let composingSet = false;
  return {
    system: (inner) =>
      delegate(inner, {
        apply(stimulus: Applied) {
          if (stimulus.type === 'app.setComposing') composingSet = true;
          return inner.apply(stimulus);
        },
        async query() {
          const answers = await inner.query();
          if (!composingSet) return answers;
          const { localComposingState: _dropped, ...rest } = answers;
          return rest;
        },
      }),
  };
});

/** The same missing answer, from an adapter that declares it does not answer that query. */
export const composingQueryUndeclared: Adapter = declaring(
  { ...composingQueryStops, name: 'does not answer composing, and says so' },
  { queries: ['flowState', 'mcuState'] },
);

/**
 * Two independent faults in one implementation: a second delivery notification for the same
 * message goes out again (DN-3), and Typing is refreshed with the other documented period
 * (LC-2): the implementation is set up from a profile with the refresh periods swapped.
 */
export const twoBugs: Adapter = {
  ...secondNotificationAccepted,
  name: 'two independent bugs',
  create: (context) =>
    secondNotificationAccepted.create({
      ...context,
      profile: withTiming(context.profile, {
        refreshPeriodMs: context.profile.timing.refreshPeriodMs === 5000 ? 3000 : 5000,
      }),
    }),
};
