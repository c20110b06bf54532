// Hostile input never throws and never yields a topology: not YAML, alias bombs, deep nesting,
// wrong types, huge numbers, odd keys, control characters. Each case is one table row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue, hasErrors } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

function aliasBomb(): string {
  let text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
  let prev = 'a';
  for (const n of 'bcdefghij') {
    text += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return text;
}

const ROWS: ReadonlyArray<{ name: string; text: string; code: string; at?: string }> = [
  { name: 'an empty file', text: '', code: 'bad-value', at: '1:1' },
  { name: 'a list at the top', text: '- a\n- b\n', code: 'bad-value', at: '1:1' },
  { name: 'a bare word', text: 'hello', code: 'bad-value', at: '1:1' },
  { name: 'binary junk', text: '\u0000\u0001\u0002\uFFFD{[', code: 'bad-value' },
  { name: 'an unclosed flow collection', text: 'name: x\nnodes: { a: [ b\n', code: 'yaml-syntax' },
  { name: 'two documents', text: 'name: x\n---\nname: y\n', code: 'yaml-syntax', at: '2:1' },
  { name: 'an alias bomb', text: aliasBomb(), code: 'yaml-limit', at: '2:8' },
  { name: 'an alias without an anchor', text: 'name: x\nnodes: { a: *nope }\n', code: 'yaml-syntax', at: '2:13' },
  { name: 'an alias inside its own anchor', text: 'name: x\nnodes: &n\n  a: *n\n', code: 'yaml-limit' },
  { name: '100 nested lists', text: `name: x\nnodes: ${'['.repeat(100)}${']'.repeat(100)}\n`, code: 'yaml-limit' },
  { name: '20000 nested lists', text: `name: x\nnodes: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, code: 'yaml-limit' },
  { name: '3000 nested mappings', text: Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n'), code: 'yaml-limit' },
  { name: 'a mapping as a key', text: 'name: x\nnodes:\n  ? [a]\n  : {}\n', code: 'yaml-syntax', at: '3:5' },
  { name: 'a number too large for a double', text: 'name: x\nnodes: { a: { interfaces: { e: { host: true, mtu: 1e999 } } } }\n', code: 'bad-value' },
  { name: 'a huge integer', text: `name: x\nnodes: { a: { interfaces: { e: { host: true, mtu: ${'9'.repeat(400)} } } } }\n`, code: 'bad-value' },
  { name: 'a huge string', text: `name: ${'a'.repeat(100000)}\nnodes: {}\n`, code: 'bad-name' },
  { name: 'a __proto__ key', text: 'name: x\nnodes:\n  __proto__: { interfaces: { e: { host: true } } }\n', code: 'bad-name', at: '3:3' },
  { name: 'a __proto__ key in an interface', text: 'name: x\nnodes:\n  a: { interfaces: { e: { host: true, __proto__: 1 } } }\n', code: 'unknown-key' },
  { name: 'a terminal escape in a name', text: 'name: "x\\u001b[2J"\nnodes: {}\n', code: 'bad-name', at: '1:7' },
  { name: 'a YAML 1.1 boolean', text: 'name: x\nnodes: { a: { forwarding: yes } }\n', code: 'bad-value' },
  { name: 'a custom tag', text: 'name: !!binary aGVsbG8=\nnodes: {}\n', code: 'bad-name' },
  { name: 'a sequence of nulls as nodes', text: 'name: x\nnodes: [~, ~]\n', code: 'bad-value' },
];

for (const row of ROWS) {
  test(`${row.name} gives an issue (${row.code}), not a throw`, () => {
    const r = loadTopology(row.text, 'h.yaml');
    assert.equal(r.topology, undefined);
    assert.ok(hasErrors(r.issues), 'an error is reported');
    assert.ok(
      r.issues.some((i) => i.code === row.code),
      r.issues.map(formatIssue).join('\n'),
    );
    if (row.at) assert.equal(`${r.issues[0]?.line}:${r.issues[0]?.col}`, row.at, formatIssue(r.issues[0]!));
    for (const i of r.issues) {
      assert.ok(i.line >= 1 && i.col >= 1, 'positions are 1-based');
      assert.doesNotMatch(i.message, /[\u0000-\u001f\u007f]/, 'no raw control characters in messages');
      assert.ok(i.message.length < 1000, 'messages stay short');
    }
  });
}

test('deep nesting is refused quickly', () => {
  const t0 = performance.now();
  loadTopology(`name: x\nnodes: ${'['.repeat(50000)}${']'.repeat(50000)}\n`, 'h.yaml');
  assert.ok(performance.now() - t0 < 5000);
});

test('one problem per yaml error kind, even when the parser reports one per nesting level', () => {
  const r = loadTopology(`name: x\nnodes: ${'['.repeat(20000)}${']'.repeat(20000)}\n`, 'h.yaml');
  assert.equal(r.issues.length, 1, r.issues.map(formatIssue).join('\n'));
});
