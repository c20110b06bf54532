// The qdisc encoders against what iproute2 6.1 sent for the same tc commands (qdisc-fixtures.ts),
// the dump decoder against what the kernel answered, and /proc/net/psched parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_PSCHED,
  decodeQdisc,
  encodeQdiscDelete,
  encodeQdiscDump,
  encodeQdiscReplace,
  formatHandle,
  fraction,
  parsePsched,
  qdiscProblem,
  tbfLimit,
  xmitTicks,
} from '../../../src/netlink/wire-qdisc.js';
import { splitMessages } from '../../../src/netlink/wire.js';
import type { NetemSpec, TbfSpec } from '../../../src/port/kernel.js';
import { KERNEL_NOQUEUE_DUMP, KERNEL_TBF_DUMP, TC_NETEM_REPLACE, TC_ROOT_DELETE, TC_TBF_REPLACE } from './qdisc-fixtures.js';

/** What this machine's /proc/net/psched said (and every kernel since 2.6.31: 64 ns ticks). */
const PSCHED_TEXT = '000003e8 00000040 000f4240 3b9aca00\n';
const P = parsePsched(PSCHED_TEXT) ?? assert.fail('psched');

const TBF: TbfSpec = { kind: 'tbf', rate: 1_250_000, burst: 4096, latencyUs: 50_000 };
const NETEM: NetemSpec = {
  kind: 'netem',
  delayUs: 20_000,
  jitterUs: 5_000,
  lossPct: 10,
  corruptPct: 1,
  duplicatePct: 1,
  reorderPct: 25,
  limit: 1000,
};

/** Offsets in the tbf request: 16 header + 20 tcmsg + 8 TCA_KIND + 4 TCA_OPTIONS + 4 TCA_TBF_PARMS. */
const PARMS = 52;
const BUFFER_AT = PARMS + 28;
const RTAB_AT = 100;

test('psched: 64 ns ticks, 15.625 per microsecond; the 1 GHz compatibility word; garbage', () => {
  assert.equal(P.ticksPerUs, 15.625);
  assert.deepEqual(P, DEFAULT_PSCHED);
  // A clock resolution of 1 GHz advertises 1000 ns per µs "for old tools": ticks are nanoseconds.
  assert.equal(parsePsched('000003e8 00000001 3b9aca00 3b9aca00')?.ticksPerUs, 1000);
  assert.equal(parsePsched('nonsense'), undefined);
  assert.equal(parsePsched('000003e8 00000000 000f4240'), undefined);
});

test('iproute2: tc qdisc replace dev v1 root tbf rate 10mbit burst 32kbit latency 50ms', () => {
  const want = Buffer.from(TC_TBF_REPLACE, 'hex');
  const got = encodeQdiscReplace(3, TBF, P);
  assert.equal(got.length, want.length);
  // iproute2 6.1 truncated times to whole microseconds before converting them to ticks (later
  // versions round up the exact value, as we do): the burst's ticks and the rate table differ by
  // less than one microsecond's worth; every other byte is the same.
  const trunc6_1 = (size: number): number => Math.floor(Math.floor((1_000_000 * size) / TBF.rate) * P.ticksPerUs);
  assert.equal(want.readUInt32LE(BUFFER_AT), trunc6_1(4096));
  assert.equal(got.readUInt32LE(BUFFER_AT), 51_200); // 3276.8 µs to send 4 KiB at 10 Mbit/s
  for (let i = 0; i < 256; i++) {
    const size = (i + 1) << 3;
    assert.equal(want.readUInt32LE(RTAB_AT + i * 4), trunc6_1(size), `6.1 rtab[${i}]`);
    const g = got.readUInt32LE(RTAB_AT + i * 4);
    const exact = (P.ticksPerUs * 1_000_000 * size) / TBF.rate;
    assert.ok(g >= exact - 1e-6 && g < exact + 1 + 1e-6, `rtab[${i}] = ${g}, rounded up from ${exact}`);
    assert.ok(g - trunc6_1(size) < P.ticksPerUs + 1, `rtab[${i}] within a microsecond`);
  }
  const masked = (b: Buffer): string => {
    const c = Buffer.from(b);
    c.writeUInt32LE(0, BUFFER_AT);
    c.fill(0, RTAB_AT, RTAB_AT + 1024);
    return c.toString('hex');
  };
  assert.equal(masked(got), masked(want));
});

test('iproute2: tc qdisc replace dev v1 root netem delay 20ms 5ms loss 10% corrupt 1% duplicate 1% reorder 25% limit 1000', () => {
  assert.equal(encodeQdiscReplace(3, NETEM, P).toString('hex'), TC_NETEM_REPLACE);
});

test('iproute2: tc qdisc del dev v1 root', () => {
  assert.equal(encodeQdiscDelete(3).toString('hex'), TC_ROOT_DELETE);
});

test('by hand: tc qdisc show (RTM_GETQDISC dump, all-zero tcmsg)', () => {
  assert.equal(encodeQdiscDump().toString('hex'), '24000000260001030000000000000000' + '00'.repeat(20));
});

test('tbf: a limit instead of a latency; rates above 32 bits go in TCA_TBF_RATE64', () => {
  const lim = encodeQdiscReplace(3, { kind: 'tbf', rate: 1_250_000, burst: 4096, limit: 10_000 }, P);
  assert.equal(lim.readUInt32LE(PARMS + 24), 10_000);
  const fast = encodeQdiscReplace(3, { kind: 'tbf', rate: 5_000_000_000, burst: 1_000_000, limit: 2_000_000 }, P);
  assert.equal(fast.readUInt32LE(PARMS + 8), 0xffffffff);
  // PARMS (40) + BURST (8), then RATE64: 4-byte header, the 64-bit rate.
  const at = PARMS - 4 + 40 + 8;
  assert.equal(fast.readUInt16LE(at + 2), 4);
  assert.equal(fast.readBigUInt64LE(at + 4), 5_000_000_000n);
  assert.equal(tbfLimit(TBF), 66_596);
});

test('netem: times that ticks cannot say exactly also go in nanoseconds; its own rate', () => {
  const m = encodeQdiscReplace(3, { kind: 'netem', delayUs: 1, rate: 125_000 }, P);
  const opts = splitMessages(m)[0]?.body ?? assert.fail();
  const d = decodeQdisc({ type: 36, flags: 0, seq: 0, pid: 0, body: opts }, P);
  assert.deepEqual(d?.netem, { delayUs: 1, jitterUs: 0, lossPct: 0, corruptPct: 0, duplicatePct: 0, reorderPct: 0, limit: 1000, rate: 125_000 });
  // LATENCY64 (type 10) is present after the 24-byte struct: 1000 ns.
  const at = 16 + 20 + 12 + 4 + 24;
  assert.equal(m.readUInt16LE(at + 2), 10);
  assert.equal(m.readBigInt64LE(at + 4), 1000n);
});

test('netem: probabilities round like iproute2 (half to even of pct × (2^32 - 1))', () => {
  assert.equal(fraction(10), 0x1999999a);
  assert.equal(fraction(1), 0x028f5c29);
  assert.equal(fraction(25), 0x40000000);
  assert.equal(fraction(100), 0xffffffff);
  assert.equal(fraction(0), 0);
});

test('decode: the kernel dump of that tbf gives back its rate, burst and the latency as a limit', () => {
  const [m] = splitMessages(Buffer.from(KERNEL_TBF_DUMP, 'hex'));
  const q = decodeQdisc(m ?? assert.fail(), P);
  assert.deepEqual(q, { index: 3, handle: 0x80030000, parent: 0xffffffff, kind: 'tbf', tbf: { rate: 1_250_000, burst: 4096, limit: tbfLimit(TBF) } });
  const [n] = splitMessages(Buffer.from(KERNEL_NOQUEUE_DUMP, 'hex'));
  assert.deepEqual(decodeQdisc(n ?? assert.fail(), P), { index: 2, handle: 0, parent: 0xffffffff, kind: 'noqueue' });
  assert.equal(formatHandle(0x80030000), '8003:');
  assert.equal(formatHandle(0), '0:');
  assert.equal(formatHandle(0xffffffff, true), 'root');
  assert.equal(formatHandle(0x00010002, true), '1:2');
});

test('decode: a netem request read back as a dump entry gives the spec (every field filled)', () => {
  const [m] = splitMessages(Buffer.from(TC_NETEM_REPLACE, 'hex'));
  const q = decodeQdisc({ ...(m ?? assert.fail()), type: 36 }, P);
  assert.deepEqual(q?.netem, { delayUs: 20_000, jitterUs: 5_000, lossPct: 10, corruptPct: 1, duplicatePct: 1, reorderPct: 25, limit: 1000 });
});

test('specs tc would refuse are refused before sending', () => {
  assert.match(qdiscProblem({ kind: 'tbf', rate: 0, burst: 1, limit: 1 }) ?? '', /rate/);
  assert.match(qdiscProblem({ kind: 'tbf', rate: 1, burst: 1 }) ?? '', /limit or a latency/);
  assert.match(qdiscProblem({ kind: 'tbf', rate: 1, burst: 1, limit: 1, latencyUs: 1 }) ?? '', /limit or a latency/);
  assert.match(qdiscProblem({ kind: 'netem', reorderPct: 5 }) ?? '', /reorder needs a delay/);
  assert.match(qdiscProblem({ kind: 'netem', lossPct: 101 }) ?? '', /between 0 and 100/);
  assert.equal(qdiscProblem(TBF), undefined);
  assert.equal(qdiscProblem(NETEM), undefined);
  assert.equal(xmitTicks(P, 1, 2 ** 40), 0xffffffff);
});
