import { join } from 'node:path';
import type { Profile, RequirementGroup } from '../../machines/index.ts';
import type {
  MachineResult,
  ProfileResult,
  RequirementVerdict,
  SuiteResult,
  TransitionCoverage,
} from '../results.ts';
import type { Trace } from '../trace.ts';
import {
  advisoryLines,
  blamed,
  coverageCounts,
  coverageSentence,
  type FailingCase,
  failingCases,
  failingStep,
  failureDetails,
  failurePlace,
  laterFailureLines,
  realTimeLines,
  replayFor,
  seconds,
  traceLines,
  tracePath,
  verdictCounts,
} from './format.ts';
import { caseNoteLines } from './notes.ts';
import { writeFailingTraces } from './trace-files.ts';
import type { Reporter, ReporterContext, RunInfo } from './types.ts';

/** Progress is drawn only once a profile has run this long, and redrawn at most this often. */
const PROGRESS_AFTER_MS = 400;
const PROGRESS_EVERY_MS = 100;
const BAR_WIDTH = 30;

class Progress {
  #planned = 0;
  #done = 0;
  #started = 0;
  #drawnAt = 0;
  #visible = false;
  #label = '';

  constructor(private readonly write: ((text: string) => void) | undefined) {}

  start(label: string, planned: number) {
    this.#label = label;
    this.#planned = planned;
    this.#done = 0;
    this.#started = performance.now();
  }

  tick() {
    this.#done++;
    if (!this.write) return;
    const now = performance.now();
    if (now - this.#started < PROGRESS_AFTER_MS || now - this.#drawnAt < PROGRESS_EVERY_MS) return;
    this.#drawnAt = now;
    const total = Math.max(this.#planned, this.#done);
    const filled = total === 0 ? BAR_WIDTH : Math.round((BAR_WIDTH * this.#done) / total);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
    this.write(`\r\x1b[2K  ${this.#label} [${bar}] ${this.#done}/${total} test cases`);
    this.#visible = true;
  }

  clear() {
    if (this.#visible) this.write?.('\r\x1b[2K');
    this.#visible = false;
  }
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

/** The columns of the requirement table: inconclusive verdicts split by their cause. */
const COLUMNS = [
  'pass',
  'advisory',
  'fail',
  'not claimed',
  'not reached',
  'not run',
  'untestable',
] as const;
type Column = (typeof COLUMNS)[number];

function column(verdict: RequirementVerdict): Column {
  if (verdict.verdict !== 'inconclusive') return verdict.verdict;
  if (verdict.cause === 'not-claimed') return 'not claimed';
  if (verdict.cause === 'not-reached') return 'not reached';
  return 'not run';
}

/** What each listed kind of verdict means, printed once under the table. */
const LISTED: Partial<Record<Column, string>> = {
  advisory: 'departures from should-rules the model allows; failures only with --strict',
  'not claimed': 'the profile does not claim what they need',
  'not reached': 'a test failed before reaching them',
  'not run': 'no test of this run takes them',
  untestable: 'the kit cannot check them; the catalogue says why',
};

function groupTable(profile: ProfileResult): string[] {
  const groups: RequirementGroup[] = [];
  for (const verdict of profile.requirements) {
    if (!groups.includes(verdict.requirement.group)) groups.push(verdict.requirement.group);
  }
  const width = Math.max(24, ...groups.map((g) => g.length + 2));
  const cells = (values: readonly (string | number)[]) =>
    values.map((value, i) => pad(value, (COLUMNS[i] as string).length + 2)).join('');
  const lines = [`  ${'Requirements'.padEnd(width)}${cells(COLUMNS)}`];
  for (const group of groups) {
    const counts = COLUMNS.map(
      (c) =>
        profile.requirements.filter((v) => v.requirement.group === group && column(v) === c).length,
    );
    lines.push(`    ${group.padEnd(width - 2)}${cells(counts)}`);
  }
  for (const [kind, meaning] of Object.entries(LISTED)) {
    const listed = profile.requirements.filter((v) => column(v) === kind);
    if (listed.length > 0) {
      lines.push(`    ${kind} (${meaning}): ${listed.map((v) => v.requirement.id).join(', ')}`);
    }
  }
  // Reasons that come from this adapter's declarations, not from the catalogue.
  for (const verdict of profile.requirements) {
    const own =
      (verdict.verdict === 'untestable' && verdict.reason !== verdict.requirement.untestable) ||
      (verdict.verdict === 'inconclusive' && verdict.reason?.includes('declares unsupported'));
    if (own) lines.push(`    ${verdict.requirement.id}: ${verdict.reason}`);
    else if (verdict.note) lines.push(`    ${verdict.requirement.id}: ${verdict.note}`);
  }
  return lines;
}

/** Why a transition cannot be planned, per status of the plan. */
const NOT_PLANNABLE: Readonly<Record<string, string>> = {
  'not-claimed': 'not claimed by the profile',
  unsupported: 'needs a stimulus the adapter declares unsupported',
  unreachable: 'unreachable under this profile (another reading of it)',
  spontaneous: "taken only by the implementation's own choice, never driven",
};

/**
 * Steps per plannable transition: those the planner can take under the profile, not every
 * declared one, so that the figure does not flatter the suite.
 */
export function stepsSentence(plan: MachineResult['plan']): string {
  const plannable = plan.plannable ?? plan.transitions;
  const per =
    plannable === 0 ? '' : ` (${(plan.totalSteps / plannable).toFixed(2)} per transition)`;
  const others = plan.transitions - plannable;
  return `${plan.totalSteps} steps for ${plannable} plannable transitions${per}${others > 0 ? `, of ${plan.transitions} declared` : ''}`;
}

/** The transitions that cannot be planned, grouped by reason. */
function notPlannableLines(plan: MachineResult['plan']): string[] {
  const byReason = new Map<string, string[]>();
  for (const [id, status] of Object.entries(plan.notPlannable ?? {}))
    byReason.set(status, [...(byReason.get(status) ?? []), id]);
  return [...byReason].map(
    ([status, ids]) =>
      `        not plannable, ${NOT_PLANNABLE[status] ?? status}: ${ids.join(', ')}`,
  );
}

function machineLines(machine: MachineResult): string[] {
  const lines = [`    ${machine.title} (${machine.machine})`];
  if (machine.status === 'not-claimed') {
    lines.push('      not claimed: the profile does not claim the capability this machine needs');
    return lines;
  }
  const { states } = machine.coverage;
  lines.push(
    `      states       ${states.covered}/${states.total} covered${states.uncovered.length > 0 ? ` (not visited: ${states.uncovered.join(', ')})` : ''}`,
  );
  const counts = coverageCounts(machine.coverage);
  lines.push(
    `      transitions  ${counts.total}: ${counts.covered} covered, ${counts.failed} failed, ${counts['not-reached']} not reached, ${counts['not-claimed']} not claimed, ${counts['other-reading']} of another reading, ${counts['not-chosen']} not chosen`,
    `      coverage     ${coverageSentence(counts)}`,
  );
  // Anything not covered is listed with its reason; the ruled-out readings only by count.
  const reasons: Partial<Record<TransitionCoverage, string>> = {
    failed: 'failed',
    'not-reached': 'not reached (a case failed before it)',
    'not-chosen': 'not chosen (the implementation took an allowed alternative)',
    'not-claimed': 'not claimed by the profile (or not drivable through this adapter)',
  };
  for (const [status, reason] of Object.entries(reasons)) {
    const ids = Object.entries(machine.coverage.transitions)
      .filter(([, s]) => s === status)
      .map(([id]) => id);
    if (ids.length > 0) lines.push(`        ${reason}: ${ids.join(', ')}`);
  }
  const { guards, situations } = machine.coverage;
  lines.push(
    `      guards       ${guards.seen}/${guards.goals} outcomes seen (every guard holding and failing)${guards.missing.length > 0 ? `; not seen: ${guards.missing.join(', ')}` : ''}`,
  );
  if (situations.length > 0) {
    const reached = situations.filter((s) => s.reached).length;
    const missed = situations.filter((s) => !s.reached).map((s) => s.name);
    lines.push(
      `      situations   ${reached}/${situations.length} reached${missed.length > 0 ? `; not reached: ${missed.join('; ')}` : ''}`,
    );
  }
  const replanned = machine.pathCases.filter((c) => c.name.includes(' re-plan ')).length;
  lines.push(
    `      path suite   ${machine.pathCases.length - replanned} of ${machine.plan.paths} cases run${replanned > 0 ? ` (and ${replanned} re-planned around failed steps)` : ''}, ${stepsSentence(machine.plan)}`,
  );
  for (const line of notPlannableLines(machine.plan)) lines.push(line);
  const property = machine.property;
  if (!property) {
    lines.push('      property     not run');
  } else {
    const outcome = property.passed
      ? 'passed'
      : property.failure
        ? `FAILED (shrunk ${property.failure.shrinks} time${property.failure.shrinks === 1 ? '' : 's'})`
        : `FAILED: ${property.error ?? 'no counterexample'}`;
    const further = property.further?.length
      ? `; ${property.further.length} more counterexample${property.further.length === 1 ? '' : 's'} of other rules`
      : '';
    lines.push(
      `      property     ${property.runs} runs, seed ${property.seed}: ${outcome}${further}`,
    );
  }
  return lines;
}

function failureLines(
  profile: Profile,
  failure: FailingCase,
  number: number,
  traceFile: string | undefined,
): string[] {
  const { trace, property } = failure;
  const found = failingStep(trace);
  const ids = blamed(trace);
  const who = ids.length > 0 ? ids.join(', ') : 'no requirement (the adapter misbehaved)';
  const where = failurePlace(trace);
  const lines = [`  ${number}. ${who}: ${trace.name} [${profile.name}], ${where}`];
  if (failure.alsoIn.length > 0) {
    lines.push(
      `     the same rules failed in ${failure.alsoIn.length} longer case${failure.alsoIn.length === 1 ? '' : 's'}: ${failure.alsoIn.join(', ')}`,
    );
  }
  if (property && trace.verdict !== 'fail') {
    lines.push(
      '     The shrunk counterexample passed when run again: the implementation is not deterministic.',
    );
  }
  if (trace.setupFailure) lines.push(`     problem:    ${trace.setupFailure}`);
  if (found) for (const line of failureDetails(found.step)) lines.push(`     ${line}`);
  for (const line of laterFailureLines(trace)) lines.push(`     ${line}`);
  const title = property
    ? `trace (shrunk, ${trace.steps.length} step${trace.steps.length === 1 ? '' : 's'}):`
    : 'trace:';
  lines.push(`     ${title}`);
  for (const line of traceLines(trace)) lines.push(`       ${line}`);
  if (property) {
    lines.push(`     replay: ${property.replay}`);
    if (traceFile)
      lines.push(`         or: npx imflow replay ${traceFile}${adapterSuffix(trace.replay)}`);
  } else {
    const replay = replayFor(trace, traceFile);
    if (replay) lines.push(`     replay: ${replay}`);
  }
  return lines;
}

/** The `--adapter` part of a recorded replay command, reused for the trace-file replay. */
function adapterSuffix(replay: string | undefined): string {
  const match = replay?.match(/ --adapter \S+/);
  return match ? match[0] : '';
}

function unattributedProperty(machine: MachineResult): string | undefined {
  const property = machine.property;
  if (!property || property.passed || property.failure) return undefined;
  return `${machine.machine} property (seed ${property.seed}): ${property.error ?? 'failed without a counterexample'}`;
}

export function consoleReporter(context: ReporterContext): Reporter {
  const { io } = context;
  const progress = new Progress(io.interactive ? io.write?.bind(io) : undefined);
  // The json reporter writes the failing traces when it runs; otherwise this one does.
  const jsonWritesTraces = context.reporters.includes('json');
  let adapterModule: string | undefined;
  /** Traces with notes, by profile: passing property runs are not kept in the results. */
  const noted = new Map<string, Trace[]>();
  let currentProfile = '';
  return {
    onRunStart(info: RunInfo) {
      adapterModule = info.adapterModule;
      const scope = [
        `profile${info.profiles.length === 1 ? '' : 's'} ${info.profiles.map((p) => p.name).join(', ')}`,
        info.only ? `group ${info.only}` : undefined,
        info.strict ? 'strict (advisories fail)' : undefined,
        info.machine ? `machine ${info.machine}` : undefined,
        `seed ${info.seed}`,
        info.path ? `replaying path ${info.path}` : `${info.runs} property runs per machine`,
        info.shard ? `shard ${info.shard.index}/${info.shard.count}` : undefined,
        info.clock?.kind === 'real'
          ? `real time, outputs awaited up to ${info.clock.jitterMs} ms after their instant (property runs are fewer by default in real time, each lasting the time it models)`
          : undefined,
      ].filter((part) => part !== undefined);
      io.out(`imflow check: ${info.adapter}`);
      io.out(`  ${scope.join('; ')}`);
    },
    onProfileStart(profile, plannedCases) {
      currentProfile = profile.name;
      progress.start(profile.name, plannedCases);
    },
    onCaseEnd(trace: Trace) {
      if (trace.notes?.length)
        noted.set(currentProfile, [...(noted.get(currentProfile) ?? []), trace]);
      progress.tick();
    },
    onProfileEnd() {
      progress.clear();
    },
    async onRunEnd(result: SuiteResult) {
      progress.clear();
      const written = jsonWritesTraces
        ? []
        : await writeFailingTraces(context.outDir, result, adapterModule);
      let number = 0;
      let passed = 0;
      let advised = 0;
      let failed = 0;
      for (const profile of result.profiles) {
        const duration = profile.machines.reduce((sum, m) => sum + m.durationMs, 0);
        io.out('');
        io.out(
          `Profile ${profile.profile.name}: ${profile.verdict === 'conformant' ? 'CONFORMANT' : 'NOT CONFORMANT'} (${seconds(duration)})`,
        );
        for (const line of groupTable(profile)) io.out(line);
        io.out('  Coverage');
        for (const machine of profile.machines)
          for (const line of machineLines(machine)) io.out(line);
        const counts = verdictCounts(profile);
        passed += counts.pass;
        advised += counts.advisory;
        failed += counts.fail;
        const advisories = advisoryLines(profile);
        if (advisories.length > 0) {
          io.out(
            `  Advisories (departures from should-rules the model allows; ${result.strict ? 'failures under --strict' : 'not failures, unless --strict'})`,
          );
          for (const line of advisories) io.out(`    - ${line}`);
        }
        const cases = failingCases(profile);
        const unattributed = profile.machines
          .map(unattributedProperty)
          .filter((line) => line !== undefined);
        if (cases.length > 0 || unattributed.length > 0) {
          io.out('  Failures');
          for (const failure of cases) {
            const file = tracePath(context.outDir, profile.profile.name, failure.trace);
            for (const line of failureLines(profile.profile, failure, ++number, file)) io.out(line);
          }
          for (const line of unattributed) io.out(`  ${++number}. ${line}`);
        }
        for (const line of caseNoteLines(profile, noted.get(profile.profile.name))) io.out(line);
      }
      if (result.bailed) {
        io.out('');
        io.out(
          `Stopped early (--bail) at the first failure, ${result.bailed.after}; the verdict covers only what ran. Not run:`,
        );
        for (const part of result.bailed.notRun) io.out(`  - ${part}`);
        if (result.bailed.notRun.length === 0) io.out('  - nothing: it was the last test case');
      }
      if (result.notes && result.notes.length > 0) {
        io.out('');
        io.out('Problems outside the test cases:');
        for (const note of result.notes) io.out(`  - ${note}`);
      }
      if (written.length > 0) {
        io.out('');
        io.out(
          `Wrote ${written.length} failing trace${written.length === 1 ? '' : 's'} in ${join(context.outDir, 'traces')} (--out sets the directory).`,
        );
      }
      if (result.realTime) {
        io.out('');
        for (const line of realTimeLines(result.realTime)) io.out(line);
      }
      io.out('');
      io.out(`Seed ${result.seed}, ${seconds(result.durationMs)}.`);
      // The count line keeps the plain "N passed, N failed" form that CI logs are read by;
      // requirements with advisories passed, and are counted apart before it.
      if (advised > 0) {
        const have = advised === 1 ? 'requirement has' : 'requirements have';
        io.out(`${advised} passing ${have} advisories (failures only with --strict).`);
      }
      io.out(`${passed + advised} passed, ${failed} failed`);
      io.out(`imflow: ${result.verdict === 'conformant' ? 'CONFORMANT' : 'NOT CONFORMANT'}`);
    },
  };
}
