// IPAM: lowest free address per subnet, skipping the network and broadcast addresses, gateways
// and every address declared on the network (wherever it appears in the file); deterministic.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assignableRange } from '../../../src/model/ipam.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';
import { fromBigInt, parseCidr } from '../../../src/util/ip.js';

function allocated(text: string): Record<string, readonly string[]> {
  const r = loadTopology(text, 'ipam.yaml');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  const out: Record<string, readonly string[]> = {};
  for (const n of r.topology.nodes.values()) for (const i of n.interfaces.values()) out[`${n.name}:${i.name}`] = i.addresses;
  return out;
}

const lab = (networks: string, nodes: string): string => `name: ipam\nnetworks:\n${networks}\nnodes:\n${nodes}\n`;

test('the first address goes to the first interface, skipping the network address', () => {
  const got = allocated(lab('  lan: { subnet: 10.0.0.0/24 }', '  a: { interfaces: { e: { network: lan } } }\n  b: { interfaces: { e: { network: lan } } }'));
  assert.deepEqual(got, { 'a:e': ['10.0.0.1/24'], 'b:e': ['10.0.0.2/24'] });
});

test('gateways and addresses declared anywhere on the network are skipped, even by later nodes', () => {
  const got = allocated(
    lab(
      '  lan: { subnet: 10.0.0.0/24, gateway: 10.0.0.1 }',
      [
        '  a: { interfaces: { e: { network: lan } } }',
        '  b: { interfaces: { e: { network: lan, address: 10.0.0.2 } } }',
        '  c: { interfaces: { e: { network: lan }, f: { network: lan } } }',
        '  d: { interfaces: { e: { network: lan, address: 10.0.0.4/24 } } }',
      ].join('\n'),
    ),
  );
  assert.deepEqual(got, { 'a:e': ['10.0.0.3/24'], 'b:e': ['10.0.0.2/24'], 'c:e': ['10.0.0.5/24'], 'c:f': ['10.0.0.6/24'], 'd:e': ['10.0.0.4/24'] });
});

test('addresses declared on another network do not block this one', () => {
  const got = allocated(
    lab('  lan: { subnet: 10.0.0.0/24 }', '  a: { interfaces: { e: { host: true, address: 10.0.0.1/24 } } }\n  b: { interfaces: { f: { network: lan } } }'),
  );
  assert.equal(got['b:f']?.[0], '10.0.0.1/24');
});

test('an allocated address that repeats one of the same node on another link is still a duplicate', () => {
  const r = loadTopology(
    lab('  lan: { subnet: 10.0.0.0/24 }', '  a: { interfaces: { e: { host: true, address: 10.0.0.1/24 }, f: { network: lan } } }'),
    'ipam.yaml',
  );
  assert.ok(
    r.issues.some((i) => i.code === 'duplicate-address' && i.severity === 'error'),
    r.issues.map(formatIssue).join('\n'),
  );
});

test('one address per subnet of the network, IPv6 included', () => {
  const got = allocated(lab('  lan: { subnet: [10.0.0.0/30, "fd00::/126"], gateway: "fd00::1" }', '  a: { interfaces: { e: { network: lan } } }'));
  assert.deepEqual(got['a:e'], ['10.0.0.1/30', 'fd00::2/126']);
});

test('the IPv4 broadcast is never allocated; a full subnet is an error at the interface', () => {
  const text = lab(
    '  tiny: { subnet: 10.0.0.0/30 }',
    '  a: { interfaces: { e: { network: tiny } } }\n  b: { interfaces: { e: { network: tiny } } }\n  c: { interfaces: { e: { network: tiny } } }',
  );
  const r = loadTopology(text, 'ipam.yaml');
  assert.deepEqual(r.issues.map(formatIssue), [
    "ipam.yaml:7:22: no free address left in 10.0.0.0/30 of network 'tiny' for interface 'c:e'; use a larger subnet",
  ]);
});

test('assignable ranges: /31 and /32 (and IPv6 /127, /128) use every address; IPv6 skips only the first', () => {
  const range = (s: string): string[] => {
    const c = parseCidr(s)!;
    const { first, last } = assignableRange(c);
    return [fromBigInt(first, c.family), fromBigInt(last, c.family)];
  };
  assert.deepEqual(range('10.0.0.0/24'), ['10.0.0.1', '10.0.0.254']);
  assert.deepEqual(range('10.0.0.0/31'), ['10.0.0.0', '10.0.0.1']);
  assert.deepEqual(range('10.0.0.7/32'), ['10.0.0.7', '10.0.0.7']);
  assert.deepEqual(range('fd00::/64'), ['fd00::1', 'fd00::ffff:ffff:ffff:ffff']);
  assert.deepEqual(range('fd00::/127'), ['fd00::', 'fd00::1']);
});

test('the same file gives the same addresses every time, and reordering nodes reorders allocation', () => {
  const nodes = Array.from({ length: 50 }, (_, i) => `  n${i}: { interfaces: { e: { network: lan } } }`);
  const net = '  lan: { subnet: 172.16.0.0/16, gateway: 172.16.0.1 }';
  const a = allocated(lab(net, nodes.join('\n')));
  assert.deepEqual(a, allocated(lab(net, nodes.join('\n'))));
  assert.deepEqual(a['n0:e'], ['172.16.0.2/16']);
  assert.deepEqual(a['n49:e'], ['172.16.0.51/16']);
  const reversed = allocated(lab(net, [...nodes].reverse().join('\n')));
  assert.deepEqual(reversed['n49:e'], ['172.16.0.2/16']);
});

test('a thousand interfaces on one network get distinct addresses quickly', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => `  n${i}: { interfaces: { e: { network: lan } } }`);
  const t0 = performance.now();
  const got = allocated(lab('  lan: { subnet: 10.0.0.0/16, gateway: 10.0.0.1 }', nodes.join('\n')));
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(new Set(Object.values(got).flat()).size, 1000);
});
