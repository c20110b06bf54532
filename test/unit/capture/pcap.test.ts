// The pcap stream reader (tcpdump -w - output, split anywhere by the pipe) and the pcapng writer
// (block layout byte by byte, as the pcapng specification lays it out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PcapFormatError, PcapReader } from '../../../src/packet/pcap.js';
import { interfaceBlock, packetBlock, sectionHeader } from '../../../src/packet/pcapng.js';

/** A pcap stream as tcpdump writes it on a little-endian machine (or big-endian / nanosecond). */
function stream(records: Array<{ sec: number; frac: number; data: number[]; orig?: number }>, o: { be?: boolean; nano?: boolean } = {}): Buffer {
  const w32 = (b: Buffer, v: number, at: number): number => (o.be ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
  const w16 = (b: Buffer, v: number, at: number): number => (o.be ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
  const head = Buffer.alloc(24);
  w32(head, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  w16(head, 2, 4);
  w16(head, 4, 6);
  w32(head, 262144, 16);
  w32(head, 1, 20);
  const recs = records.map((r) => {
    const h = Buffer.alloc(16);
    w32(h, r.sec, 0);
    w32(h, r.frac, 4);
    w32(h, r.data.length, 8);
    w32(h, r.orig ?? r.data.length, 12);
    return Buffer.concat([h, Buffer.from(r.data)]);
  });
  return Buffer.concat([head, ...recs]);
}

const RECORDS = [
  { sec: 1_700_000_000, frac: 123_456, data: [1, 2, 3] },
  { sec: 1_700_000_001, frac: 7, data: Array.from({ length: 60 }, (_, i) => i), orig: 1500 },
];

test('records come out whole however the stream is split', () => {
  const s = stream(RECORDS);
  for (const size of [1, 3, 16, 17, 40, s.length]) {
    const r = new PcapReader();
    const got = [];
    for (let off = 0; off < s.length; off += size) got.push(...r.push(s.subarray(off, off + size)));
    assert.equal(r.linktype, 1);
    assert.deepEqual(
      got.map((x) => [x.tsUs, Array.from(x.data), x.origLen]),
      [
        [1_700_000_000_123_456, [1, 2, 3], 3],
        [1_700_000_001_000_007, RECORDS[1]!.data, 1500],
      ],
      `chunks of ${size}`,
    );
  }
});

test('big-endian and nanosecond streams are read too', () => {
  const be = new PcapReader().push(stream(RECORDS, { be: true }));
  assert.deepEqual(
    be.map((x) => x.tsUs),
    [1_700_000_000_123_456, 1_700_000_001_000_007],
  );
  const ns = new PcapReader().push(stream([{ sec: 10, frac: 123_456_789, data: [9] }], { nano: true }));
  assert.deepEqual(
    ns.map((x) => x.tsUs),
    [10_123_456],
  );
});

test('a stream that is not pcap is refused', () => {
  assert.throws(() => new PcapReader().push(Buffer.from('tcpdump: something went wrong, sorry')), PcapFormatError);
});

test('pcapng blocks are laid out as the specification says', () => {
  const shb = sectionHeader('nslab capture');
  assert.equal(shb.readUInt32LE(0), 0x0a0d0d0a);
  assert.equal(shb.readUInt32LE(4), shb.length);
  assert.equal(shb.readUInt32LE(shb.length - 4), shb.length);
  assert.equal(shb.readUInt32LE(8), 0x1a2b3c4d);
  assert.deepEqual([shb.readUInt16LE(12), shb.readUInt16LE(14)], [1, 0]);
  assert.equal(shb.readBigInt64LE(16), -1n);
  // shb_userappl (4), 13 bytes padded to 16, then opt_endofopt
  assert.deepEqual([shb.readUInt16LE(24), shb.readUInt16LE(26)], [4, 13]);
  assert.equal(shb.subarray(28, 41).toString(), 'nslab capture');
  assert.equal(shb.length, 28 + 16 + 4 + 4);

  const idb = interfaceBlock({ name: 'netns1:ceth1', snaplen: 262144 });
  assert.deepEqual(Array.from(idb.subarray(0, 8)), [1, 0, 0, 0, idb.length, 0, 0, 0]);
  assert.equal(idb.readUInt16LE(8), 1); // LINKTYPE_ETHERNET
  assert.equal(idb.readUInt32LE(12), 262144);
  assert.deepEqual([idb.readUInt16LE(16), idb.readUInt16LE(18)], [2, 12]); // if_name
  assert.equal(idb.subarray(20, 32).toString(), 'netns1:ceth1');
  assert.deepEqual(Array.from(idb.subarray(32, 36)), [0, 0, 0, 0]); // opt_endofopt
  assert.equal(idb.length, 40);
  assert.equal(idb.length % 4, 0);

  const tsUs = 1_700_000_000_123_456;
  const epb = packetBlock({ iface: 1, tsUs, data: Uint8Array.from([1, 2, 3, 4, 5]), origLen: 60 });
  assert.equal(epb.readUInt32LE(0), 6);
  assert.equal(epb.length, 12 + 20 + 8);
  assert.equal(epb.readUInt32LE(8), 1);
  assert.equal(epb.readUInt32LE(12) * 2 ** 32 + epb.readUInt32LE(16), tsUs);
  assert.deepEqual([epb.readUInt32LE(20), epb.readUInt32LE(24)], [5, 60]);
  assert.deepEqual(Array.from(epb.subarray(28, 36)), [1, 2, 3, 4, 5, 0, 0, 0]);
  assert.equal(epb.readUInt32LE(epb.length - 4), epb.length);
});
