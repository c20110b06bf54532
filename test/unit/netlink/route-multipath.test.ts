// The route dump decoder on bytes a 6.x kernel sent (captured in a throwaway namespace): multipath
// routes keep every next hop with its weight, a daemon's protocol and metric survive, and a next hop
// without carrier says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMultipath, decodeRoute } from '../../../src/netlink/wire-route.js';
import { protocolName } from '../../../src/netlink/wire-words.js';
import type { NlMsg } from '../../../src/netlink/wire.js';

/** An RTM_NEWROUTE dump entry with the given rtmsg and attributes (hex, as the kernel sent them). */
const entry = (hex: string): NlMsg => ({ type: 24, flags: 2, seq: 1, pid: 0, body: Buffer.from(hex, 'hex') });

// `ip route add 10.9.0.0/24 nexthop via 10.0.12.2 dev x0 weight 1 nexthop via 10.0.13.3 dev y0 weight 2`
// (x0 is ifindex 3, y0 ifindex 5): rtmsg, RTA_TABLE 254, RTA_DST, RTA_MULTIPATH with two rtnexthops.
const V4 =
  '02180000fe030001000000000800' + '0f00fe000000' + '080001000a090000' + '24000900' + '1000000003000000080005000a000c02' + '1000000105000000080005000a000d03';

// The same with `proto ospf metric 20` and equal weights, after y0's peer went down (no carrier).
const OSPF_LINKDOWN =
  '02180000febc00010000000008000f00fe000000080001000a0900000800060014000000' + '240009001000000003000000080005000a000c021000100005000000080005000a000d03';

// `ip -6 route add fd09::/64 nexthop via fe80::1 dev x0 weight 1 nexthop via fe80::2 dev y0 weight 2`
const V6 =
  '0a400000fe0300010000000008000f00fe00000014000100fd09000000000000000000000000000008000600000400003c0009001c0000000300000014000500fe8000000000000000000000000000011c0000010500000014000500fe80000000000000000000000000000224000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000';

test('an IPv4 multipath route keeps both next hops, with weight = rtnh_hops + 1', () => {
  assert.deepEqual(decodeRoute(entry(V4)), {
    family: 4,
    dst: '10.9.0.0/24',
    protocol: 3,
    scope: 0,
    type: 1,
    nexthops: [
      { weight: 1, gateway: '10.0.12.2', oif: 3 },
      { weight: 2, gateway: '10.0.13.3', oif: 5 },
    ],
  });
});

test("a routing daemon's multipath route keeps its protocol and metric, and a next hop without carrier is linkdown", () => {
  const r = decodeRoute(entry(OSPF_LINKDOWN));
  assert.equal(r && protocolName(r.protocol), 'ospf');
  assert.equal(r?.priority, 20);
  assert.deepEqual(r?.nexthops, [
    { weight: 1, gateway: '10.0.12.2', oif: 3 },
    { weight: 1, gateway: '10.0.13.3', oif: 5, linkdown: true },
  ]);
});

test('an IPv6 multipath route: link-local gateways per next hop, metric 1024', () => {
  const r = decodeRoute(entry(V6));
  assert.equal(r?.dst, 'fd09::/64');
  assert.equal(r?.priority, 1024);
  assert.equal(r?.gateway, undefined);
  assert.deepEqual(r?.nexthops, [
    { weight: 1, gateway: 'fe80::1', oif: 3 },
    { weight: 2, gateway: 'fe80::2', oif: 5 },
  ]);
});

test('a truncated next hop list keeps the whole entries before it', () => {
  const mp = Buffer.from('1000000003000000080005000a000c02' + '1000000105000000', 'hex');
  assert.deepEqual(decodeMultipath(mp), [{ weight: 1, gateway: '10.0.12.2', oif: 3 }]);
  assert.deepEqual(decodeMultipath(Buffer.alloc(3)), []);
});

test('the protocol words are iproute2 rt_protos', () => {
  const words = Object.fromEntries([2, 3, 4, 11, 12, 16, 42, 99, 186, 187, 188, 189, 192, 250].map((n) => [n, protocolName(n)]));
  assert.deepEqual(words, {
    2: 'kernel',
    3: 'boot',
    4: 'static',
    11: 'zebra',
    12: 'bird',
    16: 'dhcp',
    42: 'babel',
    99: 'openr',
    186: 'bgp',
    187: 'isis',
    188: 'ospf',
    189: 'rip',
    192: 'eigrp',
    250: '250',
  });
});
