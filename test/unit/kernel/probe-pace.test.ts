// The probe loop's pacing: attempts that may broadcast are paced; pinned probes to a destination
// that already answered go in the quick lane.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Pacer } from '../../../src/kernel/probe-pace.js';

/** How many attempts of probe p start over `ms` of virtual time, stepping 1 ms at a time. */
function started(pacer: Pacer, p: { dst: string; pinned?: boolean }, ms: number, t0 = 0): number {
  let n = 0;
  for (let t = t0; t < t0 + ms; t++) {
    pacer.refill(t);
    while (pacer.take(p)) n++;
  }
  return n;
}

test('the paced lane starts about its rate per second, in small bursts', () => {
  const pacer = new Pacer(1000, 20_000, 64, 0);
  const n = started(pacer, { dst: '10.0.0.2' }, 1000);
  assert.ok(n >= 990 && n <= 1011, String(n));
});

test('a pinned probe is paced until its destination answered, then quick', () => {
  const pacer = new Pacer(1000, 20_000, 64, 0);
  const p = { dst: '10.0.0.2', pinned: true };
  assert.equal(pacer.lane(p), 'paced');
  pacer.answer('10.0.0.2');
  assert.equal(pacer.lane(p), 'quick');
  const n = started(pacer, p, 100, 1);
  assert.ok(n >= 1900 && n <= 2100, String(n));
  // Another destination is still a first contact (a bridge may flood it to every port).
  assert.equal(pacer.lane({ dst: '10.0.0.3', pinned: true }), 'paced');
});

test('a probe that is not pinned stays paced even to a destination that answered (it may ARP)', () => {
  const pacer = new Pacer(1000, 20_000, 64, 0);
  pacer.answer('10.0.0.2');
  assert.equal(pacer.lane({ dst: '10.0.0.2' }), 'paced');
  assert.ok(started(pacer, { dst: '10.0.0.2' }, 100) <= 101);
});

test('waitMs says when the lane has a token again', () => {
  const pacer = new Pacer(100, 100, 1, 0);
  const p = { dst: '10.0.0.2' };
  pacer.refill(0);
  assert.equal(pacer.take(p), true);
  assert.equal(pacer.take(p), false);
  assert.equal(Math.round(pacer.waitMs(p)), 10);
  pacer.refill(10);
  assert.equal(pacer.take(p), true);
});
