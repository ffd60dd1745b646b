import { cac } from 'cac';
import { boundedMessage, normaliseArgv } from './argv.ts';
import { registerCheck } from './commands/check.ts';
import { registerDiagrams } from './commands/diagrams.ts';
import { registerMergeReports } from './commands/merge-reports.ts';
import { registerModel } from './commands/model.ts';
import { registerReplay } from './commands/replay.ts';
import { registerRequirements } from './commands/requirements.ts';
import { registerVerifyTrace } from './commands/verify-trace.ts';
import { withDescriptions } from './help.ts';
import { EXIT, type Io, processIo, UsageError } from './io.ts';
import { VERSION } from './package-info.ts';

type Register = (cli: ReturnType<typeof cac>, io: Io, done: (code: number) => void) => void;

const commands: Register[] = [
  registerRequirements,
  registerModel,
  registerDiagrams,
  registerCheck,
  registerReplay,
  registerVerifyTrace,
  registerMergeReports,
];

/**
 * Runs the CLI on `argv` (without the node and script names) and resolves to the exit code:
 * 0 conformant or done, 1 not conformant, 2 usage or load error.
 */
/**
 * The command line's definitions: every command and option, as `--help` prints them and the
 * README's generated command list shows them.
 */
export function createCli(io: Io, done: (code: number) => void): ReturnType<typeof cac> {
  const cli = cac('imflow');
  for (const register of commands) register(cli, io, done);
  cli.help(withDescriptions(cli));
  cli.version(VERSION);
  return cli;
}

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const done = (code: number) => {
    exitCode = code;
  };
  const cli = createCli(io, done);
  try {
    cli.parse(['node', 'imflow', ...normaliseArgv(argv)], { run: false });
    // cac has already printed help for `--help` (with or without a command) or the version.
    if (cli.options.help) return EXIT.ok;
    if (cli.options.version) {
      // cac prints the version only without a command; `imflow check --version` prints it too.
      if (cli.matchedCommand) cli.outputVersion();
      return EXIT.ok;
    }
    if (!cli.matchedCommand) {
      const first = argv[0];
      if (first !== undefined && !first.startsWith('-')) {
        throw new UsageError(`Unknown command "${first}". Run "imflow --help" for the commands.`);
      }
      cli.outputHelp();
      return EXIT.ok;
    }
    await cli.runMatchedCommand();
    return exitCode;
  } catch (error) {
    if (error instanceof UsageError || (error as Error).name === 'CACError') {
      io.err(`imflow: ${boundedMessage((error as Error).message)}`);
      return EXIT.usage;
    }
    io.err(`imflow: ${(error as Error).stack ?? String(error)}`);
    return EXIT.usage;
  }
}
