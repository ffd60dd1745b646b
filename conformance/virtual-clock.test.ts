import { describe, expect, it } from 'vitest';
import { VirtualClock } from './virtual-clock.ts';

const noSettle = async () => undefined;

describe('VirtualClock', () => {
  it('starts at zero and moves only when advanced, to exactly the target', async () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(0);
    await clock.advance(1234, noSettle);
    expect(clock.now()).toBe(1234);
    await clock.advance(0, noSettle);
    expect(clock.now()).toBe(1234);
  });

  it('fires timers in due order, each at its own instant', async () => {
    const clock = new VirtualClock();
    const fired: [string, number][] = [];
    const record = (name: string) => () => fired.push([name, clock.now()]);
    clock.setTimeout(record('c'), 300);
    clock.setTimeout(record('a'), 100);
    clock.setTimeout(record('b'), 200);
    await clock.advance(1000, noSettle);
    expect(fired).toEqual([
      ['a', 100],
      ['b', 200],
      ['c', 300],
    ]);
    expect(clock.now()).toBe(1000);
  });

  it('fires timers due at the same instant in the order they were set', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    for (const name of ['first', 'second', 'third']) clock.setTimeout(() => fired.push(name), 50);
    await clock.advance(50, noSettle);
    expect(fired).toEqual(['first', 'second', 'third']);
  });

  it('fires a timer due exactly at the target, and none due after it', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 500);
    clock.setTimeout(() => fired.push(clock.now()), 501);
    await clock.advance(499, noSettle);
    expect(fired).toEqual([]);
    await clock.advance(1, noSettle);
    expect(fired).toEqual([500]);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1, noSettle);
    expect(fired).toEqual([500, 501]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('measures delays from the time a timer is set', async () => {
    const clock = new VirtualClock();
    await clock.advance(700, noSettle);
    let firedAt: number | undefined;
    clock.setTimeout(() => {
      firedAt = clock.now();
    }, 300);
    await clock.advance(299, noSettle);
    expect(firedAt).toBeUndefined();
    await clock.advance(1, noSettle);
    expect(firedAt).toBe(1000);
  });

  it('fires, within the same advance, timers that callbacks set', async () => {
    const clock = new VirtualClock();
    const fired: [string, number][] = [];
    clock.setTimeout(() => {
      fired.push(['outer', clock.now()]);
      clock.setTimeout(() => fired.push(['inner', clock.now()]), 250);
      clock.setTimeout(() => fired.push(['too late', clock.now()]), 2000);
    }, 100);
    await clock.advance(1000, noSettle);
    expect(fired).toEqual([
      ['outer', 100],
      ['inner', 350],
    ]);
    expect(clock.pendingTimers).toBe(1);
  });

  it('never fires a cleared timer, and ignores handles it did not make', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push('cleared'), 10);
    clock.setTimeout(() => fired.push('kept'), 20);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.clearTimeout(undefined);
    clock.clearTimeout(42);
    clock.clearTimeout({});
    await clock.advance(100, noSettle);
    expect(fired).toEqual(['kept']);
  });

  it('lets a callback clear a timer due at the same instant', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    let victim: unknown;
    clock.setTimeout(() => {
      fired.push('first');
      clock.clearTimeout(victim);
    }, 10);
    victim = clock.setTimeout(() => fired.push('victim'), 10);
    await clock.advance(10, noSettle);
    expect(fired).toEqual(['first']);
  });

  it('treats negative, zero and non-finite delays as zero', async () => {
    const clock = new VirtualClock();
    await clock.advance(5, noSettle);
    const fired: number[] = [];
    for (const ms of [-10, 0, Number.NaN, Number.POSITIVE_INFINITY]) {
      clock.setTimeout(() => fired.push(clock.now()), ms);
    }
    await clock.advance(0, noSettle);
    expect(fired).toEqual([5, 5, 5, 5]);
  });

  it('settles after every timer, with the clock still at that timer’s instant', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimeout(() => log.push(`fire@${clock.now()}`), 100);
    clock.setTimeout(() => log.push(`fire@${clock.now()}`), 100);
    clock.setTimeout(() => log.push(`fire@${clock.now()}`), 250);
    await clock.advance(400, async () => {
      log.push(`settle@${clock.now()}`);
    });
    expect(log).toEqual([
      'fire@100',
      'settle@100',
      'fire@100',
      'settle@100',
      'fire@250',
      'settle@250',
    ]);
    expect(clock.now()).toBe(400);
  });

  it('lets work a timer started asynchronously land before the next timer fires', async () => {
    const clock = new VirtualClock();
    const log: string[] = [];
    clock.setTimeout(() => {
      setImmediate(() => log.push(`network delivery@${clock.now()}`));
    }, 100);
    clock.setTimeout(() => log.push(`second timer@${clock.now()}`), 200);
    await clock.advance(300, () => new Promise<void>((resolve) => setImmediate(resolve)));
    expect(log).toEqual(['network delivery@100', 'second timer@200']);
  });

  it('collects exceptions thrown by callbacks and keeps firing the others', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const boom = new Error('boom');
    clock.setTimeout(() => {
      throw boom;
    }, 10);
    clock.setTimeout(() => {
      throw 'not an error';
    }, 20);
    clock.setTimeout(() => fired.push('after'), 30);
    await expect(clock.advance(100, noSettle)).resolves.toBeUndefined();
    expect(clock.callbackErrors).toEqual([boom, 'not an error']);
    expect(fired).toEqual(['after']);
    expect(clock.now()).toBe(100);
  });

  it('once stopped, fires nothing more, not even in an advance under way', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('first');
      clock.stop();
    }, 10);
    clock.setTimeout(() => fired.push('second'), 20);
    await clock.advance(100, noSettle);
    expect(fired).toEqual(['first']);
    clock.setTimeout(() => fired.push('after stop'), 1);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(100, noSettle);
    expect(fired).toEqual(['first']);
  });
});
