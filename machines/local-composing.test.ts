import { describe, expect, it } from 'vitest';
import { type Output, PLAIN_TEXT } from './alphabet.ts';
import {
  basicProfile,
  builtInProfiles,
  guideProfile,
  MAX_COMPOSING_TIMEOUT_MS,
  type Profile,
  referencePageProfile,
} from './profile.ts';
import {
  composingFlow,
  type Driver,
  establishedFlow,
  idleNotification,
  ids,
  isRemoteComposingEvent,
  isTyping,
  refused,
  requirementsOf,
  typing,
  variant,
  wireMessage,
} from './test-support.ts';

const profiles = builtInProfiles.map((profile) => [profile.name, profile] as const);

/** The instants at which the flow put Typing on the wire. */
const typingInstants = (flow: Driver): number[] =>
  flow
    .timeline()
    .filter(({ output }) => isTyping(output))
    .map(({ atMs }) => atMs);

/** LC-2 and LC-10: refreshes every period after `start`, strictly before the time-out. */
function refreshesBetween(start: number, refreshPeriodMs: number, timeoutMs: number): number[] {
  const instants: number[] = [];
  for (let at = refreshPeriodMs; at < timeoutMs; at += refreshPeriodMs) instants.push(start + at);
  return instants;
}

/** What ending composing puts on the wire under the profile's C4 reading. */
const endingOutputs = (profile: Profile): Output[] =>
  profile.options.idleNotification === 'sent' ? [idleNotification] : [];

/** A template time-out long enough for two refreshes before it. */
const twoRefreshes = (profile: Profile) => ({
  composingTimeoutMs: 2 * profile.timing.refreshPeriodMs + 1000,
});

describe('local composing', () => {
  describe.each(profiles)('LC-1, LC-9: starting to compose (%s)', (_name, profile) => {
    it('LC-1: setting Composing sends Typing at once', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.step({ type: 'app.setComposing' });
      expect(outcome.outputs).toEqual([typing]);
      expect(ids(outcome)).toEqual(['local.startComposing']);
      expect(requirementsOf(outcome)).toEqual(expect.arrayContaining(['LC-1', 'LC-9']));
      expect(flow.queries().localComposingState).toBe('composing');
      expect(flow.deadline()).toBe(
        Math.min(profile.timing.refreshPeriodMs, profile.timing.composingTimeoutMs),
      );
    });

    it('LC-9: no local composing change raises RemoteComposingStateChanged', () => {
      const flow = composingFlow(profile, twoRefreshes(profile));
      flow.step({ type: 'app.setComposing' });
      flow.advance(twoRefreshes(profile).composingTimeoutMs + profile.timing.revertToleranceMs);
      flow.step({ type: 'app.setComposing' });
      flow.step({ type: 'app.setIdle' });
      flow.step({ type: 'app.setComposing' });
      flow.step({ type: 'app.send', body: 'done', contentType: PLAIN_TEXT });
      expect(flow.timeline().some(({ output }) => isRemoteComposingEvent(output))).toBe(false);
      expect(flow.timeline().filter(({ output }) => isTyping(output)).length).toBeGreaterThan(2);
    });
  });

  describe('LC-2: refresh every refresh period (C1)', () => {
    it.each(profiles)(
      'LC-2: refreshes Typing every refresh period, never a millisecond early (%s)',
      (_name, profile) => {
        const period = profile.timing.refreshPeriodMs;
        const flow = composingFlow(profile, twoRefreshes(profile));
        for (const k of [1, 2]) {
          const early = flow.advanceTo(k * period - 1);
          expect(early.outputs).toEqual([]);
          const due = flow.advance(1);
          expect(due.outputs).toEqual([typing]);
          expect(ids(due)).toEqual(['local.refresh']);
          expect(requirementsOf(due)).toContain('LC-2');
          expect(flow.queries().localComposingState).toBe('composing');
        }
        expect(typingInstants(flow)).toEqual([0, period, 2 * period]);
      },
    );

    it.each([3000, 5000] as const)(
      'LC-2: a profile with refreshPeriodMs %i refreshes at that period',
      (refreshPeriodMs) => {
        for (const base of [guideProfile, referencePageProfile]) {
          const profile = variant(base, { timing: { refreshPeriodMs } });
          const timeoutMs = MAX_COMPOSING_TIMEOUT_MS;
          const flow = composingFlow(profile, { composingTimeoutMs: timeoutMs });
          flow.advance(timeoutMs);
          expect(typingInstants(flow)).toEqual([
            0,
            ...refreshesBetween(0, refreshPeriodMs, timeoutMs),
          ]);
        }
      },
    );

    it('LC-2: the boundary step before a refresh is a declared wait with no output', () => {
      const flow = composingFlow(guideProfile, twoRefreshes(guideProfile));
      const wait = flow.advance(guideProfile.timing.refreshPeriodMs - 1);
      expect(ids(wait)).toEqual(['local.composing.wait']);
      expect(wait.transitions[0]?.boundary).toBe(true);
      expect(wait.outputs).toEqual([]);
      expect(flow.deadline()).toBe(1);
    });
  });

  describe('LC-3, LC-5: time-out and revert (C2)', () => {
    it.each([
      ['basic', basicProfile],
      [
        'ucma-guide with revertToleranceMs 0',
        variant(guideProfile, { timing: { revertToleranceMs: 0 } }),
      ],
      [
        'ucma-reference with revertToleranceMs 0',
        variant(referencePageProfile, { timing: { revertToleranceMs: 0 } }),
      ],
    ])(
      'LC-3: without a tolerance window the state reverts exactly at the time-out (%s)',
      (_label, profile) => {
        const timeout = profile.timing.composingTimeoutMs;
        const flow = composingFlow(profile);
        const early = flow.advance(timeout - 1);
        expect(early.outputs).toEqual([]);
        expect(flow.queries().localComposingState).toBe('composing');
        expect(flow.spontaneous()).toEqual([]);

        const due = flow.advance(1);
        expect(due.outputs).toEqual(endingOutputs(profile));
        expect(ids(due)).toEqual([
          profile.options.idleNotification === 'sent'
            ? 'local.timeout.instant.notified'
            : 'local.timeout.instant',
        ]);
        expect(requirementsOf(due)).toContain('LC-3');
        expect(flow.queries().localComposingState).toBe('idle');
        expect(flow.spontaneous()).toEqual([]);
        expect(flow.deadline()).toBeNull();
      },
    );

    it.each([
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
      [
        'basic with revertToleranceMs 500',
        variant(basicProfile, { timing: { revertToleranceMs: 500 } }),
      ],
    ])(
      'LC-5: with a tolerance window the revert is due by the window end and no later (%s)',
      (_label, profile) => {
        const { composingTimeoutMs: timeout, revertToleranceMs: window } = profile.timing;
        expect(window).toBeGreaterThan(0);
        const flow = composingFlow(profile);
        expect(flow.advance(timeout - 1).outputs).toEqual([]);
        expect(flow.spontaneous()).toEqual([]);

        const atTimeout = flow.advance(1);
        expect(atTimeout.outputs).toEqual([]);
        expect(ids(atTimeout)).toEqual(['local.timeout']);
        expect(requirementsOf(atTimeout)).toEqual(expect.arrayContaining(['LC-3', 'LC-5']));
        expect(flow.isIn('active.localComposing.reverting')).toBe(true);
        expect(flow.queries().localComposingState).toBe('composing');
        expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
        // The refresh cadence runs on inside the window, so its next tick may come first.
        const period = profile.timing.refreshPeriodMs;
        const nextRefresh = period - (timeout % period);
        expect(flow.deadline()).toBe(Math.min(window, nextRefresh));

        const beforeEnd = flow.advance(window - 1);
        expect(beforeEnd.outputs).toEqual([]);
        expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
        expect(flow.queries().localComposingState).toBe('composing');

        const end = flow.advance(1);
        expect(end.outputs).toEqual(endingOutputs(profile));
        expect(ids(end)).toEqual([
          profile.options.idleNotification === 'sent'
            ? 'local.windowEnd.notified'
            : 'local.windowEnd',
        ]);
        expect(requirementsOf(end)).toContain('LC-5');
        expect(flow.queries().localComposingState).toBe('idle');
        expect(flow.spontaneous()).toEqual([]);
        expect(flow.nowMs).toBe(timeout + window);
      },
    );

    it.each([
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
    ])(
      'LC-5: sut.revert is offered only inside the window, and taking it outputs what the profile says (%s)',
      (_label, profile) => {
        const { composingTimeoutMs: timeout, revertToleranceMs: window } = profile.timing;
        for (const offset of [0, Math.floor(window / 2), window - 1]) {
          const flow = composingFlow(profile);
          expect(flow.spontaneous()).toEqual([]);
          flow.advance(timeout + offset);
          expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
          const revert = flow.step({ type: 'sut.revert' });
          expect(revert.outputs).toEqual(endingOutputs(profile));
          expect(ids(revert)).toEqual([
            profile.options.idleNotification === 'sent' ? 'local.revert.notified' : 'local.revert',
          ]);
          expect(revert.transitions[0]?.spontaneous).toBe(true);
          expect(requirementsOf(revert)).toContain('LC-5');
          expect(flow.queries().localComposingState).toBe('idle');
          expect(flow.spontaneous()).toEqual([]);
          // Nothing more is owed: no window end, no refresh.
          expect(flow.deadline()).toBeNull();
        }
      },
    );

    it('LC-5: sut.revert is not offered before the time-out, while idle, or after the window', () => {
      const flow = establishedFlow(guideProfile);
      expect(flow.spontaneous()).toEqual([]);
      flow.step({ type: 'app.setComposing' });
      expect(flow.spontaneous()).toEqual([]);
      flow.advance(guideProfile.timing.composingTimeoutMs - 1);
      expect(flow.spontaneous()).toEqual([]);
      flow.advance(1 + guideProfile.timing.revertToleranceMs);
      expect(flow.spontaneous()).toEqual([]);
      expect(flow.step({ type: 'sut.revert' }).outputs).toEqual([]);
    });
  });

  describe('LC-4, LC-12, LC-13: setting Composing again', () => {
    it.each(profiles)(
      'LC-4: setting Composing before the time-out starts it over (%s)',
      (_name, profile) => {
        const { composingTimeoutMs: timeout, revertToleranceMs: window } = profile.timing;
        const flow = composingFlow(profile);
        flow.advance(timeout - 1);
        const again = flow.step({ type: 'app.setComposing' });
        const notified = profile.options.composingAgainNotification === 'sent';
        expect(again.outputs).toEqual(notified ? [typing] : []);
        expect(ids(again)).toEqual([
          notified ? 'local.composingAgain.notified' : 'local.composingAgain',
        ]);
        expect(requirementsOf(again)).toContain('LC-4');
        // The original time-out passes without effect.
        flow.advance(1);
        expect(flow.isIn('active.localComposing.composing')).toBe(true);
        // The new one falls a full time-out after the renewal.
        flow.advanceTo(2 * timeout - 1 - 1);
        expect(flow.isIn('active.localComposing.composing')).toBe(true);
        const due = flow.advance(1);
        expect(ids(due)).toContain(window === 0 ? 'local.timeout.instant' : 'local.timeout');
        expect(flow.nowMs).toBe(timeout - 1 + timeout);
      },
    );

    it.each(profiles)(
      'LC-12: Composing while Composing sends a Typing only where the profile says so (C10), and keeps the refresh cadence (%s)',
      (_name, profile) => {
        const period = profile.timing.refreshPeriodMs;
        const notified = profile.options.composingAgainNotification === 'sent';
        const flow = composingFlow(profile, twoRefreshes(profile));
        flow.advance(1000);
        const again = flow.step({ type: 'app.setComposing' });
        expect(again.outputs).toEqual(notified ? [typing] : []);
        expect(requirementsOf(again)).toContain('LC-12');
        flow.advanceTo(period - 1);
        flow.step({ type: 'app.setComposing' });
        expect(flow.advance(1).outputs).toEqual([typing]);
        expect(typingInstants(flow)).toEqual(
          notified ? [0, 1000, period - 1, period] : [0, period],
        );
      },
    );

    it.each([
      ['ucma-guide', guideProfile, 'sent'],
      ['ucma-reference', referencePageProfile, 'not-sent'],
    ] as const)(
      'LC-12: the other reading of C10 on %s (%s)',
      (_label, base, composingAgainNotification) => {
        const profile = variant(base, { options: { composingAgainNotification } });
        const flow = composingFlow(profile);
        const again = flow.step({ type: 'app.setComposing' });
        expect(again.outputs).toEqual(composingAgainNotification === 'sent' ? [typing] : []);
      },
    );

    it.each([
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
    ])(
      'LC-13: Composing inside the revert window cancels the revert and restarts time-out and cadence (%s)',
      (_label, profile) => {
        const { refreshPeriodMs: period, revertToleranceMs: window } = profile.timing;
        const template = twoRefreshes(profile);
        const timeout = template.composingTimeoutMs;
        const flow = composingFlow(profile, template);
        flow.advance(timeout + Math.floor(window / 2));
        expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
        const restart = flow.nowMs;

        const again = flow.step({ type: 'app.setComposing' });
        const notified = profile.options.composingAgainNotification === 'sent';
        expect(again.outputs).toEqual(notified ? [typing] : []);
        expect(ids(again)).toEqual([
          notified ? 'local.reverting.composingAgain.notified' : 'local.reverting.composingAgain',
        ]);
        expect(requirementsOf(again)).toEqual(expect.arrayContaining(['LC-4', 'LC-13']));
        expect(flow.spontaneous()).toEqual([]);
        expect(flow.isIn('active.localComposing.composing')).toBe(true);

        // The old window end passes without a revert.
        expect(flow.advanceTo(timeout + window).outputs).toEqual([]);
        expect(flow.queries().localComposingState).toBe('composing');

        flow.advanceTo(restart + timeout - 1);
        expect(flow.spontaneous()).toEqual([]);
        flow.advance(1);
        expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
        expect(typingInstants(flow).filter((at) => at > restart)).toEqual(
          refreshesBetween(restart, period, timeout),
        );
        expect(typingInstants(flow).includes(restart)).toBe(notified);
      },
    );
  });

  describe('LC-6: may the application set Idle? (C3)', () => {
    const allowed = [
      ['ucma-guide', guideProfile],
      [
        'ucma-reference with explicitIdle allowed',
        variant(referencePageProfile, { options: { explicitIdle: 'allowed' } }),
      ],
    ] as const;
    const rejected = [
      ['ucma-reference', referencePageProfile],
      [
        'ucma-guide with explicitIdle rejected',
        variant(guideProfile, { options: { explicitIdle: 'rejected' } }),
      ],
    ] as const;

    it.each(allowed)(
      'LC-6: where allowed, Idle ends composing and stops the refreshes (%s)',
      (_label, profile) => {
        const flow = composingFlow(profile, twoRefreshes(profile));
        flow.advance(1);
        const idle = flow.step({ type: 'app.setIdle' });
        expect(idle.outputs).toEqual(endingOutputs(profile));
        expect(ids(idle)).toEqual([
          profile.options.idleNotification === 'sent'
            ? 'local.setIdle.notified'
            : 'local.setIdle.silent',
        ]);
        expect(requirementsOf(idle)).toContain('LC-6');
        expect(flow.queries().localComposingState).toBe('idle');
        expect(flow.deadline()).toBeNull();
        expect(flow.advance(twoRefreshes(profile).composingTimeoutMs).outputs).toEqual([]);
      },
    );

    it.each(allowed)(
      'LC-6: where allowed, Idle inside the revert window ends it (%s)',
      (_label, profile) => {
        const flow = composingFlow(profile);
        flow.advance(profile.timing.composingTimeoutMs);
        const idle = flow.step({ type: 'app.setIdle' });
        expect(idle.outputs).toEqual(endingOutputs(profile));
        expect(ids(idle)).toEqual([
          profile.options.idleNotification === 'sent'
            ? 'local.reverting.setIdle.notified'
            : 'local.reverting.setIdle.silent',
        ]);
        expect(flow.spontaneous()).toEqual([]);
        expect(flow.deadline()).toBeNull();
      },
    );

    it.each(allowed)(
      'LC-6: where allowed, Idle while already Idle is accepted silently (%s)',
      (_label, profile) => {
        const flow = establishedFlow(profile);
        const idle = flow.step({ type: 'app.setIdle' });
        expect(idle.outputs).toEqual([]);
        expect(ids(idle)).toEqual(['local.idle.setIdle']);
        expect(flow.queries().localComposingState).toBe('idle');
      },
    );

    it.each(rejected)(
      'LC-6: where rejected, Idle is an invalid operation in every composing state (%s)',
      (_label, profile) => {
        const idleFlow = establishedFlow(profile);
        const whileIdle = idleFlow.step({ type: 'app.setIdle' });
        expect(whileIdle.outputs).toEqual([refused('app.setIdle', 'invalid-operation')]);
        expect(ids(whileIdle)).toEqual(['local.idle.setIdle.rejected']);

        const period = profile.timing.refreshPeriodMs;
        const flow = composingFlow(profile, twoRefreshes(profile));
        flow.advance(1);
        const whileComposing = flow.step({ type: 'app.setIdle' });
        expect(whileComposing.outputs).toEqual([refused('app.setIdle', 'invalid-operation')]);
        expect(ids(whileComposing)).toEqual(['local.setIdle.rejected']);
        expect(requirementsOf(whileComposing)).toEqual(['LC-6']);
        expect(flow.queries().localComposingState).toBe('composing');
        // The refresh cadence is untouched.
        flow.advanceTo(period);
        expect(typingInstants(flow)).toEqual([0, period]);

        flow.advanceTo(twoRefreshes(profile).composingTimeoutMs);
        if (profile.timing.revertToleranceMs > 0) {
          const inWindow = flow.step({ type: 'app.setIdle' });
          expect(inWindow.outputs).toEqual([refused('app.setIdle', 'invalid-operation')]);
          expect(ids(inWindow)).toEqual(['local.reverting.setIdle.rejected']);
          expect(flow.spontaneous()).toEqual([{ type: 'sut.revert' }]);
        }
      },
    );
  });

  describe('LC-7: Idle notification when composing ends (C4)', () => {
    const readings = (['sent', 'not-sent'] as const).map((reading) => ({
      reading,
      windowed: variant(guideProfile, { options: { idleNotification: reading } }),
      instant: variant(basicProfile, { options: { idleNotification: reading } }),
    }));

    it.each(readings)(
      'LC-7: idleNotification $reading on explicit Idle, time-out, window end and revert',
      ({ reading, windowed, instant }) => {
        const expected = reading === 'sent' ? [idleNotification] : [];

        const explicit = composingFlow(windowed).step({ type: 'app.setIdle' });
        expect(explicit.outputs).toEqual(expected);
        expect(requirementsOf(explicit)).toContain('LC-7');

        const timedOut = composingFlow(instant);
        expect(timedOut.advance(instant.timing.composingTimeoutMs).outputs).toEqual(expected);

        const windowEnd = composingFlow(windowed);
        windowEnd.advance(windowed.timing.composingTimeoutMs);
        const end = windowEnd.advance(windowed.timing.revertToleranceMs);
        expect(end.outputs).toEqual(expected);
        expect(requirementsOf(end)).toContain('LC-7');

        const reverted = composingFlow(windowed);
        reverted.advance(windowed.timing.composingTimeoutMs);
        const revert = reverted.step({ type: 'sut.revert' });
        expect(revert.outputs).toEqual(expected);
        expect(requirementsOf(revert)).toContain('LC-7');
      },
    );
  });

  describe('LC-8: sending a message while composing (C6)', () => {
    const readings = [
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
      [
        'ucma-guide with idle-notification',
        variant(guideProfile, { options: { sendWhileComposing: 'idle-notification' } }),
      ],
      [
        'ucma-reference with message-only',
        variant(referencePageProfile, { options: { sendWhileComposing: 'message-only' } }),
      ],
    ] as const;

    const expectedOutputs = (profile: Profile): Output[] =>
      profile.options.sendWhileComposing === 'idle-notification'
        ? [wireMessage('hi', PLAIN_TEXT), idleNotification]
        : [wireMessage('hi', PLAIN_TEXT)];

    it.each(readings)(
      'LC-8: a send while Composing resets to Idle and stops refreshing (%s)',
      (_label, profile) => {
        const flow = composingFlow(profile, twoRefreshes(profile));
        flow.advance(1);
        const send = flow.step({ type: 'app.send', body: 'hi', contentType: PLAIN_TEXT });
        expect(send.outputs).toHaveLength(expectedOutputs(profile).length);
        expect(send.outputs).toEqual(expect.arrayContaining(expectedOutputs(profile)));
        expect(ids(send)).toContain(
          profile.options.sendWhileComposing === 'idle-notification'
            ? 'local.send.idleNotification'
            : 'local.send.messageOnly',
        );
        expect(requirementsOf(send)).toContain('LC-8');
        expect(flow.queries().localComposingState).toBe('idle');
        expect(flow.deadline()).toBeNull();
        expect(flow.advance(twoRefreshes(profile).composingTimeoutMs).outputs).toEqual([]);
      },
    );

    it.each(readings)(
      'LC-8: a send inside the revert window ends it the same way (%s)',
      (_label, profile) => {
        const flow = composingFlow(profile);
        flow.advance(profile.timing.composingTimeoutMs);
        const send = flow.step({ type: 'app.send', body: 'hi', contentType: PLAIN_TEXT });
        expect(send.outputs).toHaveLength(expectedOutputs(profile).length);
        expect(send.outputs).toEqual(expect.arrayContaining(expectedOutputs(profile)));
        expect(ids(send)).toContain(
          profile.options.sendWhileComposing === 'idle-notification'
            ? 'local.reverting.send.idleNotification'
            : 'local.reverting.send.messageOnly',
        );
        expect(flow.spontaneous()).toEqual([]);
        expect(flow.deadline()).toBeNull();
      },
    );

    it.each(readings)(
      'LC-8: a send while Idle carries no composing notification (%s)',
      (_label, profile) => {
        const flow = establishedFlow(profile);
        const send = flow.step({ type: 'app.send', body: 'hi', contentType: PLAIN_TEXT });
        expect(send.outputs).toEqual([wireMessage('hi', PLAIN_TEXT)]);
      },
    );
  });

  describe('LC-10: the time-out wins over a refresh due at the same instant (C2)', () => {
    it.each([
      ['ucma-reference', referencePageProfile],
      [
        'ucma-reference with revertToleranceMs 0',
        variant(referencePageProfile, { timing: { revertToleranceMs: 0 } }),
      ],
    ])(
      'LC-10: refresh 3000 and time-out 3000: no refresh, the time-out is taken (%s)',
      (_label, profile) => {
        expect(profile.timing.refreshPeriodMs).toBe(profile.timing.composingTimeoutMs);
        const coincide = profile.timing.composingTimeoutMs;
        const flow = composingFlow(profile);
        expect(flow.advance(coincide - 1).outputs).toEqual([]);
        const due = flow.advance(1);
        expect(due.outputs.some(isTyping)).toBe(false);
        expect(ids(due)).not.toContain('local.refresh');
        expect(ids(due)[0]).toMatch(/^local\.timeout/);
        expect(requirementsOf(due)).toContain('LC-10');
        // Nor does a refresh come later in the window.
        flow.advance(profile.timing.revertToleranceMs + 10_000);
        expect(typingInstants(flow)).toEqual([0]);
      },
    );

    it.each(profiles)(
      'LC-10: a refresh at a template time-out of exactly two periods is not sent (%s)',
      (_name, profile) => {
        const period = profile.timing.refreshPeriodMs;
        const flow = composingFlow(profile, { composingTimeoutMs: 2 * period });
        flow.advance(2 * period + profile.timing.revertToleranceMs);
        expect(typingInstants(flow)).toEqual([0, period]);
      },
    );

    it('LC-10: with the guide defaults (time-out shorter than the period) no refresh is ever sent', () => {
      const { refreshPeriodMs, composingTimeoutMs, revertToleranceMs } = guideProfile.timing;
      expect(composingTimeoutMs).toBeLessThan(refreshPeriodMs);
      const flow = composingFlow(guideProfile);
      flow.advance(refreshPeriodMs + revertToleranceMs);
      expect(typingInstants(flow)).toEqual([0]);
    });

    it('LC-10: a refresh at the time-out instant is an allowed branch departing from LC-10', () => {
      const profile = referencePageProfile;
      const flow = composingFlow(profile);
      flow.advance(profile.timing.composingTimeoutMs - 1);
      const tick = { type: 'clock.advance', ms: 1 } as const;
      expect(flow.model.alternatives(flow.snapshot, tick)).toEqual([
        { ...tick, choice: 'refreshSent' },
      ]);
      const branch = flow.step({ ...tick, choice: 'refreshSent' });
      expect(branch.outputs).toEqual([typing]);
      expect(ids(branch)).toEqual(['local.timeout.refreshSent']);
      expect(branch.transitions[0]?.deviates).toEqual(['LC-10']);
      expect(branch.transitions[0]?.spontaneous).toBe(true);
      expect(flow.isIn('active.localComposing.reverting')).toBe(true);
    });

    it('LC-10: with an instant revert, the refresh at the time-out may go out with the revert', () => {
      const profile = variant(referencePageProfile, { timing: { revertToleranceMs: 0 } });
      const flow = composingFlow(profile);
      flow.advance(profile.timing.composingTimeoutMs - 1);
      const branch = flow.step({ type: 'clock.advance', ms: 1, choice: 'refreshSent' });
      expect(branch.outputs).toEqual([typing, idleNotification]);
      expect(ids(branch)).toEqual(['local.timeout.instant.notified.refreshSent']);
      expect(flow.queries().localComposingState).toBe('idle');
    });

    it('LC-10: a refresh falling inside the revert window may go out, and the cadence goes on', () => {
      const profile = referencePageProfile;
      const { refreshPeriodMs: period, composingTimeoutMs: timeout } = profile.timing;
      const flow = composingFlow(profile);
      flow.advance(timeout);
      expect(flow.isIn('active.localComposing.reverting')).toBe(true);
      // The next refresh is one period after the one that fell at the time-out.
      expect(flow.deadline()).toBe(period);
      flow.advance(period - 1);
      const tick = { type: 'clock.advance', ms: 1 } as const;
      expect(flow.model.alternatives(flow.snapshot, tick)).toEqual([
        { ...tick, choice: 'refreshSent' },
      ]);
      const preferred = flow.model.step(flow.snapshot, tick);
      expect(preferred.outputs).toEqual([]);
      expect(preferred.transitions.map((t) => t.id)).toEqual(['local.reverting.refreshSkipped']);
      const branch = flow.step({ ...tick, choice: 'refreshSent' });
      expect(branch.outputs).toEqual([typing]);
      expect(branch.transitions.map((t) => [t.id, t.deviates])).toEqual([
        ['local.reverting.refresh', ['LC-10']],
      ]);
      expect(flow.queries().localComposingState).toBe('composing');
      expect(flow.deadline()).toBe(profile.timing.revertToleranceMs - period);
    });

    it('LC-10: no refresh branch where no refresh is due', () => {
      const flow = composingFlow(referencePageProfile);
      expect(flow.model.alternatives(flow.snapshot, { type: 'clock.advance', ms: 1 })).toEqual([]);
    });

    it('LC-10: a renewed time-out that lands on a refresh still wins', () => {
      const { refreshPeriodMs, composingTimeoutMs } = basicProfile.timing;
      const flow = composingFlow(basicProfile);
      flow.advance(refreshPeriodMs - composingTimeoutMs);
      flow.step({ type: 'app.setComposing' });
      flow.advance(composingTimeoutMs - 1);
      const due = flow.advance(1);
      expect(flow.nowMs).toBe(refreshPeriodMs);
      expect(due.outputs).toEqual([]);
      expect(ids(due)).toEqual(['local.timeout.instant']);
    });
  });

  describe.each(profiles)('LC-11: no refresh while Idle (%s)', (_name, profile) => {
    it('LC-11: an established flow that never composes sends nothing as time passes', () => {
      const flow = establishedFlow(profile);
      expect(flow.deadline()).toBeNull();
      expect(flow.advance(MAX_COMPOSING_TIMEOUT_MS).outputs).toEqual([]);
    });

    it('LC-11: after the revert no refresh follows', () => {
      const flow = composingFlow(profile, twoRefreshes(profile));
      flow.advance(twoRefreshes(profile).composingTimeoutMs + profile.timing.revertToleranceMs);
      expect(flow.queries().localComposingState).toBe('idle');
      const typed = typingInstants(flow).length;
      flow.advance(4 * profile.timing.refreshPeriodMs);
      expect(typingInstants(flow)).toHaveLength(typed);
    });
  });
});
