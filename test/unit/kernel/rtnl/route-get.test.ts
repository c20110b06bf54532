// RTM_GETROUTE "get": the request bytes (iproute2 6.1 sends the same, seen with
// `strace -e sendmsg ip route get 10.1.0.5 from 10.1.0.9 iif d0`, except our NLM_F_ACK) and the
// decoding of answers, local and unicast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as C from '../../../../src/netlink/wire-consts.js';
import { decodeRouteGet, encodeRouteGet } from '../../../../src/netlink/wire-route.js';
import { MsgBuilder, splitMessages } from '../../../../src/netlink/wire.js';

const hex = (b: Buffer): string =>
  b
    .toString('hex')
    .replace(/(.{8})/g, '$1 ')
    .trim();

test('a plain get is rtmsg with dst_len 32, RTM_F_LOOKUP_TABLE and RTA_DST', () => {
  assert.equal(
    hex(encodeRouteGet({ dst: '10.1.0.5' })),
    // nlmsghdr: len 36, type 26, flags REQUEST|ACK, seq 0, pid 0
    '24000000 1a000500 00000000 00000000 ' +
      // rtmsg: AF_INET, dst_len 32, src_len 0, tos 0 | table, proto, scope, type 0 | flags 0x1000
      '02200000 00000000 00100000 ' +
      // RTA_DST 10.1.0.5
      '08000100 0a010005',
  );
});

test("from and iif add RTA_SRC (with src_len 32) and RTA_IIF, in iproute2's order", () => {
  assert.equal(
    hex(encodeRouteGet({ dst: '10.1.0.5', src: '10.1.0.9', iif: 3 })),
    '34000000 1a000500 00000000 00000000 ' + '02202000 00000000 00100000 ' + '08000100 0a010005 08000200 0a010009 08000300 03000000',
  );
});

test('oif goes last as RTA_OIF; IPv6 uses dst_len 128', () => {
  const m = encodeRouteGet({ dst: 'fd00::1', oif: 7 });
  assert.equal(m.readUInt8(16), C.AF_INET6);
  assert.equal(m.readUInt8(17), 128);
  assert.equal(m.length, 16 + 12 + 20 + 8);
  assert.equal(hex(m.subarray(48)), '08000400 07000000');
});

function answer(type: number, table: number, attrs: Array<[number, Uint8Array]>): Buffer {
  const r = Buffer.alloc(12);
  r.writeUInt8(C.AF_INET, 0);
  r.writeUInt8(32, 1);
  r.writeUInt8(table, 4);
  r.writeUInt8(type, 7);
  r.writeUInt32LE(0x200, 8); // RTM_F_CLONED, as the kernel sets on get answers
  const b = new MsgBuilder(C.RTM_NEWROUTE, 0).raw(r);
  for (const [t, d] of attrs) b.attr(t, d);
  return b.finish();
}
const u32 = (v: number): Uint8Array => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};

test('a unicast answer decodes device, gateway and preferred source', () => {
  const [m] = splitMessages(
    answer(1, 254, [
      [C.RTA_TABLE, u32(254)],
      [C.RTA_DST, Uint8Array.of(10, 9, 0, 2)],
      [C.RTA_OIF, u32(4)],
      [C.RTA_GATEWAY, Uint8Array.of(10, 0, 1, 1)],
      [C.RTA_PREFSRC, Uint8Array.of(10, 0, 1, 10)],
    ]),
  );
  assert.deepEqual(decodeRouteGet(m!), { family: 4, type: 1, table: 254, oif: 4, gateway: '10.0.1.1', prefsrc: '10.0.1.10' });
});

test('a local answer (the local table) decodes as type 2 with the input interface', () => {
  const [m] = splitMessages(
    answer(2, 255, [
      [C.RTA_TABLE, u32(255)],
      [3, u32(5)],
      [C.RTA_OIF, u32(1)],
    ]),
  );
  assert.deepEqual(decodeRouteGet(m!), { family: 4, type: 2, table: 255, oif: 1, iif: 5 });
});

test('anything but RTM_NEWROUTE is not an answer', () => {
  const [m] = splitMessages(new MsgBuilder(C.NLMSG_ERROR, 0).raw(Buffer.alloc(20)).finish());
  assert.equal(decodeRouteGet(m!), undefined);
});
