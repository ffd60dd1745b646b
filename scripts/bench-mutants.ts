/**
 * The mutant figures of `npm run bench`: how long the kit takes to kill a mutant (planning
 * shared across mutants included), how a naive generator does on the same oracle with the same
 * wall time, whether the kit keeps its kills with a third of its property runs, and how much
 * modelled time a whole check covers per second of wall time. Returns table rows; compare
 * figures within one run, not across machines.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import referenceAdapter from '../adapters/reference.ts';
import { CaseRun } from '../conformance/case-run.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import { planPaths } from '../conformance/paths.ts';
import { DEFAULT_RUNS, runSuite } from '../conformance/suite.ts';
import type { Trace } from '../conformance/trace.ts';
import {
  builtInProfiles,
  createModels,
  findBuiltInProfile,
  type MachineModel,
  type ModelSnapshot,
  type Profile,
} from '../machines/index.ts';
import { materialise, patchSetOf } from '../mutants/apply.ts';
import { type Mutant, mutants } from '../mutants/catalogue.ts';
import { blamedBy, killTarget, runMutant } from '../mutants/kill.ts';
import { withOwnPlanCache } from './bench-planning.ts';

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const profileOf = (mutant: Mutant) => findBuiltInProfile(mutant.profile) as Profile;

/** The machine a mutant's kill runs (see `killTarget`). */
function machineOf(mutant: Mutant): MachineModel {
  const profile = profileOf(mutant);
  const { machine } = killTarget(mutant, profile);
  return createModels(profile).find((model) => model.id === machine) as MachineModel;
}

/**
 * A naive generator on the kit's own oracle: uniform choices among the stimuli the model
 * offers (as the adapter can drive them) and random clock advances, no plan, no aim at
 * deadlines, until a failing step names the mutant's rule or the time is up.
 */
async function naiveKill(mutant: Mutant, budgetMs: number, seed: number): Promise<boolean> {
  const { adapter, cleanup } = await materialise(patchSetOf(mutant));
  try {
    const model = machineOf(mutant);
    const declarations = resolveDeclarations(adapter.declarations);
    const timing = model.profile.timing;
    const longest = Math.max(
      timing.composingTimeoutMs,
      timing.refreshPeriodMs,
      timing.remoteIdleMs,
    );
    const command = fc.oneof(
      fc.nat({ max: 63 }).map((choice) => ({ choice })),
      fc.integer({ min: 1, max: longest + timing.revertToleranceMs + 1 }).map((ms) => ({ ms })),
    );
    const drivable = (snapshot: ModelSnapshot) =>
      model
        .stimuli(snapshot)
        .filter((stimulus) => declarations.supported(stimulus, model.queries(snapshot)));
    const property = fc.asyncProperty(fc.array(command, { maxLength: 60 }), async (commands) => {
      const run = await CaseRun.start({
        adapter,
        model,
        name: 'naive',
        origin: 'property',
        declarations,
        ...(mutant.strict ? { strict: true } : {}),
      });
      try {
        for (const next of commands) {
          const options = drivable(run.snapshot);
          const stimulus =
            'ms' in next
              ? ({ type: 'clock.advance', ms: next.ms } as const)
              : options[next.choice % Math.max(1, options.length)];
          if (!stimulus) continue;
          if (!(await run.step(stimulus))) break;
        }
      } finally {
        await run.close();
      }
      return !blamedBy(run.trace()).includes(mutant.requirement);
    });
    const details = await fc.check(property, {
      seed,
      numRuns: Number.MAX_SAFE_INTEGER,
      interruptAfterTimeLimit: Math.max(1, Math.round(budgetMs)),
      endOnFailure: true,
    });
    return details.failed && !details.interrupted;
  } finally {
    await cleanup();
  }
}

/** Modelled time of a case: the clock advances it applied. */
const modelledMs = (trace: Trace) =>
  trace.steps.reduce(
    (sum, step) => sum + (step.stimulus.type === 'clock.advance' ? step.stimulus.ms : 0),
    0,
  );

const QUIET_MS = 3_600_000;

/**
 * A whole check of every built-in profile, as `npm run check` runs it, in a process of its own
 * so that no plan of this one is reused: its modelled time (and the part spent in quiet
 * periods) and its wall time.
 */
async function modelledInChild(): Promise<{ modelled: number; quiet: number; wallMs: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--modelled'],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) as string);
}

async function measureModelled() {
  let modelled = 0;
  let quiet = 0;
  const started = performance.now();
  await runSuite({
    adapter: referenceAdapter,
    profiles: builtInProfiles,
    seed: 1,
    listener: {
      onCaseEnd: (trace) => {
        modelled += modelledMs(trace);
        for (const step of trace.steps)
          if (step.stimulus.type === 'clock.advance' && step.stimulus.ms >= QUIET_MS)
            quiet += step.stimulus.ms;
      },
    },
  });
  return { modelled, quiet, wallMs: performance.now() - started };
}

if (process.argv.includes('--modelled') && process.argv[1] === fileURLToPath(import.meta.url))
  console.log(JSON.stringify(await measureModelled()));

/** The mutant table, its plans made afresh so that the planning share is what it costs. */
export function benchMutants(): Promise<string[][]> {
  return withOwnPlanCache(benchMutantsPlannedAfresh);
}

async function benchMutantsPlannedAfresh(): Promise<string[][]> {
  const declarations = resolveDeclarations(referenceAdapter.declarations);
  // Planning once per machine the kills need, timed apart: every kill after it reuses the plan.
  const needed = new Map<string, MachineModel>();
  for (const mutant of mutants) {
    const model = machineOf(mutant);
    needed.set(`${model.profile.name}/${model.id}`, model);
  }
  const started = performance.now();
  for (const model of needed.values()) planPaths(model, { declarations });
  const planMs = performance.now() - started;
  const killable = mutants.filter((mutant) => !mutant.knownKitGap);

  const kills = async (runs: number) => {
    const results = [];
    for (const mutant of killable) results.push(await runMutant(mutant, { seed: 1, runs }));
    return results;
  };
  const kit = await kills(DEFAULT_RUNS);
  const share = planMs / killable.length;
  const killMs = kit.map((result) => result.durationMs + share);
  const named = kit.filter((result) => result.killed && result.namesItsRequirement).length;
  const third = Math.round(DEFAULT_RUNS / 3);
  const kitThird = await kills(third);
  const namedThird = kitThird.filter((r) => r.killed && r.namesItsRequirement).length;

  // The naive generator gets, mutant by mutant, the wall time the kit took on it.
  let naive = 0;
  for (const [index, mutant] of killable.entries())
    if (await naiveKill(mutant, killMs[index] as number, 1)) naive++;

  const { modelled, quiet, wallMs } = await modelledInChild();
  const ratio = modelled / wallMs;
  const missedThird = kitThird.filter((r) => !(r.killed && r.namesItsRequirement)).map((r) => r.id);
  const hours = (ms: number) => `${(ms / 3_600_000).toFixed(0)} h`;
  return [
    ['mutant figure', 'value', 'bar'],
    [
      'median ms to kill a mutant, planning share included',
      `${median(killMs).toFixed(0)} (planning ${planMs.toFixed(0)} ms over ${killable.length} = ${share.toFixed(0)} each)`,
      '≤ 50',
    ],
    ['kit kills (named) at the default runs', `${named}/${killable.length}`, 'all'],
    [
      `kit kills (named) at ⅓ of the runs (${third})`,
      `${namedThird}/${killable.length}${missedThird.length > 0 ? ` (missed: ${missedThird.join(', ')})` : ''}`,
      'all',
    ],
    [
      'kit median ms to kill at ⅓ of the runs, planning share included',
      median(kitThird.map((r) => r.durationMs + share)).toFixed(0),
      'print',
    ],
    [
      'kit kills ÷ naive generator kills, same wall time per mutant',
      `${named} ÷ ${naive} = ${(named / Math.max(1, naive)).toFixed(2)}`,
      'print',
    ],
    [
      'modelled ÷ wall time, check of every profile',
      `${ratio.toExponential(1)} (${hours(modelled)} in ${(wallMs / 1000).toFixed(1)} s)`,
      '≥ 1e4',
    ],
    [
      'the same without the quiet periods (advances of an hour or more)',
      `${((modelled - quiet) / wallMs).toExponential(1)} (${hours(modelled - quiet)})`,
      'print',
    ],
  ];
}
