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

/** A registry of reporters by name: these built-in ones, or them and more (`withReporters`). */
export type ReporterRegistry = Readonly<Record<string, ReporterFactory>>;

/**
 * The built-in reporters and `extra` ones, for reporters that live outside the kit (such as the
 * HTML report, which draws the diagrams): the command line registers them here.
 */
export function withReporters(extra: ReporterRegistry): ReporterRegistry {
  return { ...reporterFactories, ...extra };
}

export class UnknownReporterError extends Error {
  override name = 'UnknownReporterError';
  constructor(
    readonly reporter: string,
    known: readonly string[] = reporterNames,
  ) {
    super(`Unknown reporter "${reporter}". Known reporters: ${known.join(', ')}.`);
  }
}

/**
 * Reads reporter names as `--reporter` gives them: one value or several, each possibly
 * comma-separated. Duplicates are dropped; a name not in `registry` throws `UnknownReporterError`.
 */
export function parseReporterNames(
  values: readonly string[],
  registry: ReporterRegistry = reporterFactories,
): string[] {
  const names: string[] = [];
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim();
      if (name === '') continue;
      if (!Object.hasOwn(registry, name)) {
        throw new UnknownReporterError(name, Object.keys(registry));
      }
      if (!names.includes(name)) names.push(name);
    }
  }
  return names;
}

/** Builds the named reporters, sharing one context. */
export function createReporters(
  names: readonly string[],
  context: Omit<ReporterContext, 'reporters'>,
  registry: ReporterRegistry = reporterFactories,
): Reporter[] {
  return names.map((name) => {
    const factory = Object.hasOwn(registry, name) ? registry[name] : undefined;
    if (!factory) throw new UnknownReporterError(name, Object.keys(registry));
    return factory({ ...context, reporters: names });
  });
}
