/**
 * What only the wire shows: a rule the wire binding itself sees broken (a composing
 * notification carried by another method than INFO breaks LC-14), reported to the case runner
 * beside the outputs. The key is a symbol the public entry point does not export: a system
 * under test gets it only from the kit's own wire binding.
 */
export const wireBreaches: unique symbol = Symbol('imflow.wireBreaches');

export interface WireBreach {
  readonly requirement: string;
  readonly message: string;
}

/** A system under test on the wire: it hands over (and forgets) what broke since it was asked. */
export interface OnTheWire {
  [wireBreaches](): WireBreach[];
}

export function isOnTheWire(system: unknown): system is OnTheWire {
  return typeof system === 'object' && system !== null && wireBreaches in system;
}

/** The rule the method of a composing notification answers to. */
export const COMPOSING_CARRIAGE_RULE = 'LC-14';
