import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CAC } from 'cac';
import { MergeError, mergeShards } from '../../conformance/merge.ts';
import { JSON_REPORT_FILE } from '../../conformance/reporters/index.ts';
import type { SuiteResult } from '../../conformance/results.ts';
import { type Io, UsageError } from '../io.ts';
import { readJsonFile } from '../json-file.ts';
import { list, single } from '../options.ts';
import { endRun, orderedReporters, REPORTERS, reportersOption } from './check.ts';

interface MergeOptions {
  reporter?: unknown;
  out?: unknown;
}

/** A shard's report: `DIR/imflow-report.json` for a directory, else the file named. */
async function reportFile(argument: string): Promise<string> {
  try {
    return (await stat(argument)).isDirectory() ? join(argument, JSON_REPORT_FILE) : argument;
  } catch {
    throw new UsageError(
      `No shard report at ${argument}: give the --out directory of each "imflow check --shard i/n" run, or its ${JSON_REPORT_FILE}.`,
    );
  }
}

function assertShardReport(data: unknown, file: string): asserts data is SuiteResult {
  const report = data as Partial<SuiteResult> | null;
  if (
    typeof report !== 'object' ||
    report === null ||
    !Array.isArray(report.profiles) ||
    typeof report.seed !== 'number' ||
    typeof report.adapter !== 'string'
  ) {
    throw new UsageError(
      `${file} is not a JSON report of imflow check: write one with --reporter json (--shard adds it).`,
    );
  }
}

export function registerMergeReports(cli: CAC, io: Io, done: (code: number) => void) {
  cli
    .command(
      'merge-reports <...dirs>',
      'Merge the JSON reports of the shards of one run (check --shard) into one verdict and report',
    )
    .option(
      '--reporter <name>',
      `Reporters: ${Object.keys(REPORTERS).join(', ')}; repeat or separate with commas (default: console)`,
    )
    .option('--out <dir>', 'Directory for the merged report files', { default: 'reports' })
    .example(
      'imflow merge-reports reports/shard-1 reports/shard-2 reports/shard-3 --reporter console,junit,html',
    )
    .action(async (dirs: string[], options: MergeOptions) => {
      const names = reportersOption(options.reporter);
      const outDir = single('out', options.out) ?? 'reports';
      const files = await Promise.all(list(dirs).map(reportFile));
      if (names.includes('json')) {
        const target = resolve(outDir, JSON_REPORT_FILE);
        const clash = files.find((file) => resolve(file) === target);
        if (clash) {
          throw new UsageError(
            `The merged JSON report would overwrite the shard report ${clash}: choose another --out.`,
          );
        }
      }
      const shards: SuiteResult[] = [];
      for (const file of files) {
        const data = await readJsonFile(file, 'shard report');
        assertShardReport(data, file);
        shards.push(data);
      }
      let merged: SuiteResult;
      try {
        merged = mergeShards(shards, files);
      } catch (error) {
        if (error instanceof MergeError) throw new UsageError(error.message);
        throw error;
      }
      const ordered = orderedReporters(names, io, outDir);
      for (const { reporter } of ordered) {
        reporter.onRunStart?.({
          adapter: merged.adapter,
          ...(merged.adapterModule ? { adapterModule: merged.adapterModule } : {}),
          profiles: merged.profiles.map((p) => p.profile),
          seed: merged.seed,
          runs: merged.runs ?? 0,
          ...(merged.only ? { only: merged.only } : {}),
        });
      }
      io.out(`  merged ${shards.length} shards: ${files.join(', ')}`);
      done(await endRun(ordered, merged, io));
    });
}
