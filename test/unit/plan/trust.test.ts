// Which namespaces an up may leave unread: unchanged since the converged text and journaled as
// built; a change in a node's part of the file, a missing journal record, a missing namespace or
// a missing host end means it is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS } from '../../../src/port/kernel.js';
import type { OwnedRecord } from '../../../src/plan/live.js';
import { desiredResources } from '../../../src/plan/resources.js';
import { sameOp, trustedNamespaces, withHostEnds } from '../../../src/plan/trust.js';
import { topo } from '../helpers.js';

const LAB = (h2: string) => `
name: tr
networks:
  lan: { subnet: 10.9.0.0/24, gateway: 10.9.0.1 }
nodes:
  h1: { interfaces: { eth0: { network: lan, address: 10.9.0.11/24 } } }
  h2: { interfaces: { eth0: { network: lan, address: ${h2}/24 } } }
`;

/** The journal of a lab built from `text`: every journaled resource owned (links with indexes). */
function journalOf(text: string): Map<string, OwnedRecord> {
  const owned = new Map<string, OwnedRecord>();
  for (const r of desiredResources(topo(text))) {
    if (r.kind === 'config') continue;
    const op = r.op.op === 'link.create' && r.op.kind === 'veth' ? { ...r.op, index: 2, peer: { ...r.op.peer } } : r.op;
    owned.set(r.id, { id: r.id, op });
  }
  return owned;
}

test('an unchanged lab is trusted whole; a node whose part changed is read', () => {
  const before = desiredResources(topo(LAB('10.9.0.12')));
  const netns = new Set(['tr-h1', 'tr-h2']);
  const owned = journalOf(LAB('10.9.0.12'));
  assert.deepEqual([...trustedNamespaces({ desired: before, previous: before, owned, netns })].sort(), ['tr-h1', 'tr-h2']);
  const after = desiredResources(topo(LAB('10.9.0.13')));
  assert.deepEqual([...trustedNamespaces({ desired: after, previous: before, owned, netns })], ['tr-h1']);
});

test('a namespace that is gone, or whose objects the journal lacks, is read', () => {
  const d = desiredResources(topo(LAB('10.9.0.12')));
  const owned = journalOf(LAB('10.9.0.12'));
  assert.deepEqual([...trustedNamespaces({ desired: d, previous: d, owned, netns: new Set(['tr-h2']) })], ['tr-h2']);
  owned.delete('addr:tr-h2:eth0:10.9.0.12/24');
  assert.deepEqual([...trustedNamespaces({ desired: d, previous: d, owned, netns: new Set(['tr-h1', 'tr-h2']) })], ['tr-h1']);
});

test('a trusted namespace whose veth lost its host end is read after all', () => {
  const d = desiredResources(topo(LAB('10.9.0.12')));
  const host = {
    links: [{ index: 5, name: 'tr-h2-eth0', up: true, operstate: 'UP', mtu: 1500, mac: '02:00:00:00:00:01' }],
    addrs: [],
    routes: [],
    neighbours: [],
  };
  const trusted = withHostEnds(new Set(['tr-h1', 'tr-h2']), d, host);
  assert.deepEqual([...trusted], ['tr-h2']);
  assert.ok(d.some((r) => r.op.op === 'link.create' && r.op.kind === 'veth' && r.op.peer.ns === HOST_NS));
});

test('the very text the lab converged to: every existing owned namespace is trusted without comparing', () => {
  const d = desiredResources(topo(LAB('10.9.0.12')));
  const owned = journalOf(LAB('10.9.0.12'));
  assert.deepEqual([...trustedNamespaces({ desired: d, previous: d, owned, netns: new Set(['tr-h1', 'tr-h2']), sameText: true })].sort(), ['tr-h1', 'tr-h2']);
  owned.delete('netns:tr-h1');
  assert.deepEqual([...trustedNamespaces({ desired: d, previous: d, owned, netns: new Set(['tr-h1', 'tr-h2']), sameText: true })], ['tr-h2']);
});

test('sameOp: equal as the journal keeps them, but for the indexes a link create gets', () => {
  const veth = {
    op: 'link.create' as const,
    kind: 'veth' as const,
    ns: 'l-a',
    name: 'eth0',
    ipv6: false,
    up: true,
    peer: { ns: HOST_NS, name: 'l-a-eth0' },
  };
  const journaled = JSON.parse(JSON.stringify({ ...veth, index: 7, peer: { ...veth.peer, index: 9 } }));
  assert.ok(sameOp(veth, journaled), 'indexes are not part of what a link is');
  assert.ok(sameOp({ ...veth, mtu: undefined } as typeof veth, veth), 'an undefined field is a missing one');
  assert.ok(!sameOp(veth, { ...veth, peer: { ...veth.peer, name: 'other' } }), 'the peer is');
  assert.ok(!sameOp(veth, { ...veth, mtu: 1400 } as typeof veth), 'a field only one has counts');
  assert.ok(!sameOp({ ...veth, mtu: 1400 } as typeof veth, veth), 'either way');
  const route = { op: 'route.add' as const, ns: 'l-a', to: '0.0.0.0/0', via: '10.0.0.1' };
  assert.ok(sameOp(route, { ...route }));
  assert.ok(!sameOp(route, { ...route, via: '10.0.0.2' }));
  assert.ok(!sameOp(route, { ...route, index: 3 } as typeof route), 'only a link create may differ in its index');
});
