import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CAC } from 'cac';
import { CaseRun } from '../../conformance/case-run.ts';
import { failingStep, formatOutputs, formatStimulus } from '../../conformance/reporters/format.ts';
import type { TraceStep } from '../../conformance/trace.ts';
import { openAdapter } from '../adapter-source.ts';
import { guardProcess } from '../guard.ts';
import { EXIT, type Io } from '../io.ts';
import { limitsOption, single } from '../options.ts';
import { readTraceFile } from '../trace-file.ts';

interface ReplayOptions {
  adapter?: unknown;
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

export function registerReplay(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command('replay <trace>', 'Run the stimuli of a trace file again against an adapter')
    .option('--adapter <module>', 'Adapter module (default: the bundled reference adapter)')
    .option(
      '--adapter-command <command>',
      'Command that starts an adapter speaking the adapter protocol',
    )
    .option('--in-process', 'Run the --adapter module inside the kit process')
    .option('--step-timeout <ms>', 'Real milliseconds one adapter call may take (default: 5000)')
    .option('--out <dir>', 'Write the trace of the replay to this directory')
    .action(async (file: string, options: ReplayOptions) => {
      const limits = limitsOption(options.stepTimeout);
      const outDir = single('out', options.out);
      const { trace, model } = await readTraceFile(file);
      // The adapter's process, if it has one, ends with the command, however that ends.
      await using opened = await openAdapter(options, limits);
      const { adapter } = opened;
      io.out(
        `imflow replay: ${trace.name} (${trace.machine}, profile ${model.profile.name}, ${trace.steps.length} steps) against ${adapter.name}`,
      );
      if (trace.adapter && trace.adapter !== adapter.name) {
        io.out(`  note: the trace was recorded with "${trace.adapter}".`);
      }

      const guard = guardProcess();
      const run = await CaseRun.start({
        adapter,
        model,
        name: `${trace.name} (replay)`,
        origin: 'replay',
        ...(limits ? { limits } : {}),
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
        if (failure?.expected) io.out(`    expected:   ${formatOutputs(failure.expected.outputs)}`);
        io.out(
          `    observed:   ${formatOutputs(replayFailure.step.observed.map((o) => o.output))}`,
        );
        for (const m of failure?.queryMismatches ?? []) {
          io.out(`    query ${m.query}: expected ${m.expected}, observed ${m.observed}`);
        }
        const skipped = trace.steps.length - (replayIndex ?? 0) - 1;
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
        await writeFile(target, `${JSON.stringify(replayed, null, 2)}\n`);
        io.out(`imflow: wrote ${target}`);
      }
      const failed = replayed.verdict === 'fail' || notes.length > 0;
      io.out('');
      io.out(`imflow: replay ${failed ? 'FAILS' : 'PASSES'}: ${comparison}`);
      done(failed ? EXIT.notConformant : EXIT.ok);
    });
}
