import {
  type IncomingInvite,
  type SipDialog,
  type SipTransportName,
  type SipUserAgent,
  startUserAgent,
  type TrafficRecord,
  type UserAgentOptions,
} from './index.ts';

export const sdpOffer = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.2',
  's=session',
  'c=IN IP4 127.0.0.2',
  't=0 0',
  'm=message 5060 sip null',
  'a=accept-types:text/plain',
  '',
].join('\r\n');
export const sdpAnswer = sdpOffer.replaceAll('127.0.0.2', '127.0.0.1');

export interface Party {
  readonly agent: SipUserAgent;
  readonly traffic: TrafficRecord[];
}

export interface Parties {
  readonly caller: Party;
  readonly callee: Party;
  readonly close: () => Promise<void>;
}

/** A caller on 127.0.0.2 and a callee on 127.0.0.1, each recording its traffic. */
export async function startParties(options: Partial<UserAgentOptions> = {}): Promise<Parties> {
  const start = async (address: string, user: string): Promise<Party> => {
    const traffic: TrafficRecord[] = [];
    const agent = await startUserAgent({
      transactionTimeoutMs: 1500,
      ...options,
      address,
      user,
      onTraffic: (record) => traffic.push(record),
    });
    return { agent, traffic };
  };
  const caller = await start('127.0.0.2', 'caller');
  const callee = await start('127.0.0.1', 'callee');
  return {
    caller,
    callee,
    close: async () => {
      await Promise.all([caller.agent.close(), callee.agent.close()]);
    },
  };
}

export function targetOf(agent: SipUserAgent, transport: SipTransportName): string {
  return transport === 'tcp' ? `${agent.uri};transport=tcp` : agent.uri;
}

/** Calls the callee, which accepts with the SDP answer; both ends' dialogs. */
export async function connect(
  caller: SipUserAgent,
  callee: SipUserAgent,
  transport: SipTransportName,
): Promise<{ calling: SipDialog; called: SipDialog; invite: IncomingInvite }> {
  let invite: IncomingInvite | undefined;
  const called = new Promise<SipDialog>((resolve, reject) => {
    callee.onInvite((incoming) => {
      invite = incoming;
      incoming.accept({ contentType: 'application/sdp', body: sdpAnswer }).then(resolve, reject);
    });
  });
  const calling = await caller.invite(targetOf(callee, transport), {
    contentType: 'application/sdp',
    body: sdpOffer,
    transport,
  });
  const dialog = await called;
  if (invite === undefined) throw new Error('the callee saw no INVITE');
  return { calling, called: dialog, invite };
}

/** The SIP messages of a traffic log as start line and CSeq, for assertions on the exchange. */
export function summary(
  traffic: readonly TrafficRecord[],
  direction: TrafficRecord['direction'],
): string[] {
  return traffic
    .filter((record) => record.direction === direction)
    .map((record) => {
      const startLine = record.text.split('\r\n')[0] ?? '';
      const cseq = /^CSeq:\s*(.*)$/im.exec(record.text)?.[1] ?? '';
      return `${startLine.startsWith('SIP/2.0') ? startLine.slice(8) : startLine.split(' ')[0]} (${cseq.trim()})`;
    });
}
