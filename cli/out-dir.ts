import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './io.ts';

async function kindOf(path: string): Promise<'dir' | 'other' | 'none'> {
  try {
    return (await stat(path)).isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

/**
 * Makes sure `dir` is a folder the command can write to, creating it one level at a time.
 * Node's recursive mkdir can loop for ever on some special file systems (/proc), and a file in
 * the way surfaces only as a raw error at the end of a run: both are answered here, up front.
 */
export async function prepareOutDir(dir: string, option = '--out'): Promise<void> {
  const target = resolve(dir);
  const fail = (why: string): never => {
    throw new UsageError(`${option} ${dir}: ${why}. Give a folder you can write to.`);
  };
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const kind = await kindOf(existing);
    if (kind === 'other') fail(`${existing} is a file, not a folder`);
    if (kind === 'dir') break;
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) fail('no part of the path exists');
    existing = parent;
  }
  try {
    await access(existing, constants.W_OK);
  } catch {
    fail(`the folder ${existing} is not writable`);
  }
  for (const path of missing) {
    try {
      await mkdir(path);
    } catch (error) {
      fail(
        `cannot create ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
}
