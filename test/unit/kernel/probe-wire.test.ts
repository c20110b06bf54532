// Unit tests of the probe engine's pure part: socket addresses, ICMP echo messages as ping
// sockets carry them, errno-to-reason mapping, and the option bound (backoff).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, useRawIcmp, type ProbeSpec } from '../../../src/kernel/probe.js';
import {
  echoRequest,
  familyOf,
  icmpChecksum,
  isEchoReply,
  isRawEchoReply,
  rawEchoRequest,
  reasonFor,
  silenceReason,
  sockaddr,
} from '../../../src/kernel/probe-wire.js';

describe('probe wire format', () => {
  it('encodes sockaddr_in with the family in host order and the port big-endian', () => {
    assert.equal(sockaddr('10.0.0.2', 8080).toString('hex'), '02001f900a000002' + '00'.repeat(8));
  });

  it('encodes sockaddr_in6 with a zero flow label and scope', () => {
    const b = sockaddr('fd00::2', 53);
    assert.equal(b.length, 28);
    assert.equal(b.subarray(0, 8).toString('hex'), '0a00003500000000');
    assert.equal(b.subarray(8, 24).toString('hex'), 'fd00' + '00'.repeat(13) + '02');
    assert.equal(b.readUInt32LE(24), 0);
  });

  it('tells the family of plain addresses and rejects zones and junk', () => {
    assert.equal(familyOf('10.1.2.3'), 4);
    assert.equal(familyOf('fd00::1'), 6);
    assert.equal(familyOf('fe80::1%eth0'), undefined);
    assert.equal(familyOf('10.1'), undefined);
    assert.equal(familyOf('host.example'), undefined);
  });

  it('builds echo requests with type, sequence and payload, leaving id and checksum to the kernel', () => {
    const payload = Buffer.from('abcd');
    assert.equal(echoRequest(4, 0x1234, payload).toString('hex'), '0800000000001234' + '61626364');
    assert.equal(echoRequest(6, 0x10001, payload).subarray(0, 8).toString('hex'), '8000000000000001');
  });

  it('accepts only the echo reply with our sequence number and payload', () => {
    const payload = Buffer.from('nslab-probe');
    const reply = (type: number, seq: number, p: Buffer) => Buffer.concat([Buffer.from([type, 0, 0xbe, 0xef, 0, 7, seq >> 8, seq & 0xff]), p]);
    assert.ok(isEchoReply(4, reply(0, 9, payload), 9, payload));
    assert.ok(isEchoReply(6, reply(129, 9, payload), 9, payload));
    assert.ok(!isEchoReply(4, reply(8, 9, payload), 9, payload), 'a request is not a reply');
    assert.ok(!isEchoReply(4, reply(0, 10, payload), 9, payload), 'another sequence number');
    assert.ok(!isEchoReply(4, reply(0, 9, Buffer.from('nslab-probX')), 9, payload), 'another payload');
    assert.ok(!isEchoReply(6, reply(0, 9, payload), 9, payload), 'an IPv4 reply type on IPv6');
    assert.ok(!isEchoReply(4, reply(0, 9, payload).subarray(0, 12), 9, payload), 'truncated');
  });
});

describe('probe reasons', () => {
  const rows: [Parameters<typeof reasonFor>[0], string, string][] = [
    ['tcp', 'ECONNREFUSED', 'connection refused'],
    ['udp', 'ECONNREFUSED', 'port unreachable (counted as reached)'],
    ['icmp', 'ENETUNREACH', 'network unreachable'],
    ['tcp', 'ENETUNREACH', 'network unreachable'],
    ['tcp', 'EHOSTUNREACH', 'no route to host'],
    ['icmp', 'EHOSTUNREACH', 'host unreachable'],
    ['udp', 'EHOSTUNREACH', 'host unreachable'],
    ['icmp', 'EACCES', 'ping sockets not permitted (net.ipv4.ping_group_range)'],
    ['udp', 'ETIMEDOUT', 'no answer'],
    ['icmp', 'EPERM', 'blocked by a local firewall'],
    ['icmp', 'ENOBUFS', 'no buffer space (neighbour table full? net.ipv4.neigh.default.gc_thresh3)'],
    ['tcp', 'EWEIRD', 'error EWEIRD'],
  ];
  for (const [kind, code, reason] of rows) {
    it(`reads ${code} on a ${kind} probe as "${reason}"`, () => assert.equal(reasonFor(kind, code), reason));
  }

  it('calls silence a timeout, and "no answer" for UDP', () => {
    assert.equal(silenceReason('icmp'), 'timeout');
    assert.equal(silenceReason('tcp'), 'timeout');
    assert.equal(silenceReason('udp'), 'no answer');
  });

  it('keeps the retry backoff between 10 and 100 ms', () => {
    assert.equal(backoffMs(1000), 100);
    assert.equal(backoffMs(300), 30);
    assert.equal(backoffMs(20), 10);
    assert.equal(backoffMs(60_000), 100);
  });
});

it('raw echo requests carry our identifier and a valid IPv4 checksum; raw replies are matched past the IP header', () => {
  const payload = Buffer.from('abcd');
  const req = rawEchoRequest(4, 0xbeef, 7, payload);
  assert.equal(req.readUInt16BE(4), 0xbeef);
  // A message with its checksum in place sums to 0xffff, so its checksum over itself is 0.
  assert.equal(icmpChecksum(req), 0);
  // RFC 1071's example words: 0x0001 0xf203 0xf4f5 0xf6f7 -> sum 0xddf2, checksum 0x220d.
  assert.equal(icmpChecksum(Buffer.from('0001f203f4f5f6f7', 'hex')), 0x220d);
  const reply = Buffer.from(req);
  reply.writeUInt8(0, 0);
  const ip = Buffer.alloc(24); // a 24-byte header (IHL 6: with options)
  ip.writeUInt8(0x46, 0);
  const packet = Buffer.concat([ip, reply]);
  assert.ok(isRawEchoReply(4, packet, 0xbeef, 7, payload));
  assert.ok(!isRawEchoReply(4, packet, 0xbeee, 7, payload), 'another identifier: another prober');
  assert.ok(!isRawEchoReply(4, reply, 0xbeef, 7, payload), 'an IPv4 raw socket always gets the IP header');
  // ICMPv6 raw sockets get no IP header; the kernel computes the checksum.
  const r6 = rawEchoRequest(6, 0xbeef, 7, payload);
  assert.equal(r6.readUInt16BE(2), 0);
  r6.writeUInt8(129, 0);
  assert.ok(isRawEchoReply(6, r6, 0xbeef, 7, payload));
});

it('ICMP goes over raw sockets for few probes per source, ping sockets for many, as asked, and only when allowed', () => {
  const spec = (netns: string, id: number): ProbeSpec => ({ id, netns, dst: '10.0.0.1', kind: 'icmp' });
  const sweep = Array.from({ length: 1000 }, (_, i) => spec(`h${i}`, i));
  const matrix = Array.from({ length: 1000 }, (_, i) => spec(`h${i % 10}`, i));
  assert.equal(
    useRawIcmp(sweep.slice(0, 100), {}, () => true),
    false,
    'a small lab keeps ping sockets',
  );
  const yes = (): boolean => true;
  assert.equal(useRawIcmp(sweep, {}, yes), true);
  assert.equal(useRawIcmp(matrix, {}, yes), false);
  assert.equal(useRawIcmp(matrix, { icmpSocket: 'raw' }, yes), true);
  assert.equal(useRawIcmp(sweep, { icmpSocket: 'ping' }, yes), false);
  assert.equal(
    useRawIcmp(sweep, {}, () => false),
    false,
    'without CAP_NET_RAW',
  );
});
