import { describe, expect, it } from 'vitest';
import { PLAIN_TEXT } from './alphabet.ts';
import { builtInProfiles, guideProfile, type Profile, referencePageProfile } from './profile.ts';
import {
  establishedFlow,
  ids,
  isRemoteComposingEvent,
  remoteComposingChanged,
  requirementsOf,
  variant,
} from './test-support.ts';

const profiles = builtInProfiles.map((profile) => [profile.name, profile] as const);

describe('remote composing', () => {
  describe.each(profiles)('RC-1, RC-2, RC-4 (%s)', (_name, profile) => {
    it('RC-1: an arriving Typing raises RemoteComposingStateChanged(composing)', () => {
      const flow = establishedFlow(profile);
      const outcome = flow.step({ type: 'remote.typing' });
      expect(outcome.outputs).toEqual([remoteComposingChanged('composing')]);
      expect(ids(outcome)).toEqual(['remote.startComposing']);
      expect(requirementsOf(outcome)).toEqual(['RC-1']);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
      expect(flow.deadline()).toBe(profile.timing.remoteIdleMs);
    });

    it('RC-1: nothing but an arriving composing notification raises the event', () => {
      const flow = establishedFlow(profile);
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

    it('RC-2: the remote is presumed idle exactly after remoteIdleMs of silence, without an event', () => {
      expect(profile.timing.remoteIdleMs).toBe(6000);
      const silence = profile.timing.remoteIdleMs;
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      const before = flow.advance(silence - 1);
      expect(before.outputs).toEqual([]);
      expect(ids(before)).toEqual(['remote.composing.wait']);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);

      const expiry = flow.advance(1);
      expect(expiry.outputs).toEqual([]);
      expect(ids(expiry)).toEqual(['remote.presumedIdle']);
      expect(requirementsOf(expiry)).toEqual(['RC-2']);
      expect(flow.isIn('active.remoteComposing.idle')).toBe(true);
      expect(flow.deadline()).toBeNull();

      // The next Typing after the expiry raises the event again.
      const next = flow.step({ type: 'remote.typing' });
      expect(next.outputs).toEqual([remoteComposingChanged('composing')]);
    });

    it('RC-2, RC-4: a Typing 1 ms before the expiry raises no event and re-arms the full silence', () => {
      const silence = profile.timing.remoteIdleMs;
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      flow.advance(silence - 1);
      const refresh = flow.step({ type: 'remote.typing' });
      expect(refresh.outputs).toEqual([]);
      expect(ids(refresh)).toEqual(['remote.refresh']);
      expect(requirementsOf(refresh)).toEqual(expect.arrayContaining(['RC-2', 'RC-4']));
      expect(flow.deadline()).toBe(silence);
      // The original expiry instant passes with the remote still composing.
      expect(flow.advance(1).outputs).toEqual([]);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
      flow.advanceTo(2 * silence - 1 - 1);
      expect(flow.isIn('active.remoteComposing.composing')).toBe(true);
      expect(ids(flow.advance(1))).toEqual(['remote.presumedIdle']);
      expect(flow.nowMs).toBe(2 * silence - 1);
    });

    it('RC-4: Typing refreshes while the remote is composing raise no further event', () => {
      const flow = establishedFlow(profile);
      flow.step({ type: 'remote.typing' });
      for (let k = 0; k < 4; k++) {
        flow.advance(profile.timing.remoteIdleMs - 1);
        const refresh = flow.step({ type: 'remote.typing' });
        expect(refresh.outputs).toEqual([]);
        expect(requirementsOf(refresh)).toContain('RC-4');
      }
      expect(flow.timeline().filter(({ output }) => isRemoteComposingEvent(output))).toHaveLength(
        1,
      );
    });
  });

  it('RC-2: the presumed-idle time follows the profile', () => {
    const profile = variant(guideProfile, { timing: { remoteIdleMs: 4000 } });
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
      'RC-3: an Idle while the remote is already idle raises nothing (%s)',
      (_label, profile) => {
        const flow = establishedFlow(profile);
        const idle = flow.step({ type: 'remote.idle' });
        expect(idle.outputs).toEqual([]);
        expect(requirementsOf(idle)).toContain('RC-3');
      },
    );
  });
});
