import { readFile } from 'node:fs/promises';
import { UsageError } from './io.ts';

/** Reads and parses a JSON file the user named; `what` says what it should be ("profile file"). */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`Cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const capitalised = what.charAt(0).toUpperCase() + what.slice(1);
    throw new UsageError(`${capitalised} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}
