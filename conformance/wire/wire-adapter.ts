/**
 * Wire mode (`imflow check --wire sip --endpoint URI`): the kit itself plays the remote
 * participant on real SIP and observes the wire, and the adapter drives the application side
 * alone. This module joins the two into one adapter, so that the case runner, the oracle and
 * the reporters judge a wire check exactly as any other.
 */
import type { RemoteStimulus, Stimulus } from '../../machines/index.ts';
import type { TrafficRecord } from '../../sipstack/index.ts';
import type { Adapter, SutContext, SystemUnderTest } from '../adapter.ts';
import { type OnTheWire, type WireBreach, wireBreaches } from './breaches.ts';
import { SipRemoteParty, type StartWireRemote, type WireRemote } from './sip-remote.ts';

export interface WireOptions {
  /** The endpoint's SIP URI, on loopback; `;transport=tcp` checks over TCP. */
  readonly endpoint: string;
  /** The kit's own loopback address (default 127.0.0.2): it must differ from the endpoint's. */
  readonly address?: string;
  /** Every SIP message the kit sends or receives, for a packet capture. */
  readonly onTraffic?: (record: TrafficRecord) => void;
  /** The kit's side of the wire (tests give a fake). */
  readonly startRemote?: StartWireRemote;
}

/** What the endpoint URI asks for: UDP unless it names TCP. */
export function transportOf(endpoint: string): 'udp' | 'tcp' {
  return /;transport=tcp\b/i.test(endpoint) ? 'tcp' : 'udp';
}

const isRemote = (stimulus: Stimulus): stimulus is RemoteStimulus =>
  stimulus.type.startsWith('remote.');

/**
 * The adapter `app` on the wire: `remote.*` stimuli go on the wire from the kit, what the
 * endpoint sends comes back as wire outputs, and everything else goes to `app`, which learns
 * where to listen from `SutContext.wire`. Establishing the call is both: the kit calls, and the
 * application accepts.
 */
export function onTheWire(app: Adapter, options: WireOptions): Adapter {
  const start = options.startRemote ?? SipRemoteParty.start;
  return {
    name: `${app.name}, on the wire at ${options.endpoint}`,
    profile: app.profile,
    ...(app.declarations ? { declarations: app.declarations } : {}),
    ...(app.prepare ? { prepare: () => app.prepare?.() ?? Promise.resolve() } : {}),
    async create(context: SutContext): Promise<SystemUnderTest> {
      // Disposing of a case ends its call (a BYE, the flow terminated): that is the case's
      // end, not something the implementation did in it.
      const life = { disposing: false };
      const breaches: WireBreach[] = [];
      const remote = await start({
        ...(options.address ? { address: options.address } : {}),
        endpoint: options.endpoint,
        transport: transportOf(options.endpoint),
        observe: (output) => {
          if (!life.disposing) context.observe(output);
        },
        note: (message) => context.note?.(`SIP: ${message}`),
        breach: (breach) => {
          if (!life.disposing) breaches.push(breach);
        },
        ...(options.onTraffic ? { onTraffic: options.onTraffic } : {}),
      });
      try {
        const system = await app.create({
          ...context,
          wire: { endpoint: options.endpoint, remote: remote.uri },
          observe: (output) => {
            if (life.disposing) return;
            // The wire is the kit's to observe: what the adapter says of it would count twice.
            if (output.channel === 'wire') {
              context.note?.(
                `The adapter reported a wire output (${output.kind}); on the wire the kit observes the wire itself, so it was left out.`,
              );
              return;
            }
            context.observe(output);
          },
        });
        return new WireSystem(system, remote, life, breaches);
      } catch (error) {
        await remote.close();
        throw error;
      }
    },
  };
}

class WireSystem implements SystemUnderTest, OnTheWire {
  #calling: Promise<void> | undefined;

  constructor(
    private readonly app: SystemUnderTest,
    private readonly remote: WireRemote,
    private readonly life: { disposing: boolean },
    private readonly breaches: WireBreach[],
  ) {}

  [wireBreaches](): WireBreach[] {
    return this.breaches.splice(0);
  }

  async apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): Promise<void> {
    if (isRemote(stimulus)) return this.remote.apply(stimulus);
    if (stimulus.type !== 'app.establish' || this.#calling) return this.app.apply(stimulus);
    // The INVITE goes out first: the application accepts the call it brings.
    const calling = this.remote.call();
    this.#calling = calling;
    calling.catch(() => undefined);
    let refusal: { error: unknown } | undefined;
    try {
      await this.app.apply(stimulus);
    } catch (error) {
      refusal = { error };
    }
    try {
      await calling;
    } catch (error) {
      throw new Error(
        `The call could not be set up on the wire: ${(error as Error)?.message ?? String(error)}`,
      );
    }
    if (refusal) throw refusal.error;
  }

  query() {
    return this.app.query();
  }

  async settle(): Promise<void> {
    await this.app.settle?.();
    await this.remote.settled();
  }

  async dispose(): Promise<void> {
    this.life.disposing = true;
    try {
      await this.app.dispose?.();
    } finally {
      await this.remote.close();
    }
  }
}
