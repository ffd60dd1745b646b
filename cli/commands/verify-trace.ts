import type { CAC } from 'cac';
import { resolveDeclarations } from '../../conformance/declarations.ts';
import { judgeStep } from '../../conformance/oracle.ts';
import { failingStep, formatOutputs, formatStimulus } from '../../conformance/reporters/format.ts';
import { earlyOutputs } from '../../conformance/trace.ts';
import type { Output } from '../../machines/index.ts';
import { setCommandDetails } from '../help.ts';
import { EXIT, type Io, UsageError } from '../io.ts';
import { TRACE_SCHEMA_PATH } from '../package-info.ts';
import { readTraceFile } from '../trace-file.ts';

/**
 * Judges a recorded trace offline, with no adapter: the model walks the recorded stimuli and
 * each step's observed outputs and state readings must be what the model allows there.
 */
export function registerVerifyTrace(cli: CAC, io: Io, done: (code: number) => void) {
  setCommandDetails(
    'verify-trace',
    `A trace is a JSON file:

  {
    "format": "imflow-trace/1",
    "machine": "imFlow",                  (or "mcuSession")
    "profile": "ucma-guide",              (a built-in profile name, or a profile object)
    "steps": [
      { "stimulus": { "type": "app.establish", "template": null },
        "at": 0,                          (virtual ms when the stimulus was applied)
        "observed": [ { "output": { "channel": "event", "name": "flowStateChanged", "state": "active" }, "at": 0 } ],
        "queries": { "flowState": "active" } }
    ]
  }

Record clock advances as "clock.advance" stimuli with "ms", split at the model's deadlines.
The kit's own failing traces (imflow check writes them under --out/traces) have this format.

JSON Schema of traces: ${TRACE_SCHEMA_PATH} in the imflow package
  (node_modules/imflow/${TRACE_SCHEMA_PATH} where it is installed).`,
  );
  cli
    .command('verify-trace <trace>', 'Judge a recorded trace against the model, offline')
    .action(async (file: string) => {
      const { trace, model } = await readTraceFile(file);
      io.out(
        `imflow verify-trace: ${trace.name} (${trace.machine}, profile ${model.profile.name}, ${trace.steps.length} steps)`,
      );
      // A trace the kit recorded carries its adapter's declarations and is judged as it was; a
      // hand-written recording without them is judged on the readings it holds.
      const judge = trace.declarations ? resolveDeclarations(trace.declarations).judge : {};
      let snapshot = model.initial();
      let failure: { index: number; requirements: readonly string[] } | undefined;
      for (const [index, step] of trace.steps.entries()) {
        const { stimulus } = step;
        const label = `  ${index + 1}.`;
        if (stimulus.type === 'clock.advance') {
          const deadline = model.nextDeadlineMs(snapshot);
          if (deadline !== null && stimulus.ms > deadline) {
            throw new UsageError(
              `${file}: steps[${index}] advances the clock ${stimulus.ms} ms, past the model's next deadline ${deadline} ms ahead. ` +
                'Outputs of such a step cannot be attributed to the instant they are due: record clock advances split at the ' +
                `model's deadlines (here a step of at most ${deadline} ms first), as the kit's own traces are.`,
            );
          }
        }
        const observed = step.observed.map((timed) => timed.output);
        // What time obliges is due at the end of a clock step: outputs seen before it came early.
        const end = step.at + (stimulus.type === 'clock.advance' ? stimulus.ms : 0);
        const early =
          stimulus.type === 'clock.advance' && typeof step.at === 'number'
            ? earlyOutputs(step.observed, end, trace.realTime !== undefined).map(
                (timed) => timed.output,
              )
            : [];
        const observation = { outputs: observed, queries: step.queries ?? {}, early };
        const judgement = judgeStep(model, snapshot, stimulus, observation, judge);
        const line = `${formatStimulus(stimulus)} -> ${formatOutputs(observed)}`;
        if (judgement.ok) {
          // The recording may mark a step failed for a reason no output shows (the adapter threw).
          if (step.verdict === 'fail' && step.failure && !step.failure.expected) {
            io.out(`${label} FAIL  ${line}`);
            io.out(`       recorded failure: ${step.failure.message}`);
            failure = { index, requirements: step.failure.requirements };
            break;
          }
          snapshot = judgement.snapshot;
          io.out(`${label} pass  ${line}`);
          continue;
        }
        io.out(`${label} FAIL  ${line}`);
        io.out(`       requirements: ${judgement.requirements.join(', ') || '(none named)'}`);
        io.out(`       expected:     ${formatOutputs(judgement.expected.outputs)}`);
        if (judgement.missing.length > 0)
          io.out(`       missing:      ${formatOutputs(judgement.missing)}`);
        if (judgement.unexpected.length > 0) {
          io.out(`       unexpected:   ${formatOutputs(judgement.unexpected)}`);
        }
        const untimely: readonly Output[] = 'untimely' in judgement ? judgement.untimely : [];
        if (untimely.length > 0) {
          io.out(`       too early:    ${formatOutputs(untimely)} (due at ${end} ms)`);
        }
        for (const m of judgement.queryMismatches) {
          io.out(`       query ${m.query}: expected ${m.expected}, observed ${m.observed}`);
        }
        failure = { index, requirements: judgement.requirements };
        break;
      }
      if (failure) {
        const rest = trace.steps.length - failure.index - 1;
        if (rest > 0) {
          io.out(
            `  ${rest} later step${rest === 1 ? '' : 's'} not judged: the model cannot follow past a failure.`,
          );
        }
      }
      const recorded = failingStep(trace);
      if (trace.steps.some((step) => step.verdict !== undefined)) {
        const agrees = (recorded?.index ?? -1) === (failure?.index ?? -1);
        io.out(
          `  The recorded verdict (${recorded ? `fail at step ${recorded.index + 1}` : 'pass'}) ${agrees ? 'agrees' : 'DISAGREES'}.`,
        );
      }
      io.out('');
      if (failure) {
        const ids =
          failure.requirements.length > 0
            ? failure.requirements.join(', ')
            : 'no requirement named';
        io.out(`imflow: trace FAILS at step ${failure.index + 1}: ${ids}`);
        done(EXIT.notConformant);
      } else {
        io.out(`imflow: trace PASSES (${trace.steps.length} steps)`);
        done(EXIT.ok);
      }
    });
}
