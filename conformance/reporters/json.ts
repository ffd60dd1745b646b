import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SuiteResult } from '../results.ts';
import { writeFailingTraces } from './trace-files.ts';
import type { Reporter, ReporterContext, RunInfo } from './types.ts';

export const JSON_REPORT_FILE = 'imflow-report.json';

/**
 * Writes `<out>/imflow-report.json`, the SuiteResult as it is (schema: `results.ts`), and each
 * failing test case as a portable trace, `<out>/traces/<profile>-<case>.json`, ready for
 * `imflow replay` and `imflow verify-trace`.
 */
export function jsonReporter(context: ReporterContext): Reporter {
  let adapterModule: string | undefined;
  return {
    onRunStart(info: RunInfo) {
      adapterModule = info.adapterModule;
    },
    async onRunEnd(result: SuiteResult) {
      await mkdir(context.outDir, { recursive: true });
      const report = join(context.outDir, JSON_REPORT_FILE);
      await writeFile(report, `${JSON.stringify(result, null, 2)}\n`);
      const written = await writeFailingTraces(context.outDir, result, adapterModule);
      context.io.out(
        `imflow: wrote ${report}${written.length > 0 ? ` and ${written.length} failing trace${written.length === 1 ? '' : 's'} in ${join(context.outDir, 'traces')}` : ''}`,
      );
    },
  };
}
