import type { Io } from './io.ts';
import { main } from './main.ts';

/**
 * Runs the command line in this process, as `imflow ARGV...` would, for the CLI's tests: the
 * exit code, and what went to standard output and standard error, each as one text.
 */
export async function runInProcess(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive: false };
  const code = await main(argv, io);
  return { code, text: out.join('\n'), errors: err.join('\n') };
}
