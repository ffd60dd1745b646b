import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.ts';

describe('systemClock', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads the host time', () => {
    expect(systemClock.now()).toBe(1_000);
    vi.advanceTimersByTime(250);
    expect(systemClock.now()).toBe(1_250);
  });

  it('runs callbacks through the host timers', () => {
    const fired: number[] = [];
    systemClock.setTimeout(() => fired.push(systemClock.now()), 100);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([1_100]);
  });

  it('cancels host timers', () => {
    let fired = false;
    const handle = systemClock.setTimeout(() => {
      fired = true;
    }, 100);
    systemClock.clearTimeout(handle);
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(false);
  });
});
