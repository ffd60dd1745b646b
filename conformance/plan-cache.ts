/**
 * Plans on disk, so that repeated checks and every Vitest worker reuse them instead of planning
 * again. An entry is keyed by a digest of everything a plan depends on: the machine's
 * definition (with the source text of its guards and actions, and of the functions that offer
 * stimuli), the profile, the adapter's declarations, `--only`, the abstraction and the
 * planner's version. A changed machine thus has another key, and a stale plan is never used.
 *
 * The directory is `IMFLOW_CACHE_DIR` when set (`off` turns the cache off), else
 * `node_modules/.cache/imflow` under the working directory when it has a `node_modules`,
 * else `imflow` in the operating system's temporary directory. Entries that cannot be read
 * or do not have the shape of a plan are ignored and written again; writes go to a temporary
 * file renamed into place, so concurrent writers never leave a half-written entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definitionDigest, type MachineModel, type Stimulus } from '../machines/index.ts';
import type { PathPlan, PlannedPath, PlanStatus } from './paths.ts';

/** Bump when the planner plans differently for the same inputs. */
export const PLANNER_VERSION = 1;

/** The environment variable that names the cache directory, or turns the cache `off`. */
export const CACHE_DIR_VARIABLE = 'IMFLOW_CACHE_DIR';

/** The directory plans are cached in, or undefined when the cache is off. */
export function planCacheDir(): string | undefined {
  const chosen = process.env[CACHE_DIR_VARIABLE];
  if (chosen === 'off') return undefined;
  if (chosen) return chosen;
  const modules = join(process.cwd(), 'node_modules');
  return existsSync(modules) ? join(modules, '.cache', 'imflow') : join(tmpdir(), 'imflow');
}

/** The digest a plan is keyed by: every input it depends on. */
export function planKey(
  model: MachineModel,
  inputs: { planner: string; declarations: string; only: string; abstraction: string },
): string {
  let definition = definitions.get(model.machine);
  if (definition === undefined) {
    definition = definitionDigest([model.machine.config, model.machine.implementations]);
    definitions.set(model.machine, definition);
  }
  return createHash('sha256')
    .update(
      JSON.stringify({
        version: PLANNER_VERSION,
        machine: model.id,
        definition,
        profile: model.profile,
        ...inputs,
      }),
    )
    .digest('hex')
    .slice(0, 32);
}

const definitions = new WeakMap<object, string>();

/**
 * A digest of the text of modules, given relative to `base` without their extension (`.ts`
 * when the kit runs from its sources, `.js` from its build): any edit to them yields another
 * digest. A module that cannot be read counts by its name, so the cache still works when the
 * kit is bundled, only without noticing edits.
 */
export function sourceDigest(base: string, modules: readonly string[]): string {
  const extension = extname(fileURLToPath(base));
  const hash = createHash('sha256');
  for (const module of modules) {
    try {
      hash.update(readFileSync(new URL(`${module}${extension}`, base)));
    } catch {
      hash.update(module);
    }
  }
  return hash.digest('hex');
}

const fileOf = (dir: string, key: string) => join(dir, `plan-${key}.json`);

interface StoredPlan {
  readonly version: number;
  readonly key: string;
  readonly plan: Omit<
    PathPlan,
    'transitions' | 'unsupportedNeeds' | 'situations' | 'stimulusTypes' | 'notPlanned'
  > & {
    readonly transitions: [string, PlanStatus][];
    readonly unsupportedNeeds: [string, readonly string[]][];
    readonly situations: [string, boolean][];
    readonly stimulusTypes: string[];
    readonly notPlanned: [string, string][];
  };
}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isPairs = (value: unknown, second: (item: unknown) => boolean): boolean =>
  Array.isArray(value) &&
  value.every(
    (pair) =>
      Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && second(pair[1]),
  );

const isPath = (value: unknown): value is PlannedPath => {
  if (typeof value !== 'object' || value === null) return false;
  const path = value as Record<string, unknown>;
  return (
    typeof path.name === 'string' &&
    Array.isArray(path.stimuli) &&
    path.stimuli.every(
      (stimulus) =>
        typeof stimulus === 'object' &&
        stimulus !== null &&
        typeof (stimulus as { type?: unknown }).type === 'string',
    ) &&
    isStringArray(path.covers) &&
    isStringArray(path.reaches)
  );
};

/** The stored plan, if the entry is there and has the shape of one with this key. */
function parse(text: string, key: string, machine: MachineModel['id']): PathPlan | undefined {
  const stored = JSON.parse(text) as Partial<StoredPlan>;
  const plan = stored?.plan as Partial<StoredPlan['plan']> | undefined;
  if (stored?.version !== PLANNER_VERSION || stored.key !== key || !plan) return undefined;
  const counts = [plan.reachableStates, plan.edges, plan.totalSteps, plan.stepsDisagreeing];
  if (
    plan.machine !== machine ||
    !Array.isArray(plan.paths) ||
    !plan.paths.every(isPath) ||
    !counts.every((count) => typeof count === 'number' && Number.isFinite(count)) ||
    !isPairs(plan.transitions, (status) => typeof status === 'string') ||
    !isPairs(plan.unsupportedNeeds, isStringArray) ||
    !isPairs(plan.situations, (reached) => typeof reached === 'boolean') ||
    !isPairs(plan.notPlanned, (reason) => typeof reason === 'string') ||
    !isStringArray(plan.stimulusTypes) ||
    !isStringArray(plan.guardGoals) ||
    !isStringArray(plan.repaired)
  )
    return undefined;
  return {
    machine,
    paths: plan.paths.map((path) => ({ ...path, stimuli: path.stimuli as Stimulus[] })),
    transitions: new Map(plan.transitions),
    unsupportedNeeds: new Map(plan.unsupportedNeeds),
    guardGoals: plan.guardGoals,
    situations: new Map(plan.situations),
    stimulusTypes: new Set(plan.stimulusTypes),
    reachableStates: plan.reachableStates as number,
    edges: plan.edges as number,
    totalSteps: plan.totalSteps as number,
    notPlanned: new Map(plan.notPlanned),
    stepsDisagreeing: plan.stepsDisagreeing as number,
    repaired: plan.repaired,
  };
}

/** The cached plan for `key`, or undefined when there is none that can be trusted. */
export function readCachedPlan(model: MachineModel, key: string): PathPlan | undefined {
  const dir = planCacheDir();
  if (!dir) return undefined;
  try {
    return parse(readFileSync(fileOf(dir, key), 'utf8'), key, model.id);
  } catch {
    // Missing, unreadable or not JSON: plan again, and the entry is written afresh.
    return undefined;
  }
}

/** Stores a plan; a cache that cannot be written only costs the next run its planning. */
export function writeCachedPlan(key: string, plan: PathPlan): void {
  const dir = planCacheDir();
  if (!dir) return;
  const stored: StoredPlan = {
    version: PLANNER_VERSION,
    key,
    plan: {
      ...plan,
      transitions: [...plan.transitions],
      unsupportedNeeds: [...plan.unsupportedNeeds],
      situations: [...plan.situations],
      stimulusTypes: [...plan.stimulusTypes],
      notPlanned: [...(plan.notPlanned ?? [])],
      stepsDisagreeing: plan.stepsDisagreeing ?? 0,
      repaired: plan.repaired ?? [],
    },
  };
  const file = fileOf(dir, key);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(stored));
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}
