// Firewall parsing, table-driven: each accepted form and the rules it resolves to, and each
// error with its FILE:LINE:COL at the offending value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FirewallRule } from '../../../src/model/types.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

/** A lab whose node `a` has the firewall `fw` (written on line 8, after "    firewall: "). */
const lab = (fw: string): string => `name: t
networks:
  lan: { subnet: [10.0.0.0/24, "fd00::/64"], gateway: 10.0.0.1 }
nodes:
  b: { interfaces: { eth0: { network: lan, address: [10.0.0.5, "fd00::5"] } } }
  a:
    interfaces: { eth0: { network: lan }, eth1: { network: lan } }
    firewall: ${fw}
`;

const rulesOf = (fw: string, hook: 'input' | 'forward' | 'output' = 'input'): Omit<FirewallRule, 'span'>[] => {
  const r = loadTopology(lab(fw), 'f.yaml');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  return (r.topology.nodes.get('a')?.firewall?.[hook]?.rules ?? []).map(({ span: _, ...rest }) => rest);
};

const ACCEPTED: ReadonlyArray<[string, string, Omit<FirewallRule, 'span'>[]]> = [
  ['allow is accept', '{ input: { allow: [ { proto: icmp } ] } }', [{ action: 'accept', proto: 'icmp' }]],
  ['deny is drop', '{ input: { deny: [ { proto: icmpv6 } ] } }', [{ action: 'drop', proto: 'icmpv6' }]],
  ['rules keep their action', '{ input: { rules: [ { action: reject, proto: udp } ] } }', [{ action: 'reject', proto: 'udp' }]],
  [
    'the order is rules, deny, allow',
    '{ input: { allow: [ { proto: tcp } ], deny: [ { proto: udp } ], rules: [ { action: reject } ] } }',
    [{ action: 'reject' }, { action: 'drop', proto: 'udp' }, { action: 'accept', proto: 'tcp' }],
  ],
  [
    'one port, a string port, a range, a list',
    '{ input: { allow: [ { proto: tcp, dport: 22, sport: "1024-65535" }, { proto: udp, dport: ["53", 67, "100 - 200"] } ] } }',
    [
      { action: 'accept', proto: 'tcp', sport: [{ from: 1024, to: 65535 }], dport: [{ from: 22, to: 22 }] },
      {
        action: 'accept',
        proto: 'udp',
        dport: [
          { from: 53, to: 53 },
          { from: 67, to: 67 },
          { from: 100, to: 200 },
        ],
      },
    ],
  ],
  [
    'an address is a host CIDR, a CIDR stays canonical',
    '{ input: { allow: [ { from: 10.0.0.7, to: "fd00:0:0:0::/64" } ] } }',
    [{ action: 'accept', saddr: ['10.0.0.7/32'], daddr: ['fd00::/64'] }],
  ],
  ['a node name is all its addresses', '{ input: { allow: [ { from: b } ] } }', [{ action: 'accept', saddr: ['10.0.0.5/32', 'fd00::5/128'] }]],
  [
    'a node naming itself gets its IPAM addresses',
    '{ input: { allow: [ { to: a } ] } }',
    [{ action: 'accept', daddr: ['10.0.0.2/32', 'fd00::1/128', '10.0.0.3/32', 'fd00::2/128'] }],
  ],
  [
    'saddr/daddr are aliases, lists drop repeats',
    '{ input: { allow: [ { saddr: [b, 10.0.0.5], daddr: 10.0.0.0/24 } ] } }',
    [{ action: 'accept', saddr: ['10.0.0.5/32', 'fd00::5/128'], daddr: ['10.0.0.0/24'] }],
  ],
  [
    'state as one word or a list',
    '{ input: { rules: [ { action: accept, state: new }, { action: drop, state: [invalid, related, invalid] } ] } }',
    [
      { action: 'accept', state: ['new'] },
      { action: 'drop', state: ['invalid', 'related'] },
    ],
  ],
  ['iif in input', '{ input: { allow: [ { iif: eth1 } ] } }', [{ action: 'accept', iif: 'eth1' }]],
];

for (const [what, fw, expected] of ACCEPTED) {
  test(`firewall: ${what}`, () => assert.deepEqual(rulesOf(fw), expected));
}

test('firewall: chain defaults are policy accept and established true; each may be set', () => {
  const t = loadTopology(lab('{ input: { policy: drop }, forward: {}, output: { policy: accept, established: false } }'), 'f.yaml').topology;
  const fw = t?.nodes.get('a')?.firewall;
  assert.deepEqual(
    [fw?.input?.policy, fw?.input?.established, fw?.forward?.policy, fw?.forward?.established, fw?.output?.established],
    ['drop', true, 'accept', true, false],
  );
  assert.equal(t?.nodes.get('b')?.firewall, undefined);
  assert.deepEqual(rulesOf('{ output: { allow: [ { oif: eth0 } ] } }', 'output'), [{ action: 'accept', oif: 'eth0' }]);
});

const ERRORS: ReadonlyArray<[string, string, string]> = [
  ['an unknown chain, fwd suggested', '{ fwd: {} }', "f.yaml:8:17: unknown key 'fwd' in the firewall of node 'a' (did you mean 'forward'?)"],
  ['a bad policy', '{ input: { policy: reject } }', "f.yaml:8:34: chain 'input' of node 'a': policy must be 'accept' or 'drop' (got 'reject')"],
  ['established not a boolean', '{ input: { established: yes } }', "f.yaml:8:39: chain 'input' of node 'a': established must be true or false (got 'yes')"],
  [
    'an unknown match key',
    '{ input: { allow: [ { protocol: tcp } ] } }',
    "f.yaml:8:37: unknown key 'protocol' in allow #1 of chain 'input' of node 'a' (did you mean 'proto'?)",
  ],
  [
    'a bad proto',
    '{ input: { allow: [ { proto: sctp } ] } }',
    "f.yaml:8:44: allow #1 of chain 'input' of node 'a': proto must be 'tcp', 'udp', 'icmp' or 'icmpv6' (got 'sctp')",
  ],
  ['a rule without action', '{ input: { rules: [ { proto: tcp } ] } }', "f.yaml:8:35: rule #1 of chain 'input' of node 'a' is missing required key 'action'"],
  [
    'a bad action',
    '{ input: { rules: [ { action: allow } ] } }',
    "f.yaml:8:45: rule #1 of chain 'input' of node 'a': action must be 'accept', 'drop' or 'reject' (got 'allow')",
  ],
  [
    'a port out of range',
    '{ input: { allow: [ { proto: tcp, dport: 0 } ] } }',
    "f.yaml:8:56: allow #1 of chain 'input' of node 'a': invalid dport 0: port 0 is out of range: ports are 1 to 65535",
  ],
  [
    'a range end out of range',
    '{ input: { allow: [ { proto: tcp, dport: "1-65536" } ] } }',
    "f.yaml:8:56: allow #1 of chain 'input' of node 'a': invalid dport '1-65536': port 65536 is out of range: ports are 1 to 65535",
  ],
  [
    'an empty range, in a list',
    '{ input: { allow: [ { proto: udp, sport: [1, "9-8"] } ] } }',
    "f.yaml:8:60: allow #1 of chain 'input' of node 'a': invalid sport #2 '9-8': the range is empty: 8 is less than 9 (write 8-9)",
  ],
  [
    'a port that is not one',
    '{ input: { allow: [ { proto: udp, sport: ssh } ] } }',
    "f.yaml:8:56: allow #1 of chain 'input' of node 'a': invalid sport 'ssh': it is not a port such as 22 or a range such as \"8000-8080\"",
  ],
  [
    'an empty port list',
    '{ input: { allow: [ { proto: udp, sport: [] } ] } }',
    "f.yaml:8:56: allow #1 of chain 'input' of node 'a': invalid sport an empty list: must list at least one port",
  ],
  [
    'ports without proto',
    '{ input: { allow: [ { dport: 22 } ] } }',
    "f.yaml:8:44: allow #1 of chain 'input' of node 'a': dport needs proto: tcp or proto: udp (it has no proto:); only TCP and UDP have ports",
  ],
  [
    'ports with icmp',
    '{ input: { allow: [ { proto: icmp, sport: 1 } ] } }',
    "f.yaml:8:57: allow #1 of chain 'input' of node 'a': sport needs proto: tcp or proto: udp (not icmp); only TCP and UDP have ports",
  ],
  [
    'a bad CIDR',
    '{ input: { allow: [ { from: 10.0.0.0/40 } ] } }',
    "f.yaml:8:43: allow #1 of chain 'input' of node 'a': invalid from '10.0.0.0/40': prefix length /40 is more than 32, the IPv4 maximum",
  ],
  [
    'a CIDR with host bits',
    '{ input: { deny: [ { to: [b, 10.0.0.9/24] } ] } }',
    "f.yaml:8:44: deny #1 of chain 'input' of node 'a': invalid to #2 '10.0.0.9/24': it has host bits set (did you mean 10.0.0.0/24?)",
  ],
  [
    'a bad address',
    '{ input: { deny: [ { to: 10.0.0.300 } ] } }',
    "f.yaml:8:40: deny #1 of chain 'input' of node 'a': invalid to '10.0.0.300': it is not an IPv4 or IPv6 address",
  ],
  [
    'neither address nor name',
    '{ input: { deny: [ { to: Web_1 } ] } }',
    "f.yaml:8:40: deny #1 of chain 'input' of node 'a': invalid to 'Web_1': it is not a CIDR such as 10.0.0.0/24, an address such as 10.0.0.1, or a node name",
  ],
  [
    'an unknown node',
    '{ input: { deny: [ { from: [10.0.0.1, bb] } ] } }',
    "f.yaml:8:53: deny #1 of chain 'input' of node 'a': from 'bb' is not a node of this lab, nor an address (did you mean 'b'?)",
  ],
  [
    'from and saddr together',
    '{ input: { deny: [ { from: b, saddr: b } ] } }',
    "f.yaml:8:45: deny #1 of chain 'input' of node 'a' has both from: and saddr:; saddr is another name for from, give one of them",
  ],
  [
    'an unknown interface',
    '{ input: { allow: [ { iif: eth9 } ] } }',
    "f.yaml:8:42: allow #1 of chain 'input' of node 'a': iif 'eth9' is not an interface of node 'a' (did you mean 'eth0'?)",
  ],
  [
    'iif in output',
    '{ output: { allow: [ { iif: eth0 } ] } }',
    "f.yaml:8:43: allow #1 of chain 'output' of node 'a': iif never matches in the output chain (locally sent packets have no input interface)",
  ],
  [
    'oif in input',
    '{ input: { allow: [ { oif: eth0 } ] } }',
    "f.yaml:8:42: allow #1 of chain 'input' of node 'a': oif never matches in the input chain (packets for this node have no output interface)",
  ],
  [
    'a bad state',
    '{ input: { allow: [ { state: new-ish } ] } }',
    "f.yaml:8:44: allow #1 of chain 'input' of node 'a': state must be 'new', 'established', 'related' or 'invalid', or a list of them (got 'new-ish')",
  ],
  ['allow not a list', '{ input: { allow: { proto: tcp } } }', "f.yaml:8:33: chain 'input' of node 'a': allow must be a list of matches (got a mapping)"],
  [
    'a firewall that is not a mapping',
    'drop',
    "f.yaml:8:15: the firewall of node 'a' must be a mapping of chains such as { input: { policy: drop } } (got 'drop')",
  ],
];

for (const [what, fw, expected] of ERRORS) {
  test(`firewall error: ${what}`, () => {
    const r = loadTopology(lab(fw), 'f.yaml');
    assert.equal(r.topology, undefined);
    assert.deepEqual(r.issues.map(formatIssue), [expected]);
  });
}

test('firewall: one bad rule does not hide the problems of the others', () => {
  const r = loadTopology(lab('{ input: { policy: maybe, allow: [ { proto: x }, { dport: 1 } ] }, out: {} }'), 'f.yaml');
  assert.equal(r.issues.length, 4, r.issues.map(formatIssue).join('\n'));
});
