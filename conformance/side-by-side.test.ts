import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { builtInProfiles } from '../machines/index.ts';
import type { SuiteResult } from './results.ts';
import { InOrderEvents, runSideBySide } from './side-by-side.ts';
import { runSuite } from './suite.ts';

type Heard = { onProfileStart(name: string): void; onProfileEnd(name: string): void };

function recorder() {
  const heard: string[] = [];
  const listener: Heard = {
    onProfileStart: (name) => heard.push(`start ${name}`),
    onProfileEnd: (name) => heard.push(`end ${name}`),
  };
  return { heard, listener };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('InOrderEvents', () => {
  it('holds back a later unit until every earlier one has ended', () => {
    const { heard, listener } = recorder();
    const events = new InOrderEvents(listener);
    events.listenerFor(1)?.onProfileStart('b');
    events.listenerFor(0)?.onProfileStart('a');
    expect(heard).toEqual(['start a']);
    events.listenerFor(2)?.onProfileStart('c');
    events.listenerFor(2)?.onProfileEnd('c');
    events.end(2);
    events.listenerFor(1)?.onProfileEnd('b');
    events.end(1);
    expect(heard).toEqual(['start a']);
    events.listenerFor(0)?.onProfileEnd('a');
    events.end(0);
    expect(heard).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('gives no listener when there is none to hear', () => {
    expect(new InOrderEvents(undefined).listenerFor(0)).toBeUndefined();
  });
});

describe('runSideBySide', () => {
  it('runs units at once on several adapters, keeps their order and closes what it opened', async () => {
    let running = 0;
    let most = 0;
    const closed: string[] = [];
    const used: string[] = [];
    const results = await runSideBySide(
      ['a', 'b', 'c', 'd'],
      2,
      { ...referenceAdapter, name: 'first' },
      async () => ({
        adapter: { ...referenceAdapter, name: 'second' },
        close: async () => {
          closed.push('second');
        },
      }),
      undefined,
      async (unit, adapter) => {
        running++;
        most = Math.max(most, running);
        used.push(adapter.name);
        await tick();
        await tick();
        running--;
        return unit.toUpperCase();
      },
    );
    expect(results).toEqual(['A', 'B', 'C', 'D']);
    expect(most).toBe(2);
    expect(new Set(used)).toEqual(new Set(['first', 'second']));
    expect(closed).toEqual(['second']);
  });

  it('leaves its units to the others when a further adapter cannot be opened', async () => {
    const results = await runSideBySide(
      [1, 2, 3],
      3,
      referenceAdapter,
      async () => {
        throw new Error('no second host');
      },
      undefined,
      async (unit) => unit * 10,
    );
    expect(results).toEqual([10, 20, 30]);
  });
});

describe('a check with profiles side by side', () => {
  const verdicts = (result: SuiteResult) =>
    result.profiles.map((profile) => ({
      profile: profile.profile,
      verdict: profile.verdict,
      requirements: profile.requirements.map((r) => [r.requirement.id, r.verdict, r.tests]),
      coverage: profile.machines.map((m) => m.coverage),
    }));

  it('gives the result of the same check in turn, and listeners hear the profiles in order', async () => {
    const options = { adapter: referenceAdapter, profiles: builtInProfiles, seed: 5, runs: 6 };
    const inTurn = await runSuite(options);
    const { heard, listener } = recorder();
    let opened = 0;
    const sideBySide = await runSuite({
      ...options,
      listener: {
        onProfileStart: (profile) => listener.onProfileStart(profile.name),
        onProfileEnd: (result) => listener.onProfileEnd(result.profile.name),
      },
      sideBySide: {
        jobs: 3,
        open: async () => {
          opened++;
          return { adapter: referenceAdapter, close: async () => undefined };
        },
      },
    });
    expect(opened).toBe(2);
    expect(verdicts(sideBySide)).toEqual(verdicts(inTurn));
    expect(heard).toEqual(builtInProfiles.flatMap((p) => [`start ${p.name}`, `end ${p.name}`]));
  });
});
