// Resolution: canonical text everywhere, links derived from interfaces, implied default routes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Topology } from '../../../src/model/types.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

function topo(text: string): Topology {
  const r = loadTopology(text, 'r.yaml');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  return r.topology;
}

const routes = (t: Topology, node: string): string[] =>
  (t.nodes.get(node)?.routes ?? []).map((r) => `${r.to}${r.via ? ` via ${r.via}` : ''}${r.dev ? ` dev ${r.dev}` : ''}${r.implied ? ' *' : ''}`);

const NETS = `networks:
  v4: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 }
  v4b: { subnet: 10.0.1.0/24, gateway: 10.0.1.1 }
  dual: { subnet: [10.0.2.0/24, "fd00::/64"], gateway: [10.0.2.1, "fd00::1"] }
  bare: { subnet: 10.0.3.0/24 }
`;

const IMPLIED: ReadonlyArray<[string, string, string[]]> = [
  [
    'the first network with a gateway, in interface order',
    '{ interfaces: { e0: { network: bare }, e1: { network: v4b }, e2: { network: v4 } } }',
    ['0.0.0.0/0 via 10.0.1.1 *'],
  ],
  ['one per family', '{ interfaces: { e0: { network: v4 }, e1: { network: dual } } }', ['0.0.0.0/0 via 10.0.0.1 *', '::/0 via fd00::1 *']],
  ["none when the node declares that family's default", '{ interfaces: { e0: { network: v4 } }, routes: [ { to: default, dev: e0 } ] }', ['0.0.0.0/0 dev e0']],
  [
    'still for the other family',
    '{ interfaces: { e0: { network: dual } }, routes: [ { to: "::/0", via: "fd00::9" } ] }',
    ['::/0 via fd00::9', '0.0.0.0/0 via 10.0.2.1 *'],
  ],
  ['none for a family the interface has no address in', '{ interfaces: { e0: { network: dual, address: 10.0.2.7 } } }', ['0.0.0.0/0 via 10.0.2.1 *']],
  ['none without gateways', '{ interfaces: { e0: { network: bare } } }', []],
  [
    'declared routes first, canonical',
    '{ interfaces: { e0: { network: v4 } }, routes: [ { to: 10.9.0.7, via: 10.0.0.9 }, { to: "fd09:0::/32", dev: e0 } ] }',
    ['10.9.0.7/32 via 10.0.0.9', 'fd09::/32 dev e0', '0.0.0.0/0 via 10.0.0.1 *'],
  ],
];

for (const [what, node, expected] of IMPLIED) {
  test(`implied default routes: ${what}`, () => {
    const t = topo(`name: r\n${NETS}nodes:\n  n: ${node}\n`);
    assert.deepEqual(routes(t, 'n'), expected);
  });
}

test('a p2p link is one link whose a end is the end declared first, shared by both interfaces', () => {
  const t = topo(
    'name: r\nnodes:\n  z: { interfaces: { e9: { peer: "a:e1", address: 10.0.0.2/30 } } }\n  a: { interfaces: { e1: { peer: "z:e9", address: 10.0.0.1/30 } } }\n',
  );
  assert.deepEqual(t.links, [{ kind: 'p2p', id: 'p2p:z:e9', a: { node: 'z', iface: 'e9' }, b: { node: 'a', iface: 'e1' } }]);
  assert.equal(t.nodes.get('a')?.interfaces.get('e1')?.link, 'p2p:z:e9');
  assert.equal(t.nodes.get('z')?.interfaces.get('e9')?.link, 'p2p:z:e9');
});

test('links follow declaration order; host links without addresses are allowed', () => {
  const t = topo(`name: r\n${NETS}nodes:\n  b: { interfaces: { h: { host: true }, n: { network: bare } } }\n  a: { interfaces: { n: { network: bare } } }\n`);
  assert.deepEqual(
    t.links.map((l) => l.id),
    ['host:b:h', 'bridged:b:n', 'bridged:a:n'],
  );
  const h = t.links[0];
  assert.ok(h?.kind === 'host');
  assert.deepEqual([h.hostEnd, h.alias, h.hostAddresses], ['r-b-h', 'nslab:r:node:b:h', []]);
  assert.deepEqual(t.nodes.get('b')?.interfaces.get('h')?.addresses, []);
});

test('every CIDR is canonical text', () => {
  const t = topo(
    'name: r\nnetworks:\n  lan: { subnet: "FD00:0:0:0::/64", gateway: "FD00::0:1" }\nnodes:\n  a: { interfaces: { e: { network: lan, address: "fd00:0::a" } } }\nexpect:\n  - { from: a, to: "FD00::A" }\n',
  );
  assert.deepEqual(t.networks.get('lan')?.subnets, ['fd00::/64']);
  assert.deepEqual(t.networks.get('lan')?.gateways, ['fd00::1/64']);
  assert.deepEqual(t.nodes.get('a')?.interfaces.get('e')?.addresses, ['fd00::a/64']);
  assert.deepEqual(routes(t, 'a'), ['::/0 via fd00::1 *']);
  assert.equal(t.expect[0]?.to, 'fd00::a');
});

test('nodes, interfaces, routes, networks and expectations carry their spans; mtu is kept', () => {
  const t = topo(
    'name: r\nnetworks:\n  lan: { subnet: 10.0.0.0/24 }\nnodes:\n  a:\n    interfaces:\n      e: { network: lan, mtu: 9000 }\n    routes:\n      - { to: 10.1.0.0/16, via: 10.0.0.5 }\nexpect:\n  - { from: a, to: 10.0.0.5, reach: false }\n',
  );
  const a = t.nodes.get('a');
  assert.deepEqual(
    [a?.span, a?.interfaces.get('e')?.span, a?.routes[0]?.span],
    [
      { line: 5, col: 3 },
      { line: 7, col: 7 },
      { line: 9, col: 9 },
    ],
  );
  assert.deepEqual(t.networks.get('lan')?.span, { line: 3, col: 3 });
  assert.deepEqual(t.expect[0], { from: 'a', to: '10.0.0.5', reach: false, probe: { kind: 'icmp' }, span: { line: 11, col: 5 } });
  assert.equal(a?.interfaces.get('e')?.mtu, 9000);
  assert.equal(t.file, 'r.yaml');
});

test('a node with no interfaces is a warning, and the lab still resolves', () => {
  const r = loadTopology('name: r\nnodes:\n  lonely:\n', 'r.yaml');
  assert.ok(r.topology);
  assert.deepEqual(r.issues.map(formatIssue), ["r.yaml:3:3: warning: node 'lonely' has no interfaces: it is an empty namespace with only lo"]);
  assert.deepEqual(r.topology.nodes.get('lonely')?.interfaces.size, 0);
});
