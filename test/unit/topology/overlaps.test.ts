// The overlap sweep: pairs in declaration order, one report per item, ignore rules honoured.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overlappingPairs } from '../../../src/topology/overlaps.js';
import { parseCidr } from '../../../src/util/ip.js';
import type { Cidr } from '../../../src/util/ip.js';

const c = (s: string): Cidr => parseCidr(s)!;
const pairs = (items: string[], ignore?: (a: string, b: string) => boolean): string[] =>
  overlappingPairs({ items, cidrOf: c, ...(ignore ? { ignore } : {}) }).map(([a, b]) => `${a} ~ ${b}`);

test('disjoint subnets and different families never overlap', () => {
  assert.deepEqual(pairs(['10.0.0.0/24', '10.0.1.0/24', 'fd00::/8', '0.0.0.0/32']), []);
});

test('a subnet inside another overlaps it, whichever comes first', () => {
  assert.deepEqual(pairs(['10.0.0.0/16', '10.0.5.0/24']), ['10.0.0.0/16 ~ 10.0.5.0/24']);
  assert.deepEqual(pairs(['10.0.5.0/24', '10.0.0.0/16']), ['10.0.5.0/24 ~ 10.0.0.0/16']);
});

test('addresses with host bits compare by their subnet', () => {
  assert.deepEqual(pairs(['172.20.0.1/16', '172.20.0.2/16']), ['172.20.0.1/16 ~ 172.20.0.2/16']);
});

test('n items in one subnet give n-1 pairs, reported against the first', () => {
  assert.deepEqual(pairs(['10.0.0.1/8', '10.0.0.2/8', '10.0.0.3/8']), ['10.0.0.1/8 ~ 10.0.0.2/8', '10.0.0.1/8 ~ 10.0.0.3/8']);
});

test('ignored pairs are skipped and the next overlapping item is used', () => {
  const sameNet = (a: string, b: string): boolean => a.startsWith('10.0.0.1') && b.startsWith('10.0.0.2');
  assert.deepEqual(pairs(['10.0.0.1/8', '10.0.0.2/8', '10.0.0.3/8'], sameNet), ['10.0.0.1/8 ~ 10.0.0.3/8']);
});

test('thousands of items are fast', () => {
  const items = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1/24`);
  const t0 = performance.now();
  assert.deepEqual(pairs(items), []);
  assert.ok(performance.now() - t0 < 2000);
});
