// Published ports and nat, table-driven: each accepted form and what it resolves to, and each
// error or warning with its FILE:LINE:COL at the offending value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Publish } from '../../../src/model/types.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

/** Node `a` (on a network with a gateway) publishes `list`, written on line 7 after "    publish: ". */
const lab = (list: string, more = ''): string => `name: t
networks:
  lan: { subnet: 10.0.0.0/24, gateway: 10.0.0.1, nat: true }
nodes:
  a:
    interfaces: { eth0: { network: lan } }
    publish: ${list}
${more}`;

const published = (list: string): Omit<Publish, 'span'>[] => {
  const r = loadTopology(lab(list), 'p.yaml');
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  assert.deepEqual(r.issues, []);
  return (r.topology.nodes.get('a')?.publish ?? []).map(({ span: _, ...rest }) => rest);
};

const ACCEPTED: ReadonlyArray<[string, string, Omit<Publish, 'span'>]> = [
  ['HOST:NODE is tcp', '["8080:80"]', { hostPort: 8080, nodePort: 80, proto: 'tcp', nodeAddress: '10.0.0.2' }],
  ['with /udp', '["53:5353/udp"]', { hostPort: 53, nodePort: 5353, proto: 'udp', nodeAddress: '10.0.0.2' }],
  ['with a host address', '["127.0.0.1:8443:443/tcp"]', { hostPort: 8443, nodePort: 443, proto: 'tcp', hostAddress: '127.0.0.1', nodeAddress: '10.0.0.2' }],
  ['a host address in brackets', '["[127.0.0.1]:1:65535"]', { hostPort: 1, nodePort: 65535, proto: 'tcp', hostAddress: '127.0.0.1', nodeAddress: '10.0.0.2' }],
  ['a mapping', '[ { host: 2222, node: 22 } ]', { hostPort: 2222, nodePort: 22, proto: 'tcp', nodeAddress: '10.0.0.2' }],
  [
    'a full mapping',
    '[ { host: 69, node: 69, proto: udp, address: 192.168.1.5 } ]',
    { hostPort: 69, nodePort: 69, proto: 'udp', hostAddress: '192.168.1.5', nodeAddress: '10.0.0.2' },
  ],
];

for (const [what, list, expected] of ACCEPTED) {
  test(`publish: ${what}`, () => assert.deepEqual(published(list), [expected]));
}

test('publish: the same host port with another protocol is fine; nat is set on the network', () => {
  const t = loadTopology(lab('["53:53/udp", "53:53/tcp"]'), 'p.yaml').topology;
  assert.deepEqual(
    t?.nodes.get('a')?.publish.map((p) => p.proto),
    ['udp', 'tcp'],
  );
  assert.equal(t?.networks.get('lan')?.nat, true);
});

test('nat: false and no nat are both false, with no warning', () => {
  for (const nat of ['nat: false, ', '']) {
    const r = loadTopology(`name: t\nnetworks:\n  lan: { ${nat}subnet: 10.0.0.0/24 }\nnodes:\n  a: { interfaces: { e: { network: lan } } }\n`, 'n.yaml');
    assert.deepEqual(r.issues, []);
    assert.equal(r.topology?.networks.get('lan')?.nat, false);
  }
});

const PROBLEMS: ReadonlyArray<[string, string, string, string?]> = [
  [
    'no node port',
    '["8080"]',
    "p.yaml:7:15: published port #1 of node 'a' '8080': it is not HOSTPORT:NODEPORT, HOSTADDR:HOSTPORT:NODEPORT or either with /tcp or /udp (such as \"8080:80/tcp\")",
  ],
  ['a bad protocol', '["80:80/sctp"]', "p.yaml:7:15: published port #1 of node 'a' '80:80/sctp': protocol 'sctp' is neither tcp nor udp"],
  ['port 0', '["0:80"]', "p.yaml:7:15: published port #1 of node 'a' '0:80': port 0 is out of range: ports are 1 to 65535"],
  ['a port over 65535', '["80:65536"]', "p.yaml:7:15: published port #1 of node 'a' '80:65536': port 65536 is out of range: ports are 1 to 65535"],
  [
    'a bad host address',
    '["127.0.0.300:80:80"]',
    "p.yaml:7:15: published port #1 of node 'a' '127.0.0.300:80:80': host address: it is not an IPv4 or IPv6 address",
  ],
  [
    'an IPv6 host address',
    '["[::1]:80:80"]',
    "p.yaml:7:15: published port #1 of node 'a' '[::1]:80:80': the host address must be IPv4: published ports forward to the node's IPv4 address",
  ],
  [
    'a mapping port out of range',
    '[ { host: 70000, node: 80 } ]',
    "p.yaml:7:24: published port #1 of node 'a': host must be a whole number from 1 to 65535 (got 70000)",
  ],
  ['a mapping without node', '[ { host: 80 } ]', "p.yaml:7:16: published port #1 of node 'a' is missing required key 'node'"],
  ['a mapping with a typo', '[ { host: 80, nod: 80 } ]', "p.yaml:7:28: unknown key 'nod' in published port #1 of node 'a' (did you mean 'node'?)"],
  [
    'a bare number',
    '[ 8080 ]',
    'p.yaml:7:16: published port #1 of node \'a\' must be "HOSTPORT:NODEPORT[/PROTO]" such as "8080:80/tcp", or a mapping such as { host: 8080, node: 80 } (got 8080)',
  ],
  ['not a list', '"8080:80"', "p.yaml:7:14: node 'a': publish must be a list of published ports such as [\"8080:80\"] (got '8080:80')"],
  [
    'a host port twice in one node',
    '["8080:80", "8080:81"]',
    "p.yaml:7:26: published port #2 of node 'a': host port 8080/tcp is already published by this node (line 7); the host can forward a port to one place only",
  ],
  [
    'a host port twice across nodes',
    '["8080:80"]',
    "p.yaml:10:16: published port #1 of node 'b': host port 8080/tcp is already published by node 'a' (line 7); the host can forward a port to one place only",
    '  b:\n    interfaces: { eth0: { network: lan } }\n    publish: [ { host: 8080, node: 8080, address: 127.0.0.1 } ]\n',
  ],
  [
    'a node without IPv4',
    '[]',
    "p.yaml:10:15: node 'b' publishes ports but has no IPv4 address to forward them to (the first IPv4 address of its interfaces receives them)",
    '  b:\n    interfaces: { eth0: { peer: "c:eth0", address: "fd00::1/64" } }\n    publish: ["1:1"]\n  c: { interfaces: { eth0: { peer: "b:eth0", address: "fd00::2/64" } } }\n',
  ],
];

for (const [what, list, expected, more] of PROBLEMS) {
  test(`publish error: ${what}`, () => {
    const r = loadTopology(lab(list, more), 'p.yaml');
    assert.equal(r.topology, undefined);
    assert.deepEqual(r.issues.map(formatIssue), [expected]);
  });
}

const WARNINGS: ReadonlyArray<[string, string, string]> = [
  [
    'behind a point-to-point link',
    '  b:\n    interfaces: { eth0: { peer: "a:eth1", address: 10.9.0.2/30 } }\n    publish: ["9:9"]\n',
    "p.yaml:11:15: warning: published port of 'b' is reachable only if the host routes to 10.9.0.2: it is on the point-to-point link 'b:eth0'",
  ],
  [
    'on a network without a gateway',
    '  b:\n    interfaces: { eth0: { network: dark } }\n    publish: ["9:9"]\n',
    "p.yaml:11:15: warning: published port of 'b' is reachable only if the host routes to 10.7.0.1: network 'dark' has no IPv4 gateway, the bridge's address in the host",
  ],
  [
    'on a host link whose host end has no IPv4 address there',
    '  b:\n    interfaces: { eth0: { host: true, address: 10.8.0.2/24, host_address: 10.8.1.1/24 } }\n    publish: ["9:9"]\n',
    "p.yaml:11:15: warning: published port of 'b' is reachable only if the host routes to 10.8.0.2: the host end of 'b:eth0' has no address in its subnet",
  ],
];

for (const [what, more, expected] of WARNINGS) {
  test(`publish warning: ${what}`, () => {
    const text = lab('[]', more)
      .replace('nat: true }', 'nat: true }\n  dark: { subnet: 10.7.0.0/24 }')
      .replace('{ eth0: { network: lan } }', '{ eth0: { network: lan }, eth1: { peer: "b:eth0", address: 10.9.0.1/30 } }');
    const r = loadTopology(more.includes('peer') ? text : text.replace(', eth1: { peer: "b:eth0", address: 10.9.0.1/30 }', ''), 'p.yaml');
    assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
    assert.deepEqual(r.issues.map(formatIssue), [expected]);
    assert.equal(r.topology.nodes.get('b')?.publish[0]?.nodeAddress, expected.split(' routes to ')[1]!.split(':')[0]);
  });
}
