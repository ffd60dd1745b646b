/**
 * Shared fixtures for the reference implementation's tests: two connected endpoints on one
 * manual clock, a log of everything sent on the wire, and recorders of events; and for the tests
 * on real SIP, in real time, the closing of what a test opened and bounded waits.
 */

import { afterEach } from 'vitest';
import type { InstantMessagingCall } from './call.ts';
import { Endpoint } from './endpoint.ts';
import type { InstantMessagingFlow } from './flow.ts';
import { ManualClock } from './manual-clock.ts';
import type { PlatformSettings } from './settings.ts';
import { InstantMessagingFlowTemplate, type InstantMessagingFlowTemplateInit } from './template.ts';
import { InMemoryNetwork, type WireMessage } from './transport.ts';

/** One wire message as seen by `network.onSend`, with the time it was sent. */
export interface WireRecord {
  readonly at: number;
  readonly from: string;
  readonly to: string;
  readonly message: WireMessage;
}

/** Everything sent on a network, in sending order. */
export class WireLog {
  readonly records: WireRecord[] = [];

  constructor(network: InMemoryNetwork, clock: ManualClock) {
    network.onSend((from, to, message) =>
      this.records.push({ at: clock.now(), from, to, message }),
    );
  }

  /** Messages sent by `from`, optionally of one type. */
  sentBy(from: string, type?: WireMessage['type']): WireMessage[] {
    return this.records
      .filter(
        (record) => record.from === from && (type === undefined || record.message.type === type),
      )
      .map((record) => record.message);
  }

  /** Composing notifications sent by `from`, as `'typing@1000'` strings (state and time). */
  composingBy(from: string): string[] {
    return this.records
      .filter((record) => record.from === from && record.message.type === 'composing')
      .map((record) => {
        const message = record.message as Extract<WireMessage, { type: 'composing' }>;
        return `${message.state}@${record.at}`;
      });
  }

  /** Message types sent by `from`, in order. */
  typesBy(from: string): string[] {
    return this.sentBy(from).map((message) =>
      message.type === 'composing' ? `composing:${message.state}` : message.type,
    );
  }

  clear(): void {
    this.records.length = 0;
  }
}

/** Events raised by an object with an `on` method, recorded in order. */
export class EventLog<Events extends object> {
  readonly entries: { event: keyof Events; payload: unknown }[] = [];

  constructor(
    target: {
      on<Name extends keyof Events>(
        event: Name,
        listener: (payload: Events[Name]) => void,
      ): unknown;
    },
    events: readonly (keyof Events)[],
  ) {
    for (const event of events) {
      target.on(event, (payload) => this.entries.push({ event, payload }));
    }
  }

  /** Payloads of one event, in order. */
  of<Name extends keyof Events>(event: Name): Events[Name][] {
    return this.entries
      .filter((entry) => entry.event === event)
      .map((entry) => entry.payload as Events[Name]);
  }

  clear(): void {
    this.entries.length = 0;
  }
}

/** Options of {@link connectPair}. */
export interface PairOptions {
  /** Settings for both endpoints; per-endpoint settings below override them. */
  readonly settings?: Partial<PlatformSettings>;
  readonly aliceSettings?: Partial<PlatformSettings>;
  readonly bobSettings?: Partial<PlatformSettings>;
  /** Template for alice's flow; no `initialize` call when left out. */
  readonly aliceTemplate?: InstantMessagingFlowTemplateInit;
  /** Template for bob's flow; no `initialize` call when left out. */
  readonly bobTemplate?: InstantMessagingFlowTemplateInit;
}

/** Two endpoints with an established call, alice being the caller. */
export interface Pair {
  readonly network: InMemoryNetwork;
  readonly clock: ManualClock;
  readonly wire: WireLog;
  readonly alice: Endpoint;
  readonly bob: Endpoint;
  readonly aliceCall: InstantMessagingCall;
  readonly bobCall: InstantMessagingCall;
  readonly aliceFlow: InstantMessagingFlow;
  readonly bobFlow: InstantMessagingFlow;
  /** Sends nothing; lets every delivery in flight arrive. */
  settle(): Promise<void>;
  /** Advances the clock, letting deliveries arrive at each instant where timers fire. */
  advance(ms: number): Promise<void>;
}

/** Creates alice and bob on a fresh network and manual clock and establishes a call. */
export async function connectPair(options: PairOptions = {}): Promise<Pair> {
  const network = new InMemoryNetwork();
  const clock = new ManualClock();
  const wire = new WireLog(network, clock);
  const alice = new Endpoint({
    name: 'alice',
    network,
    clock,
    settings: { ...options.settings, ...options.aliceSettings },
  });
  const bob = new Endpoint({
    name: 'bob',
    network,
    clock,
    settings: { ...options.settings, ...options.bobSettings },
  });
  let bobCall: InstantMessagingCall | undefined;
  bob.on('incomingCall', ({ call }) => {
    bobCall = call;
    configureWith(call, options.bobTemplate);
    void call.accept();
  });
  const aliceCall = alice.createCall('bob');
  configureWith(aliceCall, options.aliceTemplate);
  await aliceCall.establish();
  await network.settled();
  const aliceFlow = aliceCall.flow;
  const bobFlow = bobCall?.flow;
  if (!bobCall || !aliceFlow || !bobFlow) throw new Error('the test call was not established');
  return {
    network,
    clock,
    wire,
    alice,
    bob,
    aliceCall,
    bobCall,
    aliceFlow,
    bobFlow,
    settle: () => network.settled(),
    advance: (ms) => clock.advanceSettling(ms, () => network.settled()),
  };
}

function configureWith(
  call: InstantMessagingCall,
  template: InstantMessagingFlowTemplateInit | undefined,
): void {
  if (!template) return;
  call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
    flow.initialize(new InstantMessagingFlowTemplate(template));
  });
}

/** Runs `action` and returns what it threw (fails the test if nothing was thrown). */
export function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

/** A list of what a test opened; all of it is closed after each test of the file that calls this. */
export function closedAfterEach(): (() => Promise<void>)[] {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });
  return closers;
}

/** Resolves once `condition` holds; fails naming `what` after `ms`. */
export async function until(what: string, condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
