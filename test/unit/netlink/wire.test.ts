// Byte fixtures for the rtnetlink encoders and decoders. Requests marked "iproute2" are the
// bytes `ip` 6.1 sent for the command shown (captured with `strace -e write=all`, sequence number
// zeroed: the socket stamps it); the others are derived by hand from the UAPI headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidr, type Cidr } from '../../../src/util/ip.js';
import { encodeAddr, decodeAddr, encodeAddrDump } from '../../../src/netlink/wire-addr.js';
import * as C from '../../../src/netlink/wire-consts.js';
import {
  decodeLink,
  encodeBridgeCreate,
  encodeLinkDelete,
  encodeLinkDump,
  encodeLinkGet,
  encodeLinkSet,
  encodeVethCreate,
  ifinfomsg,
} from '../../../src/netlink/wire-link.js';
import { encodeRoute } from '../../../src/netlink/wire-route.js';
import { MsgBuilder, decodeDone, decodeError, setSeq, splitMessages } from '../../../src/netlink/wire.js';

/** Bytes from a hexdump-like string (whitespace ignored). */
function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  assert.ok(c, text);
  return c;
}

const rows: { name: string; got: () => Buffer; want: string }[] = [
  {
    name: 'iproute2: ip link add name v1 index 40 mtu 1400 type veth peer name v2 index 41 netns n1 (fd 4)',
    got: () => encodeVethCreate({ name: 'v1', index: 40, mtu: 1400, peer: { name: 'v2', index: 41, nsFd: 4 } }),
    want: `64000000 1000 0506 00000000 00000000  00 00 0000 28000000 00000000 00000000
           0800 0400 78050000  0700 0300 76310000
           3400 1200 0800 0100 76657468 2800 0200 2400 0100 00 00 0000 29000000 00000000 00000000
           0800 1c00 04000000  0700 0300 76320000`,
  },
  {
    name: 'iproute2: ip link add name br0 type bridge mcast_snooping 0',
    got: () => encodeBridgeCreate({ name: 'br0' }),
    want: `44000000 1000 0506 00000000 00000000  00000000 00000000 00000000 00000000
           0800 0300 62723000  1c00 1200 0a00 0100 62726964 67650000  0c00 0200 0500 1700 00000000`,
  },
  {
    name: 'iproute2: ip link set br0 up (br0 has ifindex 2)',
    got: () => encodeLinkSet({ index: 2, up: true }),
    want: `20000000 1000 0500 00000000 00000000  00000000 02000000 01000000 01000000`,
  },
  {
    name: 'iproute2: ip link set v1 master br0 up (v1 = 40, br0 = 2)',
    got: () => encodeLinkSet({ index: 40, master: 2, up: true }),
    want: `28000000 1000 0500 00000000 00000000  00000000 28000000 01000000 01000000  0800 0a00 02000000`,
  },
  {
    name: 'iproute2: ip link set v2 alias hi (v2 = 3; the alias has no NUL)',
    got: () => encodeLinkSet({ index: 3, alias: 'hi' }),
    want: `28000000 1000 0500 00000000 00000000  00000000 03000000 00000000 00000000  0600 1400 68690000`,
  },
  {
    name: 'iproute2: ip link set v2 addrgenmode none (IFLA_AF_SPEC { AF_INET6 { ADDR_GEN_MODE = 1 } })',
    got: () => encodeLinkSet({ index: 3, addrGenModeNone: true }),
    want: `30000000 1000 0500 00000000 00000000  00000000 03000000 00000000 00000000
           1000 1a00 0c00 0a00 0500 0800 01000000`,
  },
  {
    name: 'by hand: ip link set eth0 down, by name',
    got: () => encodeLinkSet({ name: 'eth0', up: false }),
    want: `2c000000 1000 0500 00000000 00000000  00000000 00000000 00000000 01000000  0900 0300 65746830 00000000`,
  },
  {
    name: 'by hand: ip link del v1, by name (iproute2 resolves the index first; we need not)',
    got: () => encodeLinkDelete('v1'),
    want: `28000000 1100 0500 00000000 00000000  00000000 00000000 00000000 00000000  0700 0300 76310000`,
  },
  {
    name: 'by hand: ip link show v1 (a get by name, acked)',
    got: () => encodeLinkGet('v1'),
    want: `28000000 1200 0500 00000000 00000000  00000000 00000000 00000000 00000000  0700 0300 76310000`,
  },
  {
    name: 'by hand: link dump (NLM_F_REQUEST | NLM_F_DUMP, empty ifinfomsg)',
    got: () => encodeLinkDump(),
    want: `20000000 1200 0103 00000000 00000000  00000000 00000000 00000000 00000000`,
  },
  {
    name: 'iproute2: ip addr add 10.1.2.3/24 brd + dev br0',
    got: () => encodeAddr('add', { index: 2, cidr: cidr('10.1.2.3/24') }),
    want: `30000000 1400 0506 00000000 00000000  02 18 00 00 02000000
           0800 0200 0a010203  0800 0100 0a010203  0800 0400 0a0102ff`,
  },
  {
    name: 'iproute2: ip addr del 10.1.2.3/24 dev br0',
    got: () => encodeAddr('delete', { index: 2, cidr: cidr('10.1.2.3/24') }),
    want: `28000000 1500 0500 00000000 00000000  02 18 00 00 02000000  0800 0200 0a010203  0800 0100 0a010203`,
  },
  {
    name: 'by hand: ip addr add 10.0.0.1/31 dev x (no broadcast on /31)',
    got: () => encodeAddr('add', { index: 5, cidr: cidr('10.0.0.1/31') }),
    want: `28000000 1400 0506 00000000 00000000  02 1f 00 00 05000000  0800 0200 0a000001  0800 0100 0a000001`,
  },
  {
    name: 'by hand: ip addr add fd00::1/64 dev br0 nodad (IFA_ADDRESS + IFA_FLAGS; iproute2 sends IFA_LOCAL too)',
    got: () => encodeAddr('add', { index: 2, cidr: cidr('fd00::1/64') }),
    want: `34000000 1400 0506 00000000 00000000  0a 40 02 00 02000000
           1400 0100 fd000000 00000000 00000000 00000001  0800 0800 02000000`,
  },
  {
    name: 'iproute2: ip route add 10.9.0.0/16 via 10.1.2.1 proto static',
    got: () => encodeRoute('add', { dst: cidr('10.9.0.0/16'), gateway: '10.1.2.1' }),
    want: `2c000000 1800 0506 00000000 00000000  02 10 00 00 fe 04 00 01 00000000
           0800 0100 0a090000  0800 0500 0a010201`,
  },
  {
    name: 'iproute2: ip route add 10.8.0.0/16 dev br0 proto static (scope link without a gateway)',
    got: () => encodeRoute('add', { dst: cidr('10.8.0.0/16'), oif: 2 }),
    want: `2c000000 1800 0506 00000000 00000000  02 10 00 00 fe 04 fd 01 00000000
           0800 0100 0a080000  0800 0400 02000000`,
  },
  {
    name: 'iproute2: ip route del 10.9.0.0/16 via 10.1.2.1 (scope nowhere, protocol and type any)',
    got: () => encodeRoute('delete', { dst: cidr('10.9.0.0/16'), gateway: '10.1.2.1' }),
    want: `2c000000 1900 0500 00000000 00000000  02 10 00 00 fe 00 ff 00 00000000
           0800 0100 0a090000  0800 0500 0a010201`,
  },
  {
    name: 'by hand: ip -6 route add default via fd00::1 (no RTA_DST for a /0)',
    got: () => encodeRoute('add', { dst: cidr('::/0'), gateway: 'fd00::1' }),
    want: `30000000 1800 0506 00000000 00000000  0a 00 00 00 fe 04 00 01 00000000
           1400 0500 fd000000 00000000 00000000 00000001`,
  },
  {
    name: 'by hand: address dump (empty ifaddrmsg: both families)',
    got: () => encodeAddrDump(),
    want: `18000000 1600 0103 00000000 00000000  00000000 00000000`,
  },
];

for (const row of rows) {
  test(`encodes ${row.name}`, () => {
    assert.equal(row.got().toString('hex'), hex(row.want).toString('hex'));
  });
}

test('a veth peer in the same namespace carries no IFLA_NET_NS_FD and the pair can be created up', () => {
  const m = encodeVethCreate({ name: 'a', up: true, peer: { name: 'b' } });
  assert.equal(m.readUInt32LE(16 + 8), C.IFF_UP, 'ifi_flags');
  assert.equal(m.readUInt32LE(16 + 12), C.IFF_UP, 'ifi_change');
  assert.equal(m.indexOf(hex('0800 1c00')), -1);
});

test('setSeq stamps the sequence number in place', () => {
  const m = encodeLinkDump();
  setSeq(m, 0x01020304);
  assert.equal(m.subarray(8, 12).toString('hex'), '04030201');
});

test('decodes the RTM_NEWLINK it encodes, attribute by attribute', () => {
  const b = new MsgBuilder(C.RTM_NEWLINK, 0).raw(ifinfomsg(7, 0x11043, 0));
  b.str(C.IFLA_IFNAME, 'veth7').u32(C.IFLA_MTU, 1450).u8(C.IFLA_OPERSTATE, 6);
  b.attr(C.IFLA_ADDRESS, hex('02 42 ac 11 00 07')).u32(C.IFLA_MASTER, 3).u32(C.IFLA_LINK, 2);
  b.attr(C.IFLA_IFALIAS, Buffer.from('nslab:x')).nest(C.IFLA_LINKINFO).str(C.IFLA_INFO_KIND, 'veth').end();
  const stats = Buffer.alloc(8 * 24);
  [10, 20, 1000, 2000, 0, 0, 1, 2].forEach((v, i) => stats.writeBigUInt64LE(BigInt(v), i * 8));
  b.attr(C.IFLA_STATS64, stats);
  const [msg] = splitMessages(b.finish());
  assert.ok(msg);
  assert.deepEqual(decodeLink(msg), {
    index: 7,
    name: 'veth7',
    flags: 0x11043,
    operstate: 6,
    mtu: 1450,
    mac: '02:42:ac:11:00:07',
    kind: 'veth',
    master: 3,
    alias: 'nslab:x',
    link: 2,
    stats: { rxPackets: 10, txPackets: 20, rxBytes: 1000, txBytes: 2000, rxDropped: 1, txDropped: 2 },
  });
});

test('decodes an address the kernel reports, preferring IFA_LOCAL and IFA_FLAGS', () => {
  // What RTM_NEWADDR for "inet 10.1.2.3/24 brd 10.1.2.255 scope global br0" looks like.
  const b = new MsgBuilder(C.RTM_NEWADDR, C.NLM_F_MULTI).raw(hex('02 18 80 00 02000000'));
  b.attr(C.IFA_ADDRESS, hex('0a010203')).attr(C.IFA_LOCAL, hex('0a010203')).str(C.IFA_LABEL, 'br0');
  b.u32(C.IFA_FLAGS, 0x80);
  const [msg] = splitMessages(b.finish());
  assert.ok(msg);
  assert.deepEqual(decodeAddr(msg), { family: 4, prefix: 24, flags: 0x80, scope: 0, index: 2, address: '10.1.2.3', label: 'br0' });
});

test('decodes an uncapped error with an extended-ack message (captured from the kernel)', () => {
  // `ip route add 10.9.0.0/16 via 10.99.0.1`: ENETUNREACH (-101) "Nexthop has invalid gateway".
  const raw = hex(`60000000 0200 0002 51160 46b ac2c0000  9bffffff 2c000000 1800 0506 5116046b
    00000000 02100000 fe030001 00000000 08000100 0a090000 08000500 0a630001
    20000100 4e657874 686f7020 68617320 696e7661 6c696420 67617465 77617900`);
  const [msg] = splitMessages(raw);
  assert.ok(msg);
  assert.deepEqual(decodeError(msg), { errno: 101, seq: 0x6b041651, message: 'Nexthop has invalid gateway' });
});

test('decodes a plain error (EEXIST, request echoed, no TLVs) and a capped ack with TLVs', () => {
  const eexist = hex(`4c000000 0200 0000 5116046b b22c0000  efffffff 38000000 1000 0506 5116046b
    00000000 00000000 00000000 00000000 00000000 08000300 62723000 10001200 0a000100 62726964 67650000`);
  const [e] = splitMessages(eexist);
  assert.ok(e);
  assert.deepEqual(decodeError(e), { errno: 17, seq: 0x6b041651 });
  const capped = new MsgBuilder(C.NLMSG_ERROR, C.NLM_F_CAPPED | C.NLM_F_ACK_TLVS);
  capped.raw(hex('edffffff 28000000 1000 0500 07000000 00000000')).str(C.NLMSGERR_ATTR_MSG, 'Unknown device type');
  const [c] = splitMessages(capped.finish());
  assert.ok(c);
  assert.deepEqual(decodeError(c), { errno: 19, seq: 7, message: 'Unknown device type' });
});

test('decodes NLMSG_DONE and splits a buffer holding several messages', () => {
  const done = new MsgBuilder(C.NLMSG_DONE, C.NLM_F_MULTI).raw(hex('00000000')).finish();
  const two = Buffer.concat([encodeLinkDump(), done]);
  const msgs = splitMessages(two);
  assert.deepEqual(
    msgs.map((m) => m.type),
    [C.RTM_GETLINK, C.NLMSG_DONE],
  );
  const last = msgs[1];
  assert.ok(last);
  assert.equal(decodeDone(last).errno, 0);
  assert.deepEqual(splitMessages(two.subarray(0, 40)).length, 1, 'a truncated tail is dropped');
});
