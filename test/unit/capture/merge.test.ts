// Merging capture points in time order: a plain k-way merge while every point has something
// queued, a bounded wait for a quiet point otherwise, and everything out at the end.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Merger } from '../../../src/packet/merge.js';

test('with one source packets pass at once', () => {
  const m = new Merger<string>(1, 100);
  m.push(0, 5, 'a', 0);
  assert.deepEqual(m.take(0), ['a']);
  assert.equal(m.nextDueMs(), undefined);
});

test('a later-delivered earlier packet from another source still comes first', () => {
  const m = new Merger<string>(2, 100);
  m.push(0, 20, 'a@20', 1000);
  assert.deepEqual(m.take(1000), [], 'waits for source 1');
  assert.equal(m.nextDueMs(), 1100);
  m.push(1, 10, 'b@10', 1010);
  // both sources have a packet queued: the earlier goes, then a@20 waits again for source 1
  assert.deepEqual(m.take(1010), ['b@10']);
  m.push(1, 30, 'b@30', 1020);
  assert.deepEqual(m.take(1020), ['a@20']);
  assert.deepEqual(m.take(1125), ['b@30'], 'a quiet source stalls nothing past the lag');
});

test('an ended source is not waited for, and drain empties in time order', () => {
  const m = new Merger<number>(3, 100);
  m.push(0, 3, 3, 0);
  m.push(0, 6, 6, 0);
  m.push(1, 1, 1, 0);
  m.end(2);
  assert.deepEqual(m.take(0), [1], 'source 1 ran dry: it may still deliver something before 3');
  m.push(1, 5, 5, 10);
  m.push(2, 0, 99, 10); // after end(): still merged, ended sources are only not waited for
  assert.deepEqual(m.drain(), [99, 3, 5, 6]);
  assert.equal(m.nextDueMs(), undefined);
});
