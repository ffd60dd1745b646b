import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
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

/**
 * Writes, at `path`, an adapter module that sets one environment variable and then hands on
 * `adapter`'s default export. The variable is set in the adapter's own host process, before
 * the adapter loads: checks side by side in one kit process, each with its own value, do not
 * share the kit's environment.
 */
export function adapterWithVariable(
  path: string,
  adapter: string,
  variable: string,
  value: string,
): string {
  writeFileSync(
    path,
    `process.env[${JSON.stringify(variable)}] = ${JSON.stringify(value)};
const { default: adapter } = await import(${JSON.stringify(pathToFileURL(adapter).href)});
export default adapter;
`,
  );
  return path;
}
