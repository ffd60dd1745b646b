import { describe, expect, it } from 'vitest';
import type { CallState, InstantMessagingCall } from './call.ts';
import { Endpoint } from './endpoint.ts';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import type { StateChangedEvent } from './events.ts';
import type { InstantMessagingFlow, MediaFlowState } from './flow.ts';
import { ManualClock } from './manual-clock.ts';
import { InstantMessagingFlowTemplate } from './template.ts';
import { connectPair, thrownBy, WireLog } from './test-helpers.ts';
import { InMemoryNetwork } from './transport.ts';

function setup(bobAccepts = true) {
  const network = new InMemoryNetwork();
  const clock = new ManualClock();
  const wire = new WireLog(network, clock);
  const alice = new Endpoint({ name: 'alice', network, clock });
  const bob = new Endpoint({ name: 'bob', network, clock });
  const incoming: InstantMessagingCall[] = [];
  bob.on('incomingCall', ({ call }) => {
    incoming.push(call);
    if (bobAccepts) void call.accept();
  });
  return { network, clock, wire, alice, bob, incoming };
}

function expectInvalidOperation(action: () => unknown, message?: RegExp): void {
  const error = thrownBy(action);
  expect(error).toBeInstanceOf(InvalidOperationError);
  if (message) expect((error as Error).message).toMatch(message);
}

describe('flow lifecycle', () => {
  it('creates the call Idle and without a flow', () => {
    const { alice } = setup();
    const call = alice.createCall('bob');
    expect(call.state).toBe('idle');
    expect(call.direction).toBe('outgoing');
    expect(call.remoteParticipant).toEqual({ name: 'bob' });
    expect(call.flow).toBeUndefined();
  });

  it('raises the configuration event synchronously inside establish, with an Idle flow', async () => {
    const { alice, network } = setup();
    const call = alice.createCall('bob');
    const seen: MediaFlowState[] = [];
    call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => seen.push(flow.state));
    const established = call.establish();
    expect(seen).toEqual(['idle']);
    expect(call.flow?.state).toBe('idle');
    expect(call.state).toBe('establishing');
    await established;
    await network.settled();
    expect(call.flow?.state).toBe('active');
    expect(call.state).toBe('established');
  });

  it('turns the flow Active with one stateChanged, on both sides', async () => {
    const { alice, network, incoming } = setup();
    const call = alice.createCall('bob');
    const aliceChanges: StateChangedEvent<MediaFlowState>[] = [];
    const bobChanges: StateChangedEvent<MediaFlowState>[] = [];
    call.on('instantMessagingFlowConfigurationRequested', ({ flow }) =>
      flow.on('stateChanged', (change) => aliceChanges.push(change)),
    );
    await call.establish();
    await network.settled();
    expect(aliceChanges).toEqual([{ previous: 'idle', state: 'active' }]);
    const bobCall = incoming[0];
    expect(bobCall?.state).toBe('established');
    expect(bobCall?.flow?.state).toBe('active');
    bobCall?.flow?.on('stateChanged', (change) => bobChanges.push(change));
    await call.terminate();
    await network.settled();
    expect(bobChanges).toEqual([{ previous: 'active', state: 'terminated' }]);
  });

  it('raises call stateChanged through establishing and established', async () => {
    const { alice, network } = setup();
    const call = alice.createCall('bob');
    const changes: StateChangedEvent<CallState>[] = [];
    call.on('stateChanged', (change) => changes.push(change));
    await call.establish();
    await call.terminate();
    await network.settled();
    expect(changes).toEqual([
      { previous: 'idle', state: 'establishing' },
      { previous: 'establishing', state: 'established' },
      { previous: 'established', state: 'terminated' },
    ]);
  });

  it('stays Idle until the callee accepts', async () => {
    const { alice, network, incoming } = setup(false);
    const call = alice.createCall('bob');
    let settled = false;
    const established = call.establish().then(() => {
      settled = true;
    });
    await network.settled();
    expect(call.flow?.state).toBe('idle');
    expect(settled).toBe(false);
    const bobCall = incoming[0];
    expect(bobCall?.state).toBe('incoming');
    expect(bobCall?.flow).toBeUndefined();
    await bobCall?.accept();
    expect(bobCall?.flow?.state).toBe('active');
    await established;
    expect(call.flow?.state).toBe('active');
  });

  describe('initialize', () => {
    it('applies a template inside the configuration handler', async () => {
      const pair = await connectPair({
        aliceTemplate: {
          consumptionMode: 'proxied-to-remote-entity',
          composingTimeoutMs: 12_000,
          supportedFormats: ['text/plain', 'text/html'],
        },
      });
      expect(pair.aliceFlow.consumptionMode).toBe('proxied-to-remote-entity');
      expect(pair.aliceFlow.composingTimeoutMs).toBe(12_000);
      expect(pair.aliceFlow.supportedFormats).toEqual(['text/plain', 'text/html']);
    });

    it('uses the defaults without initialize, the composing time-out coming from the settings', async () => {
      const pair = await connectPair({ bobSettings: { defaultComposingTimeoutMs: 7000 } });
      expect(pair.aliceFlow.consumptionMode).toBe('consumed-locally');
      expect(pair.aliceFlow.composingTimeoutMs).toBe(3000);
      expect(pair.aliceFlow.supportedFormats).toEqual(['text/plain']);
      expect(pair.bobFlow.composingTimeoutMs).toBe(7000);
    });

    it('takes the platform default for a template that leaves the time-out unset', async () => {
      const pair = await connectPair({
        settings: { defaultComposingTimeoutMs: 9000 },
        aliceTemplate: { consumptionMode: 'proxied-to-remote-entity' },
      });
      expect(pair.aliceFlow.composingTimeoutMs).toBe(9000);
    });

    it('copies the template, so later changes to it do not reach the flow', async () => {
      const { alice } = setup();
      const call = alice.createCall('bob');
      const template = new InstantMessagingFlowTemplate();
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) =>
        flow.initialize(template),
      );
      await call.establish();
      template.supportedFormats.push('text/html');
      template.composingTimeoutMs = 20_000;
      expect(call.flow?.supportedFormats).toEqual(['text/plain']);
      expect(call.flow?.composingTimeoutMs).toBe(3000);
    });

    it('is refused after the handler returned, and after establish', async () => {
      const { alice } = setup();
      const call = alice.createCall('bob');
      let captured: InstantMessagingFlow | undefined;
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
        captured = flow;
      });
      const established = call.establish();
      const flow = captured as InstantMessagingFlow;
      expectInvalidOperation(
        () => flow.initialize(new InstantMessagingFlowTemplate()),
        /outside its instantMessagingFlowConfigurationRequested handler/,
      );
      await established;
      expectInvalidOperation(() => flow.initialize(new InstantMessagingFlowTemplate()));
    });

    it('is refused for another flow than the one being configured', async () => {
      const pair = await connectPair();
      const call = pair.alice.createCall('bob');
      let error: unknown;
      call.on('instantMessagingFlowConfigurationRequested', () => {
        error = thrownBy(() => pair.aliceFlow.initialize(new InstantMessagingFlowTemplate()));
      });
      await call.establish();
      expect(error).toBeInstanceOf(InvalidOperationError);
    });

    it('is refused on a terminated flow', async () => {
      const pair = await connectPair();
      await pair.aliceCall.terminate();
      expectInvalidOperation(
        () => pair.aliceFlow.initialize(new InstantMessagingFlowTemplate()),
        /Terminated/,
      );
    });

    it.each([
      [{ composingTimeoutMs: 0 }, /composingTimeoutMs 0.*1 to 30000/],
      [{ composingTimeoutMs: 30_001 }, /composingTimeoutMs/],
      [{ composingTimeoutMs: 1500.5 }, /composingTimeoutMs/],
      [{ consumptionMode: 'forwarded' }, /consumptionMode/],
      [{ supportedFormats: ['plain'] }, /supportedFormats/],
    ])('rejects the template %o and keeps the defaults', async (init, message) => {
      const { alice } = setup();
      const call = alice.createCall('bob');
      let error: unknown;
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
        const template = new InstantMessagingFlowTemplate({
          consumptionMode: 'proxied-to-remote-entity',
        });
        Object.assign(template, init);
        error = thrownBy(() => flow.initialize(template));
      });
      await call.establish();
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).toMatch(message);
      expect(call.flow?.consumptionMode).toBe('consumed-locally');
      expect(call.flow?.composingTimeoutMs).toBe(3000);
    });

    it('accepts the time-out bounds 1 and 30000', async () => {
      for (const composingTimeoutMs of [1, 30_000]) {
        const pair = await connectPair({ aliceTemplate: { composingTimeoutMs } });
        expect(pair.aliceFlow.composingTimeoutMs).toBe(composingTimeoutMs);
      }
    });

    it('lets a second attempt inside the handler succeed after a rejected template', async () => {
      const { alice } = setup();
      const call = alice.createCall('bob');
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
        thrownBy(() =>
          flow.initialize(new InstantMessagingFlowTemplate({ composingTimeoutMs: -5 })),
        );
        flow.initialize(new InstantMessagingFlowTemplate({ composingTimeoutMs: 4000 }));
      });
      await call.establish();
      expect(call.flow?.composingTimeoutMs).toBe(4000);
    });

    it('configures the called side inside accept', async () => {
      const pair = await connectPair({
        bobTemplate: { consumptionMode: 'proxied-to-remote-entity' },
      });
      expect(pair.bobFlow.consumptionMode).toBe('proxied-to-remote-entity');
      expect(pair.aliceFlow.consumptionMode).toBe('consumed-locally');
    });
  });

  describe('termination', () => {
    it('terminates the flow, raises stateChanged and sends a bye', async () => {
      const pair = await connectPair();
      const order: string[] = [];
      pair.aliceFlow.on('stateChanged', ({ previous, state }) =>
        order.push(`stateChanged ${previous}->${state}`),
      );
      pair.network.onSend((_from, _to, message) => order.push(`sent ${message.type}`));
      await pair.aliceCall.terminate();
      expect(pair.aliceFlow.state).toBe('terminated');
      expect(pair.aliceCall.state).toBe('terminated');
      expect(order).toEqual(['stateChanged active->terminated', 'sent bye']);
      expect(pair.wire.sentBy('alice', 'bye')).toEqual([{ type: 'bye' }]);
    });

    it('terminates the remote flow when the bye arrives, without a bye back', async () => {
      const pair = await connectPair();
      const changes: StateChangedEvent<MediaFlowState>[] = [];
      pair.bobFlow.on('stateChanged', (change) => changes.push(change));
      // Not awaited: the bye must still be in flight when the next line looks.
      void pair.aliceCall.terminate();
      expect(pair.bobFlow.state).toBe('active');
      await pair.settle();
      expect(pair.bobFlow.state).toBe('terminated');
      expect(pair.bobCall.state).toBe('terminated');
      expect(changes).toEqual([{ previous: 'active', state: 'terminated' }]);
      expect(pair.wire.sentBy('bob', 'bye')).toEqual([]);
    });

    it('makes every operation invalid afterwards', async () => {
      const pair = await connectPair({
        aliceTemplate: { consumptionMode: 'proxied-to-remote-entity' },
      });
      await pair.bobFlow.sendInstantMessage('hi');
      await pair.settle();
      const [received] = pair.aliceFlow.messagesAwaitingDeliveryNotification;
      await pair.aliceCall.terminate();
      const flow = pair.aliceFlow;
      const id = received as string;
      expectInvalidOperation(() => flow.sendInstantMessage('x'), /the flow is Terminated/);
      expectInvalidOperation(() => {
        flow.localComposingState = 'composing';
      });
      expectInvalidOperation(() => {
        flow.localComposingState = 'idle';
      });
      expectInvalidOperation(() => flow.sendSuccessDeliveryNotification(id));
      expectInvalidOperation(() => flow.sendFailureDeliveryNotification(id, 480));
      expectInvalidOperation(() => flow.initialize(new InstantMessagingFlowTemplate()));
      expectInvalidOperation(() => pair.aliceCall.terminate(), /already Terminated/);
      expectInvalidOperation(() => pair.aliceCall.establish());
    });

    it('is final on the side that received the bye too', async () => {
      const pair = await connectPair();
      await pair.aliceCall.terminate();
      await pair.settle();
      expectInvalidOperation(() => pair.bobFlow.sendInstantMessage('too late'));
      expectInvalidOperation(() => pair.bobCall.terminate());
    });

    it('stops every timer, sends nothing more and raises no more events', async () => {
      const pair = await connectPair({ settings: { refreshPeriodMs: 1000 } });
      pair.aliceFlow.localComposingState = 'composing';
      pair.bobFlow.localComposingState = 'composing';
      await pair.settle();
      const events: string[] = [];
      pair.aliceFlow.on('remoteComposingStateChanged', () => events.push('remote'));
      pair.aliceFlow.on('stateChanged', ({ state }) => events.push(state));
      await pair.aliceCall.terminate();
      await pair.settle();
      pair.wire.clear();
      expect(pair.clock.pendingTimerCount).toBe(0);
      await pair.advance(60_000);
      expect(pair.wire.records).toEqual([]);
      expect(events).toEqual(['terminated']);
      expect(pair.aliceFlow.localComposingState).toBe('idle');
      expect(pair.aliceFlow.remoteComposingState).toBe('idle');
    });

    it('ignores what the remote sent after the local side terminated', async () => {
      const pair = await connectPair();
      const events: string[] = [];
      pair.aliceFlow.on('messageReceived', () => events.push('message'));
      pair.aliceFlow.on('remoteComposingStateChanged', () => events.push('composing'));
      pair.bobFlow.localComposingState = 'composing';
      // Nothing awaited until the end, so bob's traffic is still in flight at the terminate.
      void pair.bobFlow.sendInstantMessage('crossing');
      void pair.aliceCall.terminate();
      await pair.settle();
      expect(events).toEqual([]);
      expect(pair.wire.sentBy('alice')).toEqual([{ type: 'bye' }]);
    });

    it('treats crossing byes as one termination per side', async () => {
      const pair = await connectPair();
      const changes: string[] = [];
      pair.aliceFlow.on('stateChanged', ({ state }) => changes.push(`alice ${state}`));
      pair.bobFlow.on('stateChanged', ({ state }) => changes.push(`bob ${state}`));
      void pair.aliceCall.terminate();
      void pair.bobCall.terminate();
      await pair.settle();
      expect(changes).toEqual(['alice terminated', 'bob terminated']);
      expect(pair.wire.typesBy('alice')).toEqual(['bye']);
      expect(pair.wire.typesBy('bob')).toEqual(['bye']);
    });

    it('terminates an Idle flow while establishing and rejects establish', async () => {
      const { alice, network, incoming } = setup(false);
      const call = alice.createCall('bob');
      const established = call.establish();
      const changes: StateChangedEvent<MediaFlowState>[] = [];
      call.flow?.on('stateChanged', (change) => changes.push(change));
      await call.terminate();
      await expect(established).rejects.toBeInstanceOf(InvalidOperationError);
      expect(changes).toEqual([{ previous: 'idle', state: 'terminated' }]);
      await network.settled();
      expect(incoming[0]?.state).toBe('terminated');
      expectInvalidOperation(() => incoming[0]?.accept());
    });

    it('rejects establish when the callee declines by terminating', async () => {
      const { alice, network, incoming, wire } = setup(false);
      const call = alice.createCall('bob');
      const established = call.establish();
      await network.settled();
      await incoming[0]?.terminate();
      await network.settled();
      await expect(established).rejects.toThrow(/remote endpoint ended the call/);
      expect(call.flow?.state).toBe('terminated');
      expect(wire.sentBy('bob')).toEqual([{ type: 'bye' }]);
    });

    it('terminates a call that was never established without touching the wire', async () => {
      const { alice, wire } = setup();
      const call = alice.createCall('bob');
      await call.terminate();
      expect(call.state).toBe('terminated');
      expect(wire.records).toEqual([]);
      expectInvalidOperation(() => call.establish());
    });
  });

  describe('before the flow is active', () => {
    it('refuses operations on the Idle flow during establishment', async () => {
      const { alice, network } = setup(false);
      const call = alice.createCall('bob');
      const errors: unknown[] = [];
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
        errors.push(thrownBy(() => flow.sendInstantMessage('early')));
        errors.push(
          thrownBy(() => {
            flow.localComposingState = 'composing';
          }),
        );
      });
      void call.establish().catch(() => {});
      await network.settled();
      const flow = call.flow as InstantMessagingFlow;
      errors.push(thrownBy(() => flow.sendSuccessDeliveryNotification('x')));
      for (const error of errors) {
        expect(error).toBeInstanceOf(InvalidOperationError);
        expect((error as Error).message).toMatch(/the flow is Idle/);
      }
      expect(errors).toHaveLength(3);
      await call.terminate();
    });
  });

  describe('call misuse', () => {
    it('refuses to establish twice, to accept an outgoing call or establish an incoming one', async () => {
      const { alice, network, incoming } = setup(false);
      const call = alice.createCall('bob');
      const established = call.establish();
      expectInvalidOperation(() => call.establish(), /Establishing/);
      expectInvalidOperation(() => call.accept(), /outgoing call/);
      await network.settled();
      expectInvalidOperation(() => incoming[0]?.establish(), /incoming call/);
      await incoming[0]?.accept();
      expectInvalidOperation(() => incoming[0]?.accept(), /Established/);
      await established;
    });

    it('refuses calls to unknown or invalid remotes', () => {
      const { alice } = setup();
      expectInvalidOperation(() => alice.createCall('carol').establish(), /'carol'/);
      expect(() => alice.createCall('')).toThrow(InvalidArgumentError);
      expect(() => alice.createCall('alice')).toThrow(InvalidArgumentError);
    });

    it('rejects establish when the configuration handler terminates the call', async () => {
      const { alice, wire } = setup();
      const call = alice.createCall('bob');
      call.on('instantMessagingFlowConfigurationRequested', () => void call.terminate());
      await expect(call.establish()).rejects.toBeInstanceOf(InvalidOperationError);
      expect(call.flow?.state).toBe('terminated');
      expect(wire.records).toEqual([]);
    });

    it('keeps working when application listeners throw, and reports their errors', async () => {
      const network = new InMemoryNetwork();
      const reported: string[] = [];
      const alice = new Endpoint({
        name: 'alice',
        network,
        clock: new ManualClock(),
        onListenerError: (_error, event) => reported.push(event),
      });
      const bob = new Endpoint({ name: 'bob', network, clock: new ManualClock() });
      bob.on('incomingCall', ({ call }) => void call.accept());
      const call = alice.createCall('bob');
      call.on('instantMessagingFlowConfigurationRequested', ({ flow }) => {
        flow.on('stateChanged', () => {
          throw new Error('listener bug');
        });
        throw new Error('listener bug');
      });
      await call.establish();
      expect(call.flow?.state).toBe('active');
      expect(reported).toEqual(['instantMessagingFlowConfigurationRequested', 'stateChanged']);
    });
  });
});
