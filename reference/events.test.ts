import { describe, expect, it } from 'vitest';
import { TypedEmitter } from './events.ts';

type TestEvents = { ping: { n: number }; pong: { text: string } };

describe('TypedEmitter', () => {
  it('calls listeners in registration order with the payload', () => {
    const emitter = new TypedEmitter<TestEvents>();
    const seen: string[] = [];
    emitter.on('ping', ({ n }) => seen.push(`first ${n}`));
    emitter.on('ping', ({ n }) => seen.push(`second ${n}`));
    emitter.on('pong', ({ text }) => seen.push(text));
    emitter.emit('ping', { n: 1 });
    expect(seen).toEqual(['first 1', 'second 1']);
  });

  it('removes listeners with off and with the function returned by on', () => {
    const emitter = new TypedEmitter<TestEvents>();
    const seen: number[] = [];
    const listener = ({ n }: { n: number }) => seen.push(n);
    const stop = emitter.on('ping', listener);
    emitter.emit('ping', { n: 1 });
    stop();
    emitter.emit('ping', { n: 2 });
    emitter.on('ping', listener);
    emitter.off('ping', listener);
    emitter.emit('ping', { n: 3 });
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('keeps calling listeners after one throws and reports the error', () => {
    const reported: [unknown, string][] = [];
    const emitter = new TypedEmitter<TestEvents>((error, event) => reported.push([error, event]));
    const seen: number[] = [];
    const boom = new Error('boom');
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', ({ n }) => seen.push(n));
    expect(() => emitter.emit('ping', { n: 7 })).not.toThrow();
    expect(seen).toEqual([7]);
    expect(reported).toEqual([[boom, 'ping']]);
  });

  it('survives a reporter that throws', () => {
    const emitter = new TypedEmitter<TestEvents>(() => {
      throw new Error('reporter failed');
    });
    emitter.on('ping', () => {
      throw new Error('listener failed');
    });
    expect(() => emitter.emit('ping', { n: 1 })).not.toThrow();
  });

  it('lets a listener remove another listener during an emit without skipping the current round', () => {
    const emitter = new TypedEmitter<TestEvents>();
    const seen: string[] = [];
    const second = () => seen.push('second');
    emitter.on('ping', () => {
      seen.push('first');
      emitter.off('ping', second);
    });
    emitter.on('ping', second);
    emitter.emit('ping', { n: 1 });
    emitter.emit('ping', { n: 2 });
    expect(seen).toEqual(['first', 'second', 'first']);
  });
});
