import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import {
  createModels,
  declaredTransitions,
  guideProfile,
  referencePageProfile,
} from '../machines/index.ts';
import { declarationsProblems, resolveDeclarations } from './declarations.ts';
import { AdapterLoadError, assertAdapter } from './load-adapter.ts';
import { runSuite } from './suite.ts';
import {
  byeUnobserved,
  callSignalsUnobserved,
  composingQueryStops,
  composingQueryUndeclared,
  FOCUS_WITHOUT_MCU,
  focusWithoutMcuUnsupported,
  recording,
} from './test-adapters/declared.ts';
import type { Applied } from './test-adapters/wrap.ts';

const limits = { stepTimeoutMs: 2000, drainTurns: 20 };

describe('declarations are checked when an adapter loads', () => {
  it.each([
    [{ unobservable: [{ channel: 'wire', kind: 'byee' }] }, /unobservable\[0\]\.kind is "byee"/],
    [{ unobservable: [{ channel: 'radio' }] }, /unobservable\[0\]\.channel must be/],
    [{ unsupported: [{ type: 'clock.advance' }] }, /kit alone moves the virtual clock/],
    [{ unsupported: [{ type: 'app.fly' }] }, /unsupported\[0\]\.type is "app\.fly", no stimulus/],
    [
      { unsupported: [{ type: 'app.send', when: { flowState: 'open' } }] },
      /unsupported\[0\]\.when\.flowState is "open"; allowed: idle, active, terminated/,
    ],
    [{ queries: ['flowState', 'flowState'] }, /queries\[1\] repeats "flowState"/],
    [{ queries: ['mood'] }, /queries\[0\] is "mood", no state query/],
    [{ observable: [] }, /declarations\.observable is not a declaration/],
    [[], /declarations must be an object/],
  ])('refuses %j, naming the field', (declarations, message) => {
    const adapter = { ...referenceAdapter, declarations };
    expect(() => assertAdapter(adapter, 'my-adapter.ts')).toThrow(AdapterLoadError);
    expect(() => assertAdapter(adapter, 'my-adapter.ts')).toThrow(message);
    expect(() => resolveDeclarations(declarations as never)).toThrow(message);
  });

  it('accepts sound declarations, and none', () => {
    expect(declarationsProblems(undefined)).toEqual([]);
    expect(declarationsProblems(referenceAdapter.declarations)).toEqual([]);
    expect(declarationsProblems(byeUnobserved.declarations)).toEqual([]);
  });

  it('matches stimuli by their fields and by the state readings in `when`', () => {
    const resolved = resolveDeclarations(referenceAdapter.declarations);
    const send = { type: 'app.send', body: 'x', contentType: 'text/plain' } as const;
    expect(resolved.supported(send, { flowState: 'idle' })).toBe(false);
    expect(resolved.supported(send, { flowState: 'active' })).toBe(true);
    const focus = resolveDeclarations({ unsupported: [FOCUS_WITHOUT_MCU] as never });
    expect(focus.supported(FOCUS_WITHOUT_MCU, {})).toBe(false);
    expect(focus.supported({ type: 'server.focusReconnected', mcuActive: true }, {})).toBe(true);
  });
});

describe('an adapter that cannot observe BYE', () => {
  it('passes, and the rules that rest on BYE say it was not observed', async () => {
    const result = await runSuite({
      adapter: byeUnobserved,
      profiles: [guideProfile],
      machine: 'imFlow',
      seed: 4,
      runs: 20,
      limits,
    });
    const [profile] = result.profiles;
    expect(result.verdict).toBe('conformant');
    const life4 = profile?.requirements.find((v) => v.requirement.id === 'LIFE-4');
    expect(life4?.verdict).toBe('pass');
    expect(life4?.note).toMatch(
      /not through wire bye, which this adapter declares it cannot observe/,
    );
    // The oracle left BYE out: nothing was expected of it, nothing observed.
    const observedBye = profile?.machines
      .flatMap((m) => m.pathCases)
      .flatMap((t) => t.steps)
      .some((s) => s.observed.some((o) => o.output.channel === 'wire' && o.output.kind === 'bye'));
    expect(observedBye).toBe(false);
  });

  it('reports a rule untestable, never failed, when every observation of it is hidden', async () => {
    const result = await runSuite({
      adapter: callSignalsUnobserved,
      profiles: [guideProfile],
      machine: 'imFlow',
      seed: 4,
      runs: 20,
      limits,
    });
    expect(result.verdict).toBe('conformant');
    const verdicts = new Map(result.profiles[0]?.requirements.map((v) => [v.requirement.id, v]));
    for (const id of ['LIFE-1', 'LIFE-4', 'LIFE-5']) {
      expect(verdicts.get(id)?.verdict, id).toBe('untestable');
      expect(verdicts.get(id)?.reason, id).toMatch(
        /^Untestable for this adapter: the rule shows only through .*event flowStateChanged.*the flowState reading/,
      );
    }
  });
});

describe('an adapter with an unsupported stimulus', () => {
  it('is never driven with it; the rules that need it are inconclusive, with the reason', async () => {
    const applied: Applied[] = [];
    const result = await runSuite({
      adapter: focusWithoutMcuUnsupported(applied),
      profiles: [guideProfile],
      machine: 'mcuSession',
      seed: 6,
      runs: 60,
      limits,
    });
    expect(applied.length).toBeGreaterThan(50);
    expect(applied.filter((s) => s.type === 'server.focusReconnected').length).toBeGreaterThan(0);
    expect(applied).not.toContainEqual(FOCUS_WITHOUT_MCU);
    expect(result.verdict).toBe('conformant');
    const mcu8 = result.profiles[0]?.requirements.find((v) => v.requirement.id === 'MCU-8');
    expect(mcu8?.verdict).toBe('inconclusive');
    expect(mcu8?.reason).toMatch(/declares unsupported: server\.focusReconnected mcuActive=false/);
    const machine = result.profiles[0]?.machines.find((m) => m.machine === 'mcuSession');
    expect(machine?.coverage.transitions['focusReconnected.backToIdle']).toBe('not-claimed');
  });
});

describe('state queries an adapter declares', () => {
  it('fail the step where a declared query stops being answered', async () => {
    const result = await runSuite({
      adapter: composingQueryStops,
      profiles: [referencePageProfile],
      machine: 'imFlow',
      seed: 2,
      runs: 0,
      limits,
    });
    expect(result.verdict).toBe('not-conformant');
    const failed = result.profiles[0]?.machines[0]?.pathCases.find((c) => c.verdict === 'fail');
    const step = failed?.steps.find((s) => s.verdict === 'fail');
    expect(step?.stimulus.type).toBe('app.setComposing');
    expect(step?.failure?.queryMismatches).toContainEqual({
      query: 'localComposingState',
      expected: 'composing',
      observed: '(no answer)',
    });
  });

  it('leave a query the adapter does not declare unjudged', async () => {
    const result = await runSuite({
      adapter: composingQueryUndeclared,
      profiles: [referencePageProfile],
      machine: 'imFlow',
      seed: 2,
      runs: 0,
      limits,
    });
    expect(result.verdict).toBe('conformant');
  });
});

describe('--only drives only what the group needs', () => {
  it('never drives local composing checks with delivery, remote or conference stimuli', async () => {
    const applied: Applied[] = [];
    const result = await runSuite({
      adapter: recording(applied),
      profiles: [guideProfile],
      only: 'local-composing',
      seed: 8,
      runs: 40,
      limits,
    });
    expect(result.verdict).toBe('conformant');
    expect(applied.length).toBeGreaterThan(100);
    expect(new Set(applied.map((s) => s.type))).toEqual(
      new Set(['app.establish', 'app.setComposing', 'app.setIdle', 'app.send']),
    );
    const [profile] = result.profiles;
    expect(profile?.machines.map((m) => m.machine)).toEqual(['imFlow']);
    expect(new Set(profile?.requirements.map((v) => v.requirement.group))).toEqual(
      new Set(['local-composing']),
    );
    // Coverage counts the group's transitions only.
    const ids = Object.keys(profile?.machines[0]?.coverage.transitions ?? {});
    expect(ids.length).toBeGreaterThan(10);
    const flow = createModels(guideProfile)[0];
    const inGroup = new Map(
      (flow ? declaredTransitions(flow.machine) : []).map((t) => [
        t.meta.id,
        t.meta.requirements.some((id) => id.startsWith('LC-')),
      ]),
    );
    expect(ids.filter((id) => !inGroup.get(id))).toEqual([]);
  });
});
