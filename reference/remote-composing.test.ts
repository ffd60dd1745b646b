import { describe, expect, it } from 'vitest';
import type { InstantMessagingFlowEvents } from './flow.ts';
import { connectPair, EventLog, type PairOptions } from './test-helpers.ts';

async function watchedPair(options: PairOptions = {}) {
  const pair = await connectPair(options);
  const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, [
    'remoteComposingStateChanged',
  ]);
  return { ...pair, bobEvents };
}

// Deliveries are asynchronous and the clock is manual: each test lets the network settle
// before moving time, so that a notification arrives at the instant it was sent.
describe('remote composing state', () => {
  it('raises Composing with the participant when Typing arrives while Idle', async () => {
    const pair = await watchedPair();
    pair.aliceFlow.localComposingState = 'composing';
    expect(pair.bobEvents.entries).toEqual([]);
    await pair.settle();
    expect(pair.bobEvents.of('remoteComposingStateChanged')).toEqual([
      { participant: { name: 'alice' }, state: 'composing' },
    ]);
    expect(pair.bobFlow.remoteComposingState).toBe('composing');
  });

  it('raises nothing for Typing refreshes, which keep the remote Composing', async () => {
    const pair = await watchedPair({ aliceTemplate: { composingTimeoutMs: 30_000 } });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(12_000);
    expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'typing@5000', 'typing@10000']);
    expect(pair.bobEvents.entries).toHaveLength(1);
    expect(pair.bobFlow.remoteComposingState).toBe('composing');
  });

  it('presumes the remote Idle after 6000 ms of silence, without an event', async () => {
    const pair = await watchedPair();
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(5999);
    expect(pair.bobFlow.remoteComposingState).toBe('composing');
    await pair.advance(1);
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
    expect(pair.bobEvents.of('remoteComposingStateChanged')).toEqual([
      { participant: { name: 'alice' }, state: 'composing' },
    ]);
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    expect(pair.bobEvents.of('remoteComposingStateChanged').map((event) => event.state)).toEqual([
      'composing',
      'composing',
    ]);
  });

  it('counts the silence from the last Typing received', async () => {
    const pair = await watchedPair({ aliceTemplate: { composingTimeoutMs: 7000 } });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    // alice refreshes at 5000 and reverts silently at 7000; bob presumes Idle at 11000.
    await pair.advance(10_999);
    expect(pair.bobFlow.remoteComposingState).toBe('composing');
    await pair.advance(1);
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
  });

  it('uses remotePresumedIdleMs', async () => {
    const pair = await watchedPair({ bobSettings: { remotePresumedIdleMs: 2000 } });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(1999);
    expect(pair.bobFlow.remoteComposingState).toBe('composing');
    await pair.advance(1);
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
    expect(pair.bobEvents.entries).toHaveLength(1);
  });

  it('raises Idle when an Idle notification arrives while Composing', async () => {
    const pair = await watchedPair({ aliceSettings: { idleNotificationOnWire: true } });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(1000);
    pair.aliceFlow.localComposingState = 'idle';
    await pair.settle();
    expect(pair.bobEvents.of('remoteComposingStateChanged')).toEqual([
      { participant: { name: 'alice' }, state: 'composing' },
      { participant: { name: 'alice' }, state: 'idle' },
    ]);
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
    // The silence timer was stopped with it: nothing left to fire on bob's side.
    await pair.advance(10_000);
    expect(pair.bobEvents.entries).toHaveLength(2);
  });

  it('turns Idle silently on an Idle notification when remoteIdleRaisesEvent is false', async () => {
    const pair = await watchedPair({
      aliceSettings: { idleNotificationOnWire: true },
      bobSettings: { remoteIdleRaisesEvent: false },
    });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(1000);
    pair.aliceFlow.localComposingState = 'idle';
    await pair.settle();
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
    expect(pair.bobEvents.of('remoteComposingStateChanged').map((event) => event.state)).toEqual([
      'composing',
    ]);
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    expect(pair.bobEvents.of('remoteComposingStateChanged').map((event) => event.state)).toEqual([
      'composing',
      'composing',
    ]);
  });

  it('still raises Idle for an Idle notification arriving once the remote is presumed Idle', async () => {
    const pair = await watchedPair({
      aliceSettings: { idleNotificationOnWire: true, revertDelayMs: 4000 },
    });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(6000);
    expect(pair.bobFlow.remoteComposingState).toBe('idle');
    await pair.advance(1000);
    expect(pair.wire.composingBy('alice')).toEqual(['typing@0', 'idle@7000']);
    // The application was never told of the presumption, so the Idle is news to it.
    expect(pair.bobEvents.of('remoteComposingStateChanged').map((event) => event.state)).toEqual([
      'composing',
      'idle',
    ]);
  });

  it('raises the event for every notification with remoteEventOnEveryNotification', async () => {
    const pair = await watchedPair({
      aliceTemplate: { composingTimeoutMs: 30_000 },
      bobSettings: { remoteEventOnEveryNotification: true },
    });
    pair.aliceFlow.localComposingState = 'composing';
    await pair.settle();
    await pair.advance(12_000);
    expect(pair.bobEvents.of('remoteComposingStateChanged').map((event) => event.state)).toEqual([
      'composing',
      'composing',
      'composing',
    ]);
  });

  it('sees the Idle sent before a message when idleNotificationOnSend is set', async () => {
    const pair = await watchedPair({ aliceSettings: { idleNotificationOnSend: true } });
    const order: string[] = [];
    pair.bobFlow.on('remoteComposingStateChanged', ({ state }) => order.push(state));
    pair.bobFlow.on('messageReceived', ({ body }) => order.push(body));
    pair.aliceFlow.localComposingState = 'composing';
    void pair.aliceFlow.sendInstantMessage('hello');
    await pair.settle();
    expect(order).toEqual(['composing', 'idle', 'hello']);
  });
});
