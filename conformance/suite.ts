import {
  createModels,
  declaredStates,
  declaredTransitions,
  type MachineModel,
  type Output,
  type Profile,
  type Requirement,
  type RequirementGroup,
  requirements,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun, type ClockMode, type Limits } from './case-run.ts';
import {
  formatStimulusPatterns,
  observabilityOf,
  type ResolvedDeclarations,
  resolveDeclarations,
} from './declarations.ts';
import { guardKey, guardOutcomes, walkPassingSteps } from './guards.ts';
import { realTimeSummary } from './lateness.ts';
import {
  type PathPlan,
  type PlannedPath,
  type PlanStatus,
  planPaths,
  replanPaths,
} from './paths.ts';
import { type PropertyResult, runProperty } from './properties.ts';
import type {
  AdvisoryRecord,
  InconclusiveCause,
  MachineCoverage,
  MachineResult,
  ProfileResult,
  RequirementVerdict,
  SuiteResult,
  TransitionCoverage,
} from './results.ts';
import { type Shard, shardKeys } from './shard.ts';
import { inTurn, runSideBySide, type SideBySide } from './side-by-side.ts';
import type { Trace } from './trace.ts';

/** Hooks a reporter can implement; every one is optional and called as the run goes. */
export interface SuiteListener {
  /** Before a profile's machines run, with the number of test cases planned for it. */
  onProfileStart?(profile: Profile, plannedCases: number): void;
  /** After each test case, path or property. */
  onCaseEnd?(trace: Trace): void;
  onProfileEnd?(result: ProfileResult): void;
}

export interface SuiteOptions {
  readonly adapter: Adapter;
  /** How the adapter was named on the command line; used in replay commands. */
  readonly adapterModule?: string;
  /**
   * How replay commands name the adapter, when not by `--adapter MODULE`: an adapter started
   * by command passes `--adapter-command "..."` here.
   */
  readonly adapterArguments?: string;
  readonly profiles: readonly Profile[];
  /** Seed of the property tests; random when absent, and always reported. */
  readonly seed?: number;
  /** Property-test runs per machine. */
  readonly runs?: number;
  /** Run only the tests of one requirement group. */
  readonly only?: RequirementGroup;
  /** Run only one machine (used by replay commands). */
  readonly machine?: MachineModel['id'];
  /** fast-check path of a property failure to replay (with `seed`). */
  readonly path?: string;
  /** Skip the path tests (used when replaying a property failure). */
  readonly propertiesOnly?: boolean;
  readonly limits?: Limits;
  readonly listener?: SuiteListener;
  /** Advisories (departures from should-rules the model allows) fail their step. */
  readonly strict?: boolean;
  /**
   * What replay commands pass as `--profile`: the profile's name by default, which names
   * built-in profiles; a run whose profile came from a file passes the file's path.
   */
  readonly profileArgument?: string;
  /** Run only this share of the machines (`--shard i/n`); see `shard.ts`. */
  readonly shard?: Shard;
  /**
   * Stop at the first failing test case (`--bail`): nothing after it runs (no re-planned
   * cases, no further counterexample searches), and the result's `bailed` says what was left.
   * A function stops only at the first failing case it accepts (the mutant runner stops once
   * the rule a mutant breaks is named); under it, re-planning and further searches still run.
   */
  readonly bail?: boolean | ((failing: Trace) => boolean);
  /**
   * Run up to this many profiles at once, each with an instance of the adapter of its own
   * (see `side-by-side.ts`). Listeners still hear the profiles in order; a bailing run runs
   * them in turn, so that what it stops after is the same whatever the timing.
   */
  readonly sideBySide?: SideBySide;
  /** Virtual time unless given; see `ClockMode`. */
  readonly clock?: ClockMode;
  /**
   * Path cases are run again by the check itself, not by `imflow replay`: on the wire, where
   * the kit plays the remote participant (its arguments are in `adapterArguments`).
   */
  readonly rerunPathsByCheck?: boolean;
  /**
   * Path cases run at once, each on a system of its own (default 1). In real time a case mostly
   * waits for its instants, so cases overlap; a run that bails runs them in turn.
   */
  readonly casesAtOnce?: number;
}

/** Where a bailing run stopped, filled in as it goes. */
interface BailState {
  after?: string;
  readonly notRun: string[];
  /** Whether a failing case ends the run. */
  readonly stopsAt: (failing: Trace) => boolean;
}

/**
 * Property-test runs per machine. Measured against the mutant catalogue (seeds 1 to 3), 200
 * runs name every mutant's rule where 100 runs miss one under seed 1, for about a fifth more
 * CPU time on a conforming implementation.
 */
export const DEFAULT_RUNS = 200;

/** Why a requirement is inconclusive, in words that tell the three causes apart. */
export const INCONCLUSIVE_REASONS: Readonly<Record<InconclusiveCause, string>> = {
  'not-claimed': 'Not claimed: the profile does not claim the capability or reading it needs.',
  'not-reached':
    'Not reached: a test failed at an earlier step, before any test took a transition that realises it.',
  'not-run': 'Not run: no test of this run takes a transition that realises it.',
};

/** The adapter's part of a replay command, with its leading space; empty for the reference. */
function adapterFlag(options: SuiteOptions): string {
  if (options.adapterArguments) return ` ${options.adapterArguments}`;
  return options.adapterModule ? ` --adapter ${options.adapterModule}` : '';
}

function replayCommand(
  options: SuiteOptions,
  profile: Profile,
  machine: string,
  seed: number,
  path: string,
) {
  const adapter = adapterFlag(options);
  return `npx imflow check${adapter} --profile ${options.profileArgument ?? profile.name} --machine ${machine} --seed ${seed} --path ${path}`;
}

function coverageOf(
  model: MachineModel,
  traces: readonly Trace[],
  planned: PathPlan,
  alsoTaken: readonly string[] = [],
): MachineCoverage {
  const taken = new Set<string>(alsoTaken);
  const failed = new Set<string>();
  const visited = new Set<string>();
  const guardsSeen = new Set<string>();
  for (const state of model.activeStates(model.initial())) visited.add(state);
  for (const trace of traces) {
    for (const step of trace.steps) {
      for (const id of step.transitions) (step.verdict === 'pass' ? taken : failed).add(id);
      if (step.verdict !== 'pass') break;
    }
    // Replaying the model along the recorded branch gives the states and guard outcomes.
    walkPassingSteps(model, trace.steps, (before, event, after) => {
      for (const outcome of guardOutcomes(model, before, event)) guardsSeen.add(guardKey(outcome));
      for (const state of model.activeStates(after)) visited.add(state);
    });
  }
  const transitions: Record<string, TransitionCoverage> = {};
  for (const { meta } of declaredTransitions(model.machine)) {
    const planStatus = planned.transitions.get(meta.id);
    // Under --only, the other groups' transitions are neither shown nor counted.
    if (planStatus === 'other-group') continue;
    // A transition taken where a test failed is shown failed, wherever else it passed.
    transitions[meta.id] = failed.has(meta.id)
      ? 'failed'
      : taken.has(meta.id)
        ? 'covered'
        : planStatus === 'not-claimed' || planStatus === 'unsupported'
          ? 'not-claimed'
          : planStatus === 'unreachable'
            ? 'other-reading'
            : planStatus === 'spontaneous'
              ? 'not-chosen'
              : 'not-reached';
  }
  // A planned transition missed by a path that passed to its end was steered around by an
  // allowed choice of the implementation (a revert inside its window, say): not a gap.
  for (const path of planned.paths) {
    const trace = traces.find((t) => t.name === path.name);
    if (trace?.verdict !== 'pass' || trace.steps.length < path.stimuli.length) continue;
    for (const id of path.covers)
      if (transitions[id] === 'not-reached') transitions[id] = 'not-chosen';
  }
  const states = declaredStates(model.machine);
  const situations = [...planned.situations].map(([name, plannable]) => {
    const path = planned.paths.find((p) => p.reaches.includes(name));
    const trace = path && traces.find((t) => t.name === path.name);
    return {
      name,
      reached:
        plannable && trace?.verdict === 'pass' && trace.steps.length >= (path?.stimuli.length ?? 0),
    };
  });
  return {
    states: {
      total: states.length,
      covered: states.filter((s) => visited.has(s)).length,
      uncovered: states.filter((s) => !visited.has(s)),
    },
    transitions,
    guards: {
      goals: planned.guardGoals.length,
      seen: planned.guardGoals.filter((goal) => guardsSeen.has(goal)).length,
      missing: planned.guardGoals.filter((goal) => !guardsSeen.has(goal)),
    },
    situations,
  };
}

interface MachinePlan {
  readonly model: MachineModel;
  readonly plan: PathPlan;
  readonly planMs: number;
}

function isClaimed(model: MachineModel): boolean {
  return !model.capability || model.profile.capabilities[model.capability];
}

/**
 * Whether the adapter supports a stimulus of the machine's initial state. One that supports
 * none (the conference, on the wire) gives property runs nothing to do but wait: in real time,
 * minutes of it.
 */
function drivableAtStart(model: MachineModel, declarations: ResolvedDeclarations): boolean {
  const initial = model.initial();
  const queries = model.queries(initial);
  return model.stimuli(initial).some((stimulus) => declarations.supported(stimulus, queries));
}

/** The planned paths this run executes: none when only properties run (the plan honours --only). */
function pathsToRun(options: SuiteOptions, { model, plan }: MachinePlan) {
  if (options.propertiesOnly || !isClaimed(model)) return [];
  return plan.paths;
}

/** Rounds of fresh cases planned around failed steps, at most. */
const MAX_REPLANS = 3;

/**
 * The transitions a failed case steers later cases away from: those realising a rule the
 * failure names (or, when it names none, those of the failing step). Avoiding them lets the
 * next cases show a different bug rather than the same one again.
 */
function avoidedAfter(model: MachineModel, trace: Trace): string[] {
  const failing = trace.steps.filter((step) => step.verdict === 'fail');
  if (failing.length === 0) return [];
  const rules = new Set(failing.flatMap((step) => step.failure?.requirements ?? []));
  if (rules.size === 0) return failing.flatMap((step) => step.transitions);
  return declaredTransitions(model.machine)
    .filter((t) => t.meta.requirements.some((id) => rules.has(id)))
    .map((t) => t.meta.id);
}

async function runMachine(
  options: SuiteOptions,
  planned: MachinePlan,
  seed: number,
  declarations: ResolvedDeclarations,
  bail: BailState | undefined,
): Promise<MachineResult> {
  const started = performance.now();
  const { model, plan, planMs } = planned;
  const plannedSummary = {
    paths: plan.paths.length,
    totalSteps: plan.totalSteps,
    transitions: [...plan.transitions.values()].filter((s) => s !== 'other-group').length,
    plannable: [...plan.transitions.values()].filter((s) => s === 'planned').length,
    notPlannable: Object.fromEntries(
      [...plan.transitions].filter(([, s]) => s !== 'planned' && s !== 'other-group'),
    ) as Record<string, Exclude<PlanStatus, 'planned' | 'other-group'>>,
    reachableStates: plan.reachableStates,
    planMs,
  };
  const needs = Object.fromEntries(plan.unsupportedNeeds);
  const base = {
    machine: model.id,
    title: model.title,
    ...(Object.keys(needs).length > 0 ? { unsupportedNeeds: needs } : {}),
  };
  if (!isClaimed(model)) {
    return {
      ...base,
      plan: { ...plannedSummary, replans: 0 },
      status: 'not-claimed',
      pathCases: [],
      coverage: coverageOf(model, [], plan),
      durationMs: 0,
    };
  }
  const runCase = async (path: PlannedPath) => {
    const run = await CaseRun.start({
      adapter: options.adapter,
      model,
      name: path.name,
      origin: 'path',
      declarations,
      ...(options.strict ? { strict: true } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      continueAfterFailure: true,
    });
    for (const stimulus of path.stimuli) {
      if (!(await run.step(stimulus))) break;
    }
    await run.close();
    const trace = run.trace(
      options.rerunPathsByCheck
        ? `npx imflow check${adapterFlag(options)} --profile ${options.profileArgument ?? model.profile.name} --machine ${model.id}${options.only ? ` --only ${options.only}` : ''} --runs 0`
        : `npx imflow replay <trace.json>${adapterFlag(options)}`,
    );
    options.listener?.onCaseEnd?.(trace);
    return trace;
  };
  // A failed step ends its case unless one model state explains what was observed (then the
  // case goes on from it, and later failures are marked as coming after the first). What a
  // case that ended had still to cover is planned again on fresh systems, around the failed
  // rules, so that one bug does not hide the next. Fresh systems start from the initial state,
  // where the model is sure of every reading.
  const pathCases: Trace[] = [];
  const covered = new Set<string>();
  const avoid = new Set<string>();
  let queue = pathsToRun(options, planned);
  let replans = 0;
  const where = `${model.profile.name} ${model.id}`;
  for (;;) {
    let failures = 0;
    const atOnce = bail ? 1 : (options.casesAtOnce ?? 1);
    const running = atOnce > 1 ? inPool(queue, atOnce, runCase) : undefined;
    for (const [index, path] of queue.entries()) {
      if (bail?.after) {
        bail.notRun.push(`${where}: ${queue.length - index} of ${queue.length} path cases`);
        break;
      }
      const trace = await (running?.[index] ?? runCase(path));
      pathCases.push(trace);
      if (bail && trace.verdict === 'fail' && bail.stopsAt(trace)) bail.after = trace.name;
      walkPassingSteps(model, trace.steps, (before, event) => {
        for (const meta of model.transitionsTaken(before, event)) covered.add(meta.id);
        for (const outcome of guardOutcomes(model, before, event))
          if (!outcome.held) covered.add(guardKey(outcome));
      });
      if (trace.verdict === 'fail') {
        failures++;
        for (const id of avoidedAfter(model, trace)) avoid.add(id);
      }
    }
    if (failures === 0 || replans >= MAX_REPLANS || bail?.after) break;
    queue = replanPaths(
      model,
      { declarations, ...(options.only ? { only: options.only } : {}) },
      covered,
      avoid,
      replans + 1,
    );
    if (queue.length === 0) break;
    replans++;
  }
  let property: PropertyResult | undefined;
  const runs = options.runs ?? DEFAULT_RUNS;
  if (runs > 0 && bail?.after) bail.notRun.push(`${where}: property tests`);
  else if (runs > 0 && drivableAtStart(model, declarations)) {
    const knownFailing = pathCases
      .filter((trace) => trace.verdict === 'fail')
      .flatMap((trace) =>
        trace.steps
          .filter((step) => step.verdict === 'fail')
          .flatMap((step) => step.failure?.requirements ?? []),
      );
    property = await runProperty({
      adapter: options.adapter,
      model,
      runs,
      seed,
      declarations,
      ...(options.only ? { stimulusTypes: plan.stimulusTypes } : {}),
      ...(options.strict ? { strict: true } : {}),
      knownFailing,
      ...(options.bail === true ? { extraSearches: 0 } : {}),
      ...(bail && options.bail !== true ? { searchUntil: bail.stopsAt } : {}),
      ...(options.path ? { path: options.path } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      replayCommand: (s, p) => replayCommand(options, model.profile, model.id, s, p),
      ...(options.listener?.onCaseEnd ? { onCase: options.listener.onCaseEnd } : {}),
    });
    if (bail && !property.passed && propertyTraces(property).some(bail.stopsAt))
      bail.after = `${model.id} property`;
  }
  const traces = [...pathCases, ...propertyTraces(property)];
  return {
    ...base,
    plan: { ...plannedSummary, replans },
    status: 'run',
    pathCases,
    ...(property ? { property } : {}),
    coverage: coverageOf(model, traces, plan, property?.covered),
    durationMs: Math.round(performance.now() - started) + planMs,
  };
}

/**
 * Starts `work` on every item, at most `limit` at a time, in order; the promises answer in the
 * items' order, whatever order the work ends in.
 */
function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  let free = limit;
  const waiting: (() => void)[] = [];
  const slot = async () => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return items.map(async (item) => {
    await slot();
    try {
      return await work(item);
    } finally {
      release();
    }
  });
}

/** The recorded counterexamples of a property run, first and further ones. */
function propertyTraces(property: PropertyResult | undefined): Trace[] {
  if (!property?.failure) return [];
  return [property.failure.trace, ...(property.further ?? []).map((f) => f.trace)];
}

/** Every advisory of a profile's cases, once per rule and transition, where first seen. */
function advisoriesOf(machines: readonly MachineResult[]): AdvisoryRecord[] {
  const records = new Map<string, AdvisoryRecord>();
  for (const machine of machines) {
    for (const trace of [...machine.pathCases, ...propertyTraces(machine.property)]) {
      trace.steps.forEach((step, index) => {
        for (const advisory of step.advisories ?? []) {
          const key = `${advisory.requirement}|${advisory.transition}`;
          const known = records.get(key);
          // The shortest case that shows it, for the clearest trace.
          if (known && (known.step <= index + 1 || known.strict)) continue;
          records.set(key, {
            ...advisory,
            case: trace.name,
            machine: machine.machine,
            step: index + 1,
            ...(step.failure?.strict ? { strict: true } : {}),
          });
        }
      });
    }
  }
  return [...records.values()].sort((a, b) =>
    `${a.requirement}|${a.transition}`.localeCompare(`${b.requirement}|${b.transition}`),
  );
}

/** Whether an output is one a rule testable only on the wire shows through. */
function showsOnTheWire(output: Output, rule: Requirement): boolean {
  const shows = rule.testableOnTheWire;
  return shows !== undefined && output.channel === shows.channel && output.kind === shows.kind;
}

function requirementVerdicts(
  profile: Profile,
  machines: readonly MachineResult[],
  declarations: ResolvedDeclarations,
  advisories: readonly AdvisoryRecord[],
  only?: RequirementGroup,
): RequirementVerdict[] {
  const exercised = new Map<string, Set<string>>();
  const failing = new Map<string, Set<string>>();
  const models = createModels(profile);
  const add = (map: Map<string, Set<string>>, id: string, test: string) => {
    const set = map.get(id) ?? new Set<string>();
    set.add(test);
    map.set(id, set);
  };
  // On the wire the kit reads the SIP itself: rules only it shows are judged there.
  const wireRules = requirements.filter((requirement) => requirement.testableOnTheWire);
  let onTheWire = false;
  for (const machine of machines) {
    const model = models.find((m) => m.id === machine.machine);
    const metaById = new Map(
      model ? declaredTransitions(model.machine).map((t) => [t.meta.id, t.meta]) : [],
    );
    for (const trace of [...machine.pathCases, ...propertyTraces(machine.property)]) {
      if (trace.onTheWire) onTheWire = true;
      for (const step of trace.steps) {
        if (step.verdict === 'pass') {
          for (const id of step.transitions)
            for (const req of metaById.get(id)?.requirements ?? []) add(exercised, req, trace.name);
          if (trace.onTheWire)
            for (const rule of wireRules)
              if (step.observed.some(({ output }) => showsOnTheWire(output, rule)))
                add(exercised, rule.id, trace.name);
        } else {
          for (const req of step.failure?.requirements ?? []) add(failing, req, trace.name);
        }
      }
    }
    if (machine.property?.passed) {
      // A passing property run exercised what its paths' transitions realise as well.
      for (const [id, status] of Object.entries(machine.coverage.transitions)) {
        if (status === 'covered')
          for (const req of metaById.get(id)?.requirements ?? [])
            add(exercised, req, `${machine.machine} property`);
      }
    }
  }
  const unclaimed = new Set<string>();
  const unreached = new Set<string>();
  for (const machine of machines) {
    const model = models.find((m) => m.id === machine.machine);
    for (const t of model ? declaredTransitions(model.machine) : []) {
      const status = machine.coverage.transitions[t.meta.id];
      if (status === 'not-claimed' || status === 'other-reading')
        for (const req of t.meta.requirements) unclaimed.add(req);
      if (status === 'not-reached') for (const req of t.meta.requirements) unreached.add(req);
    }
  }
  // The unsupported stimuli a rule's transitions would need.
  const needs = new Map<string, Set<string>>();
  for (const machine of machines) {
    const model = models.find((m) => m.id === machine.machine);
    for (const t of model ? declaredTransitions(model.machine) : []) {
      const stimuli = machine.unsupportedNeeds?.[t.meta.id];
      if (!stimuli) continue;
      for (const req of t.meta.requirements) {
        const set = needs.get(req) ?? new Set<string>();
        for (const type of stimuli) set.add(type);
        needs.set(req, set);
      }
    }
  }
  const declaredUnsupported = (types: ReadonlySet<string>) =>
    formatStimulusPatterns(
      (declarations.declared.unsupported ?? []).filter((pattern) => types.has(pattern.type)),
    );
  const advised = new Set(advisories.filter((a) => !a.strict).map((a) => a.requirement));
  // A run limited to some machines (--machine) or one group (--only) judges only their rules.
  const groups = new Set(
    models
      .filter((model) => machines.some((machine) => machine.machine === model.id))
      .flatMap((model) => model.groups),
  );
  return requirements
    .filter((requirement) => (!only || requirement.group === only) && groups.has(requirement.group))
    .map((requirement): RequirementVerdict => {
      const tests = [...(exercised.get(requirement.id) ?? [])];
      const failures = [...(failing.get(requirement.id) ?? [])];
      const common = { requirement, tests, failures };
      if (requirement.untestable && !(onTheWire && requirement.testableOnTheWire))
        return { ...common, verdict: 'untestable', reason: requirement.untestable };
      const observability = observabilityOf(requirement, declarations);
      const note = observability.partly ? { note: observability.partly } : {};
      // What the adapter cannot observe can never fail an implementation.
      if (observability.untestable)
        return { ...common, verdict: 'untestable', reason: observability.untestable };
      if (failures.length > 0) return { ...common, verdict: 'fail', ...note };
      if (tests.length > 0) {
        if (advised.has(requirement.id) && requirement.strength === 'should') {
          return {
            ...common,
            verdict: 'advisory',
            reason:
              'The implementation departs from this should-rule where the model allows it (see the advisories); it fails only under --strict.',
            ...note,
          };
        }
        return { ...common, verdict: 'pass', ...note };
      }
      const unsupported = needs.get(requirement.id);
      // Stimuli the adapter declares it cannot be driven with are not claimed, as a capability.
      const cause: InconclusiveCause =
        unsupported || unclaimed.has(requirement.id)
          ? 'not-claimed'
          : unreached.has(requirement.id)
            ? 'not-reached'
            : 'not-run';
      return {
        ...common,
        verdict: 'inconclusive',
        cause,
        reason: unsupported
          ? `Not claimed: it needs stimuli the adapter declares unsupported: ${declaredUnsupported(unsupported)}.`
          : INCONCLUSIVE_REASONS[cause],
        ...note,
      };
    });
}

/**
 * A profile's result from its machines' results: the verdict per requirement and the
 * profile's verdict. Shared by a run and by the merge of its shards (`merge.ts`).
 */
export function profileResult(
  profile: Profile,
  machines: readonly MachineResult[],
  declarations: ResolvedDeclarations,
  only: RequirementGroup | undefined,
): ProfileResult {
  const advisories = advisoriesOf(machines);
  const verdicts = requirementVerdicts(profile, machines, declarations, advisories, only);
  // Failing steps decide; an advisory is no failing step unless the run is strict.
  const failed =
    verdicts.some((v) => v.verdict === 'fail') ||
    machines.some(
      (m) => m.pathCases.some((c) => c.verdict === 'fail') || (m.property && !m.property.passed),
    );
  return {
    profile,
    machines,
    requirements: verdicts,
    advisories,
    verdict: failed ? 'not-conformant' : 'conformant',
  };
}

/** Runs path tests and property tests of every machine, for every profile. */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runs = options.runs ?? DEFAULT_RUNS;
  // Unsound declarations stop the run before anything is planned (DeclarationsError).
  const declarations = resolveDeclarations(options.adapter.declarations);
  const chosen = options.profiles.map((profile) => ({
    profile,
    models: createModels(profile).filter(
      (model) =>
        (!options.machine || model.id === options.machine) &&
        (!options.only || model.groups.includes(options.only)),
    ),
  }));
  // A shard runs whole machines of whole profiles, chosen before any planning: planning is
  // most of a machine's time, and a shard plans only its own machines.
  const shard = options.shard;
  const mine = shard
    ? shardKeys(
        chosen.flatMap(({ models }) => models.map((model) => shardUnit(model, runs))),
        shard,
      )
    : undefined;
  const stopsAt = options.bail;
  const bail: BailState | undefined = stopsAt
    ? { notRun: [], stopsAt: stopsAt === true ? () => true : stopsAt }
    : undefined;
  const runProfile = async (
    { profile, models: all }: (typeof chosen)[number],
    adapter: Adapter,
    listener: SuiteListener | undefined,
  ): Promise<ProfileResult | undefined> => {
    if (bail?.after) {
      bail.notRun.push(`${profile.name}: every machine`);
      return undefined;
    }
    const here: SuiteOptions = { ...options, adapter, ...(listener ? { listener } : {}) };
    // A shard keeps every profile, with only its own machines, so that merging keeps the order.
    const models = mine ? all.filter((model) => mine.has(shardUnit(model, runs).key)) : all;
    // Plan first, so that listeners learn how many test cases the profile will run.
    const plans = models.map((model): MachinePlan => {
      const planStarted = performance.now();
      const plan = planPaths(model, {
        declarations,
        ...(options.only ? { only: options.only } : {}),
      });
      return { model, plan, planMs: Math.round(performance.now() - planStarted) };
    });
    const plannedCases = plans.reduce(
      (sum, planned) =>
        sum +
        pathsToRun(options, planned).length +
        (isClaimed(planned.model) && drivableAtStart(planned.model, declarations) ? runs : 0),
      0,
    );
    listener?.onProfileStart?.(profile, plannedCases);
    const machines: MachineResult[] = [];
    for (const planned of plans) {
      if (bail?.after) bail.notRun.push(`${profile.name} ${planned.model.id}: every test`);
      else machines.push(await runMachine(here, planned, seed, declarations, bail));
    }
    const result = profileResult(profile, machines, declarations, options.only);
    listener?.onProfileEnd?.(result);
    return result;
  };
  const jobs = bail ? 1 : Math.min(options.sideBySide?.jobs ?? 1, chosen.length);
  const profiles = (
    jobs > 1 && options.sideBySide
      ? await runSideBySide(
          chosen,
          jobs,
          options.adapter,
          options.sideBySide.open,
          options.listener,
          runProfile,
        )
      : await inTurn(chosen, (unit) => runProfile(unit, options.adapter, options.listener))
  ).filter((result): result is ProfileResult => result !== undefined);
  return {
    adapter: options.adapter.name,
    ...(options.adapterModule ? { adapterModule: options.adapterModule } : {}),
    ...(options.only ? { only: options.only } : {}),
    ...(options.strict ? { strict: true } : {}),
    ...(options.adapter.declarations ? { declarations: options.adapter.declarations } : {}),
    seed,
    runs,
    ...(shard ? { shard } : {}),
    ...(bail?.after ? { bailed: { after: bail.after, notRun: bail.notRun } } : {}),
    profiles,
    // A run that stopped early never claims conformance, whatever it saw before stopping.
    verdict:
      !bail?.after && profiles.every((p) => p.verdict === 'conformant')
        ? 'conformant'
        : 'not-conformant',
    durationMs: Math.round(performance.now() - started),
    ...(options.clock?.kind === 'real'
      ? {
          realTime: realTimeSummary(
            profiles.flatMap((p) =>
              p.machines.flatMap((m) => [...m.pathCases, ...propertyTraces(m.property)]),
            ),
            options.clock.jitterMs,
          ),
        }
      : {}),
  };
}

/**
 * One machine of one profile as a unit of sharding, weighed without planning it: by its
 * declared transitions (planning and path tests grow with them) and its property runs.
 */
function shardUnit(model: MachineModel, runs: number) {
  return {
    key: `${model.profile.name}/${model.id}`,
    weight: isClaimed(model) ? 10 * declaredTransitions(model.machine).length + runs : 0,
  };
}
