import { type ChildProcess, spawn } from 'node:child_process';
import {
  MAX_LINE_BYTES,
  type Method,
  type NotificationMessage,
  type NotificationMethod,
  type Requests,
  type ResponseMessage,
} from './protocol.ts';
import { envelopeProblem, notificationProblem, resultProblem } from './validate.ts';

/** The adapter's process ended (or never started) while the kit was waiting on it. */
export class AdapterExited extends Error {
  override name = 'AdapterExited';
  /** How it ended, as a phrase: "exited with code 3", "was killed by signal SIGKILL". */
  constructor(readonly detail: string) {
    super(`the adapter ${detail}`);
  }
}

/** A call the kit gave up on: the case cannot go on, whatever the process does next. */
export class CallAbandoned extends Error {
  override name = 'CallAbandoned';
}

/** A request that got no answer in time: the process is killed, since it may be stuck. */
export class AdapterNoAnswer extends CallAbandoned {
  override name = 'AdapterNoAnswer';
}

/** The implementation sent something that is not the protocol; the process is stopped. */
export class ProtocolViolation extends CallAbandoned {
  override name = 'ProtocolViolation';
}

/** An error the implementation answered with (an exception in its code). */
export class ImplementationError extends Error {
  override name = 'ImplementationError';
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export interface HostCommand {
  /** The program and its arguments, run without a shell. */
  readonly argv: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Pending {
  readonly method: Method;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

const STDERR_TAIL = 2000;
/** Real milliseconds the pipes of a process that exited may take to deliver their last bytes. */
const DRAIN_AFTER_EXIT_MS = 500;
const shorten = (text: string, max = 200) =>
  text.length > max ? `${text.slice(0, max - 3)}...` : text;

/** Hosts that are still running, so that an ending kit never leaves one behind. */
const live = new Set<HostProcess>();
process.on('exit', () => {
  for (const host of live) host.kill();
});

/**
 * One adapter process, seen from the kit: requests with a deadline each, notifications as they
 * arrive, every message checked against the protocol's schemas, and a clear account of how the
 * process ended. Nothing the process does can throw in the kit: every problem rejects the
 * requests in flight and leaves the host `ended`.
 */
export class HostProcess {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #partial: Buffer[] = [];
  #partialBytes = 0;
  #stderr = '';
  #ended: Error | undefined;
  #killedFor: Error | undefined;

  constructor(
    command: HostCommand,
    private readonly onNotification: <N extends NotificationMethod>(
      message: NotificationMessage<N>,
    ) => void,
  ) {
    const [program, ...args] = command.argv;
    this.#child = spawn(program ?? '', args, {
      cwd: command.cwd,
      env: command.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so that a kill reaches whatever it started too.
      detached: true,
    });
    live.add(this);
    this.#child.stdout?.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    // A write to a process that has just died fails asynchronously; the exit explains it.
    this.#child.stdin?.on('error', () => undefined);
    this.#child.on('error', (error) =>
      this.#end(new AdapterExited(`could not be started: ${error.message}`)),
    );
    // What the process wrote last (its answers, the error that ended it) may come after its
    // exit: the reason is given on 'close', once its pipes are drained, or a short grace after
    // the exit when a process it started keeps them open.
    const ended = (code: number | null, signal: NodeJS.Signals | null) =>
      this.#end(new AdapterExited(this.#exitDetail(code, signal)));
    this.#child.on('exit', (code, signal) => {
      setTimeout(() => ended(code, signal), DRAIN_AFTER_EXIT_MS).unref();
    });
    this.#child.on('close', ended);
  }

  /** Why the process ended, once it has; undefined while it runs. */
  get ended(): Error | undefined {
    return this.#ended;
  }

  /** The last lines the process wrote to its standard error, for diagnostics. */
  get stderrTail(): string {
    return this.#stderr;
  }

  #exitDetail(code: number | null, signal: NodeJS.Signals | null): string {
    if (this.#killedFor) return `was stopped by the kit (${this.#killedFor.message})`;
    const memory = /heap out of memory|MemoryError|OutOfMemory|Cannot allocate memory/i.test(
      this.#stderr,
    );
    const how = signal ? `was killed by signal ${signal}` : `exited with code ${code}`;
    return memory ? `${how}: it ran out of memory` : how;
  }

  #end(reason: Error) {
    if (this.#ended) return;
    this.#ended = reason;
    live.delete(this);
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      this.#pending.delete(id);
      pending.reject(reason);
    }
  }

  /** Kills the process and its group at once; `reason` is what the requests in flight learn. */
  kill(reason?: Error): void {
    if (reason && !this.#killedFor) this.#killedFor = reason;
    const pid = this.#child.pid;
    if (pid !== undefined && this.#child.exitCode === null && this.#child.signalCode === null) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        this.#child.kill('SIGKILL');
      }
    }
    this.#end(reason ?? new AdapterExited('was stopped by the kit'));
  }

  /** Closes the process's standard input, which asks it to end; kills it if it has not soon. */
  async close(graceMs = 1000): Promise<void> {
    if (this.#ended) return;
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()));
    this.#child.stdin?.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await exited;
    clearTimeout(timer);
    this.#end(new AdapterExited('was closed by the kit'));
  }

  /** Sends a request; resolves with its validated result. */
  request<M extends Method>(
    method: M,
    params: Requests[M]['params'],
    timeoutMs: number,
  ): Promise<Requests[M]['result']> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new AdapterNoAnswer(`${method} got no answer within ${timeoutMs} ms`);
        this.#pending.delete(id);
        reject(error);
        this.kill(error);
      }, timeoutMs);
      this.#pending.set(id, {
        method,
        resolve: resolve as (result: unknown) => void,
        reject,
        timer,
      });
      this.#child.stdin?.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  }

  #violation(what: string) {
    this.kill(new ProtocolViolation(what));
  }

  #receive(chunk: Buffer) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, newline);
      start = newline + 1;
      if (this.#partialBytes + piece.length > MAX_LINE_BYTES) {
        this.#violation(`it sent a line longer than ${MAX_LINE_BYTES} bytes`);
        return;
      }
      const line =
        this.#partial.length === 0
          ? piece.toString('utf8')
          : Buffer.concat([...this.#partial, piece]).toString('utf8');
      this.#partial = [];
      this.#partialBytes = 0;
      this.#line(line);
      if (this.#ended) return;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.#partial.push(rest);
      this.#partialBytes += rest.length;
      if (this.#partialBytes > MAX_LINE_BYTES) {
        this.#violation(`it sent a line longer than ${MAX_LINE_BYTES} bytes`);
      }
    }
  }

  #line(line: string) {
    if (line.trim() === '') return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.#violation(
        `it wrote a line that is not JSON on its standard output: ${JSON.stringify(shorten(line, 80))} (logs belong on standard error)`,
      );
      return;
    }
    const envelope = envelopeProblem(message);
    if (envelope) {
      this.#violation(`${envelope}, in ${shorten(line, 120)}`);
      return;
    }
    const m = message as ResponseMessage & Partial<NotificationMessage>;
    if (m.method !== undefined) {
      const method = m.method as NotificationMethod;
      const problem = notificationProblem(method, m.params);
      if (problem) {
        this.#violation(problem);
        return;
      }
      this.onNotification(m as NotificationMessage);
      return;
    }
    const pending = this.#pending.get(m.id);
    if (!pending) {
      this.#violation(
        `it answered request ${m.id}, which the kit did not send or no longer awaits`,
      );
      return;
    }
    this.#pending.delete(m.id);
    clearTimeout(pending.timer);
    if (m.error) {
      pending.reject(new ImplementationError(shorten(m.error.message, 500), m.error.code));
      return;
    }
    const problem = resultProblem(pending.method, m.result);
    if (problem) {
      const error = new ProtocolViolation(problem);
      pending.reject(error);
      this.kill(error);
      return;
    }
    pending.resolve(m.result);
  }
}
