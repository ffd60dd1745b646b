import { writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { performance } from 'node:perf_hooks';
import { SipUsageError } from './errors.ts';
import type { TrafficRecord } from './types.ts';

/*
 * A classic pcap file (magic a1b2c3d4, version 2.4) of LINKTYPE_RAW (101): each packet is an IPv4
 * packet whose IPv4 and UDP or TCP headers are made up from the record, so that Wireshark shows
 * the SIP messages with their addresses, ports and times. Nothing is captured from the network.
 */
const linktypeRaw = 101;
const ipv4HeaderBytes = 20;
const udpHeaderBytes = 8;
const tcpHeaderBytes = 20;
/** A TCP message longer than this is split over several segments, as a real stack would. */
const tcpSegmentBytes = 1460;
const maxUdpPayload = 65535 - ipv4HeaderBytes - udpHeaderBytes;
const tcpPshAck = 0x18;

function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) {
    throw new SipUsageError(
      `${address} is not an IPv4 address: a pcap of LINKTYPE_RAW here holds IPv4 only`,
    );
  }
  return Buffer.from(address.split('.').map(Number));
}

/** The Internet checksum (RFC 1071) over the given buffers, as if concatenated. */
function internetChecksum(...parts: Buffer[]): number {
  const data = Buffer.concat(parts);
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += data.readUInt16BE(i);
  if (data.length % 2 === 1) sum += (data[data.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function ipv4Packet(
  source: Buffer,
  destination: Buffer,
  protocol: number,
  identification: number,
  segment: Buffer,
): Buffer {
  const header = Buffer.alloc(ipv4HeaderBytes);
  header.writeUInt8(0x45, 0); // version 4, 5 words of header
  header.writeUInt16BE(ipv4HeaderBytes + segment.length, 2);
  header.writeUInt16BE(identification & 0xffff, 4);
  header.writeUInt16BE(0x4000, 6); // don't fragment
  header.writeUInt8(64, 8); // time to live
  header.writeUInt8(protocol, 9);
  source.copy(header, 12);
  destination.copy(header, 16);
  header.writeUInt16BE(internetChecksum(header), 10);
  return Buffer.concat([header, segment]);
}

function pseudoHeader(
  source: Buffer,
  destination: Buffer,
  protocol: number,
  length: number,
): Buffer {
  const pseudo = Buffer.alloc(12);
  source.copy(pseudo, 0);
  destination.copy(pseudo, 4);
  pseudo.writeUInt8(protocol, 9);
  pseudo.writeUInt16BE(length, 10);
  return pseudo;
}

function udpSegment(
  source: Buffer,
  destination: Buffer,
  ports: [number, number],
  payload: Buffer,
): Buffer {
  const header = Buffer.alloc(udpHeaderBytes);
  header.writeUInt16BE(ports[0], 0);
  header.writeUInt16BE(ports[1], 2);
  header.writeUInt16BE(udpHeaderBytes + payload.length, 4);
  const checksum = internetChecksum(
    pseudoHeader(source, destination, 17, udpHeaderBytes + payload.length),
    header,
    payload,
  );
  header.writeUInt16BE(checksum === 0 ? 0xffff : checksum, 6);
  return Buffer.concat([header, payload]);
}

function tcpSegment(
  source: Buffer,
  destination: Buffer,
  ports: [number, number],
  sequence: number,
  acknowledgement: number,
  payload: Buffer,
): Buffer {
  const header = Buffer.alloc(tcpHeaderBytes);
  header.writeUInt16BE(ports[0], 0);
  header.writeUInt16BE(ports[1], 2);
  header.writeUInt32BE(sequence >>> 0, 4);
  header.writeUInt32BE(acknowledgement >>> 0, 8);
  header.writeUInt8((tcpHeaderBytes / 4) << 4, 12);
  header.writeUInt8(tcpPshAck, 13);
  header.writeUInt16BE(65535, 14); // window
  const length = tcpHeaderBytes + payload.length;
  header.writeUInt16BE(
    internetChecksum(pseudoHeader(source, destination, 6, length), header, payload),
    16,
  );
  return Buffer.concat([header, payload]);
}

interface Packet {
  readonly at: number;
  readonly data: Buffer;
}

/** Each direction of each TCP connection numbers its bytes from its own start, as TCP does. */
class TcpSequences {
  private readonly next = new Map<string, number>();

  private static key(from: TrafficRecord['local'], to: TrafficRecord['local']): string {
    return `${from.address}:${from.port}>${to.address}:${to.port}`;
  }

  private current(key: string): number {
    let value = this.next.get(key);
    if (value === undefined) {
      // A fixed initial number per direction, derived from the key, keeps the file reproducible.
      value = 1000;
      for (const char of key) value = (value * 31 + char.charCodeAt(0)) >>> 0;
      this.next.set(key, value);
    }
    return value;
  }

  take(from: TrafficRecord['local'], to: TrafficRecord['local'], bytes: number): [number, number] {
    const key = TcpSequences.key(from, to);
    const sequence = this.current(key);
    this.next.set(key, (sequence + bytes) >>> 0);
    return [sequence, this.current(TcpSequences.key(to, from))];
  }
}

function packetsOf(records: readonly TrafficRecord[]): Packet[] {
  const packets: Packet[] = [];
  const sequences = new TcpSequences();
  let identification = 1;
  for (const record of records) {
    const [from, to] =
      record.direction === 'sent' ? [record.local, record.remote] : [record.remote, record.local];
    const source = ipv4Bytes(from.address);
    const destination = ipv4Bytes(to.address);
    const ports: [number, number] = [from.port, to.port];
    const payload = Buffer.from(record.text, 'utf8');
    if (record.transport === 'udp') {
      if (payload.length > maxUdpPayload) {
        throw new SipUsageError(
          `a UDP record of ${payload.length} bytes does not fit in one IPv4 packet`,
        );
      }
      const segment = udpSegment(source, destination, ports, payload);
      packets.push({
        at: record.at,
        data: ipv4Packet(source, destination, 17, identification++, segment),
      });
      continue;
    }
    for (let offset = 0; offset < payload.length; offset += tcpSegmentBytes) {
      const part = payload.subarray(offset, offset + tcpSegmentBytes);
      const [sequence, acknowledgement] = sequences.take(from, to, part.length);
      const segment = tcpSegment(source, destination, ports, sequence, acknowledgement, part);
      packets.push({
        at: record.at,
        data: ipv4Packet(source, destination, 6, identification++, segment),
      });
    }
  }
  return packets;
}

/** Writes TrafficRecords as a pcap file (LINKTYPE_RAW IPv4, synthesised UDP/TCP headers). */
export function writePcap(path: string, records: readonly TrafficRecord[]): void {
  const packets = packetsOf(records);
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeInt32LE(0, 8); // times are UTC
  header.writeUInt32LE(0, 12);
  header.writeUInt32LE(65535, 16); // snapshot length
  header.writeUInt32LE(linktypeRaw, 20);
  const parts: Buffer[] = [header];
  for (const packet of packets) {
    // `at` is performance.now(); the time origin turns it into wall-clock time.
    const wallMicros = Math.round((performance.timeOrigin + packet.at) * 1000);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(Math.floor(wallMicros / 1e6), 0);
    record.writeUInt32LE(wallMicros % 1e6, 4);
    record.writeUInt32LE(packet.data.length, 8);
    record.writeUInt32LE(packet.data.length, 12);
    parts.push(record, packet.data);
  }
  writeFileSync(path, Buffer.concat(parts));
}
