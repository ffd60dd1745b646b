import { describe, expect, it, vi } from 'vitest';
import { guideProfile, type MachineModel } from '../machines/index.ts';
import { consoleReporter } from './reporters/console.ts';
import { junitXml } from './reporters/junit.ts';
import type { SuiteResult } from './results.ts';
import { runSuite } from './suite.ts';

/**
 * The reference implementation takes the model's preferred branches, so this file makes the
 * step it always takes a departure: setting Composing again while composing is marked as
 * departing from LC-11 (a should-rule), and every run that takes it gets an advisory. That
 * keeps these tests of the plumbing apart from which allowed branches the model has.
 */
const DEVIATING = 'local.composingAgain';
vi.mock('../machines/index.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../machines/index.ts')>();
  const deviating = (model: MachineModel): MachineModel => ({
    ...model,
    step(snapshot, event) {
      const result = model.step(snapshot, event);
      return {
        ...result,
        transitions: result.transitions.map((t) =>
          t.id === DEVIATING ? { ...t, deviates: ['LC-11'] } : t,
        ),
      };
    },
  });
  return {
    ...original,
    createModels: (profile: Parameters<typeof original.createModels>[0]) =>
      original.createModels(profile).map((m) => (m.id === 'imFlow' ? deviating(m) : m)),
  };
});

const { default: referenceAdapter } = await import('../adapters/reference.ts');
const { renderHtmlReport } = await import('../report/html.ts');
const limits = { stepTimeoutMs: 2000, drainTurns: 20 };
const run = (strict: boolean) =>
  runSuite({
    adapter: referenceAdapter,
    profiles: [guideProfile],
    machine: 'imFlow',
    seed: 3,
    runs: 10,
    limits,
    strict,
  });

async function consoleText(result: SuiteResult): Promise<string> {
  const lines: string[] = [];
  const reporter = consoleReporter({
    io: { out: (t) => lines.push(t), err: (t) => lines.push(t), interactive: false },
    outDir: 'unused',
    reporters: ['console'],
  });
  await reporter.onRunEnd?.(result);
  return lines.join('\n');
}

describe('an advisory', () => {
  it('is recorded on its step and listed apart, and the run stays conformant', async () => {
    const result = await run(false);
    expect(result.verdict).toBe('conformant');
    const [profile] = result.profiles;
    expect(profile?.advisories).toContainEqual(
      expect.objectContaining({ requirement: 'LC-11', transition: DEVIATING, machine: 'imFlow' }),
    );
    const where = profile?.advisories.find((a) => a.requirement === 'LC-11');
    const trace = profile?.machines[0]?.pathCases.find((c) => c.name === where?.case);
    expect(trace?.steps[(where?.step ?? 0) - 1]?.advisories).toContainEqual({
      requirement: 'LC-11',
      transition: DEVIATING,
    });
    const lc12 = profile?.requirements.find((v) => v.requirement.id === 'LC-11');
    expect(lc12?.verdict).toBe('advisory');
    const text = await consoleText(result);
    expect(text).toMatch(
      /Advisories \(departures from should-rules the model allows; not failures, unless --strict\)/,
    );
    expect(text).toMatch(new RegExp(`- LC-11 \\(${DEVIATING}\\): imFlow .*, step \\d+`));
    expect(text).toMatch(/imflow: CONFORMANT$/);
    const xml = junitXml(result);
    expect(xml).toMatch(/<property name="advisory" value="LC-11 \(local\.composingAgain\)/);
    expect(xml).toMatch(/name="LC-11: [^"]*" time="0">\s*<properties>/);
    expect(xml).not.toMatch(/<failure[^>]*LC-11/);
    const html = await renderHtmlReport(result);
    expect(html).toMatch(
      /<section class="advisories"><h3>Advisories<\/h3>.*<li>LC-11 \(local\.composingAgain\): imFlow [^<]*, step \d+<\/li>/s,
    );
  });

  it('fails its step under --strict, naming the rule', async () => {
    const result = await run(true);
    expect(result.verdict).toBe('not-conformant');
    expect(result.strict).toBe(true);
    const [profile] = result.profiles;
    const lc12 = profile?.requirements.find((v) => v.requirement.id === 'LC-11');
    expect(lc12?.verdict).toBe('fail');
    const failing = profile?.machines[0]?.pathCases
      .flatMap((c) => c.steps)
      .find((s) => s.failure?.strict);
    expect(failing?.failure?.requirements).toEqual(['LC-11']);
    expect(failing?.failure?.message).toMatch(/--strict makes the advisory a failure/);
    expect(profile?.advisories.find((a) => a.requirement === 'LC-11')?.strict).toBe(true);
    // No other rule fails: the strict failure is the advisory and nothing else.
    expect(
      profile?.requirements.filter((v) => v.verdict === 'fail').map((v) => v.requirement.id),
    ).toEqual(['LC-11']);
  });
});
