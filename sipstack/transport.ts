import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import sip, { type SipConnection, type SipPackageMessage } from 'sip';
import { SipUsageError } from './errors.ts';
import { fromWire, isWellFormed } from './message.ts';
import type { SipTransportName, TrafficRecord } from './types.ts';

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** A message that arrived, with the flow a response to it goes back on. */
export interface Arrival {
  readonly message: SipPackageMessage;
  readonly transport: SipTransportName;
  readonly remote: Endpoint;
  readonly replyOn: SipConnection;
  readonly at: number;
}

export interface TransportOptions {
  readonly address: string;
  readonly port: number | undefined;
  readonly transports: readonly SipTransportName[];
  readonly onTraffic: (record: TrafficRecord) => void;
  readonly onArrival: (arrival: Arrival) => void;
}

/** A bound beyond which a TCP peer that never finishes a message is cut off. */
const maxBufferedBytes = 1 << 20;
/** Attempts at finding a port free for both UDP and TCP before giving up. */
const portAttempts = 20;

/**
 * Binds a socket or server, failing with the error of binding; errors after that are ignored:
 * send failures surface as transaction time-outs, and an unhandled 'error' would end the process.
 */
function opened(target: UdpSocket | Server, open: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    target.once('error', reject);
    open(() => {
      target.off('error', reject);
      target.on('error', () => {});
      resolve();
    });
  });
}

/** One TCP connection: frames the byte stream into messages, and fails the transactions on it when it breaks. */
class TcpStream {
  private buffered = '';
  private readonly onBreak = new Set<(error: Error) => void>();

  constructor(
    readonly socket: Socket,
    private readonly owner: Transports,
  ) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.take(chunk));
    socket.on('error', (error) => this.broken(error));
    socket.on('close', () => this.broken(new Error('connection closed')));
  }

  get remote(): Endpoint {
    return { address: this.socket.remoteAddress ?? '', port: this.socket.remotePort ?? 0 };
  }

  connection(onError?: (error: Error) => void): SipConnection {
    if (onError) this.onBreak.add(onError);
    return {
      protocol: 'TCP',
      send: (message) => this.send(message),
      release: () => {
        if (onError) this.onBreak.delete(onError);
      },
    };
  }

  private send(message: SipPackageMessage): void {
    if (this.socket.destroyed || this.owner.closed) return;
    const wire = sip.stringify(message);
    this.socket.write(wire, 'latin1');
    // A connection still being set up has no local port yet; its record waits for it.
    const record = () =>
      this.owner.record('sent', 'tcp', this.localOf(), this.remote, fromWire(wire));
    if (this.socket.connecting) this.socket.once('connect', record);
    else record();
  }

  private localOf(): Endpoint {
    return { address: this.socket.localAddress ?? '', port: this.socket.localPort ?? 0 };
  }

  /** Splits at the blank line after the headers and takes Content-Length bytes of body (RFC 3261 18.3). */
  private take(chunk: string): void {
    this.buffered += chunk;
    for (;;) {
      this.buffered = this.buffered.replace(/^(\r\n)+/, '');
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = sip.parse(this.buffered.slice(0, end + 4));
      if (head === undefined) {
        this.socket.destroy(new Error('not a SIP message'));
        return;
      }
      const bodyLength = head.headers['content-length'] ?? 0;
      if (!Number.isInteger(bodyLength) || bodyLength < 0) {
        this.socket.destroy(new Error('bad Content-Length'));
        return;
      }
      const length = end + 4 + bodyLength;
      if (this.buffered.length < length) break;
      const wire = this.buffered.slice(0, length);
      this.buffered = this.buffered.slice(length);
      this.owner.arrived(wire, 'tcp', this.localOf(), this.remote, this.connection());
    }
    if (this.buffered.length > maxBufferedBytes) this.socket.destroy(new Error('message too long'));
  }

  private broken(error: Error): void {
    const listeners = [...this.onBreak];
    this.onBreak.clear();
    for (const listener of listeners) listener(error);
  }
}

/**
 * The UDP socket and the TCP listener of one user agent, and every TCP connection it accepted or
 * opened, so that `close` can close them all (the package's own transports leave connections open).
 */
export class Transports {
  closed = false;
  private udp: UdpSocket | undefined;
  private tcpServer: Server | undefined;
  private readonly streams = new Set<TcpStream>();
  private readonly outgoing = new Map<string, TcpStream>();
  port = 0;

  private constructor(private readonly options: TransportOptions) {}

  static async open(options: TransportOptions): Promise<Transports> {
    const transports = new Transports(options);
    await transports.bind();
    return transports;
  }

  private async bind(): Promise<void> {
    const { port, transports } = this.options;
    const attempts = port === undefined ? portAttempts : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        let chosen = port ?? 0;
        if (transports.includes('udp')) chosen = await this.bindUdp(chosen);
        if (transports.includes('tcp')) chosen = await this.listenTcp(chosen);
        this.port = chosen;
        return;
      } catch (error) {
        await this.close();
        this.closed = false;
        const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!inUse) throw error;
        if (attempt >= attempts) {
          throw new SipUsageError(
            port === undefined
              ? `no port on ${this.options.address} was free for both UDP and TCP after ${attempts} attempts`
              : `port ${port} on ${this.options.address} is in use: give another port, or none to have one chosen`,
          );
        }
      }
    }
  }

  private async bindUdp(port: number): Promise<number> {
    const socket = createSocket('udp4');
    this.udp = socket;
    socket.on('message', (data, rinfo) => {
      const remote = { address: rinfo.address, port: rinfo.port };
      this.arrived(data.toString('latin1'), 'udp', this.local, remote, this.udpConnection(remote));
    });
    await opened(socket, (done) => socket.bind(port, this.options.address, done));
    return socket.address().port;
  }

  private async listenTcp(port: number): Promise<number> {
    const server = createServer((socket) => this.adopt(socket));
    this.tcpServer = server;
    await opened(server, (done) => server.listen(port, this.options.address, done));
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  private get local(): Endpoint {
    return { address: this.options.address, port: this.port };
  }

  private adopt(socket: Socket): TcpStream {
    const stream = new TcpStream(socket, this);
    this.streams.add(stream);
    socket.on('close', () => this.streams.delete(stream));
    if (this.closed) socket.destroy();
    return stream;
  }

  private udpConnection(remote: Endpoint): SipConnection {
    return {
      protocol: 'UDP',
      send: (message) => {
        const socket = this.udp;
        if (socket === undefined || this.closed) return;
        const wire = sip.stringify(message);
        socket.send(Buffer.from(wire, 'latin1'), remote.port, remote.address);
        this.record('sent', 'udp', this.local, remote, fromWire(wire));
      },
      release: () => {},
    };
  }

  /** A flow to `remote` for a request; TCP reuses an open connection to the same listener. */
  connection(
    transport: SipTransportName,
    remote: Endpoint,
    onError: (error: Error) => void,
  ): SipConnection {
    if (!this.options.transports.includes(transport)) {
      throw new SipUsageError(
        `this user agent was started without ${transport}: add it to the transports option`,
      );
    }
    if (transport === 'udp') return this.udpConnection(remote);
    const key = `${remote.address}:${remote.port}`;
    let stream = this.outgoing.get(key);
    if (stream === undefined || stream.socket.destroyed) {
      const socket = connect({
        host: remote.address,
        port: remote.port,
        localAddress: this.options.address,
        noDelay: true,
      });
      const opened = this.adopt(socket);
      this.outgoing.set(key, opened);
      socket.on('close', () => {
        if (this.outgoing.get(key) === opened) this.outgoing.delete(key);
      });
      stream = opened;
    }
    return stream.connection(onError);
  }

  record(
    direction: TrafficRecord['direction'],
    transport: SipTransportName,
    local: Endpoint,
    remote: Endpoint,
    text: string,
  ): void {
    this.options.onTraffic({ at: performance.now(), direction, transport, local, remote, text });
  }

  arrived(
    wire: string,
    transport: SipTransportName,
    local: Endpoint,
    remote: Endpoint,
    replyOn: SipConnection,
  ): void {
    if (this.closed) return;
    const at = performance.now();
    this.record('received', transport, local, remote, fromWire(wire));
    const message = sip.parse(wire);
    if (!isWellFormed(message)) return;
    this.options.onArrival({ message, transport, remote, replyOn, at });
  }

  /** Closes the UDP socket, the listener and every connection, and waits until they are closed. */
  async close(): Promise<void> {
    this.closed = true;
    const waits: Promise<void>[] = [];
    const udp = this.udp;
    this.udp = undefined;
    if (udp) {
      waits.push(
        new Promise<void>((resolve) => {
          try {
            udp.close(() => resolve());
          } catch {
            resolve(); // never bound, or closed already
          }
        }),
      );
    }
    const server = this.tcpServer;
    this.tcpServer = undefined;
    if (server?.listening)
      waits.push(new Promise<void>((resolve) => server.close(() => resolve())));
    for (const stream of this.streams) {
      const socket = stream.socket;
      if (!socket.closed)
        waits.push(new Promise<void>((resolve) => socket.once('close', () => resolve())));
      socket.destroy();
    }
    this.outgoing.clear();
    await Promise.all(waits);
  }
}
