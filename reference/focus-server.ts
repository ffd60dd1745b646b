/**
 * A simulated conference server (focus plus IM MCU) that tests and conformance adapters drive
 * by hand: each method stands for something that happens on the server, and the matching
 * report reaches every participant asynchronously, like a network message.
 */

import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type {
  ConferenceFocus,
  FocusMembership,
  FocusParticipant,
  FocusReport,
} from './focus-protocol.ts';
import type { InMemoryNetwork } from './transport.ts';

/** Options of {@link FocusServer.createConference}. */
export interface ConferenceOptions {
  /** URI to host the conference at. Default: a fresh URI on this server. */
  readonly uri?: string;
  /** Whether the conference has an IM MCU. Default: true. */
  readonly imMcu?: boolean;
}

/** Options of {@link FocusServer.focusReconnected}. */
export interface FocusReconnectedOptions {
  /** Whether the IM MCU is active when the connection is back. */
  readonly mcuActive: boolean;
  /** Which conference; may be left out while the server hosts exactly one. */
  readonly conferenceUri?: string;
}

interface Member {
  readonly participant: FocusParticipant;
  readonly channel: string;
  joined: boolean;
}

interface HostedConference {
  readonly uri: string;
  readonly imMcu: boolean;
  mcuActive: boolean;
  readonly members: Set<Member>;
}

/**
 * Hosts conferences on an {@link InMemoryNetwork}. Every method that takes `conferenceUri` may
 * be called without it while the server hosts exactly one conference.
 *
 * @example
 * ```ts
 * const focus = new FocusServer(network);
 * const uri = focus.createConference({ imMcu: true });
 * const joined = alice.createConferenceSession().beginJoin(uri);
 * focus.activateMcu(); // MCU session turns Active before the join callback
 * focus.completeJoin();
 * await joined;
 * ```
 */
export class FocusServer implements ConferenceFocus {
  /** Name used in generated conference URIs. */
  readonly name: string;
  readonly #network: InMemoryNetwork;
  readonly #conferences = new Map<string, HostedConference>();
  #memberCount = 0;

  constructor(network: InMemoryNetwork, options: { readonly name?: string } = {}) {
    this.#network = network;
    this.name = options.name ?? 'focus';
  }

  /**
   * Creates and hosts a conference, with an IM MCU unless `imMcu` is false. The MCU starts
   * inactive; activate it with {@link FocusServer.activateMcu}.
   *
   * @returns the conference URI to pass to `beginJoin`.
   * @throws InvalidArgumentError if the URI is already hosted on the network.
   */
  createConference(options: ConferenceOptions = {}): string {
    const uri =
      options.uri ?? `sip:${this.name}@conference.invalid;id=${this.#conferences.size + 1}`;
    this.#network.hostConference(uri, this);
    this.#conferences.set(uri, {
      uri,
      imMcu: options.imMcu ?? true,
      mcuActive: false,
      members: new Set(),
    });
    return uri;
  }

  /** @internal Called by a conference session's `beginJoin`. */
  join(conferenceUri: string, participant: FocusParticipant): FocusMembership {
    const conference = this.#conference(conferenceUri);
    const member: Member = {
      participant,
      channel: `focus ${conferenceUri} -> ${participant.name} #${++this.#memberCount}`,
      joined: false,
    };
    conference.members.add(member);
    return { leave: () => conference.members.delete(member) };
  }

  /** Names of the participants joined or joining `conferenceUri`. */
  participants(conferenceUri?: string): string[] {
    return [...this.#conference(conferenceUri).members].map((member) => member.participant.name);
  }

  /** Whether the conference's IM MCU is active on the server. */
  isMcuActive(conferenceUri?: string): boolean {
    return this.#conference(conferenceUri).mcuActive;
  }

  /**
   * Completes every pending join (each `beginJoin` promise resolves). The report says whether
   * the conference has an IM MCU and whether it is active.
   *
   * @throws InvalidOperationError if nobody is waiting to join.
   */
  completeJoin(conferenceUri?: string): void {
    const conference = this.#conference(conferenceUri);
    const waiting = [...conference.members].filter((member) => !member.joined);
    if (waiting.length === 0) {
      throw new InvalidOperationError(
        `Cannot complete a join of ${conference.uri}: nobody is waiting to join. Call beginJoin() on a conference session first.`,
      );
    }
    for (const member of waiting) {
      member.joined = true;
      this.#deliver(member, {
        type: 'join-completed',
        imMcu: conference.imMcu,
        mcuActive: conference.mcuActive,
      });
    }
  }

  /**
   * Activates the conference's IM MCU and tells every participant.
   *
   * @throws InvalidOperationError if the conference has no IM MCU.
   */
  activateMcu(conferenceUri?: string): void {
    const conference = this.#conferenceWithMcu(conferenceUri, 'activate the IM MCU');
    conference.mcuActive = true;
    this.#broadcast(conference, { type: 'mcu-activated' });
  }

  /**
   * The IM MCU starts failing over; participants' MCU calls are torn down.
   *
   * @throws InvalidOperationError if the conference has no IM MCU.
   */
  failoverMcu(conferenceUri?: string): void {
    const conference = this.#conferenceWithMcu(conferenceUri, 'fail the IM MCU over');
    conference.mcuActive = false;
    this.#broadcast(conference, { type: 'mcu-failover' });
  }

  /**
   * The MCU failover finished and the MCU is active again.
   *
   * @throws InvalidOperationError if the conference has no IM MCU.
   */
  completeFailover(conferenceUri?: string): void {
    const conference = this.#conferenceWithMcu(conferenceUri, 'complete an MCU failover');
    conference.mcuActive = true;
    this.#broadcast(conference, { type: 'failover-completed' });
  }

  /** The participants lost their connection to the focus and are reconnecting. */
  focusReconnecting(conferenceUri?: string): void {
    this.#broadcast(this.#conference(conferenceUri), { type: 'focus-reconnecting' });
  }

  /**
   * The participants' connection to the focus is back; `mcuActive` says whether the IM MCU is
   * active at that moment (and becomes the server's view of it).
   *
   * @throws InvalidOperationError if `mcuActive` is true for a conference without an IM MCU.
   */
  focusReconnected(options: FocusReconnectedOptions): void {
    const conference = this.#conference(options.conferenceUri);
    if (options.mcuActive && !conference.imMcu) {
      throw new InvalidOperationError(
        `Cannot report an active IM MCU for ${conference.uri}: the conference has none. Pass mcuActive: false.`,
      );
    }
    conference.mcuActive = options.mcuActive;
    this.#broadcast(conference, { type: 'focus-reconnected', mcuActive: options.mcuActive });
  }

  #broadcast(conference: HostedConference, report: FocusReport): void {
    for (const member of conference.members) this.#deliver(member, report);
  }

  #deliver(member: Member, report: FocusReport): void {
    this.#network.deliveries.enqueue(member.channel, () => member.participant.receive(report));
  }

  #conferenceWithMcu(conferenceUri: string | undefined, action: string): HostedConference {
    const conference = this.#conference(conferenceUri);
    if (!conference.imMcu) {
      throw new InvalidOperationError(
        `Cannot ${action} of ${conference.uri}: the conference was created without one. Create it with imMcu: true.`,
      );
    }
    return conference;
  }

  #conference(conferenceUri: string | undefined): HostedConference {
    if (conferenceUri !== undefined) {
      const conference = this.#conferences.get(conferenceUri);
      if (!conference) {
        throw new InvalidArgumentError(
          `Unknown conference ${JSON.stringify(conferenceUri)}: this server hosts ${this.#listUris()}.`,
        );
      }
      return conference;
    }
    const [only, ...others] = this.#conferences.values();
    if (!only || others.length > 0) {
      throw new InvalidArgumentError(
        `Cannot tell which conference is meant: this server hosts ${this.#listUris()}. Pass the conference URI.`,
      );
    }
    return only;
  }

  #listUris(): string {
    const uris = [...this.#conferences.keys()];
    return uris.length === 0 ? 'no conference (create one first)' : uris.join(', ');
  }
}
