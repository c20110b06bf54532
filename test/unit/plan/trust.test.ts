// Which namespaces an up may leave unread: unchanged since the converged text and journaled as
// built; a change in a node's part of the file, a missing journal record, a missing namespace or
// a missing host end means it is read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS } from '../../../src/port/kernel.js';
import type { OwnedRecord } from '../../../src/plan/live.js';
import { desiredResources } from '../../../src/plan/resources.js';
import { trustedNamespaces, withHostEnds } from '../../../src/plan/trust.js';
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
