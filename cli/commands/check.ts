import { availableParallelism } from 'node:os';
import type { CAC } from 'cac';
import type { Adapter } from '../../conformance/adapter.ts';
import { DEFAULT_JITTER_MS } from '../../conformance/case-run.ts';
import { DEFAULT_HOST_MEMORY_MB } from '../../conformance/isolation/commands.ts';
import { AdapterLoadError, adapterProfile } from '../../conformance/load-adapter.ts';
import {
  createReporters,
  parseReporterNames,
  type Reporter,
  UnknownReporterError,
  withReporters,
} from '../../conformance/reporters/index.ts';
import { progressReporter } from '../../conformance/reporters/progress.ts';
import type { SuiteResult } from '../../conformance/results.ts';
import { parseShard, type Shard } from '../../conformance/shard.ts';
import { DEFAULT_RUNS, runSuite, type SuiteListener } from '../../conformance/suite.ts';
import { onTheWire } from '../../conformance/wire/wire-adapter.ts';
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
import { openAdapter } from '../adapter-source.ts';
import { guardProcess } from '../guard.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import {
  clockOption,
  flagOption,
  integerOption,
  limitsOption,
  list,
  REFERENCE_SIP_ADAPTER,
  single,
  strictOption,
} from '../options.ts';
import { prepareOutDir } from '../out-dir.ts';
import { resolveProfiles } from '../profile-option.ts';
import { Capture, checkWritable, wireOption } from '../wire-option.ts';

interface CheckOptions {
  adapter?: unknown;
  adapterCommand?: unknown;
  inProcess?: unknown;
  adapterMemory?: unknown;
  profile?: unknown;
  seed?: unknown;
  runs?: unknown;
  only?: unknown;
  machine?: unknown;
  path?: unknown;
  reporter?: unknown;
  out?: unknown;
  stepTimeout?: unknown;
  shard?: unknown;
  strict?: unknown;
  bail?: unknown;
  jobs?: unknown;
  clock?: unknown;
  jitterMs?: unknown;
  wire?: unknown;
  endpoint?: unknown;
  pcap?: unknown;
}

const MACHINES = createModels(defaultProfile).map((model) => ({
  id: model.id,
  groups: model.groups,
}));
const GROUPS = [...new Set(requirements.map((r) => r.group))];
const MAX_SEED = 2 ** 31 - 1;
/**
 * One host per core, at least two: while one host works, the kit judges another profile's
 * step. The kit's own thread is the bottleneck beyond that: on 2 cores, `check --profile all`
 * took 2.75 s with two hosts and 2.82 s with three (mean of 6 runs each, in turn). Each host
 * costs memory and a start, and more than 4 gains nothing with three built-in profiles.
 */
const DEFAULT_JOBS = Math.min(4, Math.max(2, availableParallelism()));
/**
 * In real time every run lasts the time it models (a composing run, tens of seconds), so the
 * property tests draw this many runs per machine unless `--runs` is given.
 */
export const REAL_TIME_RUNS = 5;
/** Path cases of one machine run at once in real time, where a case mostly waits. */
const REAL_TIME_CASES_AT_ONCE = 8;

/** `--jobs`: how many profiles run at once. */
function jobsOption(value: unknown, inProcess: boolean): number {
  const jobs = integerOption('jobs', value, { min: 1, max: 64, what: 'a number of jobs' });
  if (jobs !== undefined && jobs > 1 && inProcess) {
    throw new UsageError(
      '--jobs runs profiles side by side in adapter processes of their own; an --in-process adapter runs one profile at a time, so drop --jobs or --in-process.',
    );
  }
  return jobs ?? (inProcess ? 1 : DEFAULT_JOBS);
}
/** The kit's reporters, and those outside it that draw on more than the kit (the diagrams). */
export const REPORTERS = withReporters({ html: htmlReporter });

function shardOption(value: unknown): Shard | undefined {
  const text = single('shard', value);
  if (text === undefined) return undefined;
  const shard = parseShard(text);
  if (!shard) {
    throw new UsageError(
      `--shard must be i/n, shard i of n counted from 1 (such as 2/3), got "${text}".`,
    );
  }
  return shard;
}

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

export function reportersOption(value: unknown): string[] {
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
      '--adapter-command <command>',
      'Command that starts an adapter in any language speaking the adapter protocol (docs/protocol.md)',
    )
    .option(
      '--in-process',
      'Run the --adapter module inside the kit process instead of a host process of its own',
    )
    .option(
      '--adapter-memory <MiB>',
      `Heap limit of an --adapter module's host process, in MiB (default: ${DEFAULT_HOST_MEMORY_MB})`,
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
    .option(
      '--bail',
      'Stop at the first failing test case; the report lists what was not run, and the run is never conformant',
    )
    .option('--machine <machine>', `Only one machine: ${MACHINES.map((m) => m.id).join(', ')}`)
    .option('--path <path>', 'Replay one property counterexample (with --machine and --seed)')
    .option(
      '--reporter <name>',
      `Reporters: ${Object.keys(REPORTERS).join(', ')}; repeat or separate with commas (default: console)`,
    )
    .option('--out <dir>', 'Directory for report files', { default: 'reports' })
    .option(
      '--clock <clock>',
      `How time passes: virtual (the kit moves the implementation's clock) or real (the implementation keeps its own; ${REAL_TIME_RUNS} property runs by default) (default: virtual)`,
    )
    .option(
      '--jitter-ms <ms>',
      `With --clock real: how long after its instant an output still counts as on time (default: ${DEFAULT_JITTER_MS})`,
    )
    .option(
      '--wire <binding>',
      'Check on the wire: sip, where the kit plays the remote participant over real SIP on loopback and observes the wire (implies --clock real; default adapter: the reference on SIP)',
    )
    .option(
      '--endpoint <uri>',
      'With --wire sip: the SIP URI the implementation listens on, sip:USER@127.0.0.1:PORT (;transport=tcp for TCP)',
    )
    .option('--pcap <file>', 'With --wire: write what crossed the wire to a pcap file')
    .option('--step-timeout <ms>', 'Real milliseconds one adapter call may take (default: 5000)')
    .option(
      '--jobs <n>',
      `Profiles checked at once, each with an adapter process of its own; reports keep the profiles' order (default: one per core, from 2 to 4; 1 with --in-process or --bail)`,
    )
    .option(
      '--shard <i/n>',
      'Run shard i of n: a deterministic share of the machines to check (needs --seed; adds the json reporter, for imflow merge-reports)',
    )
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
      const bail = flagOption('bail', options.bail, 'it stops the check at the first failure');
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
      const shard = shardOption(options.shard);
      if (shard && path !== undefined) {
        throw new UsageError('--path replays one counterexample: it cannot be sharded.');
      }
      if (shard && seed === undefined) {
        throw new UsageError(
          '--shard needs --seed: every shard of a run must draw the same property tests, so give them all the same seed.',
        );
      }
      const reporterNames = reportersOption(options.reporter);
      // A shard's result is only useful merged, and merging reads the JSON report.
      const names =
        shard && !reporterNames.includes('json') ? [...reporterNames, 'json'] : reporterNames;
      const outDir = single('out', options.out) ?? 'reports';
      const limits = limitsOption(options.stepTimeout);
      // A wire check runs on the implementation's own clock: real time unless told otherwise.
      const clock = clockOption(
        options.clock ?? (options.wire !== undefined ? 'real' : undefined),
        options.jitterMs,
      );
      const realTime = clock.kind === 'real';
      const wire = wireOption(options, clock, options.clock !== undefined);
      if (wire?.pcap) await checkWritable(wire.pcap);
      const capture = wire?.pcap ? new Capture() : undefined;
      const jobs = jobsOption(options.jobs, options.inProcess === true);
      if (wire && options.jobs !== undefined && jobs > 1) {
        throw new UsageError(
          '--jobs runs profiles side by side; on the wire one endpoint takes one case at a time, so drop --jobs.',
        );
      }
      if (names.some((name) => name !== 'console')) await prepareOutDir(outDir);
      // A profile that needs no adapter to resolve is checked before the adapter starts, so a
      // bad one is refused at once.
      const named = single('profile', options.profile);
      const known =
        named !== undefined &&
        (named === 'all' || findBuiltInProfile(named) !== undefined || named.endsWith('.json'))
          ? await resolveProfiles(named)
          : undefined;
      // The adapter's process, if it has one, ends with the command, however that ends.
      await using opened = await openAdapter(
        { ...options, ...(wire ? { defaultModule: REFERENCE_SIP_ADAPTER } : {}) },
        limits,
      );
      const { module } = opened;
      const adapter = wire
        ? onTheWire(opened.adapter, {
            endpoint: wire.endpoint,
            ...(capture ? { onTraffic: capture.record } : {}),
          })
        : opened.adapter;
      const profiles = known ?? (await profilesFor(adapter, options.profile));

      // How replay commands name the adapter, and on the wire how they reach the endpoint.
      const adapterArguments =
        [
          opened.command
            ? `--adapter-command ${opened.command}`
            : module
              ? `--adapter ${module}`
              : '',
          wire ? `--wire sip --endpoint '${wire.endpoint}'` : '',
        ]
          .filter(Boolean)
          .join(' ') || undefined;
      const ordered = orderedReporters(names, io, outDir);
      // Progress only listens while the run goes, and reports nothing at its end.
      const reporters = [...ordered.map(({ reporter }) => reporter), progressReporter(io)];
      const runSeed = seed ?? Math.floor(Math.random() * MAX_SEED);
      const runRuns = runs ?? (realTime ? REAL_TIME_RUNS : DEFAULT_RUNS);
      for (const { reporter } of ordered) {
        reporter.onRunStart?.({
          adapter: adapter.name,
          ...(module ? { adapterModule: module } : {}),
          ...(adapterArguments ? { adapterArguments } : {}),
          profiles,
          seed: runSeed,
          runs: runRuns,
          ...(only ? { only } : {}),
          ...(strict ? { strict } : {}),
          ...(machine ? { machine } : {}),
          ...(path ? { path } : {}),
          ...(shard ? { shard } : {}),
          ...(realTime ? { clock } : {}),
        });
      }

      const guard = guardProcess();
      let cases = 0;
      let result: SuiteResult;
      try {
        result = await runSuite({
          adapter,
          ...(module ? { adapterModule: module } : {}),
          ...(adapterArguments ? { adapterArguments } : {}),
          ...(wire ? { rerunPathsByCheck: true } : {}),
          profiles,
          seed: runSeed,
          runs: runRuns,
          ...(typeof options.profile === 'string' && options.profile.endsWith('.json')
            ? { profileArgument: options.profile }
            : {}),
          ...(only ? { only } : {}),
          ...(strict ? { strict } : {}),
          ...(bail ? { bail } : {}),
          ...(machine ? { machine } : {}),
          ...(path ? { path, propertiesOnly: true } : {}),
          ...(limits ? { limits } : {}),
          ...(shard ? { shard } : {}),
          ...(realTime ? { clock, casesAtOnce: wire ? 1 : REAL_TIME_CASES_AT_ONCE } : {}),
          ...(!wire && opened.another && jobs > 1
            ? { sideBySide: { jobs, open: opened.another } }
            : {}),
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

      if (capture && wire?.pcap) io.out(capture.write(wire.pcap));
      done(await endRun(ordered, result, io));
    });
}

/**
 * Hands the result to each reporter, the console last so that its verdict is the last line,
 * and returns the exit code: 0 conformant, 1 not, 2 when a reporter failed.
 */
export async function endRun(
  ordered: readonly { name: string; reporter: Reporter }[],
  result: SuiteResult,
  io: Io,
): Promise<number> {
  for (const { name, reporter } of ordered) {
    try {
      await reporter.onRunEnd?.(result);
    } catch (error) {
      io.err(`imflow: the ${name} reporter failed: ${(error as Error).message}`);
      return EXIT.usage;
    }
  }
  if (!ordered.some(({ name }) => name === 'console')) {
    io.out(`imflow: ${result.verdict === 'conformant' ? 'CONFORMANT' : 'NOT CONFORMANT'}`);
  }
  return result.verdict === 'conformant' ? EXIT.ok : EXIT.notConformant;
}

/** The named reporters in the order they finish: those writing files first, the console last. */
export function orderedReporters(
  names: readonly string[],
  io: Io,
  outDir: string,
): { name: string; reporter: Reporter }[] {
  const reporters = createReporters(names, { io, outDir }, REPORTERS);
  return names
    .map((name, index) => ({ name, reporter: reporters[index] as Reporter }))
    .sort((a, b) => Number(a.name === 'console') - Number(b.name === 'console'));
}
