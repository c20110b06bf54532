// Traffic-control messages (RTM_NEWQDISC / RTM_DELQDISC / RTM_GETQDISC) for a device's root qdisc:
// tbf (rate, burst, limit) and netem (delay, jitter, loss, corrupt, duplicate, reorder, rate).
// PURE. Times in these structs are in the packet scheduler's ticks, whose length the kernel
// publishes in /proc/net/psched: the caller reads it (kernel/psched.ts) and passes it in.
// Byte layouts follow linux/pkt_sched.h; the fixtures in test/unit/netlink/qdisc.test.ts are
// what iproute2 sends for the same commands.
import type { LiveQdisc, NetemSpec, QdiscSpec, TbfSpec } from '../port/kernel.js';
import { MsgBuilder, attrStr, parseAttrs, type NlMsg } from './wire.js';
import * as C from './wire-consts.js';

/** The scheduler clock as /proc/net/psched describes it. */
export interface Psched {
  /** Ticks per microsecond (15.625 on every kernel since 2.6.31: a tick is 64 ns). */
  readonly ticksPerUs: number;
}

/** The tick length of every current kernel (PSCHED_SHIFT 6: 64 ns), for when psched cannot be read. */
export const DEFAULT_PSCHED: Psched = { ticksPerUs: 1000 / 64 };

/**
 * Parse /proc/net/psched: four hex words, ns per µs, ns per tick, the clock resolution and the
 * timer rate. A clock resolution of 1 GHz advertises a multiplier of 1000 for old tools' sake,
 * which really means 1 (the same reading iproute2 makes). Undefined when the text is not that.
 */
export function parsePsched(text: string): Psched | undefined {
  const w = text
    .trim()
    .split(/\s+/)
    .map((x) => Number.parseInt(x, 16));
  const [nsPerUs, nsPerTick, clockRes] = w;
  if (w.length < 3 || nsPerUs === undefined || !nsPerTick || !clockRes || w.some(Number.isNaN)) return undefined;
  const t2us = clockRes === 1_000_000_000 ? nsPerTick : nsPerUs;
  return { ticksPerUs: (t2us / nsPerTick) * (clockRes / 1_000_000) };
}

/**
 * Ticks to send `size` bytes at `rate` bytes/s, rounded up (saturates at 2^32 - 1). Computed in
 * the order iproute2 does (µs first, then ticks), so the doubles round to the same result.
 */
export function xmitTicks(p: Psched, rate: number, size: number): number {
  const t = Math.ceil(p.ticksPerUs * (1_000_000 * (size / rate)));
  return Math.min(t, 0xffffffff);
}

/** tbf's queue limit in bytes: given, or what `latency` makes of it (rate × latency + burst). */
export function tbfLimit(t: TbfSpec): number {
  if (t.limit !== undefined) return t.limit;
  return Math.floor((t.rate * (t.latencyUs ?? 0)) / 1_000_000 + t.burst);
}

/** A reason the spec cannot be encoded (tc refuses the same), else undefined. */
export function qdiscProblem(q: QdiscSpec): string | undefined {
  const whole = (n: number | undefined): boolean => n === undefined || (Number.isSafeInteger(n) && n >= 0);
  if (q.kind === 'tbf') {
    if (!(q.rate >= 1) || !whole(q.rate)) return 'tbf needs a rate of at least 1 byte/s';
    if (!(q.burst >= 1) || q.burst > 0xffffffff || !whole(q.burst)) return 'tbf needs a burst of 1 byte to 4 GiB';
    if ((q.limit === undefined) === (q.latencyUs === undefined)) return 'tbf needs either a limit or a latency, not both';
    if (!whole(q.limit) || !whole(q.latencyUs) || tbfLimit(q) > 0xffffffff) return 'tbf limit out of range';
    return undefined;
  }
  for (const k of ['delayUs', 'jitterUs', 'limit', 'rate'] as const) if (!whole(q[k])) return `netem ${k} must be a whole number`;
  for (const k of ['lossPct', 'corruptPct', 'duplicatePct', 'reorderPct'] as const) {
    const v = q[k];
    if (v !== undefined && !(v >= 0 && v <= 100)) return `netem ${k} must be between 0 and 100`;
  }
  if ((q.limit ?? 1000) > 0xffffffff) return 'netem limit out of range';
  if ((q.reorderPct ?? 0) > 0 && !q.delayUs) return 'netem reorder needs a delay';
  return undefined;
}

/** struct tcmsg for a device's root (family AF_UNSPEC, handle 0: the kernel picks one). */
function tcmsg(index: number, handle = 0, parent = C.TC_H_ROOT): Buffer {
  const b = Buffer.alloc(C.TCMSG_LEN);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(handle >>> 0, 8);
  b.writeUInt32LE(parent >>> 0, 12);
  return b;
}

/**
 * RTM_NEWQDISC with NLM_F_CREATE|NLM_F_REPLACE at the root of device `index`.
 * `tc qdisc replace dev DEV root tbf ...` / `... root netem ...`
 */
export function encodeQdiscReplace(index: number, q: QdiscSpec, p: Psched = DEFAULT_PSCHED): Buffer {
  const flags = C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_REPLACE;
  const m = new MsgBuilder(C.RTM_NEWQDISC, flags).raw(tcmsg(index)).str(C.TCA_KIND, q.kind);
  return (q.kind === 'tbf' ? tbfOptions(m, q, p) : netemOptions(m, q, p)).finish();
}

/** RTM_DELQDISC of the root qdisc of device `index`. `tc qdisc del dev DEV root` */
export function encodeQdiscDelete(index: number): Buffer {
  return new MsgBuilder(C.RTM_DELQDISC, C.NLM_F_REQUEST | C.NLM_F_ACK).raw(tcmsg(index)).finish();
}

/** RTM_GETQDISC dump of every device's qdiscs. `tc qdisc show` */
export function encodeQdiscDump(): Buffer {
  return new MsgBuilder(C.RTM_GETQDISC, C.NLM_F_REQUEST | C.NLM_F_DUMP).raw(tcmsg(0, 0, 0)).finish();
}

/** struct tc_ratespec for an Ethernet-sized rate table: cell_log 3 covers 2 KiB in 256 cells. */
const CELL_LOG = 3;

/**
 * TCA_OPTIONS { TCA_TBF_PARMS, TCA_TBF_BURST, [TCA_TBF_RATE64], TCA_TBF_RTAB }. The burst goes
 * both as ticks in the struct (for kernels before 3.13) and as bytes in TCA_TBF_BURST (which
 * newer kernels use instead). The rate table is ignored by kernels since 3.8 for Ethernet link
 * layers, but a kernel's policy still expects it: rtab[i] is the time to send (i + 1) << cell_log bytes.
 */
function tbfOptions(m: MsgBuilder, t: TbfSpec, p: Psched): MsgBuilder {
  const rate32 = t.rate >= 2 ** 32 ? 0xffffffff : t.rate;
  const parms = Buffer.alloc(C.TC_TBF_QOPT_LEN);
  parms.writeUInt8(CELL_LOG, 0);
  parms.writeUInt8(C.TC_LINKLAYER_ETHERNET, 1);
  parms.writeInt16LE(-1, 4); // cell_align, as a computed rate table sets it
  parms.writeUInt32LE(rate32, 8);
  // peakrate (bytes 12..23) stays zero: no peak rate
  parms.writeUInt32LE(tbfLimit(t), 24);
  parms.writeUInt32LE(xmitTicks(p, t.rate, t.burst), 28);
  const rtab = Buffer.alloc(1024);
  for (let i = 0; i < 256; i++) rtab.writeUInt32LE(xmitTicks(p, t.rate, (i + 1) << CELL_LOG), i * 4);
  m.nest(C.TCA_OPTIONS).attr(C.TCA_TBF_PARMS, parms).u32(C.TCA_TBF_BURST, t.burst);
  if (t.rate >= 2 ** 32) m.attr(C.TCA_TBF_RATE64, u64(t.rate));
  return m.attr(C.TCA_TBF_RTAB, rtab).end();
}

/**
 * TCA_OPTIONS holding struct tc_netem_qopt itself, then netem's own attributes inside the same
 * TCA_OPTIONS (netem's layout: a struct first, attributes after it). Delay and jitter go as ticks
 * in the struct; when ticks cannot say them exactly (not a multiple of 64 ns, or beyond 32 bits),
 * TCA_NETEM_LATENCY64/JITTER64 carry them in nanoseconds as well (the kernel prefers those).
 */
function netemOptions(m: MsgBuilder, n: NetemSpec, p: Psched): MsgBuilder {
  const delay = n.delayUs ?? 0;
  const jitter = n.jitterUs ?? 0;
  const reorder = fraction(n.reorderPct);
  const qopt = Buffer.alloc(C.TC_NETEM_QOPT_LEN);
  const ticks = (us: number): { v: number; exact: boolean } => {
    const t = us * p.ticksPerUs;
    return { v: Math.min(Math.floor(t), 0xffffffff), exact: Number.isInteger(t) && t <= 0xffffffff };
  };
  const d = ticks(delay);
  const j = ticks(jitter);
  qopt.writeUInt32LE(d.v, 0);
  qopt.writeUInt32LE(n.limit ?? 1000, 4);
  qopt.writeUInt32LE(fraction(n.lossPct), 8);
  qopt.writeUInt32LE(reorder > 0 ? 1 : 0, 12); // gap 1: every other packet may be reordered
  qopt.writeUInt32LE(fraction(n.duplicatePct), 16);
  qopt.writeUInt32LE(j.v, 20);
  m.nest(C.TCA_OPTIONS).raw(qopt);
  if (!d.exact || !j.exact) {
    m.attr(C.TCA_NETEM_LATENCY64, u64(delay * 1000));
    m.attr(C.TCA_NETEM_JITTER64, u64(jitter * 1000));
  }
  if (reorder > 0) m.attr(C.TCA_NETEM_REORDER, pair(reorder));
  const corrupt = fraction(n.corruptPct);
  if (corrupt > 0) m.attr(C.TCA_NETEM_CORRUPT, pair(corrupt));
  if (n.rate !== undefined && n.rate > 0) {
    if (n.rate >= 2 ** 32) m.attr(C.TCA_NETEM_RATE64, u64(n.rate));
    const r = Buffer.alloc(16); // struct tc_netem_rate: rate, packet_overhead, cell_size, cell_overhead
    r.writeUInt32LE(n.rate >= 2 ** 32 ? 0xffffffff : n.rate, 0);
    m.attr(C.TCA_NETEM_RATE, r);
  }
  return m.end();
}

/** A percentage as netem's 32-bit probability (0 = never, 2^32 - 1 = always), rounded half to even. */
export function fraction(pct: number | undefined): number {
  if (!pct) return 0;
  const x = (Math.min(pct, 100) / 100) * 0xffffffff;
  const f = Math.floor(x);
  const r = x - f > 0.5 || (x - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  return Math.min(r, 0xffffffff);
}

/** netem's probability back as a percentage, to 6 decimals (what a file can say). */
function percent(u: number): number {
  return Math.round((u / 0xffffffff) * 100 * 1e6) / 1e6;
}

/** { probability, correlation 0 } (struct tc_netem_reorder / tc_netem_corrupt). */
function pair(probability: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(probability >>> 0, 0);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(Math.round(n)));
  return b;
}

/** A decoded RTM_NEWQDISC. */
export interface QdiscMsg {
  readonly index: number;
  readonly handle: number;
  readonly parent: number;
  readonly kind: string;
  readonly tbf?: LiveQdisc['tbf'];
  readonly netem?: LiveQdisc['netem'];
}

/** Decode an RTM_NEWQDISC (a dump entry); undefined when it is not one. */
export function decodeQdisc(m: NlMsg, p: Psched = DEFAULT_PSCHED): QdiscMsg | undefined {
  if (m.type !== C.RTM_NEWQDISC || m.body.length < C.TCMSG_LEN) return undefined;
  const a = parseAttrs(m.body, C.TCMSG_LEN);
  const kind = attrStr(a.get(C.TCA_KIND)) ?? '';
  const base = { index: m.body.readInt32LE(4), handle: m.body.readUInt32LE(8), parent: m.body.readUInt32LE(12), kind };
  const opts = a.get(C.TCA_OPTIONS);
  if (!opts) return base;
  if (kind === 'tbf') {
    const tbf = decodeTbf(opts, p);
    return tbf ? { ...base, tbf } : base;
  }
  if (kind === 'netem') {
    const netem = decodeNetem(opts, p);
    return netem ? { ...base, netem } : base;
  }
  return base;
}

/** TCA_TBF_PARMS (+ RATE64): the burst comes back as ticks only, converted at the rate. */
function decodeTbf(opts: Buffer, p: Psched): LiveQdisc['tbf'] {
  const t = parseAttrs(opts);
  const parms = t.get(C.TCA_TBF_PARMS);
  if (!parms || parms.length < C.TC_TBF_QOPT_LEN) return undefined;
  const r64 = t.get(C.TCA_TBF_RATE64);
  const rate = r64 && r64.length >= 8 ? Number(r64.readBigUInt64LE(0)) : parms.readUInt32LE(8);
  const buffer = parms.readUInt32LE(28);
  return { rate, burst: Math.round((buffer / p.ticksPerUs / 1_000_000) * rate), limit: parms.readUInt32LE(24) };
}

/** struct tc_netem_qopt, then the attributes after it (LATENCY64/JITTER64 win over the ticks). */
function decodeNetem(opts: Buffer, p: Psched): LiveQdisc['netem'] {
  if (opts.length < C.TC_NETEM_QOPT_LEN) return undefined;
  const t = parseAttrs(opts, C.TC_NETEM_QOPT_LEN);
  const ns64 = (type: number): number | undefined => {
    const b = t.get(type);
    return b && b.length >= 8 ? Number(b.readBigInt64LE(0)) : undefined;
  };
  const us = (ticks: number, ns: number | undefined): number => (ns !== undefined ? Math.round(ns / 1000) : Math.round(ticks / p.ticksPerUs));
  const prob = (type: number): number => {
    const b = t.get(type);
    return b && b.length >= 4 ? percent(b.readUInt32LE(0)) : 0;
  };
  const r = t.get(C.TCA_NETEM_RATE);
  const r64 = t.get(C.TCA_NETEM_RATE64);
  const rate = r64 && r64.length >= 8 ? Number(r64.readBigUInt64LE(0)) : r && r.length >= 4 ? r.readUInt32LE(0) : 0;
  return {
    delayUs: us(opts.readUInt32LE(0), ns64(C.TCA_NETEM_LATENCY64)),
    jitterUs: us(opts.readUInt32LE(20), ns64(C.TCA_NETEM_JITTER64)),
    lossPct: percent(opts.readUInt32LE(8)),
    corruptPct: prob(C.TCA_NETEM_CORRUPT),
    duplicatePct: percent(opts.readUInt32LE(16)),
    reorderPct: prob(C.TCA_NETEM_REORDER),
    limit: opts.readUInt32LE(4),
    ...(rate > 0 ? { rate } : {}),
  };
}

/** A handle or parent as tc prints it: "8001:", "1:2", "root", "ingress". */
export function formatHandle(h: number, asParent = false): string {
  if (asParent && h === C.TC_H_ROOT) return 'root';
  if (asParent && h === 0xfffffff1) return 'ingress';
  const maj = (h >>> 16).toString(16);
  const min = h & 0xffff;
  return min === 0 ? `${maj}:` : `${maj}:${min.toString(16)}`;
}
