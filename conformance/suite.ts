import {
  createModels,
  declaredStates,
  declaredTransitions,
  type MachineModel,
  type Profile,
  type RequirementGroup,
  requirements,
} from '../machines/index.ts';
import type { Adapter } from './adapter.ts';
import { CaseRun, type Limits } from './case-run.ts';
import { type PathPlan, planPaths } from './paths.ts';
import { type PropertyResult, runProperty } from './properties.ts';
import type {
  InconclusiveCause,
  MachineCoverage,
  MachineResult,
  ProfileResult,
  RequirementVerdict,
  SuiteResult,
  TransitionCoverage,
} from './results.ts';
import { type Shard, shardKeys } from './shard.ts';
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
  /**
   * What replay commands pass as `--profile`: the profile's name by default, which names
   * built-in profiles; a run whose profile came from a file passes the file's path.
   */
  readonly profileArgument?: string;
  /** Run only this share of the machines (`--shard i/n`); see `shard.ts`. */
  readonly shard?: Shard;
}

export const DEFAULT_RUNS = 100;

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
  planned: ReturnType<typeof planPaths>,
  alsoTaken: readonly string[] = [],
): MachineCoverage {
  const taken = new Set<string>(alsoTaken);
  const failed = new Set<string>();
  const visited = new Set<string>();
  for (const trace of traces) {
    let snapshot = model.initial();
    for (const state of model.activeStates(snapshot)) visited.add(state);
    for (const step of trace.steps) {
      for (const id of step.transitions) (step.verdict === 'pass' ? taken : failed).add(id);
      if (step.verdict !== 'pass') break;
      // Replaying the model along the recorded branch gives the states the step visited.
      for (const event of step.branch ?? [step.stimulus.type]) {
        const move = event === step.stimulus.type ? step.stimulus : { type: event as 'sut.revert' };
        snapshot = model.step(snapshot, move).snapshot;
      }
      for (const state of model.activeStates(snapshot)) visited.add(state);
    }
  }
  const transitions: Record<string, TransitionCoverage> = {};
  for (const { meta } of declaredTransitions(model.machine)) {
    const planStatus = planned.transitions.get(meta.id);
    // A transition taken where a test failed is shown failed, wherever else it passed.
    transitions[meta.id] = failed.has(meta.id)
      ? 'failed'
      : taken.has(meta.id)
        ? 'covered'
        : planStatus === 'not-claimed'
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
  return {
    states: {
      total: states.length,
      covered: states.filter((s) => visited.has(s)).length,
      uncovered: states.filter((s) => !visited.has(s)),
    },
    transitions,
  };
}

function groupFilter(only: RequirementGroup | undefined) {
  const ids = new Set(requirements.filter((r) => !only || r.group === only).map((r) => r.id));
  return (requirementIds: readonly string[]) => requirementIds.some((id) => ids.has(id));
}

interface MachinePlan {
  readonly model: MachineModel;
  readonly plan: PathPlan;
  readonly planMs: number;
}

function isClaimed(model: MachineModel): boolean {
  return !model.capability || model.profile.capabilities[model.capability];
}

/** The planned paths this run executes: none when only properties run, else those of the group. */
function pathsToRun(options: SuiteOptions, { model, plan }: MachinePlan) {
  if (options.propertiesOnly || !isClaimed(model)) return [];
  if (!options.only) return plan.paths;
  const inGroup = groupFilter(options.only);
  const metaById = new Map(declaredTransitions(model.machine).map((t) => [t.meta.id, t.meta]));
  return plan.paths.filter((path) =>
    path.covers.some((id) => inGroup(metaById.get(id)?.requirements ?? [])),
  );
}

async function runMachine(
  options: SuiteOptions,
  planned: MachinePlan,
  seed: number,
): Promise<MachineResult> {
  const started = performance.now();
  const { model, plan, planMs } = planned;
  const base = {
    machine: model.id,
    title: model.title,
    plan: {
      paths: plan.paths.length,
      totalSteps: plan.totalSteps,
      transitions: plan.transitions.size,
      reachableStates: plan.reachableStates,
      planMs,
    },
  };
  if (!isClaimed(model)) {
    return {
      ...base,
      status: 'not-claimed',
      pathCases: [],
      coverage: coverageOf(model, [], plan),
      durationMs: 0,
    };
  }
  const pathCases: Trace[] = [];
  for (const path of pathsToRun(options, planned)) {
    const run = await CaseRun.start({
      adapter: options.adapter,
      model,
      name: path.name,
      origin: 'path',
      ...(options.limits ? { limits: options.limits } : {}),
    });
    for (const stimulus of path.stimuli) {
      if (!(await run.step(stimulus))) break;
    }
    await run.close();
    const trace = run.trace(`npx imflow replay <trace.json>${adapterFlag(options)}`);
    pathCases.push(trace);
    options.listener?.onCaseEnd?.(trace);
  }
  let property: PropertyResult | undefined;
  const runs = options.runs ?? DEFAULT_RUNS;
  if (runs > 0) {
    property = await runProperty({
      adapter: options.adapter,
      model,
      runs,
      seed,
      ...(options.path ? { path: options.path } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      replayCommand: (s, p) => replayCommand(options, model.profile, model.id, s, p),
      ...(options.listener?.onCaseEnd ? { onCase: options.listener.onCaseEnd } : {}),
    });
  }
  const traces = [...pathCases, ...(property?.failure ? [property.failure.trace] : [])];
  return {
    ...base,
    status: 'run',
    pathCases,
    ...(property ? { property } : {}),
    coverage: coverageOf(model, traces, plan, property?.covered),
    durationMs: Math.round(performance.now() - started) + planMs,
  };
}

function requirementVerdicts(
  profile: Profile,
  machines: readonly MachineResult[],
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
  for (const machine of machines) {
    const model = models.find((m) => m.id === machine.machine);
    const metaById = new Map(
      model ? declaredTransitions(model.machine).map((t) => [t.meta.id, t.meta]) : [],
    );
    const traces = [
      ...machine.pathCases,
      ...(machine.property?.failure ? [machine.property.failure.trace] : []),
    ];
    for (const trace of traces) {
      for (const step of trace.steps) {
        if (step.verdict === 'pass') {
          for (const id of step.transitions)
            for (const req of metaById.get(id)?.requirements ?? []) add(exercised, req, trace.name);
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
  return requirements
    .filter((requirement) => !only || requirement.group === only)
    .map((requirement) => {
      const tests = [...(exercised.get(requirement.id) ?? [])];
      const failures = [...(failing.get(requirement.id) ?? [])];
      if (requirement.untestable)
        return {
          requirement,
          verdict: 'untestable',
          tests,
          failures,
          reason: requirement.untestable,
        };
      if (failures.length > 0) return { requirement, verdict: 'fail', tests, failures };
      if (tests.length > 0) return { requirement, verdict: 'pass', tests, failures };
      const cause: InconclusiveCause = unclaimed.has(requirement.id)
        ? 'not-claimed'
        : unreached.has(requirement.id)
          ? 'not-reached'
          : 'not-run';
      return {
        requirement,
        verdict: 'inconclusive',
        cause,
        tests,
        failures,
        reason: INCONCLUSIVE_REASONS[cause],
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
  only: RequirementGroup | undefined,
): ProfileResult {
  const verdicts = requirementVerdicts(profile, machines, only);
  const failed =
    verdicts.some((v) => v.verdict === 'fail') ||
    machines.some(
      (m) => m.pathCases.some((c) => c.verdict === 'fail') || (m.property && !m.property.passed),
    );
  return {
    profile,
    machines,
    requirements: verdicts,
    verdict: failed ? 'not-conformant' : 'conformant',
  };
}

/** Runs path tests and property tests of every machine, for every profile. */
export async function runSuite(options: SuiteOptions): Promise<SuiteResult> {
  const started = performance.now();
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const runs = options.runs ?? DEFAULT_RUNS;
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
  const profiles: ProfileResult[] = [];
  for (const { profile, models: all } of chosen) {
    // A shard keeps every profile, with only its own machines, so that merging keeps the order.
    const models = mine ? all.filter((model) => mine.has(shardUnit(model, runs).key)) : all;
    // Plan first, so that listeners learn how many test cases the profile will run.
    const plans = models.map((model): MachinePlan => {
      const planStarted = performance.now();
      const plan = planPaths(model);
      return { model, plan, planMs: Math.round(performance.now() - planStarted) };
    });
    const plannedCases = plans.reduce(
      (sum, planned) =>
        sum + pathsToRun(options, planned).length + (isClaimed(planned.model) ? runs : 0),
      0,
    );
    options.listener?.onProfileStart?.(profile, plannedCases);
    const machines: MachineResult[] = [];
    for (const planned of plans) machines.push(await runMachine(options, planned, seed));
    const result = profileResult(profile, machines, options.only);
    options.listener?.onProfileEnd?.(result);
    profiles.push(result);
  }
  return {
    adapter: options.adapter.name,
    ...(options.adapterModule ? { adapterModule: options.adapterModule } : {}),
    ...(options.only ? { only: options.only } : {}),
    seed,
    runs,
    ...(shard ? { shard } : {}),
    profiles,
    verdict: profiles.every((p) => p.verdict === 'conformant') ? 'conformant' : 'not-conformant',
    durationMs: Math.round(performance.now() - started),
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
