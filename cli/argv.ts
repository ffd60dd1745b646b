import { UsageError } from './io.ts';

/** Option values longer than this are shown shortened in messages. */
const ECHO_LIMIT = 120;

/** Shortens every over-long word of a message, so no argument is echoed in full. */
export function boundedMessage(message: string, limit = ECHO_LIMIT): string {
  const words = message.replace(
    /\S{200,}/g,
    (word) => `${word.slice(0, limit)}... (${word.length} characters)`,
  );
  return words.length > 4000 ? `${words.slice(0, 3997)}...` : words;
}

/**
 * Prepares the arguments for the option parser, which would read a negative number after an
 * option as an option of its own ("Unknown option `-1`") and an empty value as 0: a negative
 * number is attached to its option (`--seed=-1`), so the option's own check names the problem,
 * and an empty value is refused here, naming its option.
 */
export function normaliseArgv(argv: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index] as string;
    const next = argv[index + 1];
    const isOption = /^--[a-z][a-z-]*$/i.test(token);
    if (isOption && next !== undefined && /^-\d/.test(next)) {
      result.push(`${token}=${next}`);
      index++;
      continue;
    }
    // The parser reads a blank value as the number 0.
    if (isOption && next !== undefined && next.trim() === '') {
      throw new UsageError(`${token} was given an empty value; give it a value or leave it out.`);
    }
    if (/^--[a-z][a-z-]*=\s*$/i.test(token)) {
      throw new UsageError(
        `${token.slice(0, -1)} was given an empty value; give it a value or leave it out.`,
      );
    }
    result.push(token);
  }
  return result;
}
