import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.ts';

describe('ManualClock', () => {
  it('fires a timer exactly at its due time, not a millisecond before', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 100);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(1);
    expect(fired).toEqual([100]);
  });

  it('fires due timers in time order, then in creation order', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 20);
    clock.setTimeout(() => fired.push('a'), 10);
    clock.setTimeout(() => fired.push('c'), 20);
    clock.advance(50);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.now()).toBe(1050);
  });

  it('fires timers scheduled by callbacks when they fall inside the window', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const tick = () => {
      fired.push(clock.now());
      clock.setTimeout(tick, 30);
    };
    clock.setTimeout(tick, 30);
    clock.advance(100);
    expect(fired).toEqual([30, 60, 90]);
    expect(clock.pendingTimerCount).toBe(1);
  });

  it('does not fire cleared timers', () => {
    const clock = new ManualClock();
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(handle);
    clock.clearTimeout(handle);
    clock.advance(20);
    expect(fired).toBe(false);
    expect(clock.pendingTimerCount).toBe(0);
  });

  it('treats a negative delay as zero and refuses to go backwards', () => {
    const clock = new ManualClock(5);
    let fired = false;
    clock.setTimeout(() => {
      fired = true;
    }, -10);
    clock.advance(0);
    expect(fired).toBe(true);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advanceTo(4)).toThrow(/only moves forward/);
  });

  it('reports when the next timer is due', () => {
    const clock = new ManualClock();
    expect(clock.nextTimerDueAt).toBeUndefined();
    clock.setTimeout(() => {}, 40);
    clock.setTimeout(() => {}, 15);
    expect(clock.nextTimerDueAt).toBe(15);
  });

  it('settles at every instant where timers fire when advancing with advanceSettling', async () => {
    const clock = new ManualClock();
    const log: string[] = [];
    clock.setTimeout(() => log.push(`timer@${clock.now()}`), 10);
    clock.setTimeout(() => log.push(`timer@${clock.now()}`), 10);
    clock.setTimeout(() => log.push(`timer@${clock.now()}`), 25);
    await clock.advanceSettling(30, async () => {
      log.push(`settle@${clock.now()}`);
    });
    expect(log).toEqual(['settle@0', 'timer@10', 'timer@10', 'settle@10', 'timer@25', 'settle@25']);
    expect(clock.now()).toBe(30);
    await expect(clock.advanceSettling(-1, async () => {})).rejects.toThrow(RangeError);
  });
});
