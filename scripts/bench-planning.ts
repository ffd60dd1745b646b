/**
 * Planning figures for `npm run bench`: per profile, the abstract graph, the plan's steps and
 * coverage, and the planning time cold and served from the plan cache; the same for profiles
 * with off-grid timers (the worst legal profile is the slowest of them); and `xstate/graph`'s
 * `getAdjacencyMap` over the concrete snapshots, which the planner's own search replaced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAdjacencyMap } from 'xstate/graph';
import referenceAdapter from '../adapters/reference.ts';
import { resolveDeclarations } from '../conformance/declarations.ts';
import { forgetPlansInMemory, type PathPlan, planPaths } from '../conformance/paths.ts';
import { CACHE_DIR_VARIABLE } from '../conformance/plan-cache.ts';
import {
  builtInProfiles,
  createModels,
  defaultProfile,
  explorationEvents,
  type MachineModel,
  type ModelSnapshot,
  type Profile,
  type Timing,
} from '../machines/index.ts';

/** Off-grid values inside the validated ranges, alone and together. */
const ODD_TIMINGS: readonly Partial<Timing>[] = [
  { composingTimeoutMs: 3001 },
  { composingTimeoutMs: 7777 },
  { composingTimeoutMs: 29_999 },
  { revertToleranceMs: 3333 },
  { remoteIdleMs: 6001 },
  { composingTimeoutMs: 7777, revertToleranceMs: 3333 },
  { composingTimeoutMs: 3001, revertToleranceMs: 3333, remoteIdleMs: 6001 },
  { composingTimeoutMs: 7777, revertToleranceMs: 3333, remoteIdleMs: 6001 },
  { composingTimeoutMs: 29_999, revertToleranceMs: 3333, remoteIdleMs: 6001 },
];

const COLD_BAR_MS = 300;
const CACHED_BAR_MS = 50;
const WORST_BAR_MS = 2000;
const WORST_BAR_RATIO = 1.5;

interface Measured {
  readonly label: string;
  readonly plan: PathPlan;
  readonly coldMs: number;
  readonly cachedMs: number;
}

const declarations = resolveDeclarations(referenceAdapter.declarations);

function measure(label: string, model: MachineModel): Measured {
  forgetPlansInMemory();
  let started = performance.now();
  const plan = planPaths(model, { declarations });
  const coldMs = performance.now() - started;
  forgetPlansInMemory();
  started = performance.now();
  planPaths(model, { declarations });
  return { label, plan, coldMs, cachedMs: performance.now() - started };
}

const planned = (plan: PathPlan) => [...plan.transitions.values()].filter((s) => s === 'planned');

function row({ label, plan, coldMs, cachedMs }: Measured): string[] {
  return [
    label,
    String(plan.reachableStates),
    String(plan.edges),
    coldMs.toFixed(0),
    cachedMs.toFixed(1),
    String(plan.totalSteps),
    String(planned(plan).length),
    String(plan.guardGoals.length),
    `${[...plan.situations.values()].filter(Boolean).length}/${plan.situations.size}`,
    String(plan.stepsDisagreeing ?? 0),
    String(plan.notPlanned?.size ?? 0),
  ];
}

const flowOf = (profile: Profile) => createModels(profile)[0] as MachineModel;

/**
 * `getAdjacencyMap` over concrete snapshots, with the planner's exploration events, then for
 * each edge its transitions and outputs, as the planner computed them before its own search.
 */
function adjacencyPeer(model: MachineModel): string[] {
  const started = performance.now();
  const adjacency = getAdjacencyMap(model.machine, {
    events: (snapshot) => explorationEvents(model, snapshot as ModelSnapshot) as never,
    serializeState: (snapshot) => model.serialize(snapshot as ModelSnapshot),
  });
  const graphMs = performance.now() - started;
  let edges = 0;
  for (const { state, transitions } of Object.values(adjacency)) {
    for (const { event } of Object.values(transitions) as { event: unknown }[]) {
      edges++;
      model.transitionsTaken(state as ModelSnapshot, event as never);
      model.step(state as ModelSnapshot, event as never);
    }
  }
  const ms = performance.now() - started;
  return [
    `${model.profile.name} ${model.id}, xstate/graph getAdjacencyMap (concrete; ${graphMs.toFixed(0)} ms for the map, the rest for each edge's transitions and outputs)`,
    String(Object.keys(adjacency).length),
    String(edges),
    ms.toFixed(0),
    ...blank(7),
  ];
}

/** Empty cells, to fill a row whose figures the table's other columns do not have. */
const blank = (count: number): string[] => Array.from({ length: count }, () => '');

/**
 * Runs `measure` with a plan cache directory of its own, removed afterwards, and no plans in
 * memory: plans an earlier run left would make planning look free.
 */
export async function withOwnPlanCache<T>(measure: () => T | Promise<T>): Promise<T> {
  const previous = process.env[CACHE_DIR_VARIABLE];
  const dir = mkdtempSync(join(tmpdir(), 'imflow-bench-plans-'));
  process.env[CACHE_DIR_VARIABLE] = dir;
  forgetPlansInMemory();
  try {
    return await measure();
  } finally {
    if (previous === undefined) delete process.env[CACHE_DIR_VARIABLE];
    else process.env[CACHE_DIR_VARIABLE] = previous;
    forgetPlansInMemory();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The planning table, planned in a cache of its own. */
export function benchPlanning(): Promise<string[][]> {
  return withOwnPlanCache(() => {
    const rows: string[][] = [
      [
        'planning',
        'states',
        'edges',
        'cold ms',
        'cached ms',
        'steps',
        'transitions',
        'guard outcomes',
        'situations',
        'steps disagreeing',
        'not planned',
      ],
    ];
    // One planning first, unmeasured, so that the first row does not pay for compiling the
    // planner and the machines' code: every row then compares plannings alike.
    measure('warm-up', flowOf({ ...defaultProfile, name: 'warm-up' }));
    const builtIn: Measured[] = [];
    for (const profile of builtInProfiles) {
      for (const model of createModels(profile)) {
        if (model.capability && !profile.capabilities[model.capability]) continue;
        builtIn.push(measure(`${profile.name} ${model.id}`, model));
      }
    }
    rows.push(...builtIn.map(row));
    const odd: (Measured & { base: Profile })[] = [];
    for (const base of builtInProfiles) {
      for (const timing of ODD_TIMINGS) {
        const profile = { ...base, timing: { ...base.timing, ...timing } };
        const label = `${base.name} imFlow ${JSON.stringify(timing)}`;
        odd.push({ ...measure(label, flowOf(profile)), base });
      }
    }
    rows.push(...odd.map(row));
    rows.push(adjacencyPeer(flowOf(defaultProfile)));
    const timeOf = (profile: Profile) =>
      builtIn.find((m) => m.label === `${profile.name} imFlow`)?.coldMs ?? Number.NaN;
    const reference = builtIn.find((m) => m.label === `${defaultProfile.name} imFlow`);
    const slowest = (among: typeof odd) => [...among].sort((a, b) => b.coldMs - a.coldMs)[0];
    // The worst legal profile: the default one with any timers, and any built-in one.
    const worstDefault = slowest(odd.filter((m) => m.base === defaultProfile));
    const worstAny = slowest(odd);
    if (reference && worstDefault && worstAny) {
      const bar = (name: string, value: string, target: string, met: boolean) => [
        `bar: ${name}`,
        value,
        target,
        met ? 'met' : 'NOT MET',
        ...blank(7),
      ];
      const worstBar = (worst: (typeof odd)[number], against: string) => {
        const ratio = worst.coldMs / timeOf(worst.base);
        return bar(
          `worst legal profile (${worst.label}) cold, against ${against}`,
          `${worst.coldMs.toFixed(0)} ms, ${ratio.toFixed(2)}×`,
          `≤ ${WORST_BAR_MS} ms, ≤ ${WORST_BAR_RATIO}×`,
          worst.coldMs <= WORST_BAR_MS && ratio <= WORST_BAR_RATIO,
        );
      };
      rows.push(
        bar(
          `${reference.label} cold`,
          `${reference.coldMs.toFixed(0)} ms`,
          `≤ ${COLD_BAR_MS} ms`,
          reference.coldMs <= COLD_BAR_MS,
        ),
        bar(
          `${reference.label} from the cache`,
          `${reference.cachedMs.toFixed(1)} ms`,
          `≤ ${CACHED_BAR_MS} ms`,
          reference.cachedMs <= CACHED_BAR_MS,
        ),
        worstBar(worstDefault, `${defaultProfile.name}, the default`),
        worstBar(worstAny, `${worstAny.base.name}, its own profile`),
      );
    }
    return rows;
  });
}
