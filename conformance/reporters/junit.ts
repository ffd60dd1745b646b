import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileResult, RequirementVerdict, SuiteResult } from '../results.ts';
import {
  advisoryLines,
  blamed,
  type FailingCase,
  failingCases,
  failingStep,
  failureDetails,
  failureMessage,
  failurePlace,
  laterFailureLines,
  replayFor,
  traceLines,
  tracePath,
} from './format.ts';
import type { Reporter, ReporterContext } from './types.ts';

export const JUNIT_REPORT_FILE = 'imflow-junit.xml';

/** Characters XML 1.0 cannot carry at all, even as references: replaced by U+FFFD. */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escapes text content. */
export function xmlText(text: string): string {
  return text
    .replace(NOT_XML, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Escapes an attribute value (double-quoted); line breaks and tabs survive as references. */
export function xmlAttribute(text: string): string {
  return xmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function attributes(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join('');
}

/** Where the json reporter of the same run wrote each failing trace, if it runs. */
type TraceFiles = (trace: FailingCase['trace']) => string | undefined;

function caseReport({ trace, property }: FailingCase, files: TraceFiles): string {
  const found = failingStep(trace);
  const lines = [`${trace.name} (${trace.machine}), ${failurePlace(trace)}`];
  if (trace.setupFailure) lines.push(`  problem: ${trace.setupFailure}`);
  if (found) lines.push(...failureDetails(found.step).map((line) => `  ${line}`));
  lines.push(...laterFailureLines(trace).map((line) => `  ${line}`));
  lines.push(property ? '  trace (shrunk):' : '  trace:');
  lines.push(...traceLines(trace).map((line) => `    ${line}`));
  const replay = property?.replay ?? replayFor(trace, files(trace)) ?? trace.replay;
  if (replay) lines.push(`  replay: ${replay}`);
  return lines.join('\n');
}

function requirementCase(
  verdict: RequirementVerdict,
  cases: readonly FailingCase[],
  files: TraceFiles,
  advisories: ProfileResult['advisories'],
): string {
  const { requirement } = verdict;
  const head = `    <testcase${attributes({ classname: requirement.group, name: `${requirement.id}: ${requirement.text}`, time: 0 })}`;
  switch (verdict.verdict) {
    case 'pass':
      return `${head}/>`;
    case 'advisory': {
      // Passing, with the departures as properties and a note: CI shows them, nothing fails.
      const seen = advisories.filter((a) => a.requirement === requirement.id);
      const properties = seen
        .map(
          (a) =>
            `        <property${attributes({ name: 'advisory', value: `${a.transition}: ${a.case}, step ${a.step}` })}/>`,
        )
        .join('\n');
      return `${head}>\n      <properties>\n${properties}\n      </properties>\n      <system-out>${xmlText(`advisory: ${verdict.reason ?? ''}`)}</system-out>\n    </testcase>`;
    }
    case 'fail': {
      const failing = cases.filter(
        (c) => verdict.failures.includes(c.trace.name) && blamed(c.trace).includes(requirement.id),
      );
      const first = failing[0] ? failingStep(failing[0].trace) : undefined;
      const message = `${requirement.id} failed in ${verdict.failures.join(', ')}${first?.step.failure ? `: ${first.step.failure.message}` : ''}`;
      const body = failing.map((c) => caseReport(c, files)).join('\n\n');
      return `${head}>\n      <failure${attributes({ message, type: 'requirement' })}>${xmlText(body)}</failure>\n    </testcase>`;
    }
    default: {
      const message = `${verdict.verdict}: ${verdict.reason ?? 'not exercised'}`;
      return `${head}>\n      <skipped${attributes({ message })}/>\n    </testcase>`;
    }
  }
}

/** Failures no requirement answers for: the adapter misbehaved, or a property could not run. */
function unattributedCases(
  profile: ProfileResult,
  cases: readonly FailingCase[],
  files: TraceFiles,
): string[] {
  const entries: string[] = [];
  for (const failing of cases) {
    if (blamed(failing.trace).length > 0) continue;
    const message = failureMessage(failing.trace) ?? `${failing.trace.name} failed`;
    entries.push(
      `    <testcase${attributes({ classname: 'adapter', name: failing.trace.name, time: 0 })}>\n      <failure${attributes({ message, type: 'adapter' })}>${xmlText(caseReport(failing, files))}</failure>\n    </testcase>`,
    );
  }
  for (const machine of profile.machines) {
    const property = machine.property;
    if (!property || property.passed || property.failure) continue;
    const message = property.error ?? 'The property failed without a counterexample.';
    entries.push(
      `    <testcase${attributes({ classname: 'adapter', name: `${machine.machine} property`, time: 0 })}>\n      <failure${attributes({ message, type: 'property' })}/>\n    </testcase>`,
    );
  }
  return entries;
}

interface Entry {
  readonly xml: string;
  readonly outcome: 'pass' | 'failure' | 'skipped';
}

function entry(xml: string): Entry {
  return {
    xml,
    outcome: xml.includes('<failure') ? 'failure' : xml.includes('<skipped') ? 'skipped' : 'pass',
  };
}

function suite(
  result: SuiteResult,
  profile: ProfileResult,
  notes: readonly string[],
  traceDir: string | undefined,
) {
  const cases = failingCases(profile);
  const files: TraceFiles = (trace) =>
    traceDir === undefined ? undefined : tracePath(traceDir, profile.profile.name, trace);
  const entries = [
    ...profile.requirements.map((verdict) =>
      requirementCase(verdict, cases, files, profile.advisories),
    ),
    ...unattributedCases(profile, cases, files),
    ...(notes.length > 0
      ? [
          `    <testcase${attributes({ classname: 'adapter', name: 'errors outside any test case', time: 0 })}>\n      <failure${attributes({ message: notes[0] ?? '', type: 'stray-error' })}>${xmlText(notes.join('\n'))}</failure>\n    </testcase>`,
        ]
      : []),
  ].map(entry);
  const failures = entries.filter((e) => e.outcome === 'failure').length;
  const skipped = entries.filter((e) => e.outcome === 'skipped').length;
  const time = profile.machines.reduce((sum, m) => sum + m.durationMs, 0) / 1000;
  const properties = [
    ['adapter', result.adapter],
    ['profile', profile.profile.name],
    ['seed', String(result.seed)],
    ['verdict', profile.verdict],
    ...(result.only ? [['only', result.only]] : []),
    ...(result.strict ? [['strict', 'true']] : []),
    ...advisoryLines(profile).map((line) => ['advisory', line]),
  ]
    .map(
      ([name, value]) => `      <property${attributes({ name: name ?? '', value: value ?? '' })}/>`,
    )
    .join('\n');
  const xml = [
    `  <testsuite${attributes({ name: `imflow ${profile.profile.name}`, tests: entries.length, failures, errors: 0, skipped, time: time.toFixed(3) })}>`,
    `    <properties>\n${properties}\n    </properties>`,
    ...entries.map((e) => e.xml),
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: entries.length, failures };
}

/**
 * Renders the JUnit XML document: one testsuite per profile, one testcase per requirement.
 * `traceDir` is the report directory when the json reporter writes the failing traces there.
 */
export function junitXml(result: SuiteResult, traceDir?: string): string {
  // Problems outside the test cases belong to the run; they are reported once, in the first suite.
  const suites = result.profiles.map((profile, index) =>
    suite(result, profile, index === 0 ? (result.notes ?? []) : [], traceDir),
  );
  const tests = suites.reduce((sum, s) => sum + s.tests, 0);
  const failures = suites.reduce((sum, s) => sum + s.failures, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes({ name: `imflow conformance: ${result.adapter}`, tests, failures, errors: 0, time: (result.durationMs / 1000).toFixed(3) })}>`,
    ...suites.map((s) => s.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

/** Writes `<out>/imflow-junit.xml` for CI systems that show JUnit results. */
export function junitReporter(context: ReporterContext): Reporter {
  return {
    async onRunEnd(result: SuiteResult) {
      await mkdir(context.outDir, { recursive: true });
      const file = join(context.outDir, JUNIT_REPORT_FILE);
      const traceDir = context.reporters.includes('json') ? context.outDir : undefined;
      await writeFile(file, junitXml(result, traceDir));
      context.io.out(`imflow: wrote ${file}`);
    },
  };
}
