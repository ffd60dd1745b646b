/**
 * What a conference focus and a joined conference session tell each other. The focus side is
 * simulated by {@link FocusServer}; the session side is {@link ConferenceSession}.
 */

/** A report from the focus to one joined (or joining) participant. */
export type FocusReport =
  /** The join finished; says whether the conference has an IM MCU and whether it is active. */
  | { readonly type: 'join-completed'; readonly imMcu: boolean; readonly mcuActive: boolean }
  /** The IM MCU was activated on the server. */
  | { readonly type: 'mcu-activated' }
  /** The focus detected that the IM MCU is failing over. */
  | { readonly type: 'mcu-failover' }
  /** The connection to the focus was lost and is being re-established. */
  | { readonly type: 'focus-reconnecting' }
  /** The MCU failover finished; the MCU is active again. */
  | { readonly type: 'failover-completed' }
  /** The connection to the focus is back; says whether the IM MCU is active at that moment. */
  | { readonly type: 'focus-reconnected'; readonly mcuActive: boolean };

/** The session side of a membership: the focus delivers its reports here, asynchronously. */
export interface FocusParticipant {
  /** Name of the endpoint that joins. */
  readonly name: string;
  receive(report: FocusReport): void;
}

/** Handle a participant keeps while it is a member of a conference. */
export interface FocusMembership {
  /** Stops all further reports to this participant. */
  leave(): void;
}

/** A conference focus reachable at a conference URI. */
export interface ConferenceFocus {
  /** Registers a join request; the focus later reports `join-completed` to the participant. */
  join(conferenceUri: string, participant: FocusParticipant): FocusMembership;
}
