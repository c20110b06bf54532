// The hash in kernel names and state-root tags: FNV-1a 32 as published, in 7 base36 characters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fnv1a32, hash36, HASH_WIDTH } from '../../../src/names/hash.js';

test('FNV-1a 32 matches the published test vectors', () => {
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
});

test('hash36 is the hash in base36, padded to its fixed width', () => {
  assert.equal(hash36('foobar'), (0xbf9cf968).toString(36).padStart(HASH_WIDTH, '0'));
  assert.equal(36 ** HASH_WIDTH > 2 ** 32, true);
  for (const t of ['', 'a', '/run/other']) assert.match(hash36(t), /^[0-9a-z]{7}$/);
});
