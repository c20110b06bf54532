// What capture TARGETs resolve to: a node's interfaces, one node:iface, a network's bridge (by
// name or bridge name, in --host-netns when the lab has one); unknown or ambiguous ones exit 2.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveTargets } from '../../../src/lab/capture-targets.js';
import { isNslabError } from '../../../src/util/errors.js';
import { MIXED, topo } from '../helpers.js';

const exit2 =
  (code: string) =>
  (e: unknown): boolean =>
    isNslabError(e) && e.exitStatus === 2 && e.code === code;

test('a node is each of its interfaces, node:iface one of them, a network its bridge', () => {
  const t = topo(MIXED);
  const bridge = t.networks.get('lan')!.bridge;
  const points = resolveTargets(t, ['r1', 'web:eth0', 'lan']);
  assert.deepEqual(
    points.map((p) => [p.label, p.netns, p.iface]),
    [
      ['r1:eth0', 'demo-r1', 'eth0'],
      ['r1:eth1', 'demo-r1', 'eth1'],
      ['web:eth0', 'demo-web', 'eth0'],
      ['lan', undefined, bridge],
    ],
  );
  assert.deepEqual(
    resolveTargets(t, [bridge], 'hostns').map((p) => [p.label, p.netns, p.iface]),
    [['lan', 'hostns', bridge]],
  );
});

test('a point named twice is captured once', () => {
  assert.deepEqual(
    resolveTargets(topo(MIXED), ['r1:eth1', 'r1']).map((p) => p.label),
    ['r1:eth1', 'r1:eth0'],
  );
});

test('unknown nodes, interfaces and no target at all are bad input', () => {
  const t = topo(MIXED);
  assert.throws(() => resolveTargets(t, ['nope']), exit2('no-node'));
  assert.throws(() => resolveTargets(t, ['nope:eth0']), exit2('no-node'));
  assert.throws(
    () => resolveTargets(t, ['web:eth9']),
    (e: unknown) => exit2('no-iface')(e) && /interfaces: eth0/.test((e as Error).message),
  );
  assert.throws(() => resolveTargets(t, []), exit2('usage'));
});

test('a name that is both a node and a network is refused, with the way to say each', () => {
  const t = topo(`name: amb
networks:
  x: { subnet: 10.1.0.0/24 }
nodes:
  x:
    interfaces: { eth0: { network: x } }
`);
  assert.throws(
    () => resolveTargets(t, ['x']),
    (e: unknown) => exit2('ambiguous')(e) && /x:IFACE/.test((e as Error).message) && /amb-x/.test((e as Error).message),
  );
  assert.deepEqual(
    resolveTargets(t, ['x:eth0', 'amb-x']).map((p) => p.label),
    ['x:eth0', 'x'],
  );
});
