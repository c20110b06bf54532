// Neighbour pins for big probe runs: which probes get permanent entries at both ends (neighbours
// on one segment, a node or a gateway), which keep learning (routed, a host link, an unknown MAC).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS } from '../../../src/port/kernel.js';
import { expectationProbes, gatewayProbes, matrixProbes } from '../../../src/verify/matrix.js';
import { planPins } from '../../../src/verify/pins.js';
import { neighbourNeed } from '../../../src/verify/waves.js';
import { MIXED, topo } from '../helpers.js';

/** A MAC per device, made up from its namespace and name (what the kernel would report). */
const mac = (ns: string, dev: string): string =>
  `02:00:00:00:${ns === HOST_NS ? '00' : ns.length.toString(16).padStart(2, '0')}:${dev.length.toString(16).padStart(2, '0')}`;

test('a gateway probe pins the gateway in the node and the node on the bridge in the host', () => {
  const t = topo(MIXED);
  const probes = gatewayProbes(t);
  const plan = planPins(t, probes, mac);
  const web = probes.find((p) => p.from === 'web')!;
  assert.ok(plan.pinned.has(web.id));
  const bridge = t.networks.get('lan')!.bridge;
  assert.deepEqual(
    plan.pins.get('demo-web')?.find((p) => p.address === '172.20.0.10'),
    { dev: 'eth0', address: '172.20.0.10', mac: mac(HOST_NS, bridge) },
  );
  assert.deepEqual(
    plan.pins.get(HOST_NS)?.find((p) => p.address === '172.20.0.11'),
    { dev: bridge, address: '172.20.0.11', mac: mac('demo-web', 'eth0') },
  );
});

test('probes both ways between two nodes share the same two pins; routed and host-link probes learn', () => {
  const t = topo(`${MIXED}
expect:
  - { from: h2, to: "r1:eth1" }
  - { from: r1, to: h2 }
  - { from: web, to: h2 }
  - { from: probe, to: 172.30.0.1 }
`);
  const probes = expectationProbes(t);
  const plan = planPins(t, probes, mac);
  assert.deepEqual([...plan.pinned].sort(), [0, 1]);
  assert.deepEqual(plan.pins.get('demo-h2'), [{ dev: 'eth0', address: '10.0.0.1', mac: mac('demo-r1', 'eth1') }]);
  assert.deepEqual(plan.pins.get('demo-r1'), [{ dev: 'eth1', address: '10.0.0.2', mac: mac('demo-h2', 'eth0') }]);
  // What is left to learn is what the waves plan for.
  assert.equal(
    neighbourNeed(
      t,
      probes.filter((p) => !plan.pinned.has(p.id)),
    ),
    4,
  );
});

test('a probe with an end whose MAC the kernel does not report is not pinned', () => {
  const t = topo(MIXED);
  const probes = matrixProbes(t);
  const plan = planPins(t, probes, (ns, dev) => (ns === 'demo-web' ? undefined : mac(ns, dev)));
  for (const p of probes) if (p.from === 'web' || p.to === 'web') assert.ok(!plan.pinned.has(p.id), `${p.from}>${p.to}`);
  assert.ok(probes.some((p) => plan.pinned.has(p.id)));
  assert.equal(plan.pins.get('demo-web'), undefined);
});

test('every pin of the all-pairs matrix on a star is one entry per ordered pair, none duplicated', () => {
  const hosts = Array.from({ length: 12 }, (_, i) => `  h${i}: { interfaces: { eth0: { network: n, address: 10.9.0.${i + 2}/24 } } }`).join('\n');
  const t = topo(`name: s\nnetworks:\n  n: { subnet: 10.9.0.0/24, gateway: 10.9.0.1 }\nnodes:\n${hosts}\n`);
  const probes = matrixProbes(t);
  const plan = planPins(t, probes, mac);
  assert.equal(plan.pinned.size, probes.length);
  const total = [...plan.pins.values()].reduce((n, l) => n + l.length, 0);
  assert.equal(total, 12 * 11);
});
