import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteResult } from '../results.ts';
import type { Trace } from '../trace.ts';
import { everyFailingCase, replayFor, tracePath } from './format.ts';
import type { Reporter, ReporterContext } from './types.ts';

export const JSON_REPORT_FILE = 'imflow-report.json';

/**
 * Writes `<out>/imflow-report.json`, the SuiteResult as it is (schema: `results.ts`), and each
 * failing test case as a portable trace, `<out>/traces/<profile>-<case>.json`, ready for
 * `imflow replay` and `imflow verify-trace`.
 */
export function jsonReporter(context: ReporterContext): Reporter {
  return {
    async onRunEnd(result: SuiteResult) {
      await mkdir(context.outDir, { recursive: true });
      const report = join(context.outDir, JSON_REPORT_FILE);
      await writeFile(report, `${JSON.stringify(result, null, 2)}\n`);
      const written: string[] = [];
      for (const profile of result.profiles) {
        for (const { trace } of everyFailingCase(profile)) {
          const file = tracePath(context.outDir, profile.profile.name, trace);
          const replay = replayFor(trace, file);
          const portable: Trace = { ...trace, ...(replay ? { replay } : {}) };
          if (written.length === 0)
            await mkdir(join(context.outDir, 'traces'), { recursive: true });
          await writeFile(file, `${JSON.stringify(portable, null, 2)}\n`);
          written.push(file);
        }
      }
      context.io.out(
        `imflow: wrote ${report}${written.length > 0 ? ` and ${written.length} failing trace${written.length === 1 ? '' : 's'} in ${join(context.outDir, 'traces')}` : ''}`,
      );
    },
  };
}
