import type { CAC } from 'cac';
import {
  createModels,
  declaredStates,
  declaredTransitions,
  defaultProfile,
  type Profile,
} from '../../machines/index.ts';
import type { Io } from '../io.ts';
import { resolveProfiles } from '../profile-option.ts';

/** The structure of each machine, read from its definition. */
export function modelReport(profile: Profile) {
  return {
    profile: profile.name,
    machines: createModels(profile).map((model) => {
      const states = declaredStates(model.machine);
      const transitions = declaredTransitions(model.machine).map((t) => ({
        id: t.meta.id,
        source: t.source,
        event: t.event,
        targets: t.targets,
        ...(t.guard === undefined ? {} : { guard: t.guard }),
        requirements: t.meta.requirements,
        ...(t.meta.capability ? { capability: t.meta.capability } : {}),
        ...(t.meta.spontaneous ? { spontaneous: true } : {}),
        ...(t.meta.boundary ? { boundary: true } : {}),
      }));
      return {
        id: model.id,
        title: model.title,
        groups: model.groups,
        states,
        transitions,
        counts: { states: states.length, transitions: transitions.length },
      };
    }),
  };
}

export function registerModel(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command('model', 'Print the machines: states, transitions and the requirements they realise')
    .option('--json', 'Print JSON')
    .option('--profile <name>', 'Profile whose options the machines are built for')
    .action(async (options: { json?: boolean; profile?: string }) => {
      const [profile = defaultProfile] = await resolveProfiles(options.profile);
      const report = modelReport(profile);
      if (options.json) {
        io.out(JSON.stringify(report, null, 2));
      } else {
        for (const machine of report.machines) {
          io.out(
            `${machine.title} (${machine.id}): ${machine.counts.states} states, ${machine.counts.transitions} transitions`,
          );
          for (const t of machine.transitions) {
            const target = t.targets.length > 0 ? t.targets.join(', ') : '(stays)';
            io.out(
              `  ${t.source} --${t.event}${t.guard ? ` [${t.guard}]` : ''}--> ${target}  ${t.requirements.join(' ')}`,
            );
          }
        }
      }
      done(0);
    });
}
