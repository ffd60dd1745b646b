import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.ts';
import type { InstantMessagingFlowEvents } from './flow.ts';
import { connectPair, EventLog, thrownBy } from './test-helpers.ts';

const flowEvents = [
  'messageReceived',
  'responseReceived',
  'deliveryNotificationReceived',
  'remoteComposingStateChanged',
  'stateChanged',
] as const;

describe('messaging', () => {
  it('sends a string as text/plain and resolves with the message id', async () => {
    const pair = await connectPair();
    const id = await pair.aliceFlow.sendInstantMessage('hello');
    expect(pair.wire.sentBy('alice')).toEqual([
      { type: 'message', id, contentType: 'text/plain', body: 'hello' },
    ]);
  });

  it('sends a body with an explicit content type', async () => {
    const pair = await connectPair({ bobTemplate: { supportedFormats: ['text/html'] } });
    const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, flowEvents);
    const id = await pair.aliceFlow.sendInstantMessage({
      contentType: 'text/html',
      body: '<b>hi</b>',
    });
    await pair.settle();
    expect(bobEvents.of('messageReceived')).toEqual([
      { messageId: id, contentType: 'text/html', body: '<b>hi</b>' },
    ]);
  });

  it('gives every message its own id', async () => {
    const pair = await connectPair();
    const ids = [
      await pair.aliceFlow.sendInstantMessage('a'),
      await pair.aliceFlow.sendInstantMessage('b'),
      await pair.bobFlow.sendInstantMessage('c'),
    ];
    expect(new Set(ids).size).toBe(3);
  });

  it('answers 200 and raises messageReceived on a flow that consumes locally', async () => {
    const pair = await connectPair();
    const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, flowEvents);
    const aliceEvents = new EventLog<InstantMessagingFlowEvents>(pair.aliceFlow, flowEvents);
    const id = await pair.aliceFlow.sendInstantMessage('hello');
    await pair.settle();
    expect(pair.wire.sentBy('bob')).toEqual([{ type: 'response', id, code: 200 }]);
    expect(bobEvents.entries).toEqual([
      {
        event: 'messageReceived',
        payload: { messageId: id, contentType: 'text/plain', body: 'hello' },
      },
    ]);
    expect(aliceEvents.entries).toEqual([
      { event: 'responseReceived', payload: { messageId: id, code: 200 } },
    ]);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([]);
  });

  it('answers 202, raises messageReceived and awaits a notification on a proxying flow', async () => {
    const pair = await connectPair({
      bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
    });
    const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, flowEvents);
    const id = await pair.aliceFlow.sendInstantMessage('hello');
    await pair.settle();
    expect(pair.wire.sentBy('bob')).toEqual([{ type: 'response', id, code: 202 }]);
    expect(bobEvents.of('messageReceived')).toEqual([
      { messageId: id, contentType: 'text/plain', body: 'hello' },
    ]);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([id]);
  });

  it.each(['consumed-locally', 'proxied-to-remote-entity'] as const)(
    'answers 415 without an event for an unsupported content type (%s)',
    async (consumptionMode) => {
      const pair = await connectPair({ bobTemplate: { consumptionMode } });
      const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, flowEvents);
      const aliceEvents = new EventLog<InstantMessagingFlowEvents>(pair.aliceFlow, flowEvents);
      const id = await pair.aliceFlow.sendInstantMessage({
        contentType: 'text/html',
        body: '<p/>',
      });
      await pair.settle();
      expect(pair.wire.sentBy('bob')).toEqual([{ type: 'response', id, code: 415 }]);
      expect(bobEvents.entries).toEqual([]);
      expect(aliceEvents.of('responseReceived')).toEqual([{ messageId: id, code: 415 }]);
      expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([]);
    },
  );

  it('compares content types without case and parameters', async () => {
    const pair = await connectPair();
    const bobEvents = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, flowEvents);
    const id = await pair.aliceFlow.sendInstantMessage({
      contentType: 'Text/Plain; charset=utf-8',
      body: 'hi',
    });
    await pair.settle();
    expect(pair.wire.sentBy('bob')).toEqual([{ type: 'response', id, code: 200 }]);
    expect(bobEvents.of('messageReceived')).toEqual([
      { messageId: id, contentType: 'Text/Plain; charset=utf-8', body: 'hi' },
    ]);
  });

  it('raises messageReceived in arrival order', async () => {
    const pair = await connectPair({
      bobTemplate: { supportedFormats: ['text/plain', 'text/html'] },
    });
    const bodies: string[] = [];
    pair.bobFlow.on('messageReceived', ({ body }) => bodies.push(body));
    void pair.aliceFlow.sendInstantMessage('one');
    void pair.aliceFlow.sendInstantMessage({ contentType: 'text/html', body: 'two' });
    void pair.aliceFlow.sendInstantMessage({ contentType: 'image/png', body: 'skipped' });
    void pair.aliceFlow.sendInstantMessage('three');
    await pair.settle();
    expect(bodies).toEqual(['one', 'two', 'three']);
    expect(
      pair.wire.sentBy('bob').map((message) => message.type === 'response' && message.code),
    ).toEqual([200, 200, 415, 200]);
  });

  it('delivers messages asynchronously, never inside sendInstantMessage', async () => {
    const pair = await connectPair();
    const bodies: string[] = [];
    pair.bobFlow.on('messageReceived', ({ body }) => bodies.push(body));
    const sent = pair.aliceFlow.sendInstantMessage('later');
    expect(bodies).toEqual([]);
    await sent;
    await pair.settle();
    expect(bodies).toEqual(['later']);
  });

  it.each([
    [undefined],
    [42],
    [{ contentType: 'plain', body: 'x' }],
    [{ contentType: 'text/plain' }],
    [{ contentType: 'text/plain', body: 7 }],
  ])('rejects the content %o synchronously and sends nothing', async (content) => {
    const pair = await connectPair();
    const error = thrownBy(() => pair.aliceFlow.sendInstantMessage(content as never));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(/pass a string, or \{ contentType/);
    expect(pair.wire.records).toEqual([]);
  });

  it('lets both sides send at the same time', async () => {
    const pair = await connectPair();
    const received: string[] = [];
    pair.aliceFlow.on('messageReceived', ({ body }) => received.push(`alice got ${body}`));
    pair.bobFlow.on('messageReceived', ({ body }) => received.push(`bob got ${body}`));
    void pair.aliceFlow.sendInstantMessage('ping');
    void pair.bobFlow.sendInstantMessage('pong');
    await pair.settle();
    expect(received.sort()).toEqual(['alice got pong', 'bob got ping']);
  });
});
