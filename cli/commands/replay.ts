import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CAC } from 'cac';
import { CaseRun } from '../../conformance/case-run.ts';
import {
  expectedAndObserved,
  failingStep,
  formatOutputs,
  formatStimulus,
} from '../../conformance/reporters/format.ts';
import type { Trace, TraceStep } from '../../conformance/trace.ts';
import { type OpenedAdapter, openAdapter } from '../adapter-source.ts';
import { guardProcess } from '../guard.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { limitsOption, single } from '../options.ts';
import { readTraceFile } from '../trace-file.ts';

interface ReplayOptions {
  adapter?: unknown;
  anyAdapter?: unknown;
  adapterCommand?: unknown;
  inProcess?: unknown;
  stepTimeout?: unknown;
  out?: unknown;
}

function stepLine(label: string, step: TraceStep, recorded: TraceStep | undefined): string {
  const observed = formatOutputs(step.observed.map((o) => o.output));
  const verdict = step.verdict === 'pass' ? 'pass' : 'FAIL';
  const was = recorded ? ` (recorded: ${recorded.verdict})` : '';
  return `  ${label}. ${verdict}${was}  ${formatStimulus(step.stimulus)} -> ${observed}`;
}

function ids(step: TraceStep | undefined): string {
  const list = step?.failure?.requirements ?? [];
  return list.length > 0 ? list.join(', ') : 'no requirement';
}

/**
 * The adapter to replay with: `--adapter` when given, else the module the trace records, else
 * (a trace of the bundled adapter) the reference adapter. An adapter whose name is not the
 * one that recorded the trace is refused unless `--any-adapter` says otherwise: replaying a
 * failure against another implementation would report a pass that means nothing.
 */
async function replayAdapter(
  trace: Trace,
  file: string,
  options: ReplayOptions,
  limits: Parameters<typeof openAdapter>[1],
): Promise<OpenedAdapter> {
  const given = single('adapter', options.adapter);
  const command = single('adapter-command', options.adapterCommand);
  const anyAdapter = options.anyAdapter === true;
  const recorded = trace.adapterModule;
  const module = given ?? (command === undefined ? recorded : undefined);
  let opened: OpenedAdapter;
  try {
    opened = await openAdapter({ ...options, adapter: module }, limits);
  } catch (error) {
    if (given !== undefined || command !== undefined || !(error instanceof UsageError)) throw error;
    throw new UsageError(
      `${error.message}\n${file} records the adapter module "${recorded}", named relative to the directory its check ran in: run the replay there, or give the module with --adapter.`,
    );
  }
  const { adapter } = opened;
  if (!anyAdapter && trace.adapter !== undefined && trace.adapter !== adapter.name) {
    await opened.close();
    const origin =
      given !== undefined
        ? `--adapter ${given}`
        : command !== undefined
          ? `--adapter-command ${command}`
          : recorded !== undefined
            ? `the module the trace records, ${recorded}`
            : 'the bundled reference adapter: the trace records no module';
    const hint =
      recorded !== undefined && given !== undefined
        ? `Replay it with --adapter ${recorded} (the module that recorded it)`
        : 'Give the module that recorded it with --adapter MODULE';
    throw new UsageError(
      `${file} was recorded with the adapter "${trace.adapter}", but the replay would run "${adapter.name}" (${origin}). ${hint}, or add --any-adapter to replay it against "${adapter.name}" anyway.`,
    );
  }
  return opened;
}

export function registerReplay(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command('replay <trace>', 'Run the stimuli of a trace file again against an adapter')
    .option(
      '--adapter <module>',
      'Adapter module (default: the module the trace records, else the bundled reference adapter)',
    )
    .option(
      '--adapter-command <command>',
      'Command that starts an adapter speaking the adapter protocol',
    )
    .option('--in-process', 'Run the --adapter module inside the kit process')
    .option(
      '--any-adapter',
      'Replay against the adapter given even when the trace was recorded with another',
    )
    .option('--step-timeout <ms>', 'Real milliseconds one adapter call may take (default: 5000)')
    .option('--out <dir>', 'Write the trace of the replay to this directory')
    .action(async (file: string, options: ReplayOptions) => {
      const limits = limitsOption(options.stepTimeout);
      const outDir = single('out', options.out);
      const { trace, model } = await readTraceFile(file);
      if (trace.onTheWire) {
        throw new UsageError(
          `${file} was recorded on the wire, where the kit played the remote participant on SIP in real time; replay does not: run the check again with --wire sip --endpoint URI (--only and --seed narrow it), or judge the trace offline with imflow verify-trace.`,
        );
      }
      // The adapter's process, if it has one, ends with the command, however that ends.
      await using opened = await replayAdapter(trace, file, options, limits);
      const { adapter, module } = opened;
      io.out(
        `imflow replay: ${trace.name} (${trace.machine}, profile ${model.profile.name}, ${trace.steps.length} steps) against ${adapter.name}${module ? ` (${module})` : ''}`,
      );
      if (trace.adapter && trace.adapter !== adapter.name) {
        io.out(`  note: the trace was recorded with "${trace.adapter}" (--any-adapter).`);
      }

      const guard = guardProcess();
      const run = await CaseRun.start({
        adapter,
        model,
        name: `${trace.name} (replay)`,
        origin: 'replay',
        ...(limits ? { limits } : {}),
        // As the path case it replays: on after a failure where the observation allows.
        continueAfterFailure: true,
      });
      /** The recorded step each replayed step belongs to (a clock step may be cut in pieces). */
      const origin: number[] = [];
      try {
        if (run.failed) {
          const step = run.steps[0] as TraceStep;
          io.out(
            `  FAIL  ${step.failure?.message ?? 'the system under test could not be created'}`,
          );
        }
        for (const [index, recorded] of trace.steps.entries()) {
          const before = run.steps.length;
          const ok = await run.step(recorded.stimulus);
          const added = run.steps.slice(before);
          added.forEach((step, piece) => {
            origin.push(index);
            const label = added.length > 1 ? `${index + 1}.${piece + 1}` : `${index + 1}`;
            io.out(stepLine(label, step, added.length > 1 ? undefined : recorded));
          });
          if (!ok) break;
        }
      } finally {
        await run.close();
      }
      const notes = await guard.release();
      for (const note of notes) io.out(`  note: ${note}`);

      const replayed = run.trace();
      const recordedFailure = failingStep(trace);
      const replayFailure = failingStep(replayed);
      const replayIndex = replayFailure ? (origin[replayFailure.index] ?? 0) : undefined;
      if (replayFailure) {
        io.out('');
        io.out(
          `  failing step ${(replayIndex ?? 0) + 1}: ${replayFailure.step.failure?.message ?? ''}`,
        );
        const failure = replayFailure.step.failure;
        const { expected, observed } = expectedAndObserved(replayFailure.step);
        if (expected !== undefined) io.out(`    expected:   ${expected}`);
        io.out(`    observed:   ${observed}`);
        for (const m of failure?.queryMismatches ?? []) {
          io.out(`    query ${m.query}: expected ${m.expected}, observed ${m.observed}`);
        }
        const skipped = trace.steps.length - ((origin.at(-1) ?? -1) + 1);
        if (skipped > 0)
          io.out(`    ${skipped} later recorded step${skipped === 1 ? '' : 's'} not replayed.`);
      }

      let comparison: string;
      if (recordedFailure && replayFailure) {
        const same = recordedFailure.index === replayIndex;
        const sameIds = ids(recordedFailure.step) === ids(replayFailure.step);
        comparison = same
          ? `reproduces the recorded failure at step ${recordedFailure.index + 1}${sameIds ? ` (${ids(replayFailure.step)})` : ` (recorded ${ids(recordedFailure.step)}, now ${ids(replayFailure.step)})`}`
          : `fails at step ${(replayIndex ?? 0) + 1} (${ids(replayFailure.step)}), the recording at step ${recordedFailure.index + 1} (${ids(recordedFailure.step)})`;
      } else if (recordedFailure) {
        comparison = `does not reproduce the recorded failure at step ${recordedFailure.index + 1} (${ids(recordedFailure.step)}): every step passes now`;
      } else if (replayFailure) {
        comparison = `fails at step ${(replayIndex ?? 0) + 1} (${ids(replayFailure.step)}) where the recording passed`;
      } else {
        comparison = 'passes, as recorded';
      }

      if (outDir !== undefined) {
        await mkdir(outDir, { recursive: true });
        const target = join(outDir, `${basename(file).replace(/\.json$/i, '')}.replay.json`);
        const portable = module ? { ...replayed, adapterModule: module } : replayed;
        await writeFile(target, `${JSON.stringify(portable, null, 2)}\n`);
        io.out(`imflow: wrote ${target}`);
      }
      const failed = replayed.verdict === 'fail' || notes.length > 0;
      io.out('');
      io.out(`imflow: replay ${failed ? 'FAILS' : 'PASSES'}: ${comparison}`);
      done(failed ? EXIT.notConformant : EXIT.ok);
    });
}
