// Address bytes: the dotted-quad fast path gives what the full parser gives, and leaves every
// other form to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ipaddr from 'ipaddr.js';
import { addressBytes } from '../../../src/util/ip.js';

test('addressBytes agrees with the full parser on dotted quads, IPv6 and odd forms', () => {
  for (const a of ['0.0.0.0', '10.77.0.1', '255.255.255.255', '192.168.1.100', '::1', 'fd00::1:2', '::ffff:10.0.0.1']) {
    assert.deepEqual([...addressBytes(a)], ipaddr.parse(a).toByteArray(), a);
  }
  // Not canonical: the fast path declines, and the full parser decides as it always did.
  for (const a of ['256.1.1.1', '1.2.3', '01.2.3.4', ' 1.2.3.4']) {
    let want: number[] | undefined;
    try {
      want = ipaddr.parse(a).toByteArray();
    } catch {
      want = undefined;
    }
    if (want === undefined) assert.throws(() => addressBytes(a), a);
    else assert.deepEqual([...addressBytes(a)], want, a);
  }
});
