// The name rules every layer checks against: their edges, and that the editor schema's patterns
// are the same rules (one statement, not two that could drift).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isLabName,
  isNodeName,
  isProcessName,
  LAB_NAME,
  MAX_LAB_NAME,
  MAX_NAME,
  MAX_PROCESS_NAME,
  NODE_NAME,
  PROCESS_NAME,
  processNameOf,
} from '../../../src/names/rules.js';
import { PATTERNS } from '../../../src/topology/syntax-patterns.js';

test('lab names: a letter, then a-z 0-9 -, at most 10', () => {
  for (const ok of ['a', 'demo', 'x-1', 'a'.repeat(MAX_LAB_NAME)]) assert.ok(isLabName(ok), ok);
  for (const bad of ['', '1a', '-a', 'Demo', 'a_b', 'a.b', 'a b', 'a'.repeat(MAX_LAB_NAME + 1), 'demo\n']) assert.ok(!isLabName(bad), JSON.stringify(bad));
});

test('node and network names: the same alphabet, at most 32', () => {
  assert.ok(isNodeName('n'.repeat(MAX_NAME)));
  assert.ok(!isNodeName('n'.repeat(MAX_NAME + 1)));
  assert.ok(!isNodeName('web_1'));
});

test('process names: also _, at most 32', () => {
  assert.ok(isProcessName('web_1'));
  assert.ok(isProcessName('p'.repeat(MAX_PROCESS_NAME)));
  assert.ok(!isProcessName('p'.repeat(MAX_PROCESS_NAME + 1)));
  assert.ok(!isProcessName('_web'));
  assert.ok(!isProcessName('Web'));
});

test('a command suggests a process name within the rule, or nothing', () => {
  assert.equal(processNameOf('/usr/bin/Python3.11'), 'python3-11');
  assert.equal(processNameOf('./2fast'), 'fast');
  assert.equal(processNameOf('/usr/sbin/'), '');
  assert.equal(processNameOf('123'), '');
  for (const cmd of ['/bin/sh', 'x y', 'ÄÖ-run']) {
    const name = processNameOf(cmd);
    assert.ok(name === '' || isProcessName(name.slice(0, MAX_PROCESS_NAME)), name);
  }
});

test('the editor schema patterns are these rules', () => {
  assert.equal(PATTERNS.labName.pattern, `^(?:${LAB_NAME})$`);
  assert.equal(PATTERNS.nodeName.pattern, `^(?:${NODE_NAME})$`);
  assert.equal(PATTERNS.processName.pattern, `^(?:${PROCESS_NAME})$`);
});
