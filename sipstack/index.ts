/// <reference path="./sip-package.d.ts" />
/**
 * A generic SIP user agent with a dialog layer, over the npm `sip` package's parser and
 * transactions, confined to 127.0.0.0/8; and a pcap writer for the traffic it records.
 */
export { SipFailureError, SipTimeoutError, SipUsageError } from './errors.ts';
export { writePcap } from './pcap.ts';
export type {
  IncomingInvite,
  SipContent,
  SipDialog,
  SipMessageView,
  SipTransportName,
  SipUserAgent,
  TrafficRecord,
  UserAgentOptions,
} from './types.ts';
export { startUserAgent } from './user-agent.ts';
