// The seed scenarios resolve to the kernel objects the seeds build by hand: namespaces,
// bridge and host-end names, addresses, links and routes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostEndName } from '../../../src/model/names.js';
import type { Link, Topology } from '../../../src/model/types.js';
import { validFixture } from './fixture-files.js';

function addrs(t: Topology, node: string, iface: string): readonly string[] | undefined {
  return t.nodes.get(node)?.interfaces.get(iface)?.addresses;
}

function routes(t: Topology, node: string): string[] {
  return (t.nodes.get(node)?.routes ?? []).map((r) => `${r.to} via ${r.via ?? '-'} dev ${r.dev ?? '-'}${r.implied ? ' (implied)' : ''}`);
}

test('seed 000 example 1: two namespaces joined by one veth pair, a = the end declared first', () => {
  const t = validFixture('seed-000-veth-pair');
  assert.deepEqual(
    [...t.nodes.values()].map((n) => n.netns),
    ['pair-ns1', 'pair-ns2'],
  );
  assert.deepEqual(t.links, [{ kind: 'p2p', id: 'p2p:ns1:veth1', a: { node: 'ns1', iface: 'veth1' }, b: { node: 'ns2', iface: 'veth1p' } }]);
  assert.deepEqual(addrs(t, 'ns1', 'veth1'), ['172.12.0.11/24']);
  assert.deepEqual(addrs(t, 'ns2', 'veth1p'), ['172.12.0.12/24']);
  assert.equal(t.nodes.get('ns2')?.interfaces.get('veth1p')?.link, 'p2p:ns1:veth1');
  assert.deepEqual(routes(t, 'ns1'), []);
  assert.equal(t.networks.size, 0);
});

test('seed 000 example 2: a bridge holding 172.12.0.13/24 is the default gateway of both namespaces', () => {
  const t = validFixture('seed-000-bridge');
  const br = t.networks.get('br0');
  assert.deepEqual(br && { bridge: br.bridge, alias: br.alias, subnets: br.subnets, gateways: br.gateways }, {
    bridge: 'bridge-br0',
    alias: 'nslab:bridge:net:br0',
    subnets: ['172.12.0.0/24'],
    gateways: ['172.12.0.13/24'],
  });
  assert.deepEqual(addrs(t, 'ns2', 'veth2'), ['172.12.0.12/24'], 'an address without /LEN takes the subnet prefix');
  // "bridge-ns1-veth1" is 16 bytes, one over the kernel's limit: the host ends get hashed names.
  assert.deepEqual(
    t.links.map((l) => (l.kind === 'bridged' ? [l.id, l.hostEnd, l.alias] : [])),
    [
      ['bridged:ns1:veth1', 'bridge-1lyptg6', 'nslab:bridge:node:ns1:veth1'],
      ['bridged:ns2:veth2', 'bridge-1o0b2aq', 'nslab:bridge:node:ns2:veth2'],
    ],
  );
  assert.deepEqual(routes(t, 'ns1'), ['0.0.0.0/0 via 172.12.0.13 dev - (implied)']);
});

test("seed 001: the host end of netns1's veth gets 172.20.0.1/16 and the declared default route wins", () => {
  const t = validFixture('seed-001-host-veth');
  const l = t.links[0] as Extract<Link, { kind: 'host' }>;
  assert.deepEqual([l.kind, l.hostEnd, l.hostAddresses], ['host', hostEndName('hostveth', 'netns1', 'ceth1'), ['172.20.0.1/16']]);
  assert.equal(l.hostEnd, 'hostveth-ybdihi', '"hostveth-netns1-ceth1" would be 21 bytes');
  assert.deepEqual(addrs(t, 'netns1', 'ceth1'), ['172.20.0.11/16']);
  assert.deepEqual(routes(t, 'netns1'), ['0.0.0.0/0 via 172.20.0.1 dev -']);
});

test('seed 001, the fix: both namespaces behind bridge gateway 172.20.0.10/16', () => {
  const t = validFixture('seed-001-bridge');
  assert.deepEqual(t.networks.get('br0')?.gateways, ['172.20.0.10/16']);
  assert.deepEqual(routes(t, 'netns1'), ['0.0.0.0/0 via 172.20.0.10 dev - (implied)']);
  assert.deepEqual(routes(t, 'netns2'), ['0.0.0.0/0 via 172.20.0.10 dev - (implied)']);
});

test('seed 001, full: the same lab with nat on br0 (and a network that says nat: false)', () => {
  const t = validFixture('seed-001-nat');
  assert.deepEqual(
    [...t.networks.values()].map((n) => [n.name, n.nat]),
    [
      ['br0', true],
      ['quiet', false],
    ],
  );
  assert.deepEqual(t.networks.get('br0')?.gateways, ['172.20.0.10/16']);
  assert.deepEqual(routes(t, 'netns2'), ['0.0.0.0/0 via 172.20.0.10 dev - (implied)']);
});

test('seed 003 and 004: one namespace with a veth to the host, each end addressed', () => {
  const blue = validFixture('seed-003-blue');
  assert.deepEqual(
    blue.links.map((l) => l.kind === 'host' && [l.hostEnd, l.hostAddresses]),
    [['blue-blue-veth1', ['10.1.1.2/24']]],
    'exactly 15 bytes: readable',
  );
  assert.deepEqual(addrs(blue, 'blue', 'veth1'), ['10.1.1.1/24']);
  const s4 = validFixture('seed-004-host');
  assert.deepEqual(
    s4.links.map((l) => l.kind === 'host' && [l.hostEnd, l.hostAddresses]),
    [['seed004-1lyptg6', ['192.168.10.1/24']]],
  );
});

test('seed 004 with a bridge: IPAM gives ns2 the lowest free address, skipping the gateway and ns1', () => {
  const t = validFixture('seed-004-bridge');
  assert.deepEqual(addrs(t, 'ns2', 'veth1'), ['192.168.10.3/24']);
  assert.equal(t.links.find((l) => l.kind === 'bridged' && l.end.node === 'ns2')?.kind === 'bridged', true);
});

test('a routed lab: routers forward, hosts route through them, and no default route is implied without a gateway', () => {
  const t = validFixture('routed');
  assert.equal(t.nodes.get('r1')?.forwarding, true);
  assert.equal(t.nodes.get('h1')?.forwarding, false);
  assert.deepEqual(addrs(t, 'h2', 'eth0'), ['10.0.2.3/24'], 'IPAM skips r1 (.1) and r2 (.2), declared later in the file');
  assert.deepEqual(routes(t, 'r1'), ['10.9.0.0/30 via 10.0.2.2 dev -']);
  assert.deepEqual(routes(t, 'r2'), ['10.0.1.0/24 via 10.0.2.1 dev eth1']);
  assert.deepEqual(routes(t, 'h3'), ['0.0.0.0/0 via 10.9.0.1 dev -']);
  assert.equal(t.nodes.get('h3')?.interfaces.get('eth0')?.mtu, 1400);
  assert.deepEqual(
    t.links.map((l) => l.id),
    ['bridged:r1:eth0', 'bridged:r1:eth1', 'bridged:h1:eth0', 'bridged:h2:eth0', 'p2p:h3:eth0', 'bridged:r2:eth1'],
  );
  assert.deepEqual(
    t.expect.map((e) => [e.from, e.to, e.reach, e.probe]),
    [
      ['h1', 'h2', true, { kind: 'icmp' }],
      ['h1', 'h3:eth0', true, { kind: 'icmp' }],
      ['h2', 'r1', false, { kind: 'tcp', port: 22 }],
    ],
  );
});

test('dual stack: canonical IPv6 text everywhere, one IPAM address per subnet, an implied default per family', () => {
  const t = validFixture('dual-stack');
  assert.deepEqual(t.networks.get('lan')?.subnets, ['10.0.0.0/24', 'fd00:0:0:1::/64']);
  assert.deepEqual(t.networks.get('lan')?.gateways, ['10.0.0.1/24', 'fd00:0:0:1::1/64']);
  assert.deepEqual(addrs(t, 'a', 'eth0'), ['10.0.0.3/24', 'fd00:0:0:1::3/64'], 'b declares fd00:0:0:1::2 later in the file');
  assert.deepEqual(addrs(t, 'a', 'eth1'), ['fd00:0:0:2::1/64']);
  assert.deepEqual(addrs(t, 'b', 'eth0'), ['10.0.0.2/24', 'fd00:0:0:1::2/64'], 'fd00:0:0:1:0:0:0:2 in canonical form');
  assert.deepEqual(routes(t, 'a'), ['0.0.0.0/0 via 10.0.0.1 dev - (implied)', '::/0 via fd00:0:0:1::1 dev - (implied)']);
  assert.deepEqual(routes(t, 'b'), ['::/0 via fd00:0:0:1::1 dev -', '0.0.0.0/0 via 10.0.0.1 dev - (implied)']);
  assert.equal(t.expect[0]?.to, 'fd00:0:0:1::2');
});

test('the spec example builds with nat and firewall, isolate, hostname and processes left out of the model', () => {
  const t = validFixture('spec-example');
  assert.equal(t.networks.get('lan')?.nat, true);
  assert.deepEqual(t.nodes.get('probe')?.firewall, {
    input: {
      policy: 'drop',
      established: true,
      span: { line: 34, col: 14 },
      rules: [
        { action: 'accept', proto: 'icmp', span: { line: 34, col: 39 } },
        { action: 'accept', proto: 'tcp', dport: [{ from: 22, to: 22 }], span: { line: 34, col: 56 } },
      ],
    },
  });
  assert.equal(t.nodes.get('web')?.firewall, undefined);
  assert.deepEqual(t.nodes.get('web')?.publish, []);
  assert.deepEqual([...t.nodes.keys()], ['web', 'db', 'r1', 'h2', 'probe', 'c1']);
  assert.deepEqual(addrs(t, 'db', 'eth0'), ['172.20.0.1/16']);
  assert.deepEqual(
    t.links.find((l) => l.kind === 'p2p'),
    { kind: 'p2p', id: 'p2p:r1:eth1', a: { node: 'r1', iface: 'eth1' }, b: { node: 'h2', iface: 'eth0' } },
  );
  assert.deepEqual(t.nodes.get('web')?.span, { line: 10, col: 3 });
  assert.deepEqual(t.nodes.get('web')?.interfaces.get('eth0')?.span, { line: 12, col: 7 });
  assert.deepEqual(t.nodes.get('r1')?.routes[0]?.span, { line: 23, col: 9 });
  assert.deepEqual(t.expect[2]?.span, { line: 45, col: 5 });
  assert.deepEqual(t.networks.get('lan')?.span, { line: 3, col: 3 });
});
