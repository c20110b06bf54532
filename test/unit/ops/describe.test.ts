// The iproute2 equivalents printed in errors: one row per operation shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOp } from '../../../src/ops/describe.js';
import { HOST_NS, type KernelOp } from '../../../src/port/kernel.js';

const rows: [KernelOp, string][] = [
  [{ op: 'netns.create', name: 'lab-a' }, 'ip netns add lab-a'],
  [{ op: 'netns.delete', name: 'lab-a' }, 'ip netns delete lab-a'],
  [{ op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'br0', ipv6: true, up: true }, 'ip link add br0 up type bridge mcast_snooping 0'],
  [
    { op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'br0', alias: 'nslab:l:net:a', ipv6: false, up: true },
    'ip link add br0 type bridge mcast_snooping 0 && ip link set br0 alias nslab:l:net:a addrgenmode none up',
  ],
  [
    { op: 'link.create', kind: 'veth', ns: 'lab-a', name: 'eth0', index: 2, ipv6: true, up: true, peer: { ns: HOST_NS, name: 'lab-a-eth0' } },
    'ip -n lab-a link add eth0 index 2 up type veth peer name lab-a-eth0 netns 1',
  ],
  [{ op: 'link.set', ns: 'lab-a', name: 'eth0', up: false }, 'ip -n lab-a link set eth0 down'],
  [{ op: 'link.delete', ns: HOST_NS, name: 'br0' }, 'ip link del br0'],
  [{ op: 'addr.add', ns: 'lab-a', dev: 'eth0', cidr: 'fd00::2/64' }, 'ip -n lab-a addr add fd00::2/64 dev eth0 nodad'],
  [{ op: 'route.add', ns: 'lab-a', to: 'default', via: '10.0.0.1' }, 'ip -n lab-a route add default via 10.0.0.1 proto static'],
  [{ op: 'route.delete', ns: 'lab-a', to: '10.2.0.0/16', dev: 'eth0' }, 'ip -n lab-a route del 10.2.0.0/16 dev eth0'],
  [{ op: 'sysctl.set', ns: 'lab-a', key: 'net.ipv4.ip_forward', value: '1' }, 'ip netns exec lab-a sysctl -w net.ipv4.ip_forward=1'],
];

for (const [op, want] of rows) {
  test(`describes ${op.op} as "${want}"`, () => assert.equal(describeOp(op), want));
}

test('with --host-netns the host is named: ip -n NAME, netns NAME', () => {
  const op: KernelOp = { op: 'link.create', kind: 'veth', ns: 'n1', name: 'e', ipv6: true, up: false, peer: { ns: HOST_NS, name: 'h' } };
  assert.equal(describeOp(op, { hostNetns: 'hostsim' }), 'ip -n n1 link add e type veth peer name h netns hostsim');
  assert.equal(describeOp({ op: 'link.delete', ns: HOST_NS, name: 'h' }, { hostNetns: 'hostsim' }), 'ip -n hostsim link del h');
});
