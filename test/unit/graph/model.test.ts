// The lab picture: which vertices and edges a topology gives, and what each end is labelled with.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphOf } from '../../../src/graph/model.js';
import { MIXED, topo } from '../helpers.js';

test('a lab with every link kind gives the host, its networks, its nodes and one edge per veth plus one per gateway', () => {
  const g = graphOf(topo(MIXED));
  assert.deepEqual(
    g.vertices.map((v) => v.id),
    ['host', 'net:lan', 'node:web', 'node:h2', 'node:r1', 'node:probe'],
  );
  assert.deepEqual(g.edges.map((e) => `${e.kind} ${e.a.vertex} ${e.b.vertex}`).sort(), [
    'bridged node:r1 net:lan',
    'bridged node:web net:lan',
    'gateway net:lan host',
    'host node:probe host',
    'p2p node:h2 node:r1',
  ]);
  assert.equal(new Set(g.edges.map((e) => e.id)).size, g.edges.length, 'edge ids are unique');
});

test('each end names its interface, addresses and the kernel device that measures it', () => {
  const g = graphOf(topo(MIXED));
  const web = g.edges.find((e) => e.a.vertex === 'node:web')!;
  assert.deepEqual(web.a, { vertex: 'node:web', iface: 'eth0', addresses: ['172.20.0.11/16'], ns: 'demo-web', dev: 'eth0' });
  assert.equal(web.b.ns, '@host');
  assert.match(web.b.dev, /^demo-/);
  const gw = g.edges.find((e) => e.kind === 'gateway')!;
  assert.deepEqual(gw.a.addresses, ['172.20.0.10/16']);
  assert.equal(gw.a.dev, 'demo-lan');
  const host = g.edges.find((e) => e.kind === 'host')!;
  assert.deepEqual(host.b.addresses, ['172.30.0.1/16']);
  const r1 = g.vertices.find((v) => v.id === 'node:r1')!;
  assert.equal(r1.router, true);
  assert.deepEqual(r1.notes, ['router']);
});

test('a lab without gateways or host links has no host vertex; isolated nodes are containers; NAT is noted', () => {
  const g = graphOf(
    topo(`
name: c
networks:
  net: { subnet: 10.1.0.0/24 }
  out: { subnet: 10.2.0.0/24, gateway: 10.2.0.1, nat: true }
nodes:
  a: { isolate: [pid, mount], interfaces: { eth0: { network: net } } }
  b: { interfaces: { eth0: { network: net } } }
`),
  );
  assert.equal(
    g.vertices.some((v) => v.kind === 'host'),
    true,
    'the NAT network has a gateway on the host',
  );
  const a = g.vertices.find((v) => v.id === 'node:a')!;
  assert.equal(a.container, true);
  assert.deepEqual(a.notes, ['container (pid, mount)']);
  assert.deepEqual(g.vertices.find((v) => v.id === 'net:out')!.notes, ['10.2.0.0/24', 'NAT']);
  assert.equal(g.edges.find((e) => e.kind === 'gateway')!.label, 'NAT');
  const plain = graphOf(topo('name: p\nnetworks: { n: { subnet: 10.1.0.0/24 } }\nnodes:\n  a: { interfaces: { eth0: { network: n } } }\n'));
  assert.deepEqual(
    plain.vertices.map((v) => v.id),
    ['net:n', 'node:a'],
  );
});
