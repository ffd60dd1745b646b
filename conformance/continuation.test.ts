import { describe, expect, it } from 'vitest';
import referenceAdapter from '../adapters/reference.ts';
import { createModels, guideProfile, type Stimulus } from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun } from './case-run.ts';
import { formatFailure } from './reporters/format.ts';
import { runSuite } from './suite.ts';
import { wrapReference } from './test-adapters/wrap.ts';

/**
 * Two independent bugs in one implementation: the remote composing event is never raised
 * (RC-1) and setting Composing puts no Typing on the wire (LC-1). Each shows only as a
 * missing output: the state readings still agree with the model.
 */
const twoBugs: Adapter = wrapReference('no remote event, no Typing', () => ({
  observe: (observe) => (output) => {
    if (output.channel === 'event' && output.name === 'remoteComposingStateChanged') return;
    if (output.channel === 'wire' && output.kind === 'composing' && output.state === 'typing')
      return;
    observe(output);
  },
}));

const model = createModels(guideProfile).find((m) => m.id === 'imFlow');
if (!model) throw new Error('no imFlow model');

const stimuli: Stimulus[] = [
  { type: 'app.establish', template: null },
  { type: 'remote.typing' },
  { type: 'app.setComposing' },
];

async function runCase(adapter: Adapter, continueAfterFailure: boolean) {
  if (!model) throw new Error('no imFlow model');
  const run = await CaseRun.start({
    adapter,
    model,
    name: 'two bugs',
    origin: 'path',
    continueAfterFailure,
  });
  for (const stimulus of stimuli) if (!(await run.step(stimulus))) break;
  await run.close();
  return run.trace();
}

describe('a case goes on after a failure from the model state the observation leaves', () => {
  it('judges the later step and names the second bug, marked as coming after the first', async () => {
    const trace = await runCase(twoBugs, true);
    expect(trace.steps.map((step) => step.verdict)).toEqual(['pass', 'fail', 'fail']);
    const [, first, second] = trace.steps;
    expect(first?.failure?.requirements).toContain('RC-1');
    expect(first?.failure?.after).toBeUndefined();
    expect(first?.continuation).toEqual(['remote.typing']);
    expect(second?.failure?.requirements).toContain('LC-1');
    expect(second?.failure?.requirements).not.toContain('RC-1');
    expect(second?.failure?.after).toBe(2);
    expect(second?.failure?.message).toMatch(/after the failure at step 2/);
    const text = formatFailure(trace);
    expect(text).toContain('then step 3 (after the failure at step 2)');
    expect(text).toContain('<-- FAILED (after step 2)');
  });

  it('ends at the first failure when the case may not go on (property runs)', async () => {
    const trace = await runCase(twoBugs, false);
    expect(trace.steps.map((step) => step.verdict)).toEqual(['pass', 'fail']);
    expect(trace.steps[1]?.continuation).toBeUndefined();
  });

  it('changes nothing for a correct implementation', async () => {
    const trace = await runCase(referenceAdapter, true);
    expect(trace.verdict).toBe('pass');
    expect(trace.steps.every((step) => step.verdict === 'pass')).toBe(true);
  });

  it('lets one run of the suite name both bugs', async () => {
    const suite = await runSuite({
      adapter: twoBugs,
      profiles: [guideProfile],
      machine: 'imFlow',
      seed: 3,
      runs: 0,
    });
    const failing = suite.profiles[0]?.requirements
      .filter((verdict) => verdict.verdict === 'fail')
      .map((verdict) => verdict.requirement.id);
    expect(failing).toEqual(expect.arrayContaining(['RC-1', 'LC-1']));
  });
});
