// "Did you mean": typos of one or two edits (a swap counts as one) find the verb or lab meant;
// words that are not near anything suggest nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, editDistance } from '../../../src/util/suggest.js';

const VERBS = [
  'up',
  'down',
  'clean',
  'ls',
  'show',
  'exec',
  'run',
  'test',
  'trace',
  'ps',
  'which',
  'logs',
  'ui',
  'graph',
  'capture',
  'validate',
  'completion',
  'help',
];

test('edit distance counts insertions, deletions, substitutions and swaps of neighbours as one edit each', () => {
  assert.equal(editDistance('upp', 'up'), 1);
  assert.equal(editDistance('exce', 'exec'), 1);
  assert.equal(editDistance('shwo', 'show'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('the closest verb is suggested for a typo, nothing for an unrelated word', () => {
  for (const [typo, meant] of [
    ['upp', 'up'],
    ['shw', 'show'],
    ['exce', 'exec'],
    ['dwon', 'down'],
    ['captur', 'capture'],
    ['valdate', 'validate'],
    ['hlep', 'help'],
  ] as const) {
    assert.equal(closest(typo, VERBS), meant, typo);
  }
  for (const word of ['x', 'frobnicate', 'kubectl']) assert.equal(closest(word, VERBS), undefined, word);
  assert.equal(closest('brige', ['bridge', 'nat']), 'bridge');
});
