// The vxlan link and FDB entry messages, byte for byte as iproute2 sends them (captured from
// `ip link add vx0 type vxlan id 42 local 192.0.2.1 dstport 4789 nolearning udpcsum` and
// `bridge fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.2`, and, for a node's end of a
// point-to-point link between machines, `ip link add eth0 netns n1 mtu 1450 type vxlan id 42
// remote 192.0.2.2 local 192.0.2.1 dstport 4789 nolearning udpcsum` with n1's fd 4; sequence
// numbers zeroed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeOp } from '../../../src/netlink/requests.js';
import { encodeFdb, encodeVxlanCreate } from '../../../src/netlink/wire-vxlan.js';

const IP_LINK_ADD_VXLAN = [
  '64000000100005060000000000000000', // nlmsghdr: 100 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
  '00000000000000000000000000000000', // ifinfomsg
  '0800030076783000', // IFLA_IFNAME "vx0"
  '3c001200', // IFLA_LINKINFO
  '090001007678' + '6c616e000000', // IFLA_INFO_KIND "vxlan"
  '2c000200', // IFLA_INFO_DATA
  '0500120001000000', // IFLA_VXLAN_UDP_CSUM 1
  '080001002a000000', // IFLA_VXLAN_ID 42
  '08000400c0000201', // IFLA_VXLAN_LOCAL 192.0.2.1
  '0500070000000000', // IFLA_VXLAN_LEARNING 0
  '06000f0012b50000', // IFLA_VXLAN_PORT 4789, network byte order
].join('');

const IP_LINK_ADD_VXLAN_NETNS = [
  '80000000100005060000000000000000', // nlmsghdr: 128 bytes, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
  '00000000000000000000000000000000', // ifinfomsg
  '08001c0004000000', // IFLA_NET_NS_FD 4 (first: the device is made in the node's namespace)
  '08000400aa050000', // IFLA_MTU 1450
  '090003006574683000000000', // IFLA_IFNAME "eth0"
  '44001200', // IFLA_LINKINFO
  '090001007678' + '6c616e000000', // IFLA_INFO_KIND "vxlan"
  '34000200', // IFLA_INFO_DATA
  '0500120001000000', // IFLA_VXLAN_UDP_CSUM 1
  '080001002a000000', // IFLA_VXLAN_ID 42
  '08000400c0000201', // IFLA_VXLAN_LOCAL 192.0.2.1
  '08000200c0000202', // IFLA_VXLAN_GROUP 192.0.2.2 (the unicast remote)
  '0500070000000000', // IFLA_VXLAN_LEARNING 0
  '06000f0012b50000', // IFLA_VXLAN_PORT 4789, network byte order
].join('');

const BRIDGE_FDB_APPEND = [
  '30000000' + '1c00' + '050c' + '0000000000000000', // RTM_NEWNEIGH, REQUEST|ACK|CREATE|APPEND
  '07000000' + '05000000' + 'c000' + '02' + '00', // ndmsg: AF_BRIDGE, ifindex 5, NOARP|PERMANENT, NTF_SELF
  '0a000200000000000000' + '0000', // NDA_LLADDR 00:00:00:00:00:00
  '08000100c0000202', // NDA_DST 192.0.2.2
].join('');

test('a vxlan link is created with the bytes `ip link add ... type vxlan ...` sends', () => {
  assert.equal(encodeVxlanCreate({ name: 'vx0', vni: 42, port: 4789, local: '192.0.2.1' }).toString('hex'), IP_LINK_ADD_VXLAN);
});

test('a node end of a link between machines is a vxlan made in the node namespace with a unicast remote, as `ip link add ... netns ...` sends it', () => {
  const bytes = encodeVxlanCreate({ name: 'eth0', vni: 42, port: 4789, local: '192.0.2.1', remote: '192.0.2.2', mtu: 1450, nsFd: 4 });
  assert.equal(bytes.toString('hex'), IP_LINK_ADD_VXLAN_NETNS);
});

test('a default FDB entry is appended with the bytes `bridge fdb append` sends, and deleted by the same entry', () => {
  assert.equal(encodeFdb('append', { index: 5, dst: '192.0.2.2' }).toString('hex'), BRIDGE_FDB_APPEND);
  const del = encodeFdb('delete', { index: 5, dst: '192.0.2.2' });
  assert.equal(del.readUInt16LE(4), 29, 'RTM_DELNEIGH');
  assert.equal(del.readUInt16LE(6), 0x5, 'REQUEST|ACK only');
  assert.equal(del.subarray(16).toString('hex'), BRIDGE_FDB_APPEND.slice(32));
});

test('the vxlan op becomes its creation, then the alias and addr_gen_mode, then up; an underlay device it needs is looked up', () => {
  const ctx = { index: (n: string) => (n === 'eth0' ? 2 : undefined), nsFd: () => 0 };
  const op = {
    op: 'link.create',
    kind: 'vxlan',
    ns: '@host',
    name: 'vx0',
    vni: 42,
    port: 4789,
    local: '192.0.2.1',
    alias: 'nslab:d:vxlan:lan',
    ipv6: false,
    up: true,
  } as const;
  const enc = encodeOp(op, ctx);
  assert.ok(!('errno' in enc));
  assert.equal(enc.now[0]?.toString('hex'), IP_LINK_ADD_VXLAN);
  assert.equal(enc.after.length, 2, 'alias with addr_gen_mode none, then up');
  const missing = encodeOp({ ...op, dev: 'bond0' }, ctx);
  assert.ok('errno' in missing && missing.code === 'ENODEV');
  // Deleting an entry of a device that is gone is ENOENT, which counts as done (refusalIsDone).
  const gone = encodeOp({ op: 'fdb.delete', ns: '@host', dev: 'vx9', dst: '192.0.2.2' }, ctx);
  assert.ok('errno' in gone && gone.code === 'ENOENT');
});

test("a node's tunnel end is sent from the underlay's namespace with the node namespace's fd; its follow-ups are the node namespace's", () => {
  const asked: string[] = [];
  const ctx = {
    index: () => undefined,
    nsFd: (ns: string) => {
      asked.push(ns);
      return 4;
    },
  };
  const op = {
    op: 'link.create',
    kind: 'vxlan',
    ns: 'n1',
    name: 'eth0',
    vni: 42,
    port: 4789,
    local: '192.0.2.1',
    remote: '192.0.2.2',
    underlay: '@host',
    mtu: 1450,
    ipv6: true,
    up: true,
  } as const;
  const enc = encodeOp(op, ctx);
  assert.ok(!('errno' in enc));
  assert.equal(enc.via, '@host');
  assert.deepEqual(asked, ['n1']);
  assert.equal(enc.now[0]?.toString('hex'), IP_LINK_ADD_VXLAN_NETNS);
  assert.equal(enc.after.length, 1, 'then up, in the node namespace');
  // Without an underlay of its own, a network's tunnel port is sent where it lives.
  const { underlay: _u, remote: _r, ...port } = op;
  assert.equal((encodeOp({ ...port, ns: '@host' }, ctx) as { via?: string }).via, undefined);
});
