import { describe, expect, it } from 'vitest';
import type { ConferenceSession } from './conference.ts';
import { Endpoint } from './endpoint.ts';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import { FocusServer } from './focus-server.ts';
import { ManualClock } from './manual-clock.ts';
import type { PlatformSettings } from './settings.ts';
import { InMemoryNetwork } from './transport.ts';

interface Setup {
  network: InMemoryNetwork;
  focus: FocusServer;
  uri: string;
  conference: ConferenceSession;
  /** MCU session states entered, and MCU call events, in order. */
  log: string[];
  joined: Promise<void>;
  joinCallbackSeen: () => boolean;
}

function setup(options: { imMcu?: boolean; settings?: Partial<PlatformSettings> } = {}): Setup {
  const network = new InMemoryNetwork();
  const focus = new FocusServer(network);
  const uri = focus.createConference({ imMcu: options.imMcu ?? true });
  const alice = new Endpoint({
    name: 'alice',
    network,
    clock: new ManualClock(),
    settings: options.settings,
  });
  const conference = alice.createConferenceSession();
  const log: string[] = [];
  const mcu = conference.instantMessagingMcuSession;
  mcu.on('stateChanged', ({ previous, state }) => log.push(`${previous}->${state}`));
  mcu.on('mcuCallEstablished', () => log.push('call established'));
  mcu.on('mcuCallTerminated', ({ reason }) => log.push(`call terminated (${reason})`));
  let callbackSeen = false;
  const joined = conference.beginJoin(uri).then(() => {
    callbackSeen = true;
    log.push('join callback');
  });
  return { network, focus, uri, conference, log, joined, joinCallbackSeen: () => callbackSeen };
}

/** Joined, MCU active; the log is cleared. */
async function activeSetup(settings?: Partial<PlatformSettings>): Promise<Setup> {
  const s = setup({ settings });
  s.focus.completeJoin();
  s.focus.activateMcu();
  await s.joined;
  await s.network.settled();
  expect(s.conference.instantMessagingMcuSession.state).toBe('active');
  s.log.length = 0;
  return s;
}

/** Joined, MCU active, then the focus connection dropped: Retrying with the call kept. */
async function retryingSetup(settings?: Partial<PlatformSettings>): Promise<Setup> {
  const s = await activeSetup(settings);
  s.focus.focusReconnecting();
  await s.network.settled();
  expect(s.conference.instantMessagingMcuSession.state).toBe('retrying');
  s.log.length = 0;
  return s;
}

describe('instant-messaging MCU session', () => {
  it('starts Idle', () => {
    const { conference } = setup();
    expect(conference.instantMessagingMcuSession.state).toBe('idle');
    expect(conference.instantMessagingMcuSession.hasMcuCall).toBe(false);
    expect(conference.state).toBe('connecting');
  });

  it('turns Active after the join callback when the MCU is activated later', async () => {
    const s = setup();
    s.focus.completeJoin();
    await s.network.settled();
    await s.joined;
    expect(s.conference.instantMessagingMcuSession.state).toBe('idle');
    expect(s.conference.state).toBe('connected');
    s.focus.activateMcu();
    expect(s.conference.instantMessagingMcuSession.state).toBe('idle');
    await s.network.settled();
    expect(s.log).toEqual(['join callback', 'idle->active', 'call established']);
    expect(s.conference.instantMessagingMcuSession.hasMcuCall).toBe(true);
  });

  it('turns Active before the join callback when the MCU is activated first', async () => {
    const s = setup();
    s.focus.activateMcu();
    await s.network.settled();
    expect(s.conference.instantMessagingMcuSession.state).toBe('active');
    expect(s.joinCallbackSeen()).toBe(false);
    s.focus.completeJoin();
    await s.joined;
    expect(s.log).toEqual(['idle->active', 'call established', 'join callback']);
  });

  it('turns Active with the join when the MCU was already active on the server', async () => {
    const network = new InMemoryNetwork();
    const focus = new FocusServer(network);
    const uri = focus.createConference();
    focus.activateMcu();
    const alice = new Endpoint({ name: 'alice', network, clock: new ManualClock() });
    const conference = alice.createConferenceSession();
    const joined = conference.beginJoin(uri);
    focus.completeJoin();
    await joined;
    expect(conference.instantMessagingMcuSession.state).toBe('active');
    expect(focus.participants()).toEqual(['alice']);
  });

  it('goes Idle to Terminated when the joined conference has no IM MCU', async () => {
    const s = setup({ imMcu: false });
    s.focus.completeJoin();
    await s.joined;
    expect(s.conference.instantMessagingMcuSession.state).toBe('terminated');
    expect(s.conference.state).toBe('connected');
    expect(s.log).toEqual(['idle->terminated', 'join callback']);
    expect(() => s.focus.activateMcu()).toThrow(InvalidOperationError);
  });

  it('reports asynchronously, never inside the server call', async () => {
    const s = setup();
    s.focus.completeJoin();
    s.focus.activateMcu();
    expect(s.log).toEqual([]);
    await s.network.settled();
    // The join completed first, so its callback ran before the activation arrived.
    expect(s.log).toEqual(['join callback', 'idle->active', 'call established']);
  });

  describe('from Active', () => {
    it('goes Retrying and loses its MCU call on MCU failover', async () => {
      const s = await activeSetup();
      s.focus.failoverMcu();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('retrying');
      expect(s.conference.instantMessagingMcuSession.hasMcuCall).toBe(false);
      expect(s.log).toEqual(['active->retrying', 'call terminated (mcu-failover)']);
    });

    it('goes Retrying and keeps its MCU call while the focus reconnects', async () => {
      const s = await activeSetup();
      s.focus.focusReconnecting();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('retrying');
      expect(s.conference.instantMessagingMcuSession.hasMcuCall).toBe(true);
      expect(s.conference.state).toBe('reconnecting');
      expect(s.log).toEqual(['active->retrying']);
    });

    it('ignores reports that do not apply to Active', async () => {
      const s = await activeSetup();
      s.focus.completeFailover();
      s.focus.activateMcu();
      s.focus.focusReconnected({ mcuActive: true });
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('active');
      expect(s.log).toEqual([]);
    });
  });

  describe('from Retrying', () => {
    it('returns to Active with a new MCU call when the failover completes', async () => {
      const s = await activeSetup();
      s.focus.failoverMcu();
      await s.network.settled();
      s.log.length = 0;
      s.focus.completeFailover();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('active');
      expect(s.log).toEqual(['retrying->active', 'call established']);
    });

    it('returns to Active, keeping its call, when the focus reconnects with the MCU active', async () => {
      const s = await retryingSetup();
      s.focus.focusReconnected({ mcuActive: true });
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('active');
      expect(s.conference.state).toBe('connected');
      expect(s.log).toEqual(['retrying->active']);
    });

    it('goes back to Idle when the focus reconnects without an active MCU (default)', async () => {
      const s = await retryingSetup();
      s.focus.focusReconnected({ mcuActive: false });
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('idle');
      expect(s.log).toEqual(['retrying->idle']);
      s.focus.activateMcu();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('active');
    });

    it("stays Retrying in that case with 'stay-retrying', until the MCU is activated", async () => {
      const s = await retryingSetup({ mcuAfterReconnectWithoutMcu: 'stay-retrying' });
      s.focus.focusReconnected({ mcuActive: false });
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('retrying');
      expect(s.conference.state).toBe('connected');
      expect(s.log).toEqual([]);
      s.focus.activateMcu();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('active');
      expect(s.log).toEqual(['retrying->active']);
    });

    it('ignores an MCU failover reported while already retrying', async () => {
      const s = await retryingSetup();
      s.focus.failoverMcu();
      await s.network.settled();
      expect(s.conference.instantMessagingMcuSession.state).toBe('retrying');
      expect(s.conference.instantMessagingMcuSession.hasMcuCall).toBe(true);
      expect(s.log).toEqual([]);
    });

    it('ends Retrying on a failover completion, whatever started it', async () => {
      const focusLost = await retryingSetup();
      focusLost.focus.completeFailover();
      await focusLost.network.settled();
      expect(focusLost.conference.instantMessagingMcuSession.state).toBe('active');

      const awaitingMcu = await retryingSetup({ mcuAfterReconnectWithoutMcu: 'stay-retrying' });
      awaitingMcu.focus.focusReconnected({ mcuActive: false });
      awaitingMcu.focus.completeFailover();
      await awaitingMcu.network.settled();
      expect(awaitingMcu.conference.instantMessagingMcuSession.state).toBe('active');
    });

    it('is not brought back by an MCU activation report unless it waits for the MCU', async () => {
      const focusLost = await retryingSetup();
      focusLost.focus.activateMcu();
      await focusLost.network.settled();
      expect(focusLost.conference.instantMessagingMcuSession.state).toBe('retrying');

      const failingOver = await activeSetup();
      failingOver.focus.failoverMcu();
      failingOver.focus.activateMcu();
      await failingOver.network.settled();
      expect(failingOver.conference.instantMessagingMcuSession.state).toBe('retrying');
    });

    it('returns to Active with a new MCU call when the focus reconnects during a failover', async () => {
      const s = await activeSetup();
      s.focus.failoverMcu();
      await s.network.settled();
      s.log.length = 0;
      s.focus.focusReconnected({ mcuActive: true });
      await s.network.settled();
      expect(s.log).toEqual(['retrying->active', 'call established']);
    });
  });

  describe('leaving', () => {
    it.each(['idle', 'active', 'retrying'] as const)('terminates from %s', async (from) => {
      const s =
        from === 'idle' ? setup() : from === 'active' ? await activeSetup() : await retryingSetup();
      if (from === 'idle') {
        s.focus.completeJoin();
        await s.joined;
        s.log.length = 0;
      }
      await s.conference.leave();
      expect(s.conference.instantMessagingMcuSession.state).toBe('terminated');
      expect(s.conference.state).toBe('disconnected');
      expect(s.log).toEqual([`${from}->terminated`]);
      expect(s.conference.instantMessagingMcuSession.hasMcuCall).toBe(false);
    });

    it('is final: later server reports change nothing and leaving again is refused', async () => {
      const s = await activeSetup();
      await s.conference.leave();
      s.log.length = 0;
      s.focus.failoverMcu();
      s.focus.completeFailover();
      s.focus.focusReconnecting();
      s.focus.focusReconnected({ mcuActive: true });
      await s.network.settled();
      expect(s.log).toEqual([]);
      expect(s.conference.instantMessagingMcuSession.state).toBe('terminated');
      expect(() => s.conference.leave()).toThrow(InvalidOperationError);
      expect(() => s.conference.beginJoin(s.uri)).toThrow(InvalidOperationError);
      expect(s.focus.participants()).toEqual([]);
    });

    it('rejects a pending join', async () => {
      const s = setup();
      await s.conference.leave();
      await expect(s.joined).rejects.toBeInstanceOf(InvalidOperationError);
      expect(() => s.focus.completeJoin()).toThrow(/nobody is waiting/);
    });

    it('stays Terminated after a conference without IM MCU is left', async () => {
      const s = setup({ imMcu: false });
      s.focus.completeJoin();
      await s.joined;
      s.log.length = 0;
      await s.conference.leave();
      expect(s.log).toEqual([]);
      expect(s.conference.instantMessagingMcuSession.state).toBe('terminated');
    });
  });

  describe('misuse', () => {
    it('refuses to join twice or to join an unknown conference', async () => {
      const s = setup();
      expect(() => s.conference.beginJoin(s.uri)).toThrow(InvalidOperationError);
      const other = new Endpoint({ name: 'bob', network: s.network, clock: new ManualClock() });
      expect(() => other.createConferenceSession().beginJoin('sip:nowhere')).toThrow(
        InvalidArgumentError,
      );
      await s.conference.leave();
      await s.joined.catch(() => {});
    });

    it('asks for the conference URI when the server hosts several', () => {
      const network = new InMemoryNetwork();
      const focus = new FocusServer(network);
      focus.createConference();
      const second = focus.createConference({ uri: 'sip:second@example.invalid' });
      expect(() => focus.activateMcu()).toThrow(/Pass the conference URI/);
      focus.activateMcu(second);
      expect(focus.isMcuActive(second)).toBe(true);
      expect(() => focus.activateMcu('sip:unknown')).toThrow(InvalidArgumentError);
      expect(() => focus.createConference({ uri: second })).toThrow(InvalidArgumentError);
    });

    it('refuses an active MCU on reconnection for a conference without one', () => {
      const s = setup({ imMcu: false });
      expect(() => s.focus.focusReconnected({ mcuActive: true })).toThrow(InvalidOperationError);
      expect(() => s.focus.failoverMcu()).toThrow(InvalidOperationError);
      expect(() => s.focus.completeFailover()).toThrow(InvalidOperationError);
    });
  });
});
