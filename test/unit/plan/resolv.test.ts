// What a node's resolv.conf says: the host's reachable resolvers (one 1 s try each) for a node on
// a NAT network, else its own loopback, where a lookup is refused at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseResolv, reachableResolv, renderResolv, resolvKind } from '../../../src/plan/resolv.js';
import { loadTopology } from '../../../src/model/load.js';

const t = loadTopology(
  `name: rs
networks:
  out: { subnet: 10.0.0.0/24, gateway: 10.0.0.1, nat: true }
  lan: { subnet: 10.0.1.0/24, gateway: 10.0.1.1 }
nodes:
  a: { interfaces: { eth0: { network: out } } }
  b: { interfaces: { eth0: { network: lan } } }
  r: { interfaces: { eth0: { network: lan }, eth1: { network: out } } }
  p:
    interfaces: { eth0: { peer: "q:eth0", address: 10.9.0.1/30 } }
  q:
    interfaces: { eth0: { peer: "p:eth0", address: 10.9.0.2/30 } }
`,
  'rs.yaml',
).topology!;
const node = (n: string) => t.nodes.get(n)!;

test('resolv.conf is parsed: nameservers, the last search or domain, options; comments ignored', () => {
  const c = parseResolv(
    '# generated\nnameserver 10.1.1.1 ; first\ndomain a.test\nsearch b.test c.test\noptions ndots:2\noptions rotate timeout:3\n;nameserver 10.9.9.9\nnameserver ::1\n',
  );
  assert.deepEqual(c, { nameservers: ['10.1.1.1', '::1'], search: ['b.test', 'c.test'], options: ['ndots:2', 'rotate', 'timeout:3'] });
});

test('loopback and link-local servers are not reachable from a node; none left means none', () => {
  assert.equal(reachableResolv(parseResolv('nameserver 127.0.0.53\nnameserver ::1\nnameserver fe80::1%eth0\n')), undefined);
  assert.deepEqual(
    reachableResolv(parseResolv('nameserver 127.0.0.53\nnameserver 10.1.1.1\nnameserver 2001:db8::53\nnameserver 10.2.2.2\nnameserver 10.3.3.3\n'))
      ?.nameservers,
    ['10.1.1.1', '2001:db8::53', '10.2.2.2'],
  );
});

test("a node on a NAT network gets the host's resolvers; any other node, or any node when the host has none reachable, its loopback", () => {
  const host = parseResolv('nameserver 127.0.0.53\nnameserver 198.51.100.53\nsearch example.test\noptions edns0 timeout:5 attempts:3\n');
  assert.deepEqual(
    ['a', 'b', 'r', 'p'].map((n) => resolvKind(t, node(n), host)),
    ['host', 'none', 'host', 'none'],
  );
  assert.equal(resolvKind(t, node('a'), parseResolv('nameserver 127.0.0.53\n')), 'none');
  assert.equal(resolvKind(t, node('a'), undefined), 'none');
  const text = renderResolv('rs', 'host', host);
  assert.deepEqual(
    text.split('\n').filter((l) => !l.startsWith('#')),
    ['nameserver 198.51.100.53', 'search example.test', 'options edns0 timeout:1 attempts:1', ''],
  );
  assert.deepEqual(
    renderResolv('rs', 'none', host)
      .split('\n')
      .filter((l) => !l.startsWith('#')),
    ['nameserver 127.0.0.1', 'options timeout:1 attempts:1', ''],
  );
});
