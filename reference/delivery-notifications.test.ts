import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type { InstantMessagingFlowEvents } from './flow.ts';
import { connectPair, EventLog, type Pair, thrownBy } from './test-helpers.ts';

/** bob proxies; alice has sent one message that bob has received. */
async function proxiedMessage(): Promise<Pair & { messageId: string }> {
  const pair = await connectPair({ bobTemplate: { consumptionMode: 'proxied-to-remote-entity' } });
  const messageId = await pair.aliceFlow.sendInstantMessage('forward me');
  await pair.settle();
  pair.wire.clear();
  return { ...pair, messageId };
}

function expectError(
  action: () => unknown,
  type: typeof InvalidArgumentError | typeof InvalidOperationError,
  message: RegExp,
): void {
  const error = thrownBy(action);
  expect(error).toBeInstanceOf(type);
  expect((error as Error).message).toMatch(message);
}

describe('delivery notifications', () => {
  it('sends a success notification and raises deliveryNotificationReceived at the sender', async () => {
    const pair = await proxiedMessage();
    const aliceEvents = new EventLog<InstantMessagingFlowEvents>(pair.aliceFlow, [
      'deliveryNotificationReceived',
    ]);
    expect(pair.bobFlow.sendSuccessDeliveryNotification(pair.messageId)).toBeUndefined();
    expect(pair.wire.sentBy('bob')).toEqual([
      { type: 'delivery-notification', id: pair.messageId, status: 'success' },
    ]);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([]);
    await pair.settle();
    expect(aliceEvents.of('deliveryNotificationReceived')).toEqual([
      { messageId: pair.messageId, status: 'success' },
    ]);
  });

  it('sends a failure notification with its code', async () => {
    const pair = await proxiedMessage();
    const aliceEvents = new EventLog<InstantMessagingFlowEvents>(pair.aliceFlow, [
      'deliveryNotificationReceived',
    ]);
    pair.bobFlow.sendFailureDeliveryNotification(pair.messageId, 480);
    expect(pair.wire.sentBy('bob')).toEqual([
      { type: 'delivery-notification', id: pair.messageId, status: 'failure', code: 480 },
    ]);
    await pair.settle();
    expect(aliceEvents.of('deliveryNotificationReceived')).toEqual([
      { messageId: pair.messageId, status: 'failure', code: 480 },
    ]);
  });

  it('can notify from inside the messageReceived listener', async () => {
    const pair = await connectPair({
      bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
    });
    pair.bobFlow.on('messageReceived', ({ messageId }) =>
      pair.bobFlow.sendSuccessDeliveryNotification(messageId),
    );
    const id = await pair.aliceFlow.sendInstantMessage('quick');
    await pair.settle();
    expect(pair.wire.typesBy('bob')).toEqual(['response', 'delivery-notification']);
    expect(pair.wire.sentBy('bob', 'delivery-notification')).toEqual([
      { type: 'delivery-notification', id, status: 'success' },
    ]);
  });

  it('tracks each message separately', async () => {
    const pair = await connectPair({
      bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
    });
    const first = await pair.aliceFlow.sendInstantMessage('1');
    const second = await pair.aliceFlow.sendInstantMessage('2');
    await pair.settle();
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([first, second]);
    pair.bobFlow.sendFailureDeliveryNotification(second, 408);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([first]);
    pair.bobFlow.sendSuccessDeliveryNotification(first);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([]);
  });

  it('refuses notifications on a flow that consumes locally', async () => {
    const pair = await connectPair();
    const id = await pair.aliceFlow.sendInstantMessage('hi');
    await pair.settle();
    pair.wire.clear();
    expectError(
      () => pair.bobFlow.sendSuccessDeliveryNotification(id),
      InvalidOperationError,
      /consumes messages locally.*proxied-to-remote-entity/,
    );
    expectError(
      () => pair.bobFlow.sendFailureDeliveryNotification(id, 480),
      InvalidOperationError,
      /consumes messages locally/,
    );
    expect(pair.wire.records).toEqual([]);
  });

  it('refuses an unknown message id', async () => {
    const pair = await proxiedMessage();
    expectError(
      () => pair.bobFlow.sendSuccessDeliveryNotification('no-such-id'),
      InvalidArgumentError,
      /'no-such-id'.*no message with that id/,
    );
    expectError(
      () => pair.bobFlow.sendFailureDeliveryNotification('no-such-id', 480),
      InvalidArgumentError,
      /no message with that id/,
    );
    expect(pair.wire.records).toEqual([]);
  });

  it('refuses the id of a message that was refused with 415', async () => {
    const pair = await connectPair({
      bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
    });
    const id = await pair.aliceFlow.sendInstantMessage({ contentType: 'text/html', body: 'x' });
    await pair.settle();
    expect(() => pair.bobFlow.sendSuccessDeliveryNotification(id)).toThrow(InvalidArgumentError);
  });

  it('refuses a second notification for the same message, whatever its kind', async () => {
    const pair = await proxiedMessage();
    pair.bobFlow.sendSuccessDeliveryNotification(pair.messageId);
    pair.wire.clear();
    expectError(
      () => pair.bobFlow.sendSuccessDeliveryNotification(pair.messageId),
      InvalidOperationError,
      /already sent/,
    );
    expectError(
      () => pair.bobFlow.sendFailureDeliveryNotification(pair.messageId, 500),
      InvalidOperationError,
      /already sent/,
    );
    expect(pair.wire.records).toEqual([]);
  });

  it.each([399, 700, 200, 480.5, Number.NaN])(
    'refuses the failure code %s and keeps the message awaiting',
    async (code) => {
      const pair = await proxiedMessage();
      expectError(
        () => pair.bobFlow.sendFailureDeliveryNotification(pair.messageId, code),
        InvalidArgumentError,
        /400 to 699/,
      );
      expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([pair.messageId]);
      expect(pair.wire.records).toEqual([]);
    },
  );

  it.each([400, 699])('accepts the failure code bound %s', async (code) => {
    const pair = await proxiedMessage();
    pair.bobFlow.sendFailureDeliveryNotification(pair.messageId, code);
    expect(pair.wire.sentBy('bob')).toEqual([
      { type: 'delivery-notification', id: pair.messageId, status: 'failure', code },
    ]);
  });

  it('refuses notifications once terminated, even for a message still awaiting one', async () => {
    const pair = await proxiedMessage();
    await pair.bobCall.terminate();
    pair.wire.clear();
    expectError(
      () => pair.bobFlow.sendSuccessDeliveryNotification(pair.messageId),
      InvalidOperationError,
      /Terminated/,
    );
    expect(pair.wire.records).toEqual([]);
  });
});

describe('proxied messages one at a time (proxiedMessagesOneAtATime)', () => {
  it('accepts a message that arrives while another is owed, and raises it once that one is notified', async () => {
    const pair = await connectPair({
      bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
      bobSettings: { proxiedMessagesOneAtATime: true },
    });
    const received = new EventLog<InstantMessagingFlowEvents>(pair.bobFlow, ['messageReceived']);
    const first = await pair.aliceFlow.sendInstantMessage('one');
    const second = await pair.aliceFlow.sendInstantMessage('two');
    await pair.settle();
    expect(received.of('messageReceived').map((event) => event.body)).toEqual(['one']);
    expect(pair.wire.sentBy('bob').filter((m) => m.type === 'response')).toHaveLength(2);
    expectError(
      () => pair.bobFlow.sendSuccessDeliveryNotification(second),
      InvalidArgumentError,
      /no message with that id/,
    );
    pair.bobFlow.sendFailureDeliveryNotification(first, 480);
    expect(received.of('messageReceived').map((event) => event.body)).toEqual(['one', 'two']);
    expect(pair.bobFlow.messagesAwaitingDeliveryNotification).toEqual([second]);
  });
});
