import type { CAC } from 'cac';
import type { Adapter } from '../../conformance/adapter.ts';
import { AdapterLoadError, adapterProfile } from '../../conformance/load-adapter.ts';
import {
  createReporters,
  parseReporterNames,
  type Reporter,
  UnknownReporterError,
  withReporters,
} from '../../conformance/reporters/index.ts';
import type { SuiteResult } from '../../conformance/results.ts';
import { DEFAULT_RUNS, runSuite, type SuiteListener } from '../../conformance/suite.ts';
import {
  builtInProfiles,
  createModels,
  defaultProfile,
  findBuiltInProfile,
  type Profile,
  type RequirementGroup,
  requirements,
} from '../../machines/index.ts';
import { htmlReporter } from '../../report/html.ts';
import { guardProcess } from '../guard.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import {
  adapterOption,
  integerOption,
  limitsOption,
  list,
  single,
  strictOption,
} from '../options.ts';
import { resolveProfiles } from '../profile-option.ts';

interface CheckOptions {
  adapter?: unknown;
  profile?: unknown;
  seed?: unknown;
  runs?: unknown;
  only?: unknown;
  machine?: unknown;
  path?: unknown;
  reporter?: unknown;
  out?: unknown;
  stepTimeout?: unknown;
  strict?: unknown;
}

const MACHINES = createModels(defaultProfile).map((model) => ({
  id: model.id,
  groups: model.groups,
}));
const GROUPS = [...new Set(requirements.map((r) => r.group))];
const MAX_SEED = 2 ** 31 - 1;
/** The kit's reporters, and those outside it that draw on more than the kit (the diagrams). */
const REPORTERS = withReporters({ html: htmlReporter });

function onlyOption(value: unknown): RequirementGroup | undefined {
  const only = single('only', value);
  if (only === undefined) return undefined;
  if (!GROUPS.includes(only as RequirementGroup)) {
    throw new UsageError(`Unknown requirement group "${only}". Groups: ${GROUPS.join(', ')}.`);
  }
  return only as RequirementGroup;
}

function machineOption(value: unknown, only: RequirementGroup | undefined) {
  const machine = single('machine', value);
  if (machine === undefined) return undefined;
  const found = MACHINES.find((m) => m.id === machine);
  if (!found) {
    throw new UsageError(
      `Unknown machine "${machine}". Machines: ${MACHINES.map((m) => m.id).join(', ')}.`,
    );
  }
  if (only && !found.groups.includes(only)) {
    throw new UsageError(
      `The machine ${found.id} has no tests of the group ${only}; its groups: ${found.groups.join(', ')}.`,
    );
  }
  return found.id;
}

/**
 * `--profile` when given, else the profile the adapter declares. A profile name the adapter
 * declares itself (a custom profile object) is accepted too, so replay commands work for it.
 */
async function profilesFor(adapter: Adapter, option: unknown): Promise<Profile[]> {
  const name = single('profile', option);
  if (name === undefined) {
    try {
      return [adapterProfile(adapter)];
    } catch (error) {
      if (error instanceof AdapterLoadError) throw new UsageError(error.message);
      throw error;
    }
  }
  if (name !== 'all' && !findBuiltInProfile(name) && !name.endsWith('.json')) {
    let own: Profile | undefined;
    try {
      own = adapterProfile(adapter);
    } catch {
      own = undefined;
    }
    if (own?.name === name) return [own];
  }
  return resolveProfiles(name);
}

function reportersOption(value: unknown): string[] {
  try {
    const names = parseReporterNames(list(value), REPORTERS);
    return names.length > 0 ? names : ['console'];
  } catch (error) {
    if (error instanceof UnknownReporterError) throw new UsageError(error.message);
    throw error;
  }
}

/** One listener that forwards each hook to every reporter. */
function fanOut(reporters: readonly Reporter[], onCase: () => void): SuiteListener {
  return {
    onProfileStart: (profile, planned) => {
      for (const r of reporters) r.onProfileStart?.(profile, planned);
    },
    onCaseEnd: (trace) => {
      onCase();
      for (const r of reporters) r.onCaseEnd?.(trace);
    },
    onProfileEnd: (result) => {
      for (const r of reporters) r.onProfileEnd?.(result);
    },
  };
}

export function registerCheck(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command('check', 'Check an implementation against the model, through its adapter')
    .option(
      '--adapter <module>',
      'Adapter module (.ts, .mts, .js, .mjs), relative to the current directory (default: the bundled reference adapter)',
    )
    .option(
      '--profile <profile>',
      `Profile to check: ${builtInProfiles.map((p) => p.name).join(', ')}, all, or a .json file (default: the adapter's profile)`,
    )
    .option('--seed <n>', 'Seed of the property tests (default: random, always reported)')
    .option(
      '--runs <n>',
      `Property-test runs per machine; 0 runs only the path tests (default: ${DEFAULT_RUNS})`,
    )
    .option('--only <group>', `Only the tests of one requirement group: ${GROUPS.join(', ')}`)
    .option(
      '--strict',
      'Advisories (departures from should-rules the model allows) fail, for UCMA-exact behaviour',
    )
    .option('--machine <machine>', `Only one machine: ${MACHINES.map((m) => m.id).join(', ')}`)
    .option('--path <path>', 'Replay one property counterexample (with --machine and --seed)')
    .option(
      '--reporter <name>',
      `Reporters: ${Object.keys(REPORTERS).join(', ')}; repeat or separate with commas (default: console)`,
    )
    .option('--out <dir>', 'Directory for report files', { default: 'reports' })
    .option('--step-timeout <ms>', 'Real milliseconds one adapter call may take (default: 5000)')
    .example('imflow check --adapter ./my-adapter.ts --profile all --reporter console,junit')
    .action(async (options: CheckOptions) => {
      // Every option is checked before anything is loaded or run.
      const seed = integerOption('seed', options.seed, { min: 0, max: MAX_SEED, what: 'a seed' });
      const runs = integerOption('runs', options.runs, {
        min: 0,
        max: 1_000_000,
        what: 'a number of runs',
      });
      const only = onlyOption(options.only);
      const strict = strictOption(options.strict);
      const machine = machineOption(options.machine, only);
      const path = single('path', options.path);
      if (path !== undefined) {
        if (!/^\d+(:\d+)*(@[A-Za-z0-9+/]*:[A-Za-z0-9+/]*)?$/.test(path)) {
          throw new UsageError(
            `--path must be the replay path a property failure printed, such as "3:1:0@BCF:F", got "${path}".`,
          );
        }
        if (machine === undefined || seed === undefined) {
          throw new UsageError(
            '--path replays one property counterexample: give --machine and --seed with it.',
          );
        }
      }
      const names = reportersOption(options.reporter);
      const outDir = single('out', options.out) ?? 'reports';
      const limits = limitsOption(options.stepTimeout);
      const { adapter, module } = await adapterOption(options.adapter);
      const profiles = await profilesFor(adapter, options.profile);

      // Reporters that write files finish first, so the console's verdict is the last line.
      const reporters = createReporters(names, { io, outDir }, REPORTERS);
      const ordered = names
        .map((name, index) => ({ name, reporter: reporters[index] as Reporter }))
        .sort((a, b) => Number(a.name === 'console') - Number(b.name === 'console'));
      const runSeed = seed ?? Math.floor(Math.random() * MAX_SEED);
      const runRuns = runs ?? DEFAULT_RUNS;
      for (const { reporter } of ordered) {
        reporter.onRunStart?.({
          adapter: adapter.name,
          ...(module ? { adapterModule: module } : {}),
          profiles,
          seed: runSeed,
          runs: runRuns,
          ...(only ? { only } : {}),
          ...(strict ? { strict } : {}),
          ...(machine ? { machine } : {}),
          ...(path ? { path } : {}),
        });
      }

      const guard = guardProcess();
      let cases = 0;
      let result: SuiteResult;
      try {
        result = await runSuite({
          adapter,
          ...(module ? { adapterModule: module } : {}),
          profiles,
          seed: runSeed,
          runs: runRuns,
          ...(typeof options.profile === 'string' && options.profile.endsWith('.json')
            ? { profileArgument: options.profile }
            : {}),
          ...(only ? { only } : {}),
          ...(strict ? { strict } : {}),
          ...(machine ? { machine } : {}),
          ...(path ? { path, propertiesOnly: true } : {}),
          ...(limits ? { limits } : {}),
          listener: fanOut(reporters, () => {
            cases++;
            guard.where = `after test case ${cases}`;
          }),
        });
      } finally {
        await guard.release();
      }
      const notes = [...guard.notes];
      if (notes.length > 0) {
        result = {
          ...result,
          verdict: 'not-conformant',
          notes: [...(result.notes ?? []), ...notes],
        };
      }

      for (const { name, reporter } of ordered) {
        try {
          await reporter.onRunEnd?.(result);
        } catch (error) {
          io.err(`imflow: the ${name} reporter failed: ${(error as Error).message}`);
          done(EXIT.usage);
          return;
        }
      }
      if (!names.includes('console')) {
        io.out(`imflow: ${result.verdict === 'conformant' ? 'CONFORMANT' : 'NOT CONFORMANT'}`);
      }
      done(result.verdict === 'conformant' ? EXIT.ok : EXIT.notConformant);
    });
}
