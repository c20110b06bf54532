// What the library API builds on, without root: naming a lab in its text without moving a line,
// objects through the one loader (same checks, located issues), fresh names, the private host's
// topology, and exec's capturing variant on the fake system.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stateRootAt } from '../../../src/lab/config.js';
import { declaredName, freshLabName, objectText, privateHostNetns, privateHostText, withLabName } from '../../../src/lab/library.js';
import { loadTopology } from '../../../src/model/load.js';
import { isLabName } from '../../../src/names/rules.js';
import { isNslabError } from '../../../src/util/errors.js';

test('withLabName replaces the top-level name: line in place, or adds one at the end', () => {
  const text = '# a lab\nname: old   # comment\nnodes:\n  a: {}\n';
  assert.equal(withLabName(text, 'new1'), '# a lab\nname: new1\nnodes:\n  a: {}\n');
  assert.equal(withLabName('nodes:\n  a: {}', 'x'), 'nodes:\n  a: {}\nname: x\n');
  assert.equal(withLabName('nodes:\n  a: {name: inner}\n', 'x'), 'nodes:\n  a: {name: inner}\nname: x\n', 'a nested name is not the lab name');
  assert.throws(
    () => withLabName('', 'Bad_Name'),
    (e) => isNslabError(e) && e.code === 'usage',
  );
});

test('declaredName reads the top-level name without the parser', () => {
  assert.equal(declaredName('name: web   # the lab\nnodes: {}\n'), 'web');
  assert.equal(declaredName('name: "db"\n'), 'db');
  assert.equal(declaredName('nodes:\n  a: {}\n'), undefined);
});

test('an object goes through the same loader: a valid one resolves, a wrong one gives located issues', () => {
  const good = withLabName(objectText({ networks: { lan: { subnet: '10.1.0.0/24' } }, nodes: { a: { interfaces: { eth0: { network: 'lan' } } } } }), 'ob');
  const ok = loadTopology(good, '<lab input>');
  assert.ok(ok.topology, JSON.stringify(ok.issues));
  assert.equal(ok.topology.name, 'ob');
  const bad = withLabName(objectText({ nodes: { a: { interfaces: { eth0: { network: 'nope', adress: '10.0.0.1/24' } } } } }), 'ob');
  const r = loadTopology(bad, '<lab input>');
  assert.equal(r.topology, undefined);
  const errors = r.issues.filter((i) => i.severity === 'error');
  assert.ok(errors.length >= 1, JSON.stringify(errors));
  for (const e of errors) assert.ok(e.file === '<lab input>' && e.line >= 1 && e.line <= bad.split('\n').length && e.col >= 1, JSON.stringify(e));
  assert.match(errors[0]?.message ?? '', /did you mean 'address'/);
});

test('fresh lab names are valid, distinct and avoid labs the state root has', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-lib-'));
  try {
    const root = stateRootAt(dir);
    const names = new Set(Array.from({ length: 50 }, () => freshLabName(root)));
    assert.equal(names.size, 50);
    for (const n of names) assert.ok(isLabName(n) && n.startsWith('t') && n.length === 7, n);
    const h = freshLabName(root, 'h');
    assert.ok(h.startsWith('h') && isLabName(h));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a private host is a valid one-node lab whose node's namespace plays host", () => {
  const r = loadTopology(privateHostText('habc123'), 'x');
  assert.ok(r.topology, JSON.stringify(r.issues));
  assert.equal([...r.topology.nodes.values()][0]?.netns, privateHostNetns('habc123'));
});
