import type { Profile } from '../../machines/index.ts';
import type { Trace } from '../trace.ts';
import type { Reporter, ReporterIo } from './types.ts';

/** How often the progress is looked at, in real milliseconds. */
const TICK_MS = 1000;
/** On a terminal: a case running longer than this is shown with its elapsed time. */
const SLOW_CASE_MS = 1000;
/** In a log: at most one line per this long, and one at least this often while a case runs. */
const LOG_EVERY_MS = 5000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export interface ProgressOptions {
  /** The clock progress is measured on (tests pass their own). */
  readonly now?: () => number;
  /** Starts the periodic look (tests drive `tick` themselves instead). */
  readonly schedule?: (tick: () => void) => () => void;
}

/**
 * Progress while a check runs, so that a case stuck on a slow adapter never looks like a hung
 * kit. On a terminal, a case running longer than a second replaces the progress bar's line
 * with its number and elapsed time until it ends. In a log (CI, or output piped to a file) a
 * line is printed every few seconds, when a case ends or while one is still running, as
 * Vitest's and Playwright's CI output do; a short run prints none.
 */
export function progressReporter(
  io: ReporterIo,
  options: ProgressOptions = {},
): Reporter & {
  tick(): void;
} {
  const now = options.now ?? (() => performance.now());
  const schedule =
    options.schedule ??
    ((tick: () => void) => {
      const timer = setInterval(tick, TICK_MS);
      timer.unref();
      return () => clearInterval(timer);
    });
  let profile = '';
  let planned = 0;
  let done = 0;
  let failed = 0;
  let profileStarted = 0;
  let caseStarted = 0;
  let lastCase: Trace | undefined;
  let lastLine = 0;
  let shown = false;
  let stop: (() => void) | undefined;

  const running = () =>
    `case ${done + 1} of ${planned}${lastCase ? ` (after ${lastCase.name})` : ''} running for ${seconds(now() - caseStarted)}`;
  const logLine = (text: string) => {
    io.out(`[imflow] ${profile}: ${text}`);
    lastLine = now();
  };

  const tick = () => {
    const at = now();
    if (io.interactive && io.write) {
      if (at - caseStarted >= SLOW_CASE_MS) {
        io.write(`\r\x1b[2K  ${profile}: ${running()}`);
        shown = true;
      }
      return;
    }
    if (at - lastLine >= LOG_EVERY_MS && at - profileStarted >= LOG_EVERY_MS) {
      logLine(
        `${done}/${planned} cases, ${failed} failed, ${seconds(at - profileStarted)}; ${running()}`,
      );
    }
  };

  return {
    tick,
    onProfileStart(started: Profile, cases: number) {
      profile = started.name;
      planned = cases;
      done = 0;
      failed = 0;
      profileStarted = caseStarted = lastLine = now();
      lastCase = undefined;
      stop?.();
      stop = schedule(tick);
    },
    onCaseEnd(trace: Trace) {
      const at = now();
      done++;
      if (trace.verdict === 'fail') failed++;
      if (!io.interactive && at - lastLine >= LOG_EVERY_MS) {
        logLine(
          `${done}/${planned} cases, ${failed} failed, ${seconds(at - profileStarted)}; last: ${trace.name} (${trace.verdict}, ${seconds(at - caseStarted)})`,
        );
      }
      if (shown) {
        // The progress bar redraws its line at once; this one is gone.
        io.write?.('\r\x1b[2K');
        shown = false;
      }
      lastCase = trace;
      caseStarted = at;
    },
    onProfileEnd() {
      stop?.();
      stop = undefined;
      if (shown) io.write?.('\r\x1b[2K');
      shown = false;
    },
  };
}
