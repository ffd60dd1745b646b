import type { Adapter } from '../conformance/adapter.ts';
import { defaultLimits, type Limits } from '../conformance/case-run.ts';
import { nodeHostCommand, splitCommandLine } from '../conformance/isolation/commands.ts';
import { IsolatedStartError, startIsolatedAdapter } from '../conformance/isolation/proxy.ts';
import { AdapterLoadError, loadAdapter } from '../conformance/load-adapter.ts';
import type { SideBySide } from '../conformance/side-by-side.ts';
import { UsageError } from './io.ts';
import { integerOption, REFERENCE_ADAPTER, single } from './options.ts';

/** An adapter ready to run, wherever it runs; `close` ends its process, if it has one. */
export interface OpenedAdapter {
  readonly adapter: Adapter;
  /** How the user named it, for replay commands (undefined for the bundled reference). */
  readonly module: string | undefined;
  /** "isolated" (its own process, the default) or "in-process" (`--in-process`). */
  readonly mode: 'isolated' | 'in-process';
  /** The adapter command, quoted for a shell, when the adapter was started by one. */
  readonly command?: string;
  /** Starts one more instance in a process of its own (isolated adapters only). */
  readonly another?: SideBySide['open'];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface AdapterChoice {
  readonly adapter?: unknown;
  /** The module run when no adapter is named (default: the bundled reference adapter). */
  readonly defaultModule?: string;
  readonly adapterCommand?: unknown;
  readonly inProcess?: unknown;
  readonly adapterMemory?: unknown;
}

/** Longest command or path echoed back in a message. */
const ECHO = 120;
const echo = (text: string) => (text.length > ECHO ? `${text.slice(0, ECHO - 3)}...` : text);

/**
 * Opens the adapter of `check` or `replay`: `--adapter MODULE` (default: the bundled
 * reference) in a host process of its own, or in the kit's process with `--in-process`, or
 * `--adapter-command "CMD"`, a program in any language speaking the adapter protocol.
 */
export async function openAdapter(choice: AdapterChoice, limits?: Limits): Promise<OpenedAdapter> {
  const module = single('adapter', choice.adapter);
  const command = single('adapter-command', choice.adapterCommand);
  const inProcess = choice.inProcess === true;
  if (choice.inProcess !== undefined && typeof choice.inProcess !== 'boolean') {
    throw new UsageError('--in-process takes no value.');
  }
  if (module !== undefined && command !== undefined) {
    throw new UsageError('Give either --adapter MODULE or --adapter-command "COMMAND", not both.');
  }
  if (command !== undefined && inProcess) {
    throw new UsageError(
      '--in-process applies to --adapter modules only: an --adapter-command always runs in its own process.',
    );
  }
  const stepTimeoutMs = (limits ?? defaultLimits).stepTimeoutMs;
  const memoryMb = integerOption('adapter-memory', choice.adapterMemory, {
    min: 16,
    max: 65_536,
    what: "the adapter host's heap limit in MiB",
  });
  if (memoryMb !== undefined && (command !== undefined || inProcess)) {
    throw new UsageError(
      '--adapter-memory limits the host of an --adapter module; an --adapter-command or --in-process run has none.',
    );
  }
  if (command !== undefined) {
    let argv: string[];
    try {
      argv = splitCommandLine(command);
    } catch (error) {
      throw new UsageError(`--adapter-command "${echo(command)}": ${(error as Error).message}.`);
    }
    if (argv.length === 0) {
      throw new UsageError(
        '--adapter-command is empty: give the command that starts your adapter, such as "python3 my_adapter.py".',
      );
    }
    const opened = await isolated(
      { argv },
      `the adapter command "${echo(command)}"`,
      undefined,
      stepTimeoutMs,
    );
    return { ...opened, command: `'${command.replaceAll("'", `'\\''`)}'` };
  }
  if (module !== undefined && module.trim() === '') {
    throw new UsageError('--adapter is empty: give the path of an adapter module (.ts, .js).');
  }
  const path = module ?? choice.defaultModule ?? REFERENCE_ADAPTER;
  if (inProcess) {
    try {
      const adapter = await loadAdapter(path);
      const close = async () => undefined;
      return { adapter, module, mode: 'in-process', close, [Symbol.asyncDispose]: close };
    } catch (error) {
      if (error instanceof AdapterLoadError) throw new UsageError(echo2(error.message));
      throw error;
    }
  }
  return isolated(
    nodeHostCommand(path, memoryMb === undefined ? {} : { memoryMb }),
    `the adapter module ${echo(path)}`,
    module,
    stepTimeoutMs,
  );
}

/** A load error names the module and what is wrong; the path inside is shortened, the rest kept. */
function echo2(message: string): string {
  return message.length > 1500 ? `${message.slice(0, 1497)}...` : message;
}

async function isolated(
  command: { argv: readonly string[] },
  label: string,
  module: string | undefined,
  stepTimeoutMs: number,
): Promise<OpenedAdapter> {
  try {
    const start = () => startIsolatedAdapter({ command, label, stepTimeoutMs });
    const adapter = await start();
    const close = () => adapter.close();
    const another = async () => {
      const sibling = await start();
      return { adapter: sibling, close: () => sibling.close() };
    };
    return { adapter, module, mode: 'isolated', another, close, [Symbol.asyncDispose]: close };
  } catch (error) {
    if (error instanceof IsolatedStartError) throw new UsageError(echo2(error.message));
    throw error;
  }
}
