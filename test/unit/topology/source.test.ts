// The YAML source layer: 1-based positions of keys and values, aliases, and plain-data views.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSource } from '../../../src/topology/source.js';
import { keySpanAt, nodeAt, spanAt, toPlain } from '../../../src/topology/tree.js';

const TEXT = `name: demo
nodes:
  web:
    interfaces:
      eth0: { network: lan, address: [10.0.0.1/24, 10.0.0.2/24] }
`;

test('values, keys and list items carry 1-based line:col', () => {
  const { root } = parseSource(TEXT);
  assert.ok(root);
  assert.deepEqual(spanAt(root, ['name']), { line: 1, col: 7 });
  assert.deepEqual(keySpanAt(root, ['nodes'], 'web'), { line: 3, col: 3 });
  assert.deepEqual(spanAt(root, ['nodes', 'web', 'interfaces', 'eth0']), { line: 5, col: 13 });
  assert.deepEqual(spanAt(root, ['nodes', 'web', 'interfaces', 'eth0', 'address', 1]), { line: 5, col: 52 });
});

test('a path that leaves the tree stops at the deepest node on the way (the parent of a missing key)', () => {
  const { root } = parseSource(TEXT);
  assert.ok(root);
  assert.deepEqual(spanAt(root, ['nodes', 'web', 'routes', 0, 'to']), { line: 4, col: 5 });
  assert.equal(nodeAt(root, ['nodes', 'nobody']).kind, 'map');
});

test('aliases expand to their anchor, whose positions they keep', () => {
  const { root, findings } = parseSource('base: &b { network: lan }\nuse: *b\n');
  assert.deepEqual(findings, []);
  assert.ok(root);
  assert.deepEqual(toPlain(root), { base: { network: 'lan' }, use: { network: 'lan' } });
  assert.deepEqual(spanAt(root, ['use', 'network']), { line: 1, col: 21 });
});

test('non-string keys keep their spelling', () => {
  const { root } = parseSource('1e3: a\n~: b\ntrue: c\n');
  assert.ok(root?.kind === 'map');
  assert.deepEqual(
    root.entries.map((e) => e.key),
    ['1e3', '~', 'true'],
  );
});

test('a key named __proto__ stays an ordinary key in plain data', () => {
  const { root } = parseSource('__proto__: { polluted: 1 }\n');
  assert.ok(root);
  const plain = toPlain(root) as Record<string, unknown>;
  assert.deepEqual(Object.keys(plain), ['__proto__']);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

test('YAML syntax errors become findings with positions and no tree', () => {
  const s = parseSource('a: [1, 2\nb: 3\n');
  assert.equal(s.root, undefined);
  assert.ok(s.findings.length > 0);
  assert.ok(s.findings.every((f) => f.code === 'yaml-syntax' && f.span.line >= 1));
});
