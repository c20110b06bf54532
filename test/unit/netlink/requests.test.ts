// KernelOp -> request messages: dependencies, follow-ups for the kernel's ordering quirks, and
// the checks that fail an op before it is sent. Messages are checked by decoding their headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS, type KernelOp } from '../../../src/port/kernel.js';
import { createdLinks, encodeOp, isRtnlOp, neededNames, routeDestination, type RtnlOp } from '../../../src/netlink/requests.js';
import * as C from '../../../src/netlink/wire-consts.js';
import { parseAttrs } from '../../../src/netlink/wire.js';

const ctx = {
  index: (name: string): number | undefined => ({ br0: 4, eth0: 2, lo: 1 })[name],
  nsFd: (ns: string): number => (ns === HOST_NS ? 9 : 12),
};

function rtnl(op: KernelOp): RtnlOp {
  assert.ok(isRtnlOp(op));
  return op;
}

/** Summaries "TYPE flags=… ifi_flags/ifi_change" of link messages, for readable assertions. */
function linkSummary(m: Buffer): string {
  const attrs = parseAttrs(m, 32);
  const names = [...attrs.keys()].join(',');
  return `${m.readUInt16LE(4)} up=${m.readUInt32LE(24)}/${m.readUInt32LE(28)} attrs=${names}`;
}

test('only link, addr and route ops are rtnetlink requests', () => {
  assert.equal(isRtnlOp({ op: 'netns.create', name: 'a' }), false);
  assert.equal(isRtnlOp({ op: 'sysctl.set', ns: 'a', key: 'k', value: '1' }), false);
  assert.equal(isRtnlOp({ op: 'link.delete', ns: 'a', name: 'x' }), true);
});

test('addresses, device routes and masters need ifindexes; creations and deletions do not', () => {
  assert.deepEqual(neededNames(rtnl({ op: 'addr.add', ns: 'a', dev: 'eth0', cidr: '10.0.0.1/24' })), ['eth0']);
  assert.deepEqual(neededNames(rtnl({ op: 'route.add', ns: 'a', to: 'default', via: '10.0.0.1' })), []);
  assert.deepEqual(neededNames(rtnl({ op: 'link.set', ns: HOST_NS, name: 'v1', master: 'br0', up: true })), ['br0']);
  assert.deepEqual(neededNames(rtnl({ op: 'link.delete', ns: 'a', name: 'eth0' })), []);
});

test('a veth creates both ends, each in its own namespace with the index it asks for', () => {
  const op = rtnl({ op: 'link.create', kind: 'veth', ns: 'a', name: 'eth0', index: 2, ipv6: true, up: true, peer: { ns: HOST_NS, name: 'va' } });
  assert.deepEqual(createdLinks(op), [
    { ns: 'a', name: 'eth0', index: 2 },
    { ns: HOST_NS, name: 'va' },
  ]);
});

test('a veth with IPv6 is one message, created up, its peer placed by namespace fd', () => {
  const op = rtnl({ op: 'link.create', kind: 'veth', ns: 'a', name: 'eth0', ipv6: true, up: true, peer: { ns: HOST_NS, name: 'va' } });
  const enc = encodeOp(op, ctx);
  assert.ok(!('errno' in enc));
  assert.equal(enc.now.length, 1);
  assert.deepEqual(enc.after, []);
  assert.equal(linkSummary(enc.now[0] as Buffer), `${C.RTM_NEWLINK} up=1/1 attrs=${C.IFLA_IFNAME},${C.IFLA_LINKINFO}`);
  assert.notEqual((enc.now[0] as Buffer).indexOf(Buffer.from('08001c0009000000', 'hex')), -1, 'IFLA_NET_NS_FD = 9');
});

test('a bridge without IPv6 and with an alias is created down, then set, then brought up', () => {
  const op = rtnl({ op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'br0', alias: 'nslab:l:net:a', ipv6: false, up: true });
  const enc = encodeOp(op, ctx);
  assert.ok(!('errno' in enc));
  assert.deepEqual(enc.now.map(linkSummary), [`${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_LINKINFO}`]);
  assert.deepEqual(enc.after.map(linkSummary), [
    `${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_IFALIAS},${C.IFLA_AF_SPEC}`,
    `${C.RTM_NEWLINK} up=1/1 attrs=${C.IFLA_IFNAME}`,
  ]);
});

test('link.set with ipv6:false sets addr_gen_mode in a message before the one that brings it up', () => {
  const enc = encodeOp(rtnl({ op: 'link.set', ns: 'b', name: 'p2p', up: true, ipv6: false, master: 'br0' }), ctx);
  assert.ok(!('errno' in enc));
  assert.deepEqual(enc.now.map(linkSummary), [
    `${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_MASTER},${C.IFLA_AF_SPEC}`,
    `${C.RTM_NEWLINK} up=1/1 attrs=${C.IFLA_IFNAME}`,
  ]);
});

test('unknown devices and bad arguments fail before anything is sent', () => {
  const rows: [KernelOp, string, string][] = [
    [{ op: 'addr.add', ns: 'a', dev: 'nope', cidr: '10.0.0.1/24' }, 'ENODEV', 'Cannot find device "nope"'],
    [{ op: 'link.set', ns: 'a', name: 'x', master: 'nobr' }, 'ENODEV', 'Cannot find device "nobr"'],
    [{ op: 'addr.add', ns: 'a', dev: 'eth0', cidr: '10.0.0.1' }, 'EINVAL', 'invalid address "10.0.0.1"'],
    [{ op: 'route.add', ns: 'a', to: '10.0.0.0/8' }, 'EINVAL', 'route 10.0.0.0/8 needs a gateway (via) or a device (dev)'],
    [{ op: 'route.add', ns: 'a', to: '10.0.0.0/8', via: 'fd00::1' }, 'EINVAL', 'invalid gateway "fd00::1" for 10.0.0.0/8'],
  ];
  for (const [op, code, message] of rows) {
    const enc = encodeOp(rtnl(op), ctx);
    assert.ok('errno' in enc, JSON.stringify(op));
    assert.equal(enc.code, code);
    assert.equal(enc.message, message);
  }
});

test('route destinations: default takes the gateway family, bare addresses are host routes', () => {
  assert.deepEqual(routeDestination('default', 'fd00::1'), { address: '::', prefix: 0, family: 6 });
  assert.deepEqual(routeDestination('default', undefined), { address: '0.0.0.0', prefix: 0, family: 4 });
  assert.deepEqual(routeDestination('10.1.2.3', undefined), { address: '10.1.2.3', prefix: 32, family: 4 });
  assert.deepEqual(routeDestination('fd00:0::/64', undefined), { address: 'fd00::', prefix: 64, family: 6 });
  assert.equal(routeDestination('nonsense', undefined), undefined);
});

test('ipv6:false on a veth covers its peer: in the follow-ups, or deferred to the peer namespace', () => {
  const same = encodeOp(rtnl({ op: 'link.create', kind: 'veth', ns: 'a', name: 'x', ipv6: false, up: false, peer: { ns: 'a', name: 'y' } }), ctx);
  assert.ok(!('errno' in same));
  assert.equal(same.peerAfter, undefined);
  assert.deepEqual(same.after.map(linkSummary), [
    `${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_AF_SPEC}`,
    `${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_AF_SPEC}`,
  ]);
  const other = encodeOp(rtnl({ op: 'link.create', kind: 'veth', ns: 'a', name: 'x', ipv6: false, up: true, peer: { ns: 'b', name: 'y' } }), ctx);
  assert.ok(!('errno' in other));
  assert.equal(other.peerAfter?.ns, 'b');
  assert.deepEqual(other.peerAfter?.msgs.map(linkSummary), [`${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_AF_SPEC}`]);
  assert.deepEqual(other.after.map(linkSummary), [
    `${C.RTM_NEWLINK} up=0/0 attrs=${C.IFLA_IFNAME},${C.IFLA_AF_SPEC}`,
    `${C.RTM_NEWLINK} up=1/1 attrs=${C.IFLA_IFNAME}`,
  ]);
});
