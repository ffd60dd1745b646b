import { formatOutput, type Output, type Queries, type Stimulus } from '../../machines/index.ts';
import type { Adapter, Declarations, SutContext, SystemUnderTest } from '../adapter.ts';
import { VirtualClock } from '../virtual-clock.ts';
import {
  AdapterExited,
  AdapterNoAnswer,
  type HostCommand,
  HostProcess,
  ImplementationError,
  ProtocolViolation,
} from './host-process.ts';
import {
  ERROR_CODES,
  type Method,
  type NotificationMessage,
  PROTOCOL_VERSION,
  type Requests,
  type Settled,
  type TimerId,
} from './protocol.ts';

/** An adapter whose implementation runs in another process; `close()` ends that process. */
export interface IsolatedAdapter extends Adapter {
  /** How many times a host was started (1 unless one was killed or died and was restarted). */
  readonly hostStarts: number;
  close(): Promise<void>;
}

/** Raised when the adapter process cannot be started or its handshake fails. */
export class IsolatedStartError extends Error {
  override name = 'IsolatedStartError';
}

export interface IsolationOptions {
  readonly command: HostCommand;
  /** How the adapter is named in messages: "the adapter command python3 my_adapter.py". */
  readonly label: string;
  /** Real milliseconds one request may take before the host is killed. */
  readonly stepTimeoutMs: number;
  /** Real milliseconds the start and the handshake may take (default 15 s). */
  readonly startTimeoutMs?: number;
}

/** Outputs noted after a dispose, per case: beyond this only the count grows. */
const NOTED_LATE_OUTPUTS = 3;

/**
 * Starts the adapter process, performs the handshake and returns an {@link Adapter} that
 * drives it over the protocol. Each test case gets a fresh system in the same process; a
 * process that is killed (no answer in time) or dies is replaced at the next `create`.
 */
export async function startIsolatedAdapter(options: IsolationOptions): Promise<IsolatedAdapter> {
  const systems = new Map<number, IsolatedSystem>();
  let host: HostProcess | undefined;
  let hostStarts = 0;
  let nextSut = 1;
  let identity: Requests['initialize']['result'] | undefined;
  /** The system of the case in progress: notes that name no system go there. */
  let current: IsolatedSystem | undefined;

  const onNotification = (message: NotificationMessage) => {
    const params = message.params as { sut?: number };
    const system = params.sut === undefined ? current : systems.get(params.sut);
    if (message.method === 'note') {
      const note = `The adapter noted: ${(message.params as { message: string }).message}`;
      (system ?? current)?.note(note);
      return;
    }
    if (!system) {
      current?.note(
        `The adapter sent "${message.method}" for system ${params.sut}, which it was never given.`,
      );
      return;
    }
    system.notify(message);
  };

  const startHost = async (): Promise<HostProcess> => {
    const started = new HostProcess(options.command, onNotification);
    hostStarts++;
    try {
      const result = await started.request(
        'initialize',
        { protocol: PROTOCOL_VERSION },
        options.startTimeoutMs ?? 15_000,
      );
      identity ??= result;
    } catch (error) {
      started.kill();
      if (error instanceof ImplementationError) throw new IsolatedStartError(error.message);
      const tail = started.stderrTail.trim().split('\n').slice(-3).join(' | ');
      const detail =
        error instanceof AdapterExited
          ? error.detail.startsWith('could not')
            ? `it ${error.detail}`
            : `it ${error.detail} before it answered the handshake`
          : (error as Error).message;
      throw new IsolatedStartError(
        `Cannot start ${options.label}: ${detail}${tail ? ` (its standard error ends: ${shorten(tail, 300)})` : ''}.`,
      );
    }
    return started;
  };

  host = await startHost();
  const { name, profile, declarations } = identity as Requests['initialize']['result'];

  const adapter: IsolatedAdapter = {
    name,
    profile,
    ...(declarations ? { declarations: declarations as Declarations } : {}),
    get hostStarts() {
      return hostStarts;
    },
    async prepare() {
      if (host && !host.ended) return;
      try {
        host = await startHost();
      } catch (error) {
        throw new AdapterExited(`could not be restarted: ${(error as Error).message}`);
      }
    },
    async create(context: SutContext) {
      await adapter.prepare?.();
      if (!host) throw new AdapterExited('could not be restarted');
      const sut = nextSut++;
      const system = new IsolatedSystem(sut, host, context, options.stepTimeoutMs);
      systems.set(sut, system);
      current = system;
      // Systems of earlier cases are kept a little, so late messages naming them become notes;
      // cases that run at once (real time) keep theirs until they are disposed of.
      for (const [old, system] of systems)
        if (old < sut - 4 && system.disposed) systems.delete(old);
      await system.call('create', {
        sut,
        machine: context.machine,
        profile: context.profile,
        now: context.clock.now(),
        ...(context.wire ? { wire: context.wire } : {}),
      });
      return system;
    },
    async close() {
      await host?.close();
    },
  };
  return adapter;
}

function shorten(text: string, max: number) {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** The kit-side stand-in of one system under test in the adapter process. */
class IsolatedSystem implements SystemUnderTest {
  readonly #timers = new Map<TimerId, unknown>();
  /** Timer firings still in flight: `settle` waits for them. */
  readonly #firing = new Set<Promise<unknown>>();
  #fireError: Error | undefined;
  /** The state readings of the last settled answer, while nothing has happened since. */
  #settled: Settled | undefined;
  #settledAt = Number.NaN;
  #disposed = false;
  #lateOutputs = 0;

  constructor(
    readonly sut: number,
    private readonly host: HostProcess,
    private readonly context: SutContext,
    private readonly timeoutMs: number,
  ) {}

  note(message: string) {
    this.context.note?.(message);
  }

  notify(message: NotificationMessage) {
    this.#settled = undefined;
    switch (message.method) {
      case 'output': {
        const { output } = message.params as { output: Output };
        if (this.#disposed) {
          this.#lateOutputs++;
          if (this.#lateOutputs <= NOTED_LATE_OUTPUTS) {
            this.note(
              `The adapter reported an output after dispose(): ${shorten(formatOutput(output), 120)}.`,
            );
          }
          return;
        }
        this.context.observe(output);
        return;
      }
      case 'setTimer': {
        const { timer, ms } = message.params as { timer: TimerId; ms: number };
        if (this.#disposed) return;
        this.context.clock.clearTimeout(this.#timers.get(timer));
        const handle = this.context.clock.setTimeout(() => this.#fire(timer), ms);
        this.#timers.set(timer, handle);
        return;
      }
      case 'clearTimer': {
        const { timer } = message.params as { timer: TimerId };
        this.context.clock.clearTimeout(this.#timers.get(timer));
        this.#timers.delete(timer);
        return;
      }
    }
  }

  /** The kit's clock reached a timer: the implementation runs it and settles. */
  #fire(timer: TimerId) {
    this.#timers.delete(timer);
    const firing = this.call('fire', { sut: this.sut, now: this.context.clock.now(), timer }).then(
      (settled) => this.#keep(settled),
      (error: Error) => {
        this.#fireError ??= error;
      },
    );
    this.#firing.add(firing);
    void firing.finally(() => this.#firing.delete(firing));
  }

  /** A request of this system; errors become what the kit reports for the step. */
  async call<M extends Method>(
    method: M,
    params: Requests[M]['params'],
  ): Promise<Requests[M]['result']> {
    try {
      return await this.host.request(method, params, this.timeoutMs);
    } catch (error) {
      if (error instanceof AdapterExited) throw error;
      if (error instanceof AdapterNoAnswer) {
        throw new AdapterNoAnswer(
          `${describeCall(method, params)} got no answer within ${this.timeoutMs} ms; the adapter process was killed and is restarted for the next case`,
        );
      }
      if (error instanceof ProtocolViolation) {
        throw new ProtocolViolation(
          `The adapter broke the protocol: ${error.message}; its process was stopped`,
        );
      }
      if (error instanceof ImplementationError && error.code === ERROR_CODES.startFailure) {
        throw new Error(error.message);
      }
      throw error;
    }
  }

  async apply(stimulus: Exclude<Stimulus, { type: 'clock.advance' }>): Promise<void> {
    this.#settled = undefined;
    const result = await this.call('apply', {
      sut: this.sut,
      now: this.context.clock.now(),
      stimulus,
    });
    this.#keep(result);
    if (result.refused) throw Object.assign(new Error('refused'), { kind: result.refused });
  }

  async settle(): Promise<void> {
    while (this.#firing.size > 0) await Promise.all([...this.#firing]);
    if (this.#fireError) {
      const error = this.#fireError;
      this.#fireError = undefined;
      throw error;
    }
    if (this.#fresh()) return;
    this.#keep(await this.call('settle', { sut: this.sut, now: this.context.clock.now() }));
  }

  async query(): Promise<Queries> {
    const settled = this.#fresh()
      ? (this.#settled as Settled)
      : await this.call('query', { sut: this.sut, now: this.context.clock.now() });
    this.#keep(settled);
    if (settled.stateError !== undefined) throw new Error(settled.stateError);
    return settled.state ?? {};
  }

  /**
   * Whether the readings kept are still those of now: nothing was reported since and, unless
   * the kit's virtual clock is the implementation's only clock, time has not moved. On the
   * virtual clock nothing changes but through the kit's timers, whose firings answer with new
   * readings; in real time an implementation on its own clock may change state without a word.
   */
  #fresh(): boolean {
    if (this.#settled === undefined) return false;
    return (
      this.context.clock instanceof VirtualClock || this.#settledAt === this.context.clock.now()
    );
  }

  #keep(settled: Settled) {
    this.#settled = settled;
    this.#settledAt = this.context.clock.now();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  async dispose(): Promise<void> {
    this.#disposed = true;
    for (const handle of this.#timers.values()) this.context.clock.clearTimeout(handle);
    this.#timers.clear();
    if (this.host.ended) return;
    await this.call('dispose', { sut: this.sut });
  }
}

function describeCall(method: Method, params: unknown): string {
  const stimulus = (params as { stimulus?: { type?: string } }).stimulus;
  if (method === 'apply' && stimulus?.type) return `apply(${stimulus.type})`;
  if (method === 'fire') return `fire(timer ${String((params as { timer: TimerId }).timer)})`;
  return `${method}()`;
}
