import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  advisoryLines,
  coverageCounts,
  coveragePercent,
  type FailingCase,
  failingCases,
  failingStep,
  failureMessage,
  failurePlace,
  replayFor,
  seconds,
  tracePath,
  verdictCounts,
} from '../conformance/reporters/format.ts';
import type { Reporter, ReporterContext, RunInfo } from '../conformance/reporters/types.ts';
import type {
  MachineResult,
  ProfileResult,
  RequirementVerdict,
  RequirementVerdictValue,
  SuiteResult,
  TransitionCoverage,
} from '../conformance/results.ts';
import { createModels, declaredTransitions, type MachineModel } from '../machines/index.ts';
import {
  COVERAGE_STYLES,
  type CoverageDiagram,
  coverageDiagrams,
  openingViewFor,
  STATE_STYLES,
} from './diagram.ts';
import { escapeHtml as e, jsonForScript } from './escape.ts';
import { type FailureView, failureView } from './steps.ts';

export const HTML_REPORT_FILE = 'imflow-report.html';

/**
 * The HTML report: one self-contained file (styles, script, diagrams and data inline; nothing
 * is fetched), for a reader who wants to see rather than read a log:
 *
 * - the run at a glance: adapter, verdict, profiles, seed, duration;
 * - per profile and machine, the state diagram with the coverage drawn on it;
 * - the requirement matrix, filterable by verdict;
 * - per failing test case, a stepper through its trace that highlights, on the diagram, the
 *   states of the model after each step and the transitions it took.
 *
 * Whatever the adapter reported is untrusted text: it is escaped here (`escape.ts`) or set as
 * text by the page script, and a Content-Security-Policy lets only the report's own script run.
 */

export interface HtmlReportOptions {
  /** What `onRunStart` said about the run (the adapter module, runs per machine). */
  readonly info?: RunInfo;
  /** Where the json reporter writes failing traces, when it runs too (for replay commands). */
  readonly traceDir?: string;
}

const ASSETS = new URL('./assets/', import.meta.url);

async function asset(name: string): Promise<string> {
  return readFile(new URL(name, ASSETS), 'utf8');
}

const VERDICT_LABELS: Readonly<Record<RequirementVerdictValue, string>> = {
  fail: 'fail',
  pass: 'pass',
  advisory: 'advisory',
  inconclusive: 'inconclusive',
  untestable: 'untestable',
};

/** An inconclusive verdict says why in its own words: not claimed, not reached or not run. */
function verdictLabel(verdict: RequirementVerdict): string {
  if (verdict.verdict === 'inconclusive' && verdict.cause) return verdict.cause.replace('-', ' ');
  return VERDICT_LABELS[verdict.verdict];
}

function badge(kind: string, text: string): string {
  return `<span class="badge badge-${e(kind)}">${e(text)}</span>`;
}

function verdictBadge(verdict: 'conformant' | 'not-conformant'): string {
  return badge(verdict, verdict === 'conformant' ? 'conformant' : 'not conformant');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

interface Rendered {
  readonly diagrams: Map<string, CoverageDiagram[]>;
  readonly failures: FailureView[];
}

function header(result: SuiteResult, options: HtmlReportOptions): string {
  const runs = options.info?.runs;
  const items: [string, string][] = [
    ['Adapter', e(result.adapter)],
    ...(options.info?.adapterModule
      ? [['Module', `<code>${e(options.info.adapterModule)}</code>`] as [string, string]]
      : []),
    ['Verdict', verdictBadge(result.verdict)],
    [
      'Profiles',
      result.profiles
        .map(
          (profile) =>
            `<span class="profile-name ${profile.verdict}">${e(profile.profile.name)}</span>`,
        )
        .join(' '),
    ],
    ['Seed', `<code>${e(String(result.seed))}</code>`],
    ['Duration', e(seconds(result.durationMs))],
    ...(runs !== undefined
      ? [['Property runs', e(`${runs} per machine`)] as [string, string]]
      : []),
    ...(result.only ? [['Only', `<code>${e(result.only)}</code>`] as [string, string]] : []),
  ];
  const notes = (result.notes ?? []).map((note) => `<li>${e(note)}</li>`).join('');
  return `<header class="page-header ${result.verdict}">
  <div class="title-row">
    <h1>imflow conformance report</h1>
    ${verdictBadge(result.verdict)}
  </div>
  <dl class="run-facts">${items.map(([term, value]) => `<div><dt>${e(term)}</dt><dd>${value}</dd></div>`).join('')}</dl>
  ${notes ? `<div class="notes"><strong>Problems outside any test case</strong><ul>${notes}</ul></div>` : ''}
</header>`;
}

function profileTabs(result: SuiteResult): string {
  if (result.profiles.length < 2) return '';
  const tabs = result.profiles
    .map(
      (profile, index) =>
        `<a class="profile-tab ${profile.verdict}" href="#profile-${index}" data-profile-tab="${index}">${e(profile.profile.name)} <span class="tab-verdict">${profile.verdict === 'conformant' ? '✓' : '✗'}</span></a>`,
    )
    .join('');
  return `<nav class="profile-tabs" aria-label="Profiles">${tabs}</nav>`;
}

function countsLine(profile: ProfileResult): string {
  const counts = verdictCounts(profile);
  return (['fail', 'advisory', 'pass', 'inconclusive', 'untestable'] as const)
    .map((verdict) => `<span class="chip verdict-${verdict}">${counts[verdict]} ${verdict}</span>`)
    .join(' ');
}

function legend(machine: MachineResult): string {
  const counts = coverageCounts(machine.coverage);
  const items = (Object.keys(COVERAGE_STYLES) as TransitionCoverage[]).map((status) => {
    const style = COVERAGE_STYLES[status];
    return `<li title="${e(style.meaning)}"><span class="swatch" style="background:${style.tint};border-color:${style.line}"></span>${e(style.label)} <span class="count">${counts[status]}</span></li>`;
  });
  const { states } = machine.coverage;
  items.push(
    `<li title="${e(STATE_STYLES.uncovered.meaning)}"><span class="swatch swatch-state-unvisited"></span>state never visited <span class="count">${states.total - states.covered}</span></li>`,
    '<li title="In the trace stepper: the states of the model after the current step"><span class="swatch swatch-active"></span>active in step</li>',
    '<li title="In the trace stepper: the transitions the model took in the current step"><span class="swatch swatch-taken"></span>taken in step</li>',
  );
  return `<ul class="legend" aria-label="Legend">${items.join('')}</ul>`;
}

function machineStats(machine: MachineResult): string {
  if (machine.status === 'not-claimed') {
    return '<p class="stats">Not claimed: the profile does not claim the capability this machine needs.</p>';
  }
  const counts = coverageCounts(machine.coverage);
  const percent = coveragePercent(counts);
  const { states } = machine.coverage;
  const property = machine.property;
  const propertyText = !property
    ? 'not run'
    : property.passed
      ? `${property.runs} runs, passed`
      : property.failure
        ? `${property.runs} runs, failed (shrunk ${plural(property.failure.shrinks, 'time')})`
        : `failed: ${property.error ?? 'no counterexample'}`;
  const facts: [string, string][] = [
    ['Transition coverage', percent === undefined ? 'n/a' : `${percent.toFixed(1)} %`],
    ['Transitions', `${counts.covered} covered, ${counts.failed} failed of ${counts.total}`],
    ['States', `${states.covered} of ${states.total} visited`],
    [
      'Path tests',
      `${machine.pathCases.filter((c) => c.verdict === 'pass').length} of ${machine.pathCases.length} passed (${plural(machine.plan.paths, 'path')} planned)`,
    ],
    ['Property test', propertyText],
  ];
  return `<dl class="stats">${facts.map(([term, value]) => `<div><dt>${e(term)}</dt><dd>${e(value)}</dd></div>`).join('')}</dl>`;
}

/** The button that shows one view of a machine's diagram. */
function viewButton(diagram: CoverageDiagram, opening: string): string {
  const { name, kind, label } = diagram.view;
  const text = kind === 'machine' ? 'Whole machine' : kind === 'top-level' ? 'Top level' : label;
  const pressed = name === opening ? 'true' : 'false';
  return `<button type="button" data-view="${e(name)}" aria-pressed="${pressed}" title="Show the ${e(label)} at 100 %">${e(text)}</button>`;
}

/**
 * The view a machine's panel opens on: the one the first failure opens on, else the top level
 * (or the whole machine when there is no smaller view).
 */
function openingView(
  diagrams: readonly CoverageDiagram[],
  views: readonly { view: FailureView }[],
): string {
  const first = views[0]?.view.view;
  if (first) return first;
  const top = diagrams.find((diagram) => diagram.view.kind === 'top-level') ?? diagrams[0];
  return top?.view.name ?? '';
}

function diagramPanel(
  machine: MachineResult,
  prefix: string,
  diagrams: readonly CoverageDiagram[],
  opening: string,
): string {
  const switcher =
    diagrams.length > 1
      ? `<div class="views" role="group" aria-label="Diagram views">${diagrams.map((diagram) => viewButton(diagram, opening)).join('')}</div>`
      : '';
  const drawn = diagrams
    .map(
      (diagram) =>
        `<div class="diagram-view" data-view="${e(diagram.view.name)}" data-kind="${diagram.view.kind}" data-width="${diagram.width}" data-height="${diagram.height}"${diagram.view.name === opening ? '' : ' hidden'}>
    ${diagram.svg}
    </div>`,
    )
    .join('\n    ');
  return `<div class="diagram-panel">
  <div class="diagram-toolbar">
    ${switcher}
    <div class="zoom" role="group" aria-label="Zoom">
      <button type="button" data-zoom="fit" title="Fit the diagram to the width">Fit width</button>
      <button type="button" data-zoom="out" title="Zoom out" aria-label="Zoom out">−</button>
      <span class="zoom-level" aria-live="polite">100 %</span>
      <button type="button" data-zoom="in" title="Zoom in" aria-label="Zoom in">+</button>
      <button type="button" data-zoom="actual" title="Actual size">1:1</button>
    </div>
    ${legend(machine)}
  </div>
  <div class="diagram-viewport" id="diagram-${prefix}" data-diagram="${prefix}" tabindex="0" aria-label="State diagram; drag to pan">
    ${drawn}
  </div>
</div>`;
}

function failureItem(view: FailureView, failing: FailingCase, number: number): string {
  const found = failingStep(failing.trace);
  const who = view.blamed.length > 0 ? view.blamed.join(', ') : 'adapter misbehaved';
  const where = failing.trace.setupFailure
    ? failurePlace(failing.trace)
    : found
      ? `step ${found.index + 1} of ${failing.trace.steps.length}`
      : 'passed when run again';
  const kind = failing.property ? 'property counterexample' : 'path test';
  const message = failureMessage(failing.trace) ?? '';
  const later = failing.trace.steps.flatMap((step, index) =>
    step.failure?.after === undefined
      ? []
      : [`then step ${index + 1}: ${step.failure.requirements.join(', ') || '(none named)'}`],
  );
  return `<li><button type="button" class="failure-item" data-failure="${view.key}" aria-pressed="false">
  <span class="failure-head"><span class="failure-number">${number}.</span> <span class="failure-blame">${e(who)}</span></span>
  <span class="failure-name">${e(failing.trace.name)} · ${e(kind)} · ${e(where)}</span>
  ${message ? `<span class="failure-message">${e(message)}</span>` : ''}
  ${later.map((line) => `<span class="failure-message">${e(line)}</span>`).join('')}
</button></li>`;
}

function stepperSkeleton(prefix: string): string {
  return `<div class="stepper" data-diagram="${prefix}" tabindex="-1">
  <div class="stepper-case"></div>
  <div class="stepper-controls" role="group" aria-label="Trace steps">
    <button type="button" data-step="first" title="Before the first step (Home)">Start</button>
    <button type="button" data-step="prev" title="Previous step (←)" aria-label="Previous step">◀ Prev</button>
    <span class="step-position" aria-live="polite"></span>
    <button type="button" data-step="next" title="Next step (→)" aria-label="Next step">Next ▶</button>
    <button type="button" data-step="failure" title="The failing step (End)">Failure</button>
  </div>
  <div class="step-detail"></div>
  <h5>Steps</h5>
  <ol class="step-list" start="0"></ol>
</div>`;
}

function failuresPanel(
  prefix: string,
  views: readonly { view: FailureView; failing: FailingCase }[],
): string {
  const items = views.map(({ view, failing }, index) => failureItem(view, failing, index + 1));
  return `<aside class="failures-panel" aria-label="Failures">
  <h4>${plural(views.length, 'failure')}</h4>
  <ol class="failure-list">${items.join('')}</ol>
  ${stepperSkeleton(prefix)}
</aside>`;
}

function machineSection(
  profile: ProfileResult,
  machine: MachineResult,
  prefix: string,
  diagrams: readonly CoverageDiagram[],
  views: readonly { view: FailureView; failing: FailingCase }[],
): string {
  const hasFailures = views.length > 0;
  return `<article class="machine" id="${prefix}">
  <header class="machine-header">
    <h3>${e(machine.title)} <code class="machine-id">${e(machine.machine)}</code></h3>
    ${machineStats(machine)}
  </header>
  <div class="machine-body${hasFailures ? ' has-failures' : ''}">
    ${diagramPanel(machine, prefix, diagrams, openingView(diagrams, views))}
    ${hasFailures ? failuresPanel(prefix, views) : ''}
  </div>
  ${machine.property?.error && !machine.property.failure ? `<p class="warning">${e(machine.property.error)}</p>` : ''}
  ${profile.verdict === 'not-conformant' && !hasFailures && machine.status === 'run' ? '<p class="quiet">No failing test case on this machine.</p>' : ''}
</article>`;
}

function testsCell(verdict: RequirementVerdict): string {
  const failing = new Set(verdict.failures);
  const names = [...verdict.failures, ...verdict.tests.filter((test) => !failing.has(test))];
  if (names.length === 0) return '<span class="quiet">none</span>';
  const item = (name: string) =>
    `<li class="${failing.has(name) ? 'test-failed' : 'test-passed'}">${e(name)}</li>`;
  const shown = names.slice(0, 4).map(item).join('');
  const more = names.slice(4);
  return `<ul class="tests">${shown}</ul>${
    more.length > 0
      ? `<details class="more-tests"><summary>${more.length} more</summary><ul class="tests">${more.map(item).join('')}</ul></details>`
      : ''
  }`;
}

function matrix(profile: ProfileResult, index: number): string {
  const counts = verdictCounts(profile);
  const filters = [
    `<button type="button" data-filter="all" aria-pressed="true">All <span class="count">${profile.requirements.length}</span></button>`,
    ...(['fail', 'advisory', 'pass', 'inconclusive', 'untestable'] as const).map(
      (verdict) =>
        `<button type="button" data-filter="${verdict}" class="filter-${verdict}" aria-pressed="false"${counts[verdict] === 0 ? ' disabled' : ''}>${VERDICT_LABELS[verdict]} <span class="count">${counts[verdict]}</span></button>`,
    ),
  ].join('');
  const rows = profile.requirements
    .map((verdict) => {
      const { requirement } = verdict;
      const search = `${requirement.id} ${requirement.text} ${requirement.group}`.toLowerCase();
      return `<tr data-verdict="${verdict.verdict}" data-search="${e(search)}">
  <td class="req-id"><code>${e(requirement.id)}</code><div class="req-group">${e(requirement.group)}</div></td>
  <td class="req-text">${e(requirement.text)}</td>
  <td class="req-source">${e(requirement.source)}</td>
  <td class="req-kind">${e(requirement.kind)}${requirement.contradiction ? `<div class="quiet">decided by ${e(requirement.contradiction)}</div>` : ''}</td>
  <td class="req-verdict">${badge(verdict.verdict, verdictLabel(verdict))}${verdict.reason ? `<div class="reason">${e(verdict.reason)}</div>` : ''}</td>
  <td class="req-tests">${testsCell(verdict)}</td>
</tr>`;
    })
    .join('\n');
  return `<section class="matrix" id="matrix-${index}" aria-label="Requirement matrix">
  <div class="matrix-header">
    <h3>Requirements</h3>
    <div class="matrix-filters" role="group" aria-label="Filter by verdict">${filters}</div>
    <input type="search" class="matrix-search" placeholder="Filter by ID, text or group" aria-label="Filter requirements by text">
    <span class="matrix-shown" aria-live="polite"></span>
  </div>
  <div class="table-wrap">
  <table>
    <thead><tr><th>ID</th><th>Requirement</th><th>Source</th><th>Kind</th><th>Verdict</th><th>Tests</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
  </div>
</section>`;
}

async function profileSection(
  profile: ProfileResult,
  index: number,
  options: HtmlReportOptions,
  rendered: Rendered,
): Promise<string> {
  const models = createModels(profile.profile);
  const failing = failingCases(profile);
  const machines: string[] = [];
  for (const machine of profile.machines) {
    const model = models.find((m) => m.id === machine.machine) as MachineModel;
    const prefix = `p${index}${machine.machine}`;
    const diagrams = await coverageDiagrams(model, machine.coverage, prefix);
    rendered.diagrams.set(prefix, diagrams);
    const views = failing
      .filter((failure) => failure.machine === machine)
      .map((failure) => {
        const view = failureView(failure, model, {
          key: `f${rendered.failures.length}`,
          diagram: prefix,
          view: failureRegion(failure, diagrams, model),
          profile: profile.profile.name,
          ...replayOf(failure, profile, options),
        });
        rendered.failures.push(view);
        return { view, failing: failure };
      });
    machines.push(machineSection(profile, machine, prefix, diagrams, views));
  }
  const failures = failing.length;
  return `<section class="profile" id="profile-${index}" data-profile="${index}">
  <header class="profile-header">
    <h2>Profile <span class="profile-title">${e(profile.profile.name)}</span> ${verdictBadge(profile.verdict)}</h2>
    <p class="profile-description">${e(profile.profile.description)}</p>
    <div class="profile-summary">${countsLine(profile)} <span class="chip">${plural(failures, 'failing test case')}</span> <a href="#matrix-${index}">requirement matrix ↓</a></div>
  </header>
  ${machines.join('\n')}
  ${advisorySection(profile)}
  ${matrix(profile, index)}
</section>`;
}

/** The view a failure opens on: where its failing step (or the last step) moved the model. */
function failureRegion(
  failure: FailingCase,
  diagrams: readonly CoverageDiagram[],
  model: MachineModel,
): string {
  const { steps } = failure.trace;
  const step = failingStep(failure.trace)?.step ?? steps[steps.length - 1];
  const named = new Set(step?.failure?.requirements ?? []);
  const realising = declaredTransitions(model.machine)
    .filter((t) => t.meta.requirements.some((id) => named.has(id)))
    .map((t) => t.meta.id);
  return openingViewFor(diagrams, step?.transitions ?? [], realising);
}

/** Departures from should-rules, apart from the failures: they fail only under --strict. */
function advisorySection(profile: ProfileResult): string {
  if (profile.advisories.length === 0) return '';
  const items = advisoryLines(profile)
    .map((line) => `<li>${e(line)}</li>`)
    .join('');
  return `<section class="advisories"><h3>Advisories</h3><p class="quiet">Departures from should-rules that the model allows; not failures unless the run is strict.</p><ul>${items}</ul></section>`;
}

function replayOf(
  failure: FailingCase,
  profile: ProfileResult,
  options: HtmlReportOptions,
): { replay?: string } {
  if (failure.property) return { replay: failure.property.replay };
  const file = options.traceDir
    ? tracePath(options.traceDir, profile.profile.name, failure.trace)
    : undefined;
  const replay = replayFor(failure.trace, file);
  return replay ? { replay } : {};
}

/** The whole report as one HTML document. */
export async function renderHtmlReport(
  result: SuiteResult,
  options: HtmlReportOptions = {},
): Promise<string> {
  const [css, script] = await Promise.all([asset('report.css'), asset('report.js')]);
  const rendered: Rendered = { diagrams: new Map(), failures: [] };
  const sections: string[] = [];
  for (const [index, profile] of result.profiles.entries()) {
    sections.push(await profileSection(profile, index, options, rendered));
  }
  const data = { failures: rendered.failures };
  // Only the report's own script may run: any markup that slipped through would stay inert.
  const scriptHash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'; base-uri 'none'; form-action 'none'`;
  const title = `imflow report: ${result.adapter} (${result.verdict === 'conformant' ? 'conformant' : 'not conformant'})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="imflow">
<title>${e(title)}</title>
<style>
${css}</style>
</head>
<body>
${header(result, options)}
${profileTabs(result)}
<main>
${sections.join('\n')}
</main>
<footer class="page-footer">Generated by <code>imflow check --reporter html</code>. This file is self-contained: it loads nothing from the network.</footer>
<script type="application/json" id="imflow-data">${jsonForScript(data)}</script>
<script>${script}</script>
</body>
</html>
`;
}

/** Writes `<out>/imflow-report.html`. */
export function htmlReporter(context: ReporterContext): Reporter {
  let info: RunInfo | undefined;
  return {
    onRunStart(runInfo) {
      info = runInfo;
    },
    async onRunEnd(result) {
      const html = await renderHtmlReport(result, {
        ...(info ? { info } : {}),
        ...(context.reporters.includes('json') ? { traceDir: context.outDir } : {}),
      });
      await mkdir(context.outDir, { recursive: true });
      const file = join(context.outDir, HTML_REPORT_FILE);
      await writeFile(file, html);
      context.io.out(`imflow: wrote ${file}`);
    },
  };
}
