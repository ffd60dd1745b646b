import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import referenceAdapter from '../../adapters/reference.ts';
import { defaultProfile, type Profile, requirements } from '../../machines/index.ts';
import type { Adapter } from '../adapter.ts';
import type { SuiteResult } from '../results.ts';
import { runSuite } from '../suite.ts';
import refusingNothing from '../test-adapters/refuses-nothing.ts';
import {
  coverageCounts,
  coveragePercent,
  formatStimulus,
  traceFileName,
  tracePath,
} from './format.ts';
import {
  createReporters,
  JSON_REPORT_FILE,
  JUNIT_REPORT_FILE,
  junitXml,
  parseReporterNames,
  reporterNames,
  UnknownReporterError,
} from './index.ts';
import { xmlAttribute, xmlText } from './junit.ts';
import type { Reporter, ReporterIo } from './types.ts';

/** Refuses nothing, under a name that needs escaping in every report format. */
const refusesNothing: Adapter = { ...refusingNothing, name: 'refuses <nothing> & "more"' };

function capture(interactive = false) {
  const lines: string[] = [];
  const raw: string[] = [];
  const io: ReporterIo = {
    out: (text) => lines.push(text),
    err: (text) => lines.push(text),
    write: (text) => raw.push(text),
    interactive,
  };
  return { io, lines, raw };
}

async function drive(reporters: readonly Reporter[], result: SuiteResult) {
  for (const r of reporters) {
    r.onRunStart?.({
      adapter: result.adapter,
      profiles: result.profiles.map((p) => p.profile),
      seed: result.seed,
      runs: 3,
    });
  }
  for (const profile of result.profiles) {
    const traces = profile.machines.flatMap((m) => m.pathCases);
    for (const r of reporters) r.onProfileStart?.(profile.profile, traces.length);
    for (const trace of traces) for (const r of reporters) r.onCaseEnd?.(trace);
    for (const r of reporters) r.onProfileEnd?.(profile);
  }
  for (const r of reporters) await r.onRunEnd?.(result);
}

let passing: SuiteResult;
let failing: SuiteResult;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'imflow-reporters-'));
  [passing, failing] = await Promise.all([
    runSuite({ adapter: referenceAdapter, profiles: [defaultProfile], seed: 7, runs: 3 }),
    runSuite({
      adapter: refusesNothing,
      adapterModule: './refuses-nothing.ts',
      profiles: [defaultProfile],
      seed: 7,
      runs: 3,
    }),
  ]);
  // Planning and re-planning around the failing adapter's failures take a few seconds.
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reporter registry', () => {
  it('accepts repeated and comma-separated names, without duplicates', () => {
    expect(parseReporterNames(['console,json', 'junit', ' json '])).toEqual([
      'console',
      'json',
      'junit',
    ]);
    expect(reporterNames).toEqual(['console', 'json', 'junit']);
  });

  it('refuses an unknown reporter, listing the known ones', () => {
    expect(() => parseReporterNames(['console,html'])).toThrow(UnknownReporterError);
    expect(() => parseReporterNames(['html'])).toThrow(/"html".*console, json, junit/);
  });
});

describe('console reporter', () => {
  it('summarises a conformant run and ends with the verdict', async () => {
    const { io, lines } = capture();
    await drive(createReporters(['console'], { io, outDir: dir }), passing);
    const text = lines.join('\n');
    expect(text).toMatch(/Profile ucma-guide: CONFORMANT/);
    expect(text).toMatch(
      /Requirements +pass +advisory +fail +not claimed +not reached +not run +untestable\n/,
    );
    expect(text).toMatch(/flow-lifecycle\s+\d+\s+0\s+\d+\s+\d+\s+\d+\s+\d+/);
    expect(text).toMatch(/states\s+\d+\/\d+ covered/);
    expect(text).toMatch(/transitions\s+\d+: \d+ covered, 0 failed, 0 not reached, /);
    // Every percentage names its base.
    const coverage = [
      ...text.matchAll(
        /coverage +(\d+) transitions covered of the (\d+) the profile requires \(([\d.]+)%\)/g,
      ),
    ];
    expect(coverage.length).toBe(passing.profiles[0]?.machines.length);
    for (const [, covered, base, percent] of coverage) {
      expect(Number(percent)).toBeCloseTo((100 * Number(covered)) / Number(base), 1);
    }
    expect(text).not.toMatch(/\d% covered/);
    expect(text).toMatch(
      /path suite\s+\d+ of \d+ cases run, \d+ steps for \d+ plannable transitions \(\d+\.\d\d per transition\)/,
    );
    // The steps are per plannable transition; every other one is named with its reason.
    const listed = lines
      .filter((line) => line.trim().startsWith('not plannable, '))
      .flatMap((line) => line.slice(line.indexOf(': ') + 2).split(', '));
    const unplannable: string[] = [];
    for (const machine of passing.profiles[0]?.machines ?? []) {
      const { plannable, notPlannable = {} } = machine.plan;
      expect(plannable).toBe(machine.plan.transitions - Object.keys(notPlannable).length);
      expect(text).toContain(`${machine.plan.totalSteps} steps for ${plannable} plannable`);
      unplannable.push(...Object.keys(notPlannable));
    }
    expect(unplannable.length).toBeGreaterThan(0);
    expect(listed.sort()).toEqual(unplannable.sort());
    expect(text).toMatch(/property\s+3 runs, seed 7: passed/);
    const pass = passing.profiles[0]?.requirements.filter((r) => r.verdict === 'pass').length;
    expect(lines.at(-2)).toBe(`${pass} passed, 0 failed`);
    expect(lines.at(-1)).toBe('imflow: CONFORMANT');
  });

  it('details each failure: requirement, step, expected against observed, trace, replay', async () => {
    const { io, lines } = capture();
    await drive(createReporters(['json', 'console'], { io, outDir: dir }), failing);
    const text = lines.join('\n');
    expect(text).toMatch(/Profile ucma-guide: NOT CONFORMANT/);
    expect(text).toMatch(/1\. [A-Z]+-\d+.*: imFlow path \d+ \[ucma-guide\], step \d+ of \d+/);
    expect(text).toMatch(/expected: +error invalid-\w+ from /);
    expect(text).toMatch(/observed: +/);
    expect(text).toMatch(/<-- FAILED/);
    expect(text).toMatch(
      /replay: npx imflow replay \S+ucma-guide-imflow-path-\d+\.json --adapter \.\/refuses-nothing\.ts/,
    );
    // A shrunk counterexample is listed unless a shorter case failed the same rules.
    if (text.includes('trace (shrunk')) {
      expect(text).toMatch(
        /npx imflow check --adapter \.\/refuses-nothing\.ts .*--seed 7 --path \S+/,
      );
    }
    expect(lines.at(-2)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
    expect(lines.at(-1)).toBe('imflow: NOT CONFORMANT');
  });

  it('writes the failing traces itself when no json reporter runs, and says where', async () => {
    const { io, lines } = capture();
    const out = join(dir, 'console-only');
    const [console] = createReporters(['console'], { io, outDir: out }) as Reporter[];
    console?.onRunStart?.({
      adapter: failing.adapter,
      adapterModule: './refuses-nothing.ts',
      profiles: failing.profiles.map((p) => p.profile),
      seed: failing.seed,
      runs: 3,
    });
    await console?.onRunEnd?.(failing);
    const text = lines.join('\n');
    // The first failing path case (a refusal the adapter leaves out is an advisory, not a failure).
    const firstFailing = failing.profiles[0]?.machines
      .flatMap((machine) => machine.pathCases)
      .find((trace) => trace.verdict === 'fail');
    if (!firstFailing) throw new Error('the adapter that refuses nothing no longer fails a path');
    const file = tracePath(out, 'ucma-guide', firstFailing);
    expect(text).toContain(`replay: npx imflow replay ${file} --adapter ./refuses-nothing.ts`);
    expect(text).not.toMatch(/run with --reporter json/);
    expect(text).toMatch(new RegExp(`Wrote \\d+ failing traces? in ${join(out, 'traces')}`));
    const trace = JSON.parse(await readFile(file, 'utf8'));
    expect(trace.adapterModule).toBe('./refuses-nothing.ts');
    expect(trace.replay).toBe(`npx imflow replay ${file} --adapter ./refuses-nothing.ts`);
  });

  it('draws a progress bar on an interactive terminal only', async () => {
    const slow = capture(true);
    const reporter = createReporters(['console'], { io: slow.io, outDir: dir })[0] as Reporter;
    reporter.onProfileStart?.(defaultProfile, 3);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const trace = passing.profiles[0]?.machines[0]?.pathCases[0];
    if (trace) reporter.onCaseEnd?.(trace);
    reporter.onProfileEnd?.(passing.profiles[0] as never);
    expect(slow.raw.join('')).toMatch(/ucma-guide \[#+-*\] 1\/3 test cases/);
    const plain = capture(false);
    await drive(createReporters(['console'], { io: plain.io, outDir: dir }), passing);
    expect(plain.raw).toEqual([]);
  });
});

describe('json reporter', () => {
  it('writes the result as it is, and every failing trace', async () => {
    const out = join(dir, 'json');
    const { io, lines } = capture();
    await drive(createReporters(['json'], { io, outDir: out }), failing);
    const report = JSON.parse(await readFile(join(out, JSON_REPORT_FILE), 'utf8'));
    expect(report.verdict).toBe('not-conformant');
    expect(report).toEqual(JSON.parse(JSON.stringify(failing)));
    const failingNames = failing.profiles[0]?.machines.flatMap((m) => [
      ...m.pathCases.filter((t) => t.verdict === 'fail'),
      ...(m.property?.failure ? [m.property.failure.trace] : []),
      ...(m.property?.further ?? []).map((f) => f.trace),
    ]);
    const files = await readdir(join(out, 'traces'));
    expect(files.sort()).toEqual(failingNames?.map((t) => traceFileName('ucma-guide', t)).sort());
    const first = JSON.parse(await readFile(join(out, 'traces', files[0] as string), 'utf8'));
    expect(first.format).toBe('imflow-trace/1');
    expect(first.replay).not.toContain('<trace.json>');
    expect(lines.join('\n')).toContain(`wrote ${join(out, JSON_REPORT_FILE)}`);
  });
});

describe('junit reporter', () => {
  it('writes one testsuite per profile and one testcase per requirement', async () => {
    const out = join(dir, 'junit');
    const { io } = capture();
    await drive(createReporters(['junit'], { io, outDir: out }), passing);
    const xml = await readFile(join(out, JUNIT_REPORT_FILE), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testcase' || name === 'testsuite',
    }).parse(xml);
    const suites = doc.testsuites.testsuite;
    expect(suites).toHaveLength(1);
    expect(suites[0].testcase).toHaveLength(requirements.length);
    const untestable = requirements.filter((r) => r.untestable).length;
    expect(Number(suites[0]['@_skipped'])).toBeGreaterThanOrEqual(untestable);
    expect(suites[0]['@_failures']).toBe('0');
  });

  it('reports failures with message and failing steps, and escapes every string', async () => {
    const xml = junitXml(failing);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'testcase',
    }).parse(xml);
    expect(doc.testsuites['@_name']).toBe('imflow conformance: refuses <nothing> & "more"');
    const failed = doc.testsuites.testsuite.testcase.filter(
      (c: Record<string, unknown>) => c.failure,
    );
    const failingIds = failing.profiles[0]?.requirements
      .filter((r) => r.verdict === 'fail')
      .map((r) => r.requirement.id);
    expect(failed.map((c: Record<string, string>) => c['@_name']?.split(':')[0])).toEqual(
      failingIds,
    );
    const body = failed[0].failure['#text'] as string;
    expect(body).toMatch(/step \d+ of \d+/);
    expect(body).toMatch(/expected: +error/);
    expect(failed[0].failure['@_message']).toMatch(/^[A-Z]+-\d+ failed in /);
  });

  it('escapes markup, quotes and characters XML cannot carry', () => {
    const nasty = 'a<b>&"c\'\u0001\n\ud800z';
    expect(xmlText(nasty)).toBe('a&lt;b&gt;&amp;"c\'\uFFFD\n\uFFFDz');
    expect(xmlAttribute(nasty)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\uFFFD&#10;\uFFFDz');
    const profile: Profile = { ...defaultProfile, name: 'x"<&>' };
    const weird: SuiteResult = {
      ...passing,
      adapter: nasty,
      notes: [`stray ${nasty}`],
      profiles: passing.profiles.map((p) => ({ ...p, profile })),
    };
    const xml = junitXml(weird);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('name="errors outside any test case"');
  });
});

describe('formatting', () => {
  it('writes stimuli on one line', () => {
    expect(formatStimulus({ type: 'clock.advance', ms: 3000 })).toBe('clock.advance 3000 ms');
    expect(formatStimulus({ type: 'app.send', body: 'hi there', contentType: 'text/plain' })).toBe(
      'app.send body="hi there" contentType=text/plain',
    );
  });

  it('computes coverage over the transitions the implementation had to take', () => {
    const counts = coverageCounts({
      states: { total: 1, covered: 1, uncovered: [] },
      guards: { goals: 0, seen: 0, missing: [] },
      situations: [],
      transitions: {
        a: 'covered',
        b: 'covered',
        c: 'not-claimed',
        d: 'other-reading',
        e: 'not-chosen',
        f: 'not-reached',
      },
    });
    expect(counts.total).toBe(6);
    expect(coveragePercent(counts)).toBeCloseTo((100 * 2) / 3);
  });
});
