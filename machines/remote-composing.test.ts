import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT } from './alphabet.ts';
import {
  basicProfile,
  builtInProfiles,
  guideProfile,
  type Profile,
  referencePageProfile,
} from './profile.ts';
import {
  establishedFlow,
  ids,
  isRemoteComposingEvent,
  remoteComposingChanged,
  requirementsOf,
  variant,
} from './test-support.ts';

const profiles = builtInProfiles.map((profile) => [profile.name, profile] as const);

/** A profile with some options changed (on top of a variant too, unlike `variant`). */
const withOptions = (profile: Profile, options: Partial<Profile['options']>): Profile => ({
  ...profile,
  options: { ...profile.options, ...options },
});
const onChange = (profile: Profile) => withOptions(profile, { remoteComposingEvent: 'on-change' });
const everyNotification = (profile: Profile) =>
  withOptions(profile, { remoteComposingEvent: 'every-notification' });

describe('remote composing', () => {
  it('RC-4: the built-in profiles take every-notification (ucma-guide, basic) and on-change (ucma-reference)', () => {
    expect(
      builtInProfiles.map((profile) => [profile.name, profile.options.remoteComposingEvent]),
    ).toEqual([
      ['ucma-guide', 'every-notification'],
      ['ucma-reference', 'on-change'],
      ['basic', 'every-notification'],
    ]);
  });

  describe.each(profiles)('RC-1 (%s)', (_name, profile) => {
    it('RC-1: an arriving Typing raises RemoteComposingStateChanged(composing)', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.step({ type: 'remote.typing' });
      expect(outcome.outputs).toEqual([remoteComposingChanged('composing')]);
      expect(ids(outcome)).toEqual(['remote.startComposing']);
      expect(requirementsOf(outcome)).toEqual(['RC-1']);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
      // Only the on-change reading times the six seconds.
      expect(flow.deadline()).toBe(
        profile.options.remoteComposingEvent === 'on-change' ? profile.timing.remoteIdleMs : null,
      );
    });

    it('RC-1: nothing but an arriving composing notification raises the event', () => {
      const flow = establishedFlow(withOptions(profile, { remoteIdleEvent: 'not-raised' }));
      const outcome = flow.steps(
        { type: 'remote.idle' },
        { type: 'remote.message', body: 'hi', contentType: PLAIN_TEXT },
        { type: 'app.setComposing' },
        { type: 'app.send', body: 'there', contentType: PLAIN_TEXT },
      );
      expect(outcome.outputs.some(isRemoteComposingEvent)).toBe(false);
      expect(outcome.steps[0]?.transitions.map((meta) => meta.id)).toEqual([
        'remote.idle.whileIdle',
      ]);
      flow.advance(2 * profile.timing.remoteIdleMs);
      expect(flow.timeline().some(({ output }) => isRemoteComposingEvent(output))).toBe(false);
    });
  });

  describe.each([
    ['ucma-reference', referencePageProfile],
    ['ucma-guide, on-change', onChange(guideProfile)],
  ] as const)('on-change reading of C9 (%s)', (_name, profile) => {
    it('RC-2: six seconds of silence raise nothing; the model only notes the presumption', () => {
      expect(profile.timing.remoteIdleMs).toBe(6000);
      const silence = profile.timing.remoteIdleMs;
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      const before = flow.advance(silence - 1);
      expect(before.outputs).toEqual([]);
      expect(ids(before)).toEqual(['remote.composing.wait']);
      const expiry = flow.advance(1);
      expect(expiry.outputs).toEqual([]);
      expect(ids(expiry)).toEqual(['remote.presumedIdle']);
      expect(requirementsOf(expiry)).toEqual(['RC-2', 'RC-5']);
      expect(flow.isIn('active.remoteComposing.silent')).toBe(true);
      expect(flow.deadline()).toBeNull();
    });

    it('RC-5: a Typing after the presumption raises the event again (preferred) or nothing (advisory)', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      flow.advance(profile.timing.remoteIdleMs);
      const typing = { type: 'remote.typing' } as const;
      expect(flow.model.alternatives(flow.snapshot, typing)).toEqual([
        { ...typing, choice: 'noPresumption' },
      ]);
      const unpresumed = flow.model.step(flow.snapshot, { ...typing, choice: 'noPresumption' });
      expect(unpresumed.outputs).toEqual([]);
      expect(unpresumed.transitions.map((t) => [t.id, t.deviates])).toEqual([
        ['remote.silent.typing.unpresumed', ['RC-5']],
      ]);
      const next = flow.step(typing);
      expect(next.outputs).toEqual([remoteComposingChanged('composing')]);
      expect(ids(next)).toEqual(['remote.silent.typing']);
      expect(flow.deadline()).toBe(profile.timing.remoteIdleMs);
    });

    it.each(['raised', 'not-raised'] as const)(
      'RC-2, RC-3: an Idle arriving after the presumption is judged under remoteIdleEvent %s',
      (remoteIdleEvent) => {
        const flow = establishedFlow(withOptions(profile, { remoteIdleEvent }));
        flow.step({ type: 'remote.typing' });
        flow.advance(profile.timing.remoteIdleMs + 1000);
        const idle = flow.step({ type: 'remote.idle' });
        expect(idle.outputs).toEqual(
          remoteIdleEvent === 'raised' ? [remoteComposingChanged('idle')] : [],
        );
        expect(flow.model.alternatives(flow.snapshot, { type: 'remote.idle' })).toEqual([]);
        expect(flow.isIn('active.remoteComposing.idle')).toBe(true);
      },
    );

    it('RC-4: a Typing 1 ms before the presumption raises no event and re-arms the full silence', () => {
      const silence = profile.timing.remoteIdleMs;
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      flow.advance(silence - 1);
      const refresh = flow.step({ type: 'remote.typing' });
      expect(refresh.outputs).toEqual([]);
      expect(ids(refresh)).toEqual(['remote.refresh']);
      expect(requirementsOf(refresh)).toEqual(['RC-4']);
      expect(flow.deadline()).toBe(silence);
      flow.advanceTo(2 * silence - 1 - 1);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
      expect(ids(flow.advance(1))).toEqual(['remote.presumedIdle']);
      expect(flow.nowMs).toBe(2 * silence - 1);
    });
  });

  describe.each([
    ['ucma-guide', guideProfile],
    ['basic', basicProfile],
    ['ucma-reference, every-notification', everyNotification(referencePageProfile)],
  ] as const)('every-notification reading of C9 (%s)', (_name, profile) => {
    it('RC-4: every Typing raises the event, however long the silence before it', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      for (const pause of [1000, profile.timing.remoteIdleMs, 3 * profile.timing.remoteIdleMs]) {
        flow.advance(pause);
        const refresh = flow.step({ type: 'remote.typing' });
        expect(refresh.outputs).toEqual([remoteComposingChanged('composing')]);
        expect(ids(refresh)).toEqual(['remote.refresh.raised']);
        expect(flow.model.alternatives(flow.snapshot, { type: 'remote.typing' })).toEqual([]);
      }
      expect(flow.isIn('active.remoteComposing.silent')).toBe(false);
    });

    it('RC-2: silence raises nothing and needs no timer', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      expect(flow.deadline()).toBeNull();
      expect(flow.advance(2 * profile.timing.remoteIdleMs).outputs).toEqual([]);
    });
  });

  it('RC-2: the presumption time follows the profile (on-change)', () => {
    const profile = onChange(variant(guideProfile, { timing: { remoteIdleMs: 4000 } }));
    const flow = establishedFlow(profile);
    flow.step({ type: 'remote.typing' });
    flow.advance(3999);
    expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
    expect(ids(flow.advance(1))).toEqual(['remote.presumedIdle']);
  });

  describe('RC-3: an arriving Idle (C5)', () => {
    const readings: (readonly [string, Profile])[] = [
      ['ucma-guide', guideProfile],
      ['ucma-reference', referencePageProfile],
      [
        'ucma-guide, not-raised',
        variant(guideProfile, { options: { remoteIdleEvent: 'not-raised' } }),
      ],
      [
        'ucma-reference, raised',
        variant(referencePageProfile, { options: { remoteIdleEvent: 'raised' } }),
      ],
    ];

    it.each(readings)(
      'RC-3: an Idle while the remote composes follows remoteIdleEvent (%s)',
      (_label, profile) => {
        const raised = profile.options.remoteIdleEvent === 'raised';
        const flow = establishedFlow(profile);
        flow.step({ type: 'remote.typing' });
        const idle = flow.step({ type: 'remote.idle' });
        expect(idle.outputs).toEqual(raised ? [remoteComposingChanged('idle')] : []);
        expect(ids(idle)).toEqual([raised ? 'remote.idle.raised' : 'remote.idle.silent']);
        expect(requirementsOf(idle)).toContain('RC-3');
        expect(flow.isIn('active.remoteComposing.idle')).toBe(true);
        expect(flow.deadline()).toBeNull();
        // Either way the next Typing raises Composing again.
        expect(flow.step({ type: 'remote.typing' }).outputs).toEqual([
          remoteComposingChanged('composing'),
        ]);
      },
    );

    it.each(readings)(
      'RC-3: an Idle while the remote is already idle raises the event only for every notification and when raised (%s)',
      (_label, profile) => {
        const raised =
          profile.options.remoteIdleEvent === 'raised' &&
          profile.options.remoteComposingEvent === 'every-notification';
        const flow = establishedFlow(profile);
        const idle = flow.step({ type: 'remote.idle' });
        expect(idle.outputs).toEqual(raised ? [remoteComposingChanged('idle')] : []);
        expect(requirementsOf(idle)).toContain('RC-3');
      },
    );
  });
});
