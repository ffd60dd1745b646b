import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type { InstantMessagingFlowEvents } from './flow.ts';
import { connectPair, EventLog, type PairOptions, thrownBy } from './test-helpers.ts';

/** alice starts composing at t=0 on a fresh pair; the wire log holds only what follows. */
async function composingPair(options: PairOptions = {}) {
  const pair = await connectPair(options);
  pair.aliceFlow.localComposingState = 'composing';
  await pair.settle();
  return pair;
}

describe('local composing state', () => {
  it('starts Idle and sends Typing at once when set to Composing', async () => {
    const pair = await connectPair();
    expect(pair.aliceFlow.localComposingState).toBe('idle');
    pair.aliceFlow.localComposingState = 'composing';
    expect(pair.aliceFlow.localComposingState).toBe('composing');
    expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
  });

  describe('Composing set again (typingOnComposingAgain)', () => {
    it('sends nothing more by default and keeps the refresh cadence', async () => {
      const pair = await composingPair({ aliceTemplate: { composingTimeoutMs: 30_000 } });
      await pair.advance(1000);
      pair.aliceFlow.localComposingState = 'composing';
      await pair.advance(4000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@5000']);
    });

    it('sends Typing on every setting when so configured, and keeps the refresh cadence', async () => {
      const pair = await composingPair({
        settings: { typingOnComposingAgain: true },
        aliceTemplate: { composingTimeoutMs: 30_000 },
      });
      await pair.advance(1000);
      pair.aliceFlow.localComposingState = 'composing';
      await pair.advance(4000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@1000', 'typing@5000']);
    });
  });

  describe('refresh (refreshPeriodMs)', () => {
    it('refreshes Typing every 5000 ms by default, not a millisecond earlier', async () => {
      const pair = await composingPair({ aliceTemplate: { composingTimeoutMs: 30_000 } });
      await pair.advance(4999);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
      await pair.advance(1);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@5000']);
      await pair.advance(4999);
      expect(pair.wire.composingBy('alice')).toHaveLength(2);
      await pair.advance(1);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@5000', 'typing@10000']);
    });

    it('refreshes every 3000 ms when so configured', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 3000 },
        aliceTemplate: { composingTimeoutMs: 10_000 },
      });
      await pair.advance(2999);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
      await pair.advance(1);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
      await pair.advance(7000);
      expect(pair.wire.composingBy('alice')).toEqual([
        'typing@0',
        'typing@3000',
        'typing@6000',
        'typing@9000',
      ]);
    });

    it('never refreshes with the defaults, the 3000 ms time-out coming first', async () => {
      const pair = await composingPair();
      await pair.advance(2999);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(1);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      await pair.advance(20_000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
    });
  });

  describe('time-out (composingTimeoutMs)', () => {
    it('does not send a refresh due at the very instant of the time-out', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 3000 },
        aliceTemplate: { composingTimeoutMs: 3000 },
      });
      await pair.advance(3000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
    });

    it('stops refreshing at the time-out and reverts to Idle', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 3000 },
        aliceTemplate: { composingTimeoutMs: 6000 },
      });
      await pair.advance(5999);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(1);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      await pair.advance(30_000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
      expect(pair.clock.pendingTimerCount).toBe(0);
    });

    it('restarts only the time-out when set to Composing again, keeping the refresh cadence', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 3000 },
        aliceTemplate: { composingTimeoutMs: 4000 },
      });
      await pair.advance(2000);
      pair.aliceFlow.localComposingState = 'composing';
      await pair.settle();
      // No immediate notification for the repeated Composing.
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
      await pair.advance(1000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
      await pair.advance(2999);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      // t=6000: a refresh and the moved time-out fall together; the refresh is dropped.
      await pair.advance(1);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
    });

    it('keeps composing as long as the application keeps setting Composing', async () => {
      const pair = await composingPair({ settings: { refreshPeriodMs: 3000 } });
      for (let step = 0; step < 5; step += 1) {
        await pair.advance(2500);
        pair.aliceFlow.localComposingState = 'composing';
      }
      await pair.settle();
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      expect(pair.wire.composingBy('alice')).toEqual([
        'typing@0',
        'typing@3000',
        'typing@6000',
        'typing@9000',
        'typing@12000',
      ]);
    });

    it('starts a new episode with Typing after reverting to Idle', async () => {
      const pair = await composingPair();
      await pair.advance(3000);
      pair.aliceFlow.localComposingState = 'composing';
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
    });
  });

  describe('revert delay (revertDelayMs)', () => {
    it('reads Composing until the delay after the time-out has passed, without refreshing', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 1000, revertDelayMs: 2000 },
      });
      await pair.advance(3000);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(1999);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(1);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@1000', 'typing@2000']);
    });

    it('sends Idle at the revert, not at the time-out, when Idle goes on the wire', async () => {
      const pair = await composingPair({
        settings: { revertDelayMs: 2000, idleNotificationOnWire: true },
      });
      await pair.advance(4999);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
      await pair.advance(1);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'idle@5000']);
    });

    it('resumes without a notification when Composing is set again during the delay', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 2000, revertDelayMs: 5000 },
        aliceTemplate: { composingTimeoutMs: 3000 },
      });
      await pair.advance(4000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@2000']);
      pair.aliceFlow.localComposingState = 'composing';
      await pair.settle();
      // Still Composing as far as anyone knows: no Typing now, refreshes resume from here.
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@2000']);
      await pair.advance(1999);
      expect(pair.wire.composingBy('alice')).toHaveLength(2);
      await pair.advance(1);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@2000', 'typing@6000']);
      // New time-out at 7000, then the revert delay again: Idle at 12000.
      await pair.advance(5999);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(1);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@2000', 'typing@6000']);
    });

    it('ends at once when set to Idle during the delay', async () => {
      const pair = await composingPair({ settings: { revertDelayMs: 5000 } });
      await pair.advance(4000);
      pair.aliceFlow.localComposingState = 'idle';
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      await pair.advance(20_000);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
    });
  });

  describe('explicit Idle (explicitIdleAllowed, idleNotificationOnWire)', () => {
    it('stops the refreshes without an Idle notification by default', async () => {
      const pair = await composingPair({ aliceTemplate: { composingTimeoutMs: 30_000 } });
      await pair.advance(1000);
      pair.aliceFlow.localComposingState = 'idle';
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      await pair.advance(30_000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
    });

    it('sends Idle when idleNotificationOnWire is set', async () => {
      const pair = await composingPair({
        settings: { idleNotificationOnWire: true },
        aliceTemplate: { composingTimeoutMs: 30_000 },
      });
      await pair.advance(1000);
      pair.aliceFlow.localComposingState = 'idle';
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'idle@1000']);
    });

    it('does nothing when already Idle', async () => {
      const pair = await connectPair({ settings: { idleNotificationOnWire: true } });
      pair.aliceFlow.localComposingState = 'idle';
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.records).toEqual([]);
    });

    it('sends Idle at the time-out revert when idleNotificationOnWire is set', async () => {
      const pair = await composingPair({ settings: { idleNotificationOnWire: true } });
      await pair.advance(3000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'idle@3000']);
    });

    it('sends nothing at the time-out revert by default', async () => {
      const pair = await composingPair();
      await pair.advance(3000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0']);
    });

    it('refuses Idle when explicitIdleAllowed is false, and changes nothing', async () => {
      const pair = await composingPair({
        settings: {
          explicitIdleAllowed: false,
          refreshPeriodMs: 3000,
          idleNotificationOnWire: true,
        },
        aliceTemplate: { composingTimeoutMs: 10_000 },
      });
      await pair.advance(1000);
      const error = thrownBy(() => {
        pair.aliceFlow.localComposingState = 'idle';
      });
      expect(error).toBeInstanceOf(InvalidOperationError);
      expect((error as Error).message).toMatch(/explicitIdleAllowed is false/);
      expect(pair.aliceFlow.localComposingState).toBe('composing');
      await pair.advance(2000);
      expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@3000']);
      // The platform still reverts by itself, announcing Idle as configured.
      await pair.advance(7000);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.wire.composingBy('alice')).toEqual([
        'typing@0',
        'typing@3000',
        'typing@6000',
        'typing@9000',
        'idle@10000',
      ]);
    });

    it('refuses Idle when explicitIdleAllowed is false even while Idle', async () => {
      const pair = await connectPair({ settings: { explicitIdleAllowed: false } });
      expect(() => {
        pair.aliceFlow.localComposingState = 'idle';
      }).toThrow(InvalidOperationError);
    });
  });

  describe('sending a message (idleNotificationOnSend)', () => {
    it('ends composing and stops the timers, without Idle by default', async () => {
      const pair = await composingPair({
        settings: { refreshPeriodMs: 1000, idleNotificationOnWire: true },
        aliceTemplate: { composingTimeoutMs: 30_000 },
      });
      await pair.advance(1500);
      const id = await pair.aliceFlow.sendInstantMessage('done');
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      await pair.advance(30_000);
      expect(pair.wire.sentBy('alice')).toEqual([
        { type: 'composing', state: 'typing' },
        { type: 'composing', state: 'typing' },
        { type: 'message', id, contentType: 'text/plain', body: 'done' },
      ]);
    });

    it('sends Idle before the message when idleNotificationOnSend is set', async () => {
      const pair = await composingPair({ settings: { idleNotificationOnSend: true } });
      await pair.aliceFlow.sendInstantMessage('done');
      expect(pair.wire.typesBy('alice')).toEqual(['composing:typing', 'composing:idle', 'message']);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
    });

    it('sends no Idle for a message sent while Idle', async () => {
      const pair = await connectPair({ settings: { idleNotificationOnSend: true } });
      await pair.aliceFlow.sendInstantMessage('plain');
      expect(pair.wire.typesBy('alice')).toEqual(['message']);
    });

    it('ends composing even when explicit Idle is not allowed', async () => {
      const pair = await composingPair({ settings: { explicitIdleAllowed: false } });
      await pair.aliceFlow.sendInstantMessage('done');
      expect(pair.aliceFlow.localComposingState).toBe('idle');
    });
  });

  it('never raises remoteComposingStateChanged on the side that sets its own state', async () => {
    const pair = await connectPair({ settings: { idleNotificationOnWire: true } });
    const aliceEvents = new EventLog<InstantMessagingFlowEvents>(pair.aliceFlow, [
      'remoteComposingStateChanged',
    ]);
    pair.aliceFlow.localComposingState = 'composing';
    pair.aliceFlow.localComposingState = 'composing';
    pair.aliceFlow.localComposingState = 'idle';
    await pair.advance(10_000);
    expect(aliceEvents.entries).toEqual([]);
  });

  it('refuses values other than idle and composing', async () => {
    const pair = await connectPair();
    const error = thrownBy(() => {
      pair.aliceFlow.localComposingState = 'typing' as never;
    });
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(pair.wire.records).toEqual([]);
  });
});
