import { fileURLToPath } from 'node:url';
import type { HostCommand } from './host-process.ts';

/** Heap limit of a Node adapter host, in MiB: an adapter that exhausts it dies alone. */
export const DEFAULT_HOST_MEMORY_MB = 512;

/**
 * The kit runs from its sources in its own repository and from compiled JavaScript once
 * installed; the host entry is the sibling of this very file, in the same form.
 */
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const HOST_ENTRY = fileURLToPath(
  new URL(FROM_SOURCES ? './node-host.ts' : './node-host.js', import.meta.url),
);
/**
 * Only the sources need tsx's loader to start the host; a compiled host loads tsx itself, and
 * only for a TypeScript adapter. Named by URL so that the host starts from any directory.
 */
const LOADER = FROM_SOURCES ? ['--import', import.meta.resolve('tsx')] : [];

/** The command that hosts a TypeScript or JavaScript adapter module in a Node process. */
export function nodeHostCommand(
  module: string,
  { memoryMb = DEFAULT_HOST_MEMORY_MB, cwd = process.cwd() } = {},
): HostCommand {
  return {
    argv: [
      process.execPath,
      ...LOADER,
      `--max-old-space-size=${memoryMb}`,
      '--no-warnings',
      HOST_ENTRY,
      module,
    ],
    cwd,
  };
}

/** Raised for a command line that cannot be split into words (an unclosed quote). */
export class CommandLineError extends Error {
  override name = 'CommandLineError';
}

/**
 * Splits a command line into words the way a POSIX shell does for plain words, single and
 * double quotes and backslashes, and nothing more (no variables, globs or pipes): the adapter
 * command is run directly, without a shell, so that killing it kills the adapter.
 */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && /["\\$`]/.test(text[index + 1] ?? '')) {
        word += text[++index];
      } else word += char;
      continue;
    }
    if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === '\\') {
      word += text[++index] ?? '';
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote) throw new CommandLineError(`the command has an unclosed ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
