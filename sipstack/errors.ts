/** Bad options or a call the user agent cannot honour: the message says what is wrong and how to fix it. */
export class SipUsageError extends Error {
  override readonly name = 'SipUsageError';
}

/** No final response (or no ACK) arrived within the user agent's transaction time-out. */
export class SipTimeoutError extends Error {
  override readonly name = 'SipTimeoutError';
}

/** An INVITE was answered with a final status of 300 or above. */
export class SipFailureError extends Error {
  override readonly name = 'SipFailureError';
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}
