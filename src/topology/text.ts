// Small text helpers for messages: safe quoting of user input, "got ..." descriptions, and
// did-you-mean suggestions. Messages never echo raw control or bidi characters to a terminal.
import { editDistance } from '../util/suggest.js';

const MAX_SHOWN = 60;

/** A user-supplied string in single quotes, control/format characters escaped, long ones cut. */
export function quote(s: string): string {
  const cut = s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}...` : s;
  const escaped = cut
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => escapeChar(c));
  return `'${escaped}'`;
}

/** `\uXXXX` (or `\u{XXXXX}`) for one character. */
export function escapeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/** How a YAML value reads in a message: "'abc'", "42", "a list", "a mapping", "nothing". */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'a number too large to use';
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  return 'a mapping';
}

/** ` (did you mean 'x'?)` when one candidate is close to the word, else ''. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const best = closest(word, candidates);
  // The candidate is user input too (a declared name may itself be invalid): quoted like any.
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`;
}

/** The candidate nearest to word by edit distance, if near enough to be a likely typo. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  const limit = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return bestD <= limit ? best : undefined;
}

/** Edit distance (util/suggest.ts), Infinity for words too far apart in length to be a typo. */
export function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3 || a.length > 64 || b.length > 64) return Infinity;
  return editDistance(a, b);
}

/** "IPv4" or "IPv6". */
export function familyName(f: 4 | 6): string {
  return f === 4 ? 'IPv4' : 'IPv6';
}
