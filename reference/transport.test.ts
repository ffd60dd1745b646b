import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidOperationError } from './errors.ts';
import { InMemoryNetwork, type Transport, type WireMessage } from './transport.ts';

function connect(network: InMemoryNetwork): {
  caller: Transport;
  received: { callee: WireMessage[]; caller: WireMessage[] };
  callee: () => Transport | undefined;
} {
  const received = { callee: [] as WireMessage[], caller: [] as WireMessage[] };
  let calleeEnd: Transport | undefined;
  network.attach('alice', () => {});
  network.attach('bob', (transport) => {
    calleeEnd = transport;
    transport.listen({ message: (message) => received.callee.push(message), answered: () => {} });
  });
  const caller = network.dial('alice', 'bob');
  caller.listen({ message: (message) => received.caller.push(message), answered: () => {} });
  return { caller, received, callee: () => calleeEnd };
}

describe('InMemoryNetwork', () => {
  it('never delivers inside send, and delivers once settled', async () => {
    const network = new InMemoryNetwork();
    const { caller, received } = connect(network);
    caller.send({ type: 'composing', state: 'typing' });
    expect(received.callee).toEqual([]);
    await network.settled();
    expect(received.callee).toEqual([{ type: 'composing', state: 'typing' }]);
  });

  it('preserves order per direction', async () => {
    const network = new InMemoryNetwork();
    const { caller, received, callee } = connect(network);
    await network.settled();
    const messages: WireMessage[] = [
      { type: 'message', id: '1', contentType: 'text/plain', body: 'one' },
      { type: 'composing', state: 'typing' },
      { type: 'message', id: '2', contentType: 'text/plain', body: 'two' },
      { type: 'bye' },
    ];
    for (const message of messages) caller.send(message);
    callee()?.send({ type: 'response', id: '1', code: 200 });
    await network.settled();
    expect(received.callee).toEqual(messages);
    expect(received.caller).toEqual([{ type: 'response', id: '1', code: 200 }]);
  });

  it('hands the called endpoint its end of the link asynchronously, before anything sent later', async () => {
    const network = new InMemoryNetwork();
    const { caller, callee, received } = connect(network);
    caller.send({ type: 'bye' });
    expect(callee()).toBeUndefined();
    await network.settled();
    expect(callee()?.remoteName).toBe('alice');
    expect(received.callee).toEqual([{ type: 'bye' }]);
  });

  it('delivers the answer of the called side to the caller', async () => {
    const network = new InMemoryNetwork();
    network.attach('alice', () => {});
    network.attach('bob', (transport) => transport.answer());
    const caller = network.dial('alice', 'bob');
    let answered = false;
    caller.listen({
      message: () => {},
      answered: () => {
        answered = true;
      },
    });
    await network.settled();
    expect(answered).toBe(true);
  });

  it('buffers arrivals until a handler listens', async () => {
    const network = new InMemoryNetwork();
    network.attach('alice', () => {});
    network.attach('bob', (transport) => transport.send({ type: 'bye' }));
    const caller = network.dial('alice', 'bob');
    await network.settled();
    const received: WireMessage[] = [];
    caller.listen({ message: (message) => received.push(message), answered: () => {} });
    expect(received).toEqual([{ type: 'bye' }]);
  });

  it('reports every sent wire message to observers, and ignores observer failures', async () => {
    const network = new InMemoryNetwork();
    const seen: string[] = [];
    network.onSend(() => {
      throw new Error('observer failed');
    });
    const stop = network.onSend((from, to, message) => seen.push(`${from}>${to}:${message.type}`));
    const { caller, received } = connect(network);
    caller.send({ type: 'composing', state: 'idle' });
    stop();
    caller.send({ type: 'bye' });
    await network.settled();
    expect(seen).toEqual(['alice>bob:composing']);
    expect(received.callee).toHaveLength(2);
  });

  it('ends a call whose callee left before it arrived', async () => {
    const network = new InMemoryNetwork();
    network.attach('alice', () => {});
    const detach = network.attach('bob', () => {});
    const caller = network.dial('alice', 'bob');
    detach();
    const received: WireMessage[] = [];
    caller.listen({ message: (message) => received.push(message), answered: () => {} });
    await network.settled();
    expect(received).toEqual([{ type: 'bye' }]);
    expect(network.isAttached('bob')).toBe(false);
  });

  it('refuses taken or empty names and unknown destinations', () => {
    const network = new InMemoryNetwork();
    network.attach('alice', () => {});
    expect(() => network.attach('alice', () => {})).toThrow(InvalidArgumentError);
    expect(() => network.attach('', () => {})).toThrow(InvalidArgumentError);
    expect(() => network.dial('alice', 'nobody')).toThrow(InvalidOperationError);
  });

  it('resolves settled at once when nothing is in flight', async () => {
    const network = new InMemoryNetwork();
    await expect(network.settled()).resolves.toBeUndefined();
    expect(network.deliveries.inFlight).toBe(0);
  });

  it('keeps delivering after a delivery throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const network = new InMemoryNetwork({ onDeliveryError: (error) => errors.push(error) });
    const received: WireMessage[] = [];
    network.attach('alice', () => {});
    network.attach('bob', (transport) =>
      transport.listen({
        message: (message) => {
          if (message.type === 'bye') throw new Error('handler failed');
          received.push(message);
        },
        answered: () => {},
      }),
    );
    const caller = network.dial('alice', 'bob');
    caller.send({ type: 'bye' });
    caller.send({ type: 'composing', state: 'typing' });
    await network.settled();
    expect(errors).toHaveLength(1);
    expect(received).toEqual([{ type: 'composing', state: 'typing' }]);
  });
});
