/**
 * A process-level guard for the time an adapter runs: errors an adapter raises where no step
 * awaits them (a rejected promise nobody handles, a throw in a stray timer) would otherwise
 * crash the kit. They are collected as notes and reported instead.
 */
export interface ProcessGuard {
  /** Notes collected so far. */
  readonly notes: readonly string[];
  /** Where the run is, for the notes: set by the command as it goes. */
  where: string;
  /** Waits a few event-loop turns for late errors, then removes the handlers; returns the notes. */
  release(): Promise<string[]>;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const frame = error.stack?.split('\n').find((line) => line.trim().startsWith('at '));
    return `${error.name}: ${error.message}${frame ? ` (${frame.trim()})` : ''}`;
  }
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Guards in force: checks may run side by side in one process (tests do), and only the last
 * to end may put back the real `process.exit`, whichever order they end in. An adapter's call
 * of it is then reported where the latest of them is.
 */
const active: ProcessGuard[] = [];
let realExit: typeof process.exit | undefined;

export function guardProcess(): ProcessGuard {
  const notes: string[] = [];
  const guard: ProcessGuard = {
    notes,
    where: 'before the first test case',
    async release() {
      for (let turn = 0; turn < 5; turn++)
        await new Promise<void>((resolve) => setImmediate(resolve));
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
      const index = active.indexOf(guard);
      if (index !== -1) active.splice(index, 1);
      if (active.length === 0 && realExit) {
        process.exit = realExit;
        realExit = undefined;
      }
      return [...notes];
    },
  };
  // An adapter in the kit's process (--in-process) that ends the process would end the run
  // with whatever code it chose, 0 included, and no verdict: the call throws instead.
  if (active.length === 0) {
    realExit = process.exit;
    process.exit = ((code?: number | string | null) => {
      const where = active.at(-1)?.where ?? '';
      throw new Error(`the adapter called process.exit(${code ?? ''}) ${where}`);
    }) as typeof process.exit;
  }
  active.push(guard);
  const onRejection = (reason: unknown) => {
    notes.push(`A promise was rejected and never handled ${guard.where}: ${describe(reason)}`);
  };
  const onException = (error: unknown) => {
    notes.push(`An exception was thrown outside any step ${guard.where}: ${describe(error)}`);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return guard;
}
