// Kernel names: readable when they fit in 15 bytes, hashed (FNV-1a 32, base36) when not,
// unique on the host side, with clashes reported naming both declarations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeName, hostEndName, netnsName } from '../../../src/model/names.js';
import { fnv1a32 } from '../../../src/names/hash.js';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

test('namespaces follow the fixed pattern', () => {
  assert.equal(netnsName('demo', 'web'), 'demo-web');
});

const ROWS: ReadonlyArray<[string, string, string]> = [
  ['bridge that fits', bridgeName('demo', 'lan'), 'demo-lan'],
  ['bridge of exactly 15 bytes', bridgeName('abcdefghij', 'abcd'), 'abcdefghij-abcd'],
  ['bridge one byte over', bridgeName('abcdefghij', 'abcde'), `abcdefghij-${fnv1a32('abcde').toString(36).slice(-4)}`],
  ['bridge with a short lab', bridgeName('a', 'a-very-long-network-name'), `a-${fnv1a32('a-very-long-network-name').toString(36).padStart(7, '0')}`],
  ['host end that fits', hostEndName('demo', 'web', 'eth0'), 'demo-web-eth0'],
  ['host end hashed on node/iface', hostEndName('hostveth', 'netns1', 'ceth1'), `hostveth-${fnv1a32('netns1/ceth1').toString(36).slice(-6)}`],
];

for (const [what, got, expected] of ROWS) {
  test(`${what}: ${expected}`, () => {
    assert.equal(got, expected);
    assert.ok(new TextEncoder().encode(got).length <= 15);
  });
}

test('every minted name is at most 15 bytes, for every lab name length', () => {
  for (let n = 1; n <= 10; n++) {
    const lab = 'l'.repeat(n);
    for (const name of [bridgeName(lab, 'n'.repeat(32)), hostEndName(lab, 'n'.repeat(32), 'i'.repeat(15))]) {
      assert.ok(name.length <= 15 && name.startsWith(`${lab}-`), name);
    }
  }
});

test('a bridge and a host end with the same readable name are an error naming both', () => {
  const r = loadTopology('name: x\nnetworks:\n  a-b: { subnet: 10.0.0.0/24 }\nnodes:\n  a: { interfaces: { b: { host: true } } }\n', 'c.yaml');
  assert.equal(r.topology, undefined);
  assert.deepEqual(r.issues.map(formatIssue), [
    "c.yaml:5:22: kernel name 'x-a-b' of the host end of interface 'a:b' is also the name of the bridge of network 'a-b' (line 3); rename one of them",
  ]);
});

test('two networks whose hashed bridge names collide are an error naming both', () => {
  // With a 10-character lab only 4 hash digits fit: search for two names that collide.
  const lab = 'abcdefghij';
  const seen = new Map<string, string>();
  let pair: [string, string] | undefined;
  for (let i = 0; !pair; i++) {
    const net = `network-${i}`;
    const b = bridgeName(lab, net);
    const other = seen.get(b);
    if (other) pair = [other, net];
    seen.set(b, net);
  }
  const text = `name: ${lab}\nnetworks:\n  ${pair[0]}: { subnet: 10.0.0.0/24 }\n  ${pair[1]}: { subnet: 10.0.1.0/24 }\nnodes: {}\n`;
  const r = loadTopology(text, 'h.yaml');
  assert.equal(r.topology, undefined);
  assert.deepEqual(
    r.issues.map((i) => [i.line, i.code]),
    [[4, 'name-clash']],
  );
  assert.match(r.issues[0]!.message, new RegExp(`network '${pair[1]}' is also the name of the bridge of network '${pair[0]}' \\(line 3\\)`));
});
