import type { TransportHandler, WireMessage } from './transport.ts';

/** What reaches one end of a link: a wire message, or the remote end's answer to the call. */
export type Arrival =
  | { readonly kind: 'wire'; readonly message: WireMessage }
  | { readonly kind: 'answer' };

/**
 * The arrivals of one transport end: held, in order, until its owner listens, and from then on
 * handed to the owner's handler as they come.
 */
export class Arrivals {
  #handler: TransportHandler | undefined;
  #held: Arrival[] = [];

  get listening(): boolean {
    return this.#handler !== undefined;
  }

  /** Sets the handler; returns what was held before it, in order, for the end to hand on again. */
  listen(handler: TransportHandler): Arrival[] {
    this.#handler = handler;
    return this.#held.splice(0);
  }

  arrive(arrival: Arrival): void {
    const handler = this.#handler;
    if (!handler) {
      this.#held.push(arrival);
      return;
    }
    if (arrival.kind === 'answer') handler.answered();
    else handler.message(arrival.message);
  }
}
