import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteResult } from '../results.ts';
import type { Trace } from '../trace.ts';
import { everyFailingCase, replayFor, tracePath } from './format.ts';

/**
 * Writes every failing test case of a run as a portable trace,
 * `<outDir>/traces/<profile>-<case>.json`, ready for `imflow replay` and `imflow verify-trace`:
 * with its replay command, and the adapter module the run loaded (`adapterModule`, as it was
 * named on the command line), so that a replay uses the same adapter. Returns the files.
 */
export async function writeFailingTraces(
  outDir: string,
  result: SuiteResult,
  adapterModule: string | undefined,
): Promise<string[]> {
  const written: string[] = [];
  for (const profile of result.profiles) {
    for (const { trace } of everyFailingCase(profile)) {
      const file = tracePath(outDir, profile.profile.name, trace);
      const replay = replayFor(trace, file);
      const portable: Trace = {
        ...trace,
        ...(adapterModule ? { adapterModule } : {}),
        ...(replay ? { replay } : {}),
      };
      if (written.length === 0) await mkdir(join(outDir, 'traces'), { recursive: true });
      await writeFile(file, `${JSON.stringify(portable, null, 2)}\n`);
      written.push(file);
    }
  }
  return written;
}
