// planLab against an in-memory kernel: build order, idempotence, changes, conflicts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { HOST_NS } from '../../../src/port/kernel.js';
import { readLive } from '../../../src/live/snapshot.js';
import type { Topology } from '../../../src/model/types.js';
import { planLab } from '../../../src/plan/diff.js';
import type { Owned, OwnedRecord } from '../../../src/plan/live.js';
import { describeOp } from '../../../src/plan/steps.js';
import { liveQueryOf } from '../../../src/plan/resources.js';
import type { Plan } from '../../../src/plan/steps.js';
import { MIXED, topo } from '../helpers.js';

function planOn(k: FakeKernel, t: Topology, owned: Owned = new Map()): Plan {
  return planLab({ topology: t, live: readLive(k, liveQueryOf(t, owned)), owned });
}

/** Apply a plan to the fake kernel and return the owned set a journal would hold. */
function applyAll(k: FakeKernel, p: Plan, owned = new Map<string, OwnedRecord>()): Map<string, OwnedRecord> {
  const results = k.run(p.steps.map((s) => s.op));
  results.forEach((r, i) => assert.ok(r.ok, `${describeOp(p.steps[i]!.op)} failed: ${JSON.stringify(r)}`));
  for (const s of p.steps) {
    if (s.journal === 'own') owned.set(s.id, { id: s.id, op: s.op });
    if (s.journal === 'drop') owned.delete(s.id);
  }
  return owned;
}

test('a fresh lab is built host bridges first, then namespaces, then one run per node, then host ends', () => {
  const p = planOn(new FakeKernel(), topo(MIXED));
  const lines = p.steps.map((s) => describeOp(s.op));
  assert.deepEqual(p.conflicts, []);
  assert.equal(lines[0], 'ip link add demo-lan type bridge mcast_snooping 0 && ip link set demo-lan alias nslab:demo:net:lan addrgenmode none up');
  assert.equal(lines[1], 'ip addr add 172.20.0.10/16 dev demo-lan');
  assert.deepEqual(lines.slice(2, 6), ['ip netns add demo-web', 'ip netns add demo-h2', 'ip netns add demo-r1', 'ip netns add demo-probe']);
  assert.ok(
    lines.some((l) => l.startsWith('ip -n demo-h2 link add eth0 index 2 type veth peer name eth1 index 2 netns demo-r1')),
    lines.join('\n'),
  );
  assert.ok(lines.includes('ip -n demo-r1 link set eth1 up'));
  assert.ok(lines.includes('ip netns exec demo-r1 sysctl -w net.ipv4.ip_forward=1'));
  assert.ok(lines.includes('ip -n demo-web route add default via 172.20.0.10 proto static'), 'implied default route via the gateway');
  assert.equal(lines.at(-1), 'ip addr add 172.30.0.1/16 dev demo-probe-eth0');
  // every namespace's rtnetlink work is contiguous (one batch per node)
  const order = p.steps
    .filter((s) => s.op.op !== 'netns.create' && s.op.op !== 'sysctl.set' && 'ns' in s.op && s.op.ns !== HOST_NS)
    .map((s) => ('ns' in s.op ? s.op.ns : ''));
  const runs = order.filter((ns, i) => i === 0 || order[i - 1] !== ns);
  assert.equal(new Set(runs).size, runs.length, `namespaces interleave: ${runs.join(' ')}`);
});

test('planning again after applying gives zero steps', () => {
  const k = new FakeKernel();
  const t = topo(MIXED);
  const owned = applyAll(k, planOn(k, t));
  const again = planOn(k, t, owned);
  assert.deepEqual(
    again.steps.map((s) => describeOp(s.op)),
    [],
  );
  assert.ok(again.unchanged > 20);
});

test('a node dropped from the file loses its namespace and nothing else', () => {
  const k = new FakeKernel();
  const owned = applyAll(k, planOn(k, topo(MIXED)));
  const smaller = topo(MIXED.replace(/ {2}probe:\n( {4}.*\n)+/, ''));
  const p = planOn(k, smaller, owned);
  assert.deepEqual(
    p.steps.map((s) => describeOp(s.op)),
    ['ip netns delete demo-probe'],
  );
});

test('a route removed by hand is put back; a changed next hop replaces the owned route', () => {
  const k = new FakeKernel();
  const t = topo(MIXED);
  const owned = applyAll(k, planOn(k, t));
  k.run([{ op: 'route.delete', ns: 'demo-h2', to: '0.0.0.0/0' }]);
  const putBack = planOn(k, t, owned);
  assert.deepEqual(
    putBack.steps.map((s) => describeOp(s.op)),
    ['ip -n demo-h2 route add default via 10.0.0.1 proto static'],
  );
  applyAll(k, putBack, owned);
  const moved = topo(MIXED.replace('address: 172.20.0.11/16 }', 'address: 172.20.0.11/16 }\n    routes:\n      - { to: default, via: 172.20.0.1 }'));
  assert.deepEqual(
    planOn(k, moved, owned).steps.map((s) => describeOp(s.op)),
    ['ip -n demo-web route del default via 172.20.0.10', 'ip -n demo-web route add default via 172.20.0.1 proto static'],
  );
});

test('foreign objects with our names are conflicts, also when they carry our marker (a forged alias proves nothing)', () => {
  const k = new FakeKernel();
  k.run([
    { op: 'netns.create', name: 'demo-web' },
    { op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'demo-lan', ipv6: false, up: true },
  ]);
  const p = planOn(k, topo(MIXED));
  assert.equal(p.conflicts.length, 2);
  assert.match(p.conflicts.join('\n'), /network namespace demo-web already exists/);
  assert.match(p.conflicts.join('\n'), /interface demo-lan already exists in the host namespace/);
  k.run([
    { op: 'link.set', ns: HOST_NS, name: 'demo-lan', alias: 'nslab:demo:net:lan' },
    { op: 'netns.delete', name: 'demo-web' },
  ]);
  const forged = planOn(k, topo(MIXED));
  assert.equal(forged.conflicts.length, 1);
  assert.match(forged.conflicts[0]!, /interface demo-lan already exists in the host namespace and was not created by lab demo/);
});

test('netns_of: the namespace is attached, not created; removal deletes its veth, then only detaches the name', () => {
  const t = topo(`name: ad
networks:
  lan: { subnet: 10.5.0.0/24 }
nodes:
  x:
    netns_of: 4321
    interfaces: { eth0: { network: lan } }
  y:
    interfaces: { eth0: { network: lan } }
`);
  const k = new FakeKernel();
  const p = planOn(k, t);
  const lines = p.steps.map((s) => describeOp(s.op));
  assert.ok(lines.includes('ip netns attach ad-x 4321'), lines.join('\n'));
  assert.ok(!lines.includes('ip netns add ad-x'));
  const owned = applyAll(k, p);
  assert.ok(owned.has('attach:ad-x'));
  assert.equal(planOn(k, t, owned).steps.length, 0);
  const gone = planOn(k, topo('name: ad\nnodes:\n  z: {}\n'), owned).steps.map((s) => describeOp(s.op));
  const del = gone.findIndex((l) => l.startsWith('ip -n ad-x link del eth0'));
  const detach = gone.indexOf('umount /run/netns/ad-x && rm /run/netns/ad-x');
  assert.ok(del >= 0 && detach > del, gone.join('\n'));
  assert.ok(!gone.includes('ip netns delete ad-x'), gone.join('\n'));
  assert.ok(gone.includes('ip netns delete ad-y'), gone.join('\n'));
});
