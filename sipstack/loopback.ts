import { isIPv4 } from 'node:net';
import { SipUsageError } from './errors.ts';

/**
 * The user agent only ever talks on 127.0.0.0/8: it is a test instrument, and a stray INVITE to a
 * real address (a typo in a target) must fail loudly instead of ringing a phone somewhere.
 */
export function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.split('.')[0] === '127';
}

export function requireLoopbackAddress(address: string, what: string): void {
  if (!isLoopbackIPv4(address)) {
    throw new SipUsageError(
      `${what} ${JSON.stringify(address)} is not a loopback IPv4 address: use one in 127.0.0.0/8, ` +
        'e.g. 127.0.0.1 for one party and 127.0.0.2 for the other',
    );
  }
}

export function requirePort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new SipUsageError(`${what} ${port} is not a port: give an integer from 1 to 65535`);
  }
}
