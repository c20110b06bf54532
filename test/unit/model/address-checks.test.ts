// Duplicate addresses (errors) per segment and per namespace, and the seed-001 same-subnet
// trap (warning) in nodes and in the host namespace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadTopology } from '../../../src/model/load.js';

const lab = (body: string): string =>
  `name: chk\nnetworks:\n  lan: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 }\n  wan: { subnet: 10.1.0.0/24, gateway: 10.1.0.1 }\nnodes:\n${body}\n`;

/** [description, nodes body, expected "code@line" list (errors and warnings)] */
const ROWS: ReadonlyArray<[string, string, string[]]> = [
  [
    'two nodes with one address on a bridge',
    '  a: { interfaces: { e: { network: lan, address: 10.0.0.5 } } }\n  b: { interfaces: { e: { network: lan, address: 10.0.0.5/24 } } }',
    ['duplicate-address@7'],
  ],
  ["a node taking the gateway's address", '  a: { interfaces: { e: { network: lan, address: 10.0.0.1 } } }', ['duplicate-address@6']],
  [
    'both ends of a p2p link with one address',
    '  a: { interfaces: { e: { peer: "b:e", address: 10.9.0.1/30 } } }\n  b: { interfaces: { e: { peer: "a:e", address: 10.9.0.1/30 } } }',
    ['duplicate-address@7'],
  ],
  [
    'a host link whose two ends share an address',
    '  a: { interfaces: { e: { host: true, address: 10.8.0.1/24, host_address: 10.8.0.1/24 } } }',
    ['duplicate-address@6'],
  ],
  [
    'one node with one address on two links',
    '  a: { interfaces: { e: { network: lan, address: 10.0.0.5 }, f: { host: true, address: 10.0.0.5/24 } } }',
    ['duplicate-address@6'],
  ],
  ['a host_address equal to a gateway', '  a: { interfaces: { e: { host: true, address: 10.5.0.2/24, host_address: 10.0.0.1/24 } } }', ['duplicate-address@6']],
  [
    'two host ends in one subnet (seed 001)',
    '  a: { interfaces: { e: { host: true, address: 172.20.0.11/16, host_address: 172.20.0.1/16 } } }\n  b: { interfaces: { e: { host: true, address: 172.20.0.12/16, host_address: 172.20.0.2/16 } } }',
    ['same-subnet@7'],
  ],
  ['a host end inside a bridge subnet', '  a: { interfaces: { e: { host: true, address: 10.0.0.200/24, host_address: 10.0.0.100/24 } } }', ['same-subnet@6']],
  [
    'a node with two p2p links in one subnet',
    '  a: { interfaces: { e: { peer: "b:e", address: 10.9.0.1/24 }, f: { peer: "b:f", address: 10.9.0.2/24 } } }\n  b: { interfaces: { e: { peer: "a:e", address: 10.9.0.3/24 }, f: { peer: "a:f", address: 10.9.0.4/24 } } }',
    ['same-subnet@6', 'same-subnet@7'],
  ],
  ['two interfaces of one node on the same bridge', '  a: { interfaces: { e: { network: lan }, f: { network: lan } } }', []],
  [
    "the same subnet in two labs' worth of nodes, each on its own link",
    '  a: { interfaces: { e: { peer: "b:e", address: 10.9.0.1/30 } } }\n  b: { interfaces: { e: { peer: "a:e", address: 10.9.0.2/30 } } }\n  c: { interfaces: { e: { peer: "d:e", address: 10.9.0.1/30 } } }\n  d: { interfaces: { e: { peer: "c:e", address: 10.9.0.2/30 } } }',
    [],
  ],
];

for (const [what, body, expected] of ROWS) {
  test(`${what}: ${expected.length === 0 ? 'nothing to report' : expected.join(', ')}`, () => {
    const r = loadTopology(lab(body), 'chk.yaml');
    assert.deepEqual(
      r.issues.map((i) => `${i.code}@${i.line}`),
      expected,
      r.issues.map((i) => i.message).join('\n'),
    );
    assert.equal(
      r.topology === undefined,
      r.issues.some((i) => i.severity === 'error'),
    );
  });
}

test('the trap warning explains the routing table problem and names both ends', () => {
  const r = loadTopology(lab(ROWS[6]![1]), 'chk.yaml');
  const w = r.issues[0];
  assert.equal(w?.severity, 'warning');
  assert.match(w?.message ?? '', /the host end of 'b:e' \(172\.20\.0\.2\/16\) and the host end of 'a:e' \(172\.20\.0\.1\/16, line 6\)/);
  assert.match(w?.message ?? '', /routing table sends all of 172\.20\.0\.0\/16, ARP included, out of only one of them/);
});
