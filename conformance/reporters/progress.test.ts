import { describe, expect, it } from 'vitest';
import { basicProfile } from '../../machines/index.ts';
import type { Trace } from '../trace.ts';
import { progressReporter } from './progress.ts';

const trace = (name: string, verdict: Trace['verdict']) => ({ name, verdict }) as Trace;

function setup(interactive: boolean) {
  let time = 0;
  const lines: string[] = [];
  const writes: string[] = [];
  const io = {
    interactive,
    out: (text: string) => lines.push(text),
    err: () => undefined,
    write: (text: string) => writes.push(text),
  };
  let stopped = 0;
  const progress = progressReporter(io, {
    now: () => time,
    schedule: () => () => stopped++,
  });
  return {
    progress,
    lines,
    writes,
    stopped: () => stopped,
    at: (ms: number) => {
      time = ms;
      progress.tick();
    },
    set: (ms: number) => {
      time = ms;
    },
  };
}

describe('progress', () => {
  it('in a log, prints a line every few seconds as cases end and while one runs', () => {
    const { progress, lines, at, set, stopped } = setup(false);
    progress.onProfileStart?.(basicProfile, 3);
    at(1000);
    progress.onCaseEnd?.(trace('imFlow path 1', 'pass'));
    expect(lines).toEqual([]);
    at(6000);
    expect(lines).toEqual([
      '[imflow] basic: 1/3 cases, 0 failed, 6.0 s; case 2 of 3 (after imFlow path 1) running for 5.0 s',
    ]);
    set(12000);
    progress.onCaseEnd?.(trace('imFlow path 2', 'fail'));
    expect(lines.at(-1)).toBe(
      '[imflow] basic: 2/3 cases, 1 failed, 12.0 s; last: imFlow path 2 (fail, 11.0 s)',
    );
    progress.onProfileEnd?.({} as never);
    expect(stopped()).toBe(1);
  });

  it('prints nothing for a short run', () => {
    const { progress, lines, writes, at } = setup(false);
    progress.onProfileStart?.(basicProfile, 2);
    at(300);
    progress.onCaseEnd?.(trace('a', 'pass'));
    at(900);
    progress.onCaseEnd?.(trace('b', 'pass'));
    expect([...lines, ...writes]).toEqual([]);
  });

  it('on a terminal, shows a slow case and its elapsed time until it ends', () => {
    const { progress, lines, writes, at } = setup(true);
    progress.onProfileStart?.(basicProfile, 2);
    at(500);
    expect(writes).toEqual([]);
    at(2500);
    expect(writes).toEqual(['\r\x1b[2K  basic: case 1 of 2 running for 2.5 s']);
    progress.onCaseEnd?.(trace('imFlow path 1', 'pass'));
    expect(writes.at(-1)).toBe('\r\x1b[2K');
    expect(lines).toEqual([]);
  });
});
