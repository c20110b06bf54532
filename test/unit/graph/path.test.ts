// A traced path laid on the picture: the edges and vertices each leg crosses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphOf } from '../../../src/graph/model.js';
import { legOnGraph } from '../../../src/graph/path.js';
import type { Leg } from '../../../src/verify/trace.js';
import { MIXED, topo } from '../helpers.js';

const g = graphOf(topo(MIXED));
const id = (a: string, b: string): string => g.edges.find((e) => e.a.vertex === a && e.b.vertex === b)!.id;

test('web to h2 through r1: the bridge, the network, the router and the point-to-point link, in order', () => {
  const leg: Leg = {
    direction: 'request',
    dst: '10.0.0.2',
    reached: true,
    at: 'h2',
    arrivedOn: 'eth0',
    hops: [
      { at: 'web', outDev: 'eth0', nextHop: '172.20.0.1', route: 'default via 172.20.0.1', toward: 'network lan', next: 'r1', nextDev: 'eth0' },
      { at: 'r1', inDev: 'eth0', outDev: 'eth1', nextHop: '10.0.0.2', route: '10.0.0.0/30', toward: 'h2:eth0', next: 'h2', nextDev: 'eth0' },
    ],
  };
  const p = legOnGraph(g, leg, 'web');
  assert.deepEqual(p.vertices, ['node:web', 'net:lan', 'node:r1', 'node:h2']);
  assert.deepEqual(p.edges, [id('node:web', 'net:lan'), id('node:r1', 'net:lan'), id('node:h2', 'node:r1')]);
  assert.equal(p.stop, undefined);
});

test("a hop out of the host's bridge crosses the gateway edge; a stop names its vertex", () => {
  const leg: Leg = {
    direction: 'reply',
    dst: '172.20.0.11',
    reached: false,
    hops: [{ at: 'host', outDev: 'demo-lan', nextHop: '172.20.0.11', route: '172.20.0.0/16', toward: 'network lan' }],
    stop: { code: 'no-neighbour', at: 'host', message: 'no neighbour would answer' },
  };
  const p = legOnGraph(g, leg, 'host');
  assert.deepEqual(p.vertices, ['host', 'net:lan']);
  assert.deepEqual(p.edges, ['gw:lan']);
  assert.deepEqual(p.stop, { vertex: 'host', message: 'no neighbour would answer' });
});
