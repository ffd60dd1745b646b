/**
 * The host of a TypeScript or JavaScript adapter: a process of its own that loads the adapter
 * module and speaks the adapter protocol on its standard input and output, so that nothing the
 * adapter does (exit, loop, exhaust memory, pollute globals) reaches the kit.
 *
 *   node --import tsx conformance/isolation/node-host.ts ./my-adapter.ts
 */
import { createInterface } from 'node:readline';
import type { Output } from '../../machines/index.ts';
import { type Adapter, refusalKind, type SystemUnderTest } from '../adapter.ts';
import type { KitClock } from '../virtual-clock.ts';
import {
  ERROR_CODES,
  type Method,
  type Notifications,
  type Requests,
  type Settled,
  type TimerId,
} from './protocol.ts';

const modulePath = process.argv[2] ?? '';
/** Event-loop turns to wait for late outputs when the adapter has no `settle`. */
const DRAIN_TURNS = 20;

interface Hosted {
  system?: SystemUnderTest;
  now: number;
  readonly timers: Map<TimerId, () => void>;
  /** Set when the adapter handed `observe` something that cannot be sent: fails the next answer. */
  problem?: string;
}

const hosted = new Map<number, Hosted>();
let adapter: Adapter | undefined;
let current: number | undefined;
let nextTimer = 1;

// The host's own references, taken before the adapter could replace them.
const writeOut = process.stdout.write.bind(process.stdout);
const exit = process.exit.bind(process);
const stringify = JSON.stringify;

/**
 * Messages not written yet. Each write to the pipe wakes the kit up, so the notifications a
 * request causes go out with its answer, in one write. A notification waits a few event-loop
 * turns at most (no timer: one would wake the host up, which costs more than it saves), so
 * that one sent outside any request, or during a request that hangs, still reaches the kit;
 * a flood goes out in pieces as it grows, so that the kit's bounds see it.
 */
let unsent = '';
let flushPending = false;
/** Bytes held back at most before they are written, whatever the host is doing. */
const HELD_BACK_BYTES = 64 * 1024;
/** Event-loop turns a notification waits at most for the answer it may go out with. */
const HELD_BACK_TURNS = 3;
const schedule = setImmediate;

function flush() {
  if (unsent === '') return;
  const text = unsent;
  unsent = '';
  writeOut(text);
}
function flushLater(turns: number) {
  schedule(() => {
    // Once an answer has taken the queue along, the turns left would be spent for nothing.
    if (turns > 1 && unsent !== '') return flushLater(turns - 1);
    flushPending = false;
    flush();
  });
}
/** Queues one message; `now` writes it, with everything queued before it, at once. */
function send(message: object, now = false) {
  unsent += `${stringify(message)}\n`;
  if (now || unsent.length >= HELD_BACK_BYTES) flush();
  else if (!flushPending) {
    flushPending = true;
    flushLater(HELD_BACK_TURNS);
  }
}
// Whatever is queued when the process ends (an adapter calling process.exit) is still written.
process.on('exit', flush);
const notify = <N extends keyof Notifications>(method: N, params: Notifications[N]) =>
  send({ jsonrpc: '2.0', method, params });

function describe(error: unknown): string {
  if (error instanceof Error)
    return `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`;
  try {
    return typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  } catch {
    return String(error);
  }
}

const noteOf = (what: string, error: unknown) =>
  notify('note', {
    ...(current === undefined ? {} : { sut: current }),
    message: `${what}: ${describe(error).slice(0, 500)}`,
  });
process.on('unhandledRejection', (reason) =>
  noteOf('a promise was rejected and never handled', reason),
);
process.on('uncaughtException', (error) =>
  noteOf('an exception was thrown outside any call', error),
);
// console.log would corrupt the protocol on stdout: the adapter's logs go to stderr instead.
console.log = console.error;
console.info = console.error;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

function clockFor(sut: number, entry: Hosted): KitClock {
  return {
    now: () => entry.now,
    setTimeout(callback, ms) {
      const timer = nextTimer++;
      entry.timers.set(timer, callback);
      notify('setTimer', { sut, timer, ms: Number.isFinite(ms) && ms > 0 ? ms : 0 });
      return timer;
    },
    clearTimeout(handle) {
      if (typeof handle === 'number' && entry.timers.delete(handle)) {
        notify('clearTimer', { sut, timer: handle });
      }
    },
  };
}

function observer(sut: number, entry: Hosted) {
  return (output: Output) => {
    try {
      send({ jsonrpc: '2.0', method: 'output', params: { sut, output } });
    } catch (error) {
      entry.problem ??= `the adapter reported an output that is not plain data (${describe(error)})`;
    }
  };
}

class Failure extends Error {
  constructor(
    message: string,
    readonly code: number = ERROR_CODES.implementationError,
  ) {
    super(message);
  }
}

function entryOf(sut: number): Hosted & { system: SystemUnderTest } {
  const entry = hosted.get(sut);
  if (!entry?.system) throw new Failure(`no system ${sut} here`);
  return entry as Hosted & { system: SystemUnderTest };
}

async function settled(entry: Hosted & { system: SystemUnderTest }): Promise<Settled> {
  const { system } = entry;
  if (system.settle) await system.settle();
  else for (let turn = 0; turn < DRAIN_TURNS; turn++) await nextTurn();
  await nextTurn();
  if (entry.problem) throw new Failure(entry.problem);
  try {
    const state = await system.query();
    return { state: JSON.parse(JSON.stringify(state ?? {})) };
  } catch (error) {
    return { stateError: describe(error).slice(0, 1000) };
  }
}

const handlers: {
  [M in Method]: (params: Requests[M]['params']) => Promise<Requests[M]['result']>;
} = {
  async initialize() {
    // Imported here, not at the top, so that a broken module is an answer, not a crash.
    const { loadAdapter } = await import('../load-adapter.ts');
    try {
      adapter = await loadAdapter(modulePath);
      const profile = JSON.parse(JSON.stringify(adapter.profile));
      const declarations = adapter.declarations
        ? JSON.parse(JSON.stringify(adapter.declarations))
        : undefined;
      return {
        name: String(adapter.name).slice(0, 200),
        profile,
        ...(declarations ? { declarations } : {}),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : describe(error);
      throw new Failure(message.slice(0, 1500), ERROR_CODES.startFailure);
    }
  },
  async create({ sut, machine, profile, now, wire }) {
    if (!adapter) throw new Failure('create before initialize');
    const entry: Hosted = { now, timers: new Map() };
    hosted.set(sut, entry);
    current = sut;
    let system: SystemUnderTest;
    try {
      system = await adapter.create({
        clock: clockFor(sut, entry),
        observe: observer(sut, entry),
        machine,
        profile,
        ...(wire ? { wire } : {}),
      });
    } catch (error) {
      throw new Failure(describe(error), ERROR_CODES.startFailure);
    }
    if (
      typeof system !== 'object' ||
      system === null ||
      typeof system.apply !== 'function' ||
      typeof system.query !== 'function'
    ) {
      throw new Failure(
        'adapter.create() must return an object with apply() and query() methods',
        ERROR_CODES.startFailure,
      );
    }
    entry.system = system;
    return {};
  },
  async apply({ sut, now, stimulus }) {
    const entry = entryOf(sut);
    entry.now = now;
    let refused: 'invalid-operation' | 'invalid-argument' | undefined;
    try {
      await entry.system.apply(stimulus);
    } catch (error) {
      refused = refusalKind(error);
      if (!refused) throw new Failure(describe(error));
    }
    return { ...(await settled(entry)), ...(refused ? { refused } : {}) };
  },
  async fire({ sut, now, timer }) {
    const entry = entryOf(sut);
    entry.now = now;
    const callback = entry.timers.get(timer);
    entry.timers.delete(timer);
    try {
      callback?.();
    } catch (error) {
      throw new Failure(`A timer callback of the implementation threw: ${describe(error)}`);
    }
    return settled(entry);
  },
  async settle({ sut, now }) {
    const entry = entryOf(sut);
    entry.now = now;
    return settled(entry);
  },
  async query({ sut, now }) {
    const entry = entryOf(sut);
    entry.now = now;
    return settled(entry);
  },
  async dispose({ sut }) {
    const entry = entryOf(sut);
    entry.timers.clear();
    try {
      await entry.system.dispose?.();
    } catch (error) {
      throw new Failure(describe(error));
    } finally {
      // Outputs a dispose sets off promptly still reach the kit, which notes them.
      for (let turn = 0; turn < 5; turn++) await nextTurn();
      if (current === sut) current = undefined;
      hosted.delete(sut);
    }
    return {};
  },
};

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let request: { id: number; method: Method; params: never };
  try {
    request = JSON.parse(line);
  } catch {
    return;
  }
  const handler = handlers[request.method] as ((params: never) => Promise<unknown>) | undefined;
  const answer = handler
    ? handler(request.params)
    : Promise.reject(new Failure(`unknown method ${request.method}`, -32601));
  answer.then(
    (result) => send({ jsonrpc: '2.0', id: request.id, result }, true),
    (error: unknown) => {
      const failure = error instanceof Failure ? error : new Failure(describe(error));
      send(
        {
          jsonrpc: '2.0',
          id: request.id,
          error: { code: failure.code, message: failure.message.slice(0, 1900) },
        },
        true,
      );
    },
  );
});
// The kit closes standard input to end the host; whatever the adapter left running ends too.
lines.on('close', () => exit(0));
