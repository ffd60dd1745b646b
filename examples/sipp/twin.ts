/**
 * The application side of a SIPp endpoint, over SIPp's 3PCC twin socket (`-3pcc ADDRESS:PORT`).
 * SIPp has no application of its own; its third-party call control mode lets two instances
 * synchronise their calls with twin commands (`sendCmd` / `recvCmd`, text with a `Call-ID`
 * header, each ended by an ESC character: SIPp's `socket.cpp` frames control messages so). Here
 * the other twin is this controller: the typing scenarios (`uas-typing*.xml`) tell it of each
 * call they answered and of each return to Idle, and it sets Composing on a call with a command
 * naming that call. SIPp then does all the timing itself; the controller never touches SIP.
 *
 * The controller listens and SIPp connects to it at start: a scenario that answers calls and
 * whose first twin command is a `sendCmd` runs in SIPp's "3PCC A passive" role. (The other
 * role, listening on the twin address, binds it on every interface, whatever address is given.)
 */
import { createServer, type Server, type Socket } from 'node:net';

/** A call SIPp answered, as its scenario announced it. */
export interface TwinCall {
  readonly callId: string;
  /** The URI in the caller's Contact: the kit's own URI. */
  readonly remoteContact: string;
  /** Idle: SIPp takes a setting of Composing; composing: it is running its cadence. */
  composing: 'idle' | 'composing';
}

/** The ESC character that ends every twin command. */
const END = '\x1b';

function header(command: string, name: string): string | undefined {
  const match = new RegExp(`^${name}:[ \\t]*(.*?)[ \\t]*$`, 'im').exec(command);
  return match?.[1];
}

/** `address:port` of a SIP URI, lower-case: the part two spellings of one party share. */
function hostPort(uri: string): string {
  return (/@([^;>?\s]+)/.exec(uri)?.[1] ?? uri).toLowerCase();
}

export class SippTwin {
  readonly calls = new Map<string, TwinCall>();
  readonly #server: Server;
  readonly #note: (message: string) => void;
  #socket: Socket | undefined;
  #buffer = '';
  #waiters = new Set<() => void>();
  #closed = false;

  private constructor(server: Server, note: (message: string) => void) {
    this.#server = server;
    this.#note = note;
    server.on('connection', (socket) => this.#accept(socket));
  }

  /**
   * Listens for SIPp on a loopback address (port 0: a free one); start SIPp with
   * `-3pcc ADDRESS:PORT` after. One SIPp at a time; the server does not keep the process alive.
   */
  static listen(
    options: { address?: string; port?: number; note?: (message: string) => void } = {},
  ): Promise<SippTwin> {
    const address = options.address ?? '127.0.0.1';
    if (!/^127(?:\.\d{1,3}){3}$/.test(address)) {
      return Promise.reject(
        new Error(`the twin address ${address} is not on loopback: give one in 127.0.0.0/8`),
      );
    }
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (error) =>
        reject(
          new Error(`cannot listen for SIPp on ${address}:${options.port ?? 0}: ${error.message}`),
        ),
      );
      server.listen(options.port ?? 0, address, () => {
        server.unref();
        resolve(new SippTwin(server, options.note ?? (() => undefined)));
      });
    });
  }

  /** Where SIPp connects: the value of its -3pcc option. */
  get address(): { address: string; port: number } {
    const bound = this.#server.address();
    if (typeof bound !== 'object' || bound === null) throw new Error('the twin server is closed');
    return { address: bound.address, port: bound.port };
  }

  #accept(socket: Socket): void {
    if (this.#socket !== undefined && !this.#socket.destroyed) {
      this.#note('a second SIPp connected to the twin socket; it is refused');
      socket.destroy();
      return;
    }
    this.#socket = socket;
    this.#buffer = '';
    socket.unref();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.#read(chunk));
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
      this.#wake();
    });
    socket.on('error', (error) => this.#note(`SIPp's twin connection: ${error.message}`));
    this.#wake();
  }

  /** Resolves once SIPp has connected (bounded). */
  connected(ms: number): Promise<void> {
    return this.#until(
      () => this.#socket !== undefined,
      ms,
      () =>
        `SIPp did not connect to the twin socket ${this.address.address}:${this.address.port} within ${ms} ms: start it with -3pcc ${this.address.address}:${this.address.port} and a typing scenario`,
    );
  }

  get closed(): boolean {
    return this.#closed;
  }

  #read(chunk: string): void {
    this.#buffer += chunk;
    for (let end = this.#buffer.indexOf(END); end >= 0; end = this.#buffer.indexOf(END)) {
      this.#command(this.#buffer.slice(0, end));
      this.#buffer = this.#buffer.slice(end + 1);
    }
    this.#wake();
  }

  #command(command: string): void {
    const callId = header(command, 'Call-ID');
    if (callId === undefined) {
      this.#note(`SIPp sent a twin command without Call-ID: ${JSON.stringify(command)}`);
      return;
    }
    const remoteContact = header(command, 'Remote-Contact');
    if (remoteContact !== undefined) {
      this.calls.set(callId, { callId, remoteContact, composing: 'idle' });
      return;
    }
    const call = this.calls.get(callId);
    if (header(command, 'Composing') === 'idle' && call) {
      call.composing = 'idle';
      return;
    }
    // SIPp tells its twin of a call it aborted (an unexpected message, a time-out).
    this.#note(`SIPp sent twin command ${JSON.stringify(command.trim())}`);
    if (/abort_call/i.test(command)) this.calls.delete(callId);
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }

  /** Resolves once `condition` holds; rejects with `why()` after `ms` or when SIPp goes. */
  #until(condition: () => boolean, ms: number, why: () => string): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition()) finish(resolve);
        else if (this.#closed)
          finish(() => reject(new Error(`${why()}; the twin socket is closed`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(why()))), ms);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /**
   * The latest call SIPp answered from `remote` (the caller's URI) and announced, leaving out
   * the calls named in `earlier` (those announced before this caller's call began: a caller
   * may get the port of an earlier one), once SIPp announced it (bounded).
   */
  async callFrom(
    remote: string,
    ms: number,
    earlier: ReadonlySet<string> = new Set(),
  ): Promise<TwinCall> {
    const find = () =>
      [...this.calls.values()]
        .filter((call) => !earlier.has(call.callId))
        .filter((call) => hostPort(call.remoteContact) === hostPort(remote))
        .at(-1);
    await this.#until(
      () => find() !== undefined,
      ms,
      () => `SIPp announced no call from ${remote} within ${ms} ms`,
    );
    return find() as TwinCall;
  }

  /**
   * Sets Composing on a call: SIPp sends Typing at once and times its refreshes and its
   * time-out itself. Waits (bounded) until SIPp has told that the call is Idle, as SIPp takes
   * the command only there.
   */
  async setComposing(call: TwinCall, ms: number): Promise<void> {
    await this.#until(
      () => call.composing === 'idle',
      ms,
      () => `SIPp's call ${call.callId} did not return to Idle within ${ms} ms`,
    );
    const socket = this.#socket;
    if (socket === undefined) throw new Error('SIPp is not connected to the twin socket');
    call.composing = 'composing';
    socket.write(`Call-ID: ${call.callId}\r\n\r\n${END}`);
  }

  /** Closes the connection and the server; SIPp quits then, once its calls have ended. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#wake();
    this.#socket?.end();
    // SIPp closes its end when it sees ours close; if it does not within a second, drop it.
    const socket = this.#socket;
    const timer = setTimeout(() => socket?.destroy(), 1000);
    timer.unref();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}
