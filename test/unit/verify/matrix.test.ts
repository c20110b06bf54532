// Expectations and the all-pairs matrix -> probes; outcomes -> report; waves that fit the
// neighbour table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, expectationProbes, gatewayProbes, matrixProbes } from '../../../src/verify/matrix.js';
import { neighbourNeed, planWaves } from '../../../src/verify/waves.js';
import { MIXED, topo } from '../helpers.js';

const LAB = `${MIXED}
expect:
  - { from: web, to: r1 }
  - { from: h2, to: "r1:eth0", tcp: 80 }
  - { from: web, to: h2, reach: false }
  - { from: probe, to: 172.20.0.11, udp: 53 }
`;

test('expectation targets resolve to the address on a shared subnet, an interface, or a literal', () => {
  const probes = expectationProbes(topo(LAB));
  assert.deepEqual(
    probes.map((p) => [p.netns, p.dst, p.kind, p.port, p.expect]),
    [
      ['demo-web', '172.20.0.1', 'icmp', undefined, true],
      ['demo-h2', '172.20.0.1', 'tcp', 80, true],
      ['demo-web', '10.0.0.2', 'icmp', undefined, false],
      ['demo-probe', '172.20.0.11', 'udp', 53, true],
    ],
  );
  assert.equal(expectationProbes(topo(LAB))[1]?.toNetns, 'demo-r1');
});

test('from r1, h2 is probed on the p2p link it shares, not on some other address', () => {
  const t = topo(LAB);
  const fromR1 = matrixProbes(t).filter((p) => p.from === 'r1');
  assert.deepEqual(
    fromR1.map((p) => `${p.to}=${p.dst}`),
    ['web=172.20.0.11', 'h2=10.0.0.2', 'probe=172.30.0.11'],
  );
  assert.equal(matrixProbes(t).length, 4 * 3);
});

test('--gateways: every node on a network with a gateway probes it; p2p and host links have none', () => {
  const t = topo(MIXED);
  assert.deepEqual(
    gatewayProbes(t).map((p) => `${p.from}>${p.dst}`),
    ['web>172.20.0.10', 'r1>172.20.0.10'],
  );
  assert.ok(gatewayProbes(t).every((p) => p.kind === 'icmp' && p.expect && p.toNetns === undefined));
});

test('a report row holds when what was found is what was expected; missing outcomes fail', () => {
  const probes = expectationProbes(topo(LAB));
  const report = buildReport(probes, [
    { id: 0, reached: true, rttMs: 0.2, sent: 1, received: 1 },
    { id: 1, reached: false, reason: 'connection refused', sent: 3, received: 3 },
    { id: 2, reached: false, reason: 'network unreachable', sent: 0, received: 0 },
  ]);
  assert.deepEqual(
    report.rows.map((r) => [r.ok, r.got, r.reason ?? '']),
    [
      [true, 'reached', ''],
      [false, 'blocked', 'connection refused'],
      [true, 'blocked', 'network unreachable'],
      [false, 'blocked', 'not probed'],
    ],
  );
  assert.equal(report.passed, 2);
  assert.equal(report.failed, 2);
});

test('waves: a->b and b->a share their two entries; every wave fits the budget; nothing is lost', () => {
  const star = [
    'name: star',
    'networks:',
    '  lan: { subnet: 10.1.0.0/16 }',
    'nodes:',
    ...Array.from({ length: 30 }, (_, i) => `  h${i}: { interfaces: { eth0: { network: lan } } }`),
  ].join('\n');
  const t = topo(star);
  const probes = matrixProbes(t);
  assert.equal(neighbourNeed(t, probes), 30 * 29);
  const waves = planWaves(t, probes, 100);
  for (const w of waves) assert.ok(neighbourNeed(t, w) <= 100);
  assert.equal(waves.length, Math.ceil((30 * 29) / 100));
  assert.deepEqual(
    waves
      .flat()
      .map((p) => p.id)
      .sort((a, b) => a - b),
    probes.map((p) => p.id),
  );
});
