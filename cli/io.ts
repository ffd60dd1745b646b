/** Where a command writes; tests pass their own to capture output. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Writes to stdout as is, without adding a newline (progress bars redraw one line with it). */
  write?(text: string): void;
  /** Whether stdout is an interactive terminal (progress bars only make sense there). */
  readonly interactive: boolean;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  write: (text) => process.stdout.write(text),
  interactive: Boolean(process.stdout.isTTY),
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, notConformant: 1, usage: 2 } as const;

/** A failure the user can fix: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
