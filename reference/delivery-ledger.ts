/**
 * Messages received on a proxying flow, each owed exactly one delivery notification.
 */

import { InvalidArgumentError, InvalidOperationError } from './errors.ts';

/** Which proxied messages still await their delivery notification. */
export class DeliveryNotificationLedger {
  readonly #awaiting = new Set<string>();
  readonly #notified = new Set<string>();

  /** Message ids still owed a notification, oldest first. */
  get awaiting(): readonly string[] {
    return [...this.#awaiting];
  }

  /** Records that `messageId` was accepted with 202. */
  expect(messageId: string): void {
    if (!this.#notified.has(messageId)) this.#awaiting.add(messageId);
  }

  /**
   * Checks that a notification for `messageId` may be sent now, without recording it.
   *
   * @throws InvalidArgumentError if no such message was received.
   * @throws InvalidOperationError if its notification was already sent.
   */
  checkCanNotify(messageId: string): void {
    if (this.#notified.has(messageId)) {
      throw new InvalidOperationError(
        `Cannot send a delivery notification for message '${messageId}': one was already sent. Send exactly one per message.`,
      );
    }
    if (!this.#awaiting.has(messageId)) {
      throw new InvalidArgumentError(
        `Cannot send a delivery notification for message '${messageId}': no message with that id was received on this flow. Use the messageId of a messageReceived event.`,
      );
    }
  }

  /** Records that the notification for `messageId` was sent. */
  settle(messageId: string): void {
    this.#awaiting.delete(messageId);
    this.#notified.add(messageId);
  }
}
