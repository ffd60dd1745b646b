import type { CAC } from 'cac';

/** Longer texts of commands, printed by `imflow <command> --help` under the usage. */
const details = new Map<string, string>();

/** Registers the longer help text of a command (by its name). */
export function setCommandDetails(command: string, text: string): void {
  details.set(command, text);
}

export function commandDetails(command: string): string | undefined {
  return details.get(command);
}

type HelpSection = { title?: string; body: string };

/**
 * cac prints a command's usage and options but not its description: add the description,
 * and the longer text when the command has one, under the usage.
 */
export function withDescriptions(cli: CAC) {
  return (sections: HelpSection[]): HelpSection[] => {
    const command = cli.matchedCommand;
    if (!command || command.name === '') return sections;
    const extra: HelpSection[] = [{ body: `  ${command.description}` }];
    const text = details.get(command.name);
    if (text) extra.push({ body: text.replace(/^/gm, '  ') });
    const usage = sections.findIndex((section) => section.title === 'Usage');
    return [...sections.slice(0, usage + 1), ...extra, ...sections.slice(usage + 1)];
  };
}
