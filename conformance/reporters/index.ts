import { consoleReporter } from './console.ts';
import { jsonReporter } from './json.ts';
import { junitReporter } from './junit.ts';
import type { Reporter, ReporterContext, ReporterFactory } from './types.ts';

export { consoleReporter } from './console.ts';
export { JSON_REPORT_FILE, jsonReporter } from './json.ts';
export { JUNIT_REPORT_FILE, junitReporter, junitXml } from './junit.ts';
export type { Reporter, ReporterContext, ReporterFactory, ReporterIo, RunInfo } from './types.ts';

/** The reporters by the name `--reporter` takes. */
export const reporterFactories: Readonly<Record<string, ReporterFactory>> = {
  console: consoleReporter,
  json: jsonReporter,
  junit: junitReporter,
};

export const reporterNames: readonly string[] = Object.keys(reporterFactories);

export class UnknownReporterError extends Error {
  override name = 'UnknownReporterError';
  constructor(readonly reporter: string) {
    super(`Unknown reporter "${reporter}". Known reporters: ${reporterNames.join(', ')}.`);
  }
}

/**
 * Reads reporter names as `--reporter` gives them: one value or several, each possibly
 * comma-separated. Duplicates are dropped; an unknown name throws `UnknownReporterError`.
 */
export function parseReporterNames(values: readonly string[]): string[] {
  const names: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      if (!Object.hasOwn(reporterFactories, name)) throw new UnknownReporterError(name);
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Builds the named reporters, sharing one context. */
export function createReporters(
  names: readonly string[],
  context: Omit<ReporterContext, 'reporters'>,
): Reporter[] {
  return names.map((name) => {
    const factory = reporterFactories[name];
    if (!factory) throw new UnknownReporterError(name);
    return factory({ ...context, reporters: names });
  });
}
