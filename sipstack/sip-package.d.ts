/**
 * Types for the part of the npm `sip` package (0.0.6, plain JavaScript without types) that the
 * user agent uses: its parser and serialiser, response builder, URI helpers and transaction layer.
 * Only what is used is declared, so a change of the package shows up as a type error here.
 */
declare module 'sip' {
  export interface SipUri {
    schema?: string;
    user?: string;
    password?: string;
    host: string;
    port?: number;
    params: Record<string, string | null>;
    headers?: Record<string, string>;
  }
  export interface SipAddressHeader {
    name?: string;
    uri: string | SipUri;
    params?: Record<string, string | null>;
  }
  export interface SipVia {
    version?: string;
    protocol?: string;
    host?: string;
    port?: number;
    params: Record<string, string | number | null>;
  }
  export interface SipCSeq {
    seq: number;
    method: string;
  }
  /** A parsed message; header values are strings unless the package has a parser for them. */
  export interface SipPackageMessage {
    method?: string;
    uri?: string | SipUri;
    version?: string;
    status?: number;
    reason?: string;
    headers: {
      via?: SipVia[];
      to?: SipAddressHeader;
      from?: SipAddressHeader;
      'call-id'?: string;
      cseq?: SipCSeq;
      contact?: SipAddressHeader[] | '*';
      route?: SipAddressHeader[];
      'record-route'?: SipAddressHeader[];
      'content-length'?: number;
      [name: string]: unknown;
    };
    content?: string;
  }
  /** A flow the transaction layer sends on; `release` is called when the transaction ends. */
  export interface SipConnection {
    readonly protocol: string;
    send(message: SipPackageMessage): void;
    release(): void;
  }
  export interface SipClientTransaction {
    message(response: SipPackageMessage, remote?: unknown): void;
    shutdown(): void;
  }
  export interface SipServerTransaction {
    send(response: SipPackageMessage): void;
    message(request: SipPackageMessage, remote?: unknown): void;
    shutdown(): void;
  }
  export interface SipTransactionLayer {
    createServerTransaction(
      request: SipPackageMessage,
      connection: SipConnection,
    ): SipServerTransaction;
    createClientTransaction(
      connection: SipConnection,
      request: SipPackageMessage,
      onResponse: (response: SipPackageMessage) => void,
    ): SipClientTransaction;
    getServer(request: SipPackageMessage): SipServerTransaction | undefined;
    getClient(response: SipPackageMessage): SipClientTransaction | undefined;
    destroy(): void;
  }
  interface SipPackage {
    /** Parses one whole message (a latin1 string or a Buffer); undefined when it is not SIP. */
    parse(data: string | Buffer): SipPackageMessage | undefined;
    /** Serialises a message and sets its Content-Length from the length of `content`. */
    stringify(message: SipPackageMessage): string;
    makeResponse(
      request: SipPackageMessage,
      status: number,
      reason?: string,
      extension?: { headers?: Record<string, unknown>; content?: string },
    ): SipPackageMessage;
    parseUri(uri: string | SipUri): SipUri | undefined;
    stringifyUri(uri: string | SipUri): string;
    stringifyAuthHeader(header: Record<string, string>): string;
    generateBranch(): string;
    makeTransactionLayer(options: Record<string, unknown>, transport: unknown): SipTransactionLayer;
  }
  const sip: SipPackage;
  export default sip;
}
