// Routes a routing daemon installs next to the lab's: nslab owns only the routes it declared, so a
// daemon's route to the same prefix (another protocol, metric, or several next hops) never makes
// `up` delete or re-add anything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel, type FRoute } from '../../helpers/fake-kernel.js';
import { readLive } from '../../../src/live/snapshot.js';
import type { Topology } from '../../../src/model/types.js';
import { planLab } from '../../../src/plan/diff.js';
import type { Owned, OwnedRecord } from '../../../src/plan/live.js';
import { liveQueryOf } from '../../../src/plan/resources.js';
import { describeOp, type Plan } from '../../../src/plan/steps.js';
import { topo } from '../helpers.js';

const LAB = `
name: ospf
nodes:
  r1:
    forwarding: true
    interfaces:
      eth0: { peer: "r2:eth0", address: 10.0.12.1/24 }
      eth1: { peer: "r3:eth0", address: 10.0.13.1/24 }
    routes:
      - { to: 10.0.3.0/24, via: 10.0.12.2 }
  r2:
    forwarding: true
    interfaces:
      eth0: { peer: "r1:eth0", address: 10.0.12.2/24 }
  r3:
    forwarding: true
    interfaces:
      eth0: { peer: "r1:eth1", address: 10.0.13.3/24 }
`;

const OSPF_ECMP: FRoute = {
  to: '10.0.3.0/24',
  protocol: 'ospf',
  metric: 20,
  nexthops: [
    { via: '10.0.12.2', dev: 'eth0', weight: 1 },
    { via: '10.0.13.3', dev: 'eth1', weight: 1 },
  ],
};

function planOn(k: FakeKernel, t: Topology, owned: Owned = new Map()): Plan {
  return planLab({ topology: t, live: readLive(k, liveQueryOf(t, owned)), owned });
}

function applyAll(k: FakeKernel, p: Plan, owned = new Map<string, OwnedRecord>()): Map<string, OwnedRecord> {
  const results = k.run(p.steps.map((s) => s.op));
  results.forEach((r, i) => assert.ok(r.ok, `${describeOp(p.steps[i]!.op)} failed: ${JSON.stringify(r)}`));
  for (const s of p.steps) if (s.journal === 'own') owned.set(s.id, { id: s.id, op: s.op });
  return owned;
}

const lines = (p: Plan): string[] => p.steps.map((s) => describeOp(s.op));
/** The journal without the route: as if the lab had never added it. */
const withoutRoutes = (o: Owned): Owned => new Map([...o].filter(([, rec]) => rec.op.op !== 'route.add'));

test("a daemon's multipath route to the lab's prefix, listed first, changes nothing on the next up", () => {
  const k = new FakeKernel();
  const t = topo(LAB);
  const owned = applyAll(k, planOn(k, t));
  k.spaces.get('ospf-r1')!.routes.unshift(OSPF_ECMP);
  const again = planOn(k, t, owned);
  assert.deepEqual(lines(again), []);
  assert.deepEqual(again.conflicts, []);
});

test("a daemon's route there before the lab is not the lab's: up adds its own beside it, deletes nothing", () => {
  const k = new FakeKernel();
  const t = topo(LAB);
  const first = applyAll(k, planOn(k, t));
  // Take r1's declared route away, as if it had never been added, and let the daemon hold the prefix.
  k.run([{ op: 'route.delete', ns: 'ospf-r1', to: '10.0.3.0/24', via: '10.0.12.2' }]);
  k.addRoute('ospf-r1', OSPF_ECMP);
  k.addRoute('ospf-r1', { to: '10.0.3.0/24', protocol: 'bgp', metric: 20, via: '10.0.13.3', dev: 'eth1' });
  for (const owned of [withoutRoutes(first), first]) {
    const p = planOn(k, t, owned);
    assert.deepEqual(p.conflicts, []);
    assert.deepEqual(lines(p), ['ip -n ospf-r1 route add 10.0.3.0/24 via 10.0.12.2 proto static']);
  }
});

test('a multipath route added by hand to a prefix the lab does not declare is left alone', () => {
  const k = new FakeKernel();
  const t = topo(LAB);
  const owned = applyAll(k, planOn(k, t));
  k.addRoute('ospf-r1', {
    to: '10.9.0.0/24',
    protocol: 'boot',
    nexthops: [
      { via: '10.0.12.2', dev: 'eth0', weight: 1 },
      { via: '10.0.13.3', dev: 'eth1', weight: 2 },
    ],
  });
  assert.deepEqual(lines(planOn(k, t, owned)), []);
});

test("a daemon's route in the lab's very slot (same prefix and metric) is reported, never deleted", () => {
  const k = new FakeKernel();
  const t = topo(LAB);
  const owned = applyAll(k, planOn(k, t));
  k.run([{ op: 'route.delete', ns: 'ospf-r1', to: '10.0.3.0/24', via: '10.0.12.2' }]);
  k.addRoute('ospf-r1', { ...OSPF_ECMP, protocol: 'zebra', metric: 0 });
  for (const o of [withoutRoutes(owned), owned]) {
    const p = planOn(k, t, o);
    assert.deepEqual(lines(p), []);
    assert.deepEqual(p.conflicts, [
      'route to 10.0.3.0/24 in ospf-r1 exists (proto zebra, nexthop via 10.0.12.2 dev eth0, nexthop via 10.0.13.3 dev eth1) and was not created by lab ospf',
    ]);
  }
});

test('an owned route a human replaced by hand (proto boot, other gateway) is still put back', () => {
  const k = new FakeKernel();
  const t = topo(LAB);
  const owned = applyAll(k, planOn(k, t));
  k.run([{ op: 'route.delete', ns: 'ospf-r1', to: '10.0.3.0/24', via: '10.0.12.2' }]);
  k.addRoute('ospf-r1', { to: '10.0.3.0/24', protocol: 'boot', via: '10.0.13.3', dev: 'eth1' });
  assert.deepEqual(lines(planOn(k, t, owned)), [
    'ip -n ospf-r1 route del 10.0.3.0/24 via 10.0.13.3',
    'ip -n ospf-r1 route add 10.0.3.0/24 via 10.0.12.2 proto static',
  ]);
});
