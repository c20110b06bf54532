// Live state on the picture: up/down per edge, rates between samples, missing namespaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { liveGraph, type IfaceSample, type LabSample } from '../../../src/graph/live.js';
import { graphOf } from '../../../src/graph/model.js';
import { MIXED, topo } from '../helpers.js';

const g = graphOf(topo(MIXED));
const up = (packets: number, bytes: number): IfaceSample => ({
  up: true,
  operstate: 'UP',
  stats: { rxPackets: packets, txPackets: packets, rxBytes: bytes, txBytes: bytes, rxDropped: 0, txDropped: 0 },
});

/** Every interface of the picture up with the given counters, except what `drop` names. */
function sample(t: number, packets: number, drop: (ns: string, dev: string) => boolean = () => false): LabSample {
  const ifaces = new Map<string, Map<string, IfaceSample>>();
  for (const e of g.edges) {
    for (const end of [e.a, e.b]) {
      if (drop(end.ns, end.dev)) continue;
      const m = ifaces.get(end.ns) ?? new Map<string, IfaceSample>();
      m.set(end.dev, up(packets, packets * 100));
      ifaces.set(end.ns, m);
    }
  }
  return { t, ifaces };
}

test("rates are the counters' growth per second through end a; the first sample has none", () => {
  const first = liveGraph(g, sample(1000, 10));
  const web = g.edges.find((e) => e.a.vertex === 'node:web')!.id;
  assert.equal(first.edges[web]!.pps, 0);
  assert.equal(first.edges[web]!.up, true);
  const second = liveGraph(g, sample(3000, 30), sample(1000, 10));
  assert.equal(second.edges[web]!.a.rxPps, 10);
  assert.equal(second.edges[web]!.pps, 20);
  assert.equal(second.edges[web]!.bps, 2000);
  assert.equal(second.edges[web]!.a.txPackets, 30);
});

test('a missing namespace makes its node absent and its edges down; a counter that went back gives no rate', () => {
  const s = sample(2000, 5, (ns) => ns === 'demo-h2');
  const live = liveGraph(g, s, sample(1000, 50));
  assert.equal(live.vertices['node:h2'], false);
  assert.equal(live.vertices['node:web'], true);
  assert.equal(live.vertices['net:lan'], true);
  const p2p = g.edges.find((e) => e.kind === 'p2p')!;
  assert.equal(p2p.a.vertex, 'node:h2');
  assert.equal(live.edges[p2p.id]!.up, false);
  assert.equal(live.edges[p2p.id]!.a.state, 'MISSING');
  assert.equal(live.edges[p2p.id]!.b.state, 'UP');
  assert.equal(live.edges[p2p.id]!.b.rxPps, 0, 'counters went back (recreated interface): no negative rate');
});

test('an end that is administratively down shows DOWN and takes its edge down', () => {
  const s = sample(1000, 1);
  const web = g.edges.find((e) => e.a.vertex === 'node:web')!;
  (s.ifaces.get('demo-web') as Map<string, IfaceSample>).set('eth0', { up: false, operstate: 'DOWN' });
  const live = liveGraph(g, s);
  assert.equal(live.edges[web.id]!.up, false);
  assert.equal(live.edges[web.id]!.a.state, 'DOWN');
});
