import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SipUsageError, type TrafficRecord, writePcap } from './index.ts';
import { connect, startParties } from './test-support.ts';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

interface ReadPacket {
  readonly seconds: number;
  readonly micros: number;
  readonly protocol: number;
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly headerChecksumOk: boolean;
  readonly transportChecksumOk: boolean;
  readonly sequence?: number;
  readonly acknowledgement?: number;
  readonly flags?: number;
  readonly payload: string;
}

function onesComplementSum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += data.readUInt16BE(i);
  if (data.length % 2 === 1) sum += (data[data.length - 1] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

/** The IPv4 pseudo-header that UDP and TCP checksums cover. */
function pseudoHeaderOf(ip: Buffer): Buffer {
  const pseudo = Buffer.alloc(12);
  ip.copy(pseudo, 0, 12, 20);
  pseudo.writeUInt8(ip[9] ?? 0, 9);
  pseudo.writeUInt16BE(ip.length - 20, 10);
  return pseudo;
}

/** Just enough of a pcap reader to check what `writePcap` wrote. */
function readPcap(file: Buffer): { linktype: number; version: string; packets: ReadPacket[] } {
  expect(file.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const packets: ReadPacket[] = [];
  let offset = 24;
  while (offset < file.length) {
    const seconds = file.readUInt32LE(offset);
    const micros = file.readUInt32LE(offset + 4);
    const length = file.readUInt32LE(offset + 8);
    expect(file.readUInt32LE(offset + 12)).toBe(length);
    const ip = file.subarray(offset + 16, offset + 16 + length);
    offset += 16 + length;
    expect(ip[0]).toBe(0x45);
    expect(ip.readUInt16BE(2)).toBe(ip.length);
    const protocol = ip[9] ?? 0;
    const address = (at: number) => [...ip.subarray(at, at + 4)].join('.');
    const transport = ip.subarray(20);
    const headerBytes = protocol === 17 ? 8 : ((transport[12] ?? 0) >> 4) * 4;
    if (protocol === 17) expect(transport.readUInt16BE(4)).toBe(transport.length);
    packets.push({
      seconds,
      micros,
      protocol,
      source: address(12),
      destination: address(16),
      sourcePort: transport.readUInt16BE(0),
      destinationPort: transport.readUInt16BE(2),
      headerChecksumOk: onesComplementSum(ip.subarray(0, 20)) === 0xffff,
      transportChecksumOk:
        onesComplementSum(Buffer.concat([pseudoHeaderOf(ip), transport])) === 0xffff,
      ...(protocol === 6
        ? {
            sequence: transport.readUInt32BE(4),
            acknowledgement: transport.readUInt32BE(8),
            flags: transport[13] ?? 0,
          }
        : {}),
      payload: transport.subarray(headerBytes).toString('utf8'),
    });
  }
  return {
    linktype: file.readUInt32LE(20),
    version: `${file.readUInt16LE(4)}.${file.readUInt16LE(6)}`,
    packets,
  };
}

describe('writePcap', () => {
  it('writes the traffic of a call over UDP and TCP as IPv4 packets that read back', async () => {
    const parties = await startParties();
    close = parties.close;
    for (const transport of ['udp', 'tcp'] as const) {
      const { calling, called } = await connect(
        parties.caller.agent,
        parties.callee.agent,
        transport,
      );
      called.onRequest((_request, respond) => respond(200));
      await calling.request('MESSAGE', { contentType: 'text/plain', body: `über ${transport}` });
      await calling.bye();
    }
    const records: TrafficRecord[] = parties.caller.traffic;
    const path = join(mkdtempSync(join(tmpdir(), 'sipstack-pcap-')), 'call.pcap');
    const wallBefore = Date.now();
    writePcap(path, records);
    const { linktype, version, packets } = readPcap(readFileSync(path));
    expect(linktype).toBe(101);
    expect(version).toBe('2.4');
    expect(packets).toHaveLength(records.length);
    for (const [index, packet] of packets.entries()) {
      const record = records[index];
      if (record === undefined) throw new Error('more packets than records');
      const [from, to] =
        record.direction === 'sent' ? [record.local, record.remote] : [record.remote, record.local];
      expect(packet.payload).toBe(record.text);
      expect(packet.protocol).toBe(record.transport === 'udp' ? 17 : 6);
      expect([packet.source, packet.sourcePort]).toEqual([from.address, from.port]);
      expect([packet.destination, packet.destinationPort]).toEqual([to.address, to.port]);
      expect(packet.headerChecksumOk).toBe(true);
      expect(packet.transportChecksumOk).toBe(true);
      expect(packet.sourcePort).toBeGreaterThan(0);
      expect(packet.destinationPort).toBeGreaterThan(0);
      const wall = packet.seconds * 1000 + packet.micros / 1000;
      expect(Math.abs(wall - (performance.timeOrigin + record.at))).toBeLessThan(1);
      // performance.timeOrigin and Date.now() drift apart by a fraction of a millisecond.
      expect(wall).toBeLessThanOrEqual(wallBefore + 50);
      expect(wall).toBeGreaterThan(wallBefore - 60_000);
    }
    const addresses = new Set(packets.map((packet) => packet.source));
    expect(addresses).toEqual(new Set(['127.0.0.1', '127.0.0.2']));
    // TCP: each direction's sequence numbers advance by the bytes it sent, and the other side acknowledges them.
    const tcp = packets.filter((packet) => packet.protocol === 6);
    expect(tcp.length).toBeGreaterThanOrEqual(4);
    expect(tcp.every((packet) => packet.flags === 0x18)).toBe(true);
    const next = new Map<string, number>();
    for (const packet of tcp) {
      const direction = `${packet.sourcePort}>${packet.destinationPort}`;
      const reverse = `${packet.destinationPort}>${packet.sourcePort}`;
      const expected = next.get(direction);
      if (expected !== undefined) expect(packet.sequence).toBe(expected);
      const reverseNext = next.get(reverse);
      if (reverseNext !== undefined) expect(packet.acknowledgement).toBe(reverseNext);
      next.set(direction, ((packet.sequence ?? 0) + Buffer.byteLength(packet.payload)) >>> 0);
    }
    expect(tcp.some((packet) => packet.payload.includes('über tcp'))).toBe(true);
  });

  it('refuses a record whose address is not IPv4', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sipstack-pcap-')), 'bad.pcap');
    const record: TrafficRecord = {
      at: 1,
      direction: 'sent',
      transport: 'udp',
      local: { address: '::1', port: 5060 },
      remote: { address: '127.0.0.1', port: 5060 },
      text: 'OPTIONS sip:a@127.0.0.1 SIP/2.0\r\n\r\n',
    };
    expect(() => writePcap(path, [record])).toThrow(SipUsageError);
  });
});
