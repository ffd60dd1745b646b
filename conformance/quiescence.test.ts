import { describe, expect, it } from 'vitest';
import { createModels, defaultProfile } from '../machines/index.ts';
import { CaseRun } from './case-run.ts';
import { delegate, wrapReference } from './test-adapters/wrap.ts';

const flow = createModels(defaultProfile).find((model) => model.id === 'imFlow');
if (!flow) throw new Error('the flow machine is missing');

/** Reports one extra `bye` this many event-loop turns after the call is terminated. */
function lateByeAfter(turns: number) {
  return wrapReference(`a stray bye ${turns} turns late`, ({ observe }) => ({
    system: (inner) =>
      delegate(inner, {
        settle: undefined,
        async apply(stimulus) {
          await inner.apply(stimulus);
          if (stimulus.type !== 'app.terminate') return;
          let left = turns;
          const later = () => {
            if (--left > 0) setImmediate(later);
            else observe({ channel: 'wire', kind: 'bye' });
          };
          setImmediate(later);
        },
      }),
  }));
}

async function runToTermination(turns: number) {
  const run = await CaseRun.start({
    adapter: lateByeAfter(turns),
    model: flow as NonNullable<typeof flow>,
    name: 'terminate, then listen',
    origin: 'path',
    limits: { stepTimeoutMs: 1000, drainTurns: 5 },
  });
  await run.step({ type: 'app.establish', template: null });
  await run.step({ type: 'app.terminate' });
  await run.close();
  return run;
}

describe('outputs after the last step', () => {
  it('an output arriving after the last step is judged, not lost', async () => {
    const run = await runToTermination(8);
    expect(run.failed).toBe(true);
    const last = run.steps.at(-1);
    expect(last?.stimulus).toEqual({ type: 'clock.advance', ms: 0 });
    expect(last?.failure?.unexpected).toEqual([{ channel: 'wire', kind: 'bye' }]);
    expect(last?.failure?.requirements).toContain('LIFE-6');
  });

  it('a quiet system leaves no extra step in its trace', async () => {
    const run = await CaseRun.start({
      adapter: wrapReference('the reference, unchanged', () => ({})),
      model: flow as NonNullable<typeof flow>,
      name: 'establish only',
      origin: 'path',
    });
    await run.step({ type: 'app.establish', template: null });
    await run.close();
    expect(run.failed).toBe(false);
    expect(run.steps.map((step) => step.stimulus.type)).toEqual(['app.establish']);
  });
});
