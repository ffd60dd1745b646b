import type { CAC } from 'cac';
import {
  createModels,
  declaredTransitions,
  defaultProfile,
  requirements,
} from '../../machines/index.ts';
import type { Io } from '../io.ts';

/** The catalogue joined with the transitions that realise each requirement. */
export function requirementsReport() {
  const realisedBy = new Map<string, string[]>();
  for (const model of createModels(defaultProfile)) {
    for (const transition of declaredTransitions(model.machine)) {
      for (const id of transition.meta.requirements) {
        const list = realisedBy.get(id) ?? [];
        list.push(`${model.id}:${transition.meta.id}`);
        realisedBy.set(id, list);
      }
    }
  }
  return requirements.map((requirement) => ({
    ...requirement,
    transitions: realisedBy.get(requirement.id) ?? [],
  }));
}

export function registerRequirements(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command('requirements', 'Print the requirement catalogue')
    .option('--json', 'Print JSON: an array of {id, group, text, source, kind, transitions}')
    .action((options: { json?: boolean }) => {
      const report = requirementsReport();
      if (options.json) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        for (const r of report) {
          io.out(`${r.id.padEnd(7)} ${r.kind.padEnd(10)} ${r.text}`);
          io.out(`        source: ${r.source}`);
          io.out(
            `        ${r.untestable ? `untestable: ${r.untestable}` : `transitions: ${r.transitions.join(', ')}`}`,
          );
        }
        const documented = report.filter((r) => r.kind === 'documented').length;
        io.out(
          `\n${report.length} requirements: ${documented} documented, ${report.length - documented} inferred.`,
        );
      }
      done(0);
    });
}
