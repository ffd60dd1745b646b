import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ClockMode,
  DEFAULT_JITTER_MS,
  defaultLimits,
  type Limits,
  virtualTime,
} from '../conformance/case-run.ts';
import { UsageError } from './io.ts';

/**
 * The bundled reference adapter, found from the package, whatever the current directory: the
 * compiled one beside the compiled CLI, the source beside the source.
 */
export const REFERENCE_ADAPTER = fileURLToPath(
  new URL(`../adapters/reference${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** The reference implementation's adapter on the wire, the default adapter of `--wire sip`. */
export const REFERENCE_SIP_ADAPTER = fileURLToPath(
  new URL(`../adapters/reference-sip${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

/** The single value of an option given once; repeated options arrive as arrays. */
export function single(option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw new UsageError(`--${option} takes one value, got ${value.length}.`);
    return single(option, value[0]);
  }
  if (typeof value === 'boolean') throw new UsageError(`--${option} needs a value.`);
  return String(value);
}

/** Every value of a repeatable option, as strings. */
export function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

/** A whole number from `min` to `max`, or undefined when the option is absent. */
export function integerOption(
  option: string,
  value: unknown,
  { min, max, what }: { min: number; max: number; what: string },
): number | undefined {
  const text = single(option, value);
  if (text === undefined) return undefined;
  const number = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(
      `--${option} must be ${what}: a whole number from ${min} to ${max}, got "${text}".`,
    );
  }
  return number;
}

/** A flag, given once, without a value; `what` says what it does, for the error. */
export function flagOption(option: string, value: unknown, what: string): boolean {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  throw new UsageError(`--${option} takes no value (${what}), got ${JSON.stringify(value)}.`);
}

/** `--strict`: a flag, given once, without a value. */
export function strictOption(value: unknown): boolean {
  return flagOption('strict', value, 'it makes advisories failures');
}

/** `--clock` and `--jitter-ms`: how the run's time passes. */
export function clockOption(clock: unknown, jitter: unknown): ClockMode {
  const kind = single('clock', clock) ?? 'virtual';
  if (kind !== 'virtual' && kind !== 'real') {
    throw new UsageError(`--clock must be virtual or real, got "${kind.slice(0, 40)}".`);
  }
  const jitterMs = integerOption('jitter-ms', jitter, {
    min: 1,
    max: 60_000,
    what: 'the real milliseconds an output may come after its instant',
  });
  if (kind === 'virtual') {
    if (jitterMs !== undefined) {
      throw new UsageError(
        '--jitter-ms is the tolerance of a run in real time: give --clock real with it, or drop it.',
      );
    }
    return virtualTime;
  }
  return { kind, jitterMs: jitterMs ?? DEFAULT_JITTER_MS };
}

export function limitsOption(value: unknown): Limits | undefined {
  const stepTimeoutMs = integerOption('step-timeout', value, {
    min: 1,
    max: 3_600_000,
    what: 'the real milliseconds one adapter call may take',
  });
  return stepTimeoutMs === undefined ? undefined : { ...defaultLimits, stepTimeoutMs };
}
