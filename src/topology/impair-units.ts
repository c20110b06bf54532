// PURE: the value syntax of link properties (`rate: 10mbit`, `delay: 20ms`, `loss: 5%`), shared
// by the file (parse-impair.ts) and the command line (`nslab impair`). Each parser returns the
// value in the kernel's units or a problem text (the "must be ..." half of a message).

/** A parsed value, or why the text is not one. */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (problem: string): Parsed<never> => ({ ok: false, problem });

/** Bits per second per rate unit (tc's words: kbit is 1000 bits, bps is bytes per second). */
const RATE_UNITS: Readonly<Record<string, number>> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  bps: 8,
  kbps: 8e3,
  mbps: 8e6,
  gbps: 8e9,
};

/** The largest rate accepted: 100gbit (far above what a veth carries). */
export const MAX_RATE_BITS = 100e9;

const NUMBER = /^(\d+(?:\.\d+)?)\s*([a-z%]*)$/i;

/** `10mbit`, `512kbit`, `1gbit`, `125000bps` -> bytes per second (the kernel's unit). */
export function parseRate(input: unknown): Parsed<number> {
  const want = 'must be a rate with a unit, such as 10mbit, 512kbit, 1gbit (bit, kbit, mbit, gbit; bps, kbps, mbps, gbps are bytes per second)';
  if (typeof input === 'number') return bad(`${want}; a bare number has no unit`);
  if (typeof input !== 'string') return bad(want);
  const m = NUMBER.exec(input.trim());
  if (!m) return bad(input.trim().startsWith('-') ? 'must not be negative' : want);
  const unit = RATE_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return bad(m[2] ? `has an unknown unit "${m[2]}": ${want}` : `${want}; a bare number has no unit`);
  const bits = Number(m[1]) * unit;
  if (bits <= 0) return bad('must be more than 0 (a rate of 0 sends nothing; use `nslab link ... down` to cut a link)');
  if (bits < 8) return bad('must be at least 8bit (1 byte per second)');
  if (bits > MAX_RATE_BITS) return bad('must be at most 100gbit');
  return ok(Math.round(bits / 8));
}

const TIME_UNITS: Readonly<Record<string, number>> = { us: 1, ms: 1e3, s: 1e6 };

/** `20ms`, `1.5ms`, `500us`, `1s` -> microseconds; at most 60 s. */
export function parseDuration(input: unknown): Parsed<number> {
  const want = 'must be a time with a unit, such as 20ms, 500us or 1s';
  if (typeof input === 'number') return bad(`${want}; a bare number has no unit`);
  if (typeof input !== 'string') return bad(want);
  const m = NUMBER.exec(input.trim());
  if (!m) return bad(input.trim().startsWith('-') ? 'must not be negative' : want);
  const unit = TIME_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return bad(m[2] ? `has an unknown unit "${m[2]}": ${want}` : `${want}; a bare number has no unit`);
  const us = Math.round(Number(m[1]) * unit);
  if (us > 60e6) return bad('must be at most 60s');
  return ok(us);
}

/** `5%`, `0.5%` or a number (percent) -> percent, 0 to 100, at most two decimals. */
export function parsePercent(input: unknown): Parsed<number> {
  const want = 'must be a percentage from 0 to 100, such as 5% or 0.5%';
  let text: string;
  if (typeof input === 'number') text = String(input);
  else if (typeof input === 'string') text = input.trim().replace(/%$/, '');
  else return bad(want);
  if (text.startsWith('-')) return bad(`must not be negative: ${want}`);
  if (!/^\d+(?:\.\d+)?$/.test(text)) return bad(want);
  const pct = Number(text);
  if (pct > 100) return bad(`must be at most 100%: ${want}`);
  if (Math.round(pct * 100) !== pct * 100 && Math.abs(Math.round(pct * 100) - pct * 100) > 1e-6) return bad('must have at most two decimals (0.01% steps)');
  return ok(Math.round(pct * 100) / 100);
}

/** A queue length in packets, 1 to 1000000. */
export function parseLimit(input: unknown): Parsed<number> {
  const want = 'must be a queue length in packets, a whole number from 1 to 1000000';
  const n = typeof input === 'string' && /^\d+$/.test(input.trim()) ? Number(input.trim()) : input;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1_000_000) return bad(want);
  return ok(n);
}

/** A rate as tc prints it: 10mbit, 512kbit, 1500bit. */
export function formatRate(bytesPerSec: number): string {
  const bits = bytesPerSec * 8;
  for (const [unit, f] of [
    ['gbit', 1e9],
    ['mbit', 1e6],
    ['kbit', 1e3],
  ] as const) {
    if (bits >= f && Number.isInteger(Math.round((bits / f) * 1000) / 1000)) return `${bits / f}${unit}`;
    if (bits >= f) return `${Math.round((bits / f) * 1000) / 1000}${unit}`;
  }
  return `${bits}bit`;
}

/** A duration as tc prints it: 20ms, 500us, 1.5s. */
export function formatDuration(us: number): string {
  if (us >= 1e6 && us % 1e5 === 0) return `${us / 1e6}s`;
  if (us >= 1e3 && us % 10 === 0) return `${us / 1e3}ms`;
  return `${us}us`;
}

/** How one direction of a link is shaped, in kernel units. Absent: not shaped that way. */
export interface LinkShape {
  /** Bytes per second. */
  readonly rate?: number;
  readonly delayUs?: number;
  readonly jitterUs?: number;
  readonly lossPct?: number;
  readonly corruptPct?: number;
  readonly duplicatePct?: number;
  readonly reorderPct?: number;
  /** Queue length in packets. */
  readonly limit?: number;
}

/** Whether a shape shapes nothing. */
export function isEmptyShape(s: LinkShape | undefined): boolean {
  return s === undefined || Object.values(s).every((v) => v === undefined);
}

/** "rate 10mbit delay 20ms jitter 5ms loss 5%": the file's words, in the file's order. */
export function shapeText(s: LinkShape): string {
  const out: string[] = [];
  if (s.rate !== undefined) out.push(`rate ${formatRate(s.rate)}`);
  if (s.delayUs !== undefined) out.push(`delay ${formatDuration(s.delayUs)}`);
  if (s.jitterUs !== undefined) out.push(`jitter ${formatDuration(s.jitterUs)}`);
  if (s.lossPct !== undefined) out.push(`loss ${s.lossPct}%`);
  if (s.corruptPct !== undefined) out.push(`corrupt ${s.corruptPct}%`);
  if (s.duplicatePct !== undefined) out.push(`duplicate ${s.duplicatePct}%`);
  if (s.reorderPct !== undefined) out.push(`reorder ${s.reorderPct}%`);
  if (s.limit !== undefined) out.push(`limit ${s.limit}`);
  return out.join(' ');
}
