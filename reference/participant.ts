/** The party at the other end of a flow, as carried by composing events. */
export interface Participant {
  /** Name under which the participant's endpoint is attached to the network. */
  readonly name: string;
}
