// Finding overlapping CIDRs in a list without comparing every pair: a sweep over address
// ranges sorted by start. Labs with a thousand interfaces in one namespace stay fast.
import type { Cidr } from '../util/ip.js';
import { bits, networkOf, toBigInt } from '../util/ip.js';

/** Options for overlappingPairs. */
export interface OverlapOptions<T> {
  readonly items: readonly T[];
  readonly cidrOf: (t: T) => Cidr;
  /** Pairs for which this is true are not reported (for example: the same link). */
  readonly ignore?: (a: T, b: T) => boolean;
}

interface Range<T> {
  readonly item: T;
  readonly index: number;
  readonly family: number;
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * Pairs [earlier, later] (in list order) of items whose CIDRs share addresses. Each item is
 * reported at most once, against the first overlapping item found, so n items in one subnet
 * give n-1 pairs, not n².
 */
export function overlappingPairs<T>(o: OverlapOptions<T>): Array<[T, T]> {
  // Most callers ask per namespace, and most namespaces have one address.
  if (o.items.length < 2) return [];
  const ranges = o.items.map((item, index) => rangeOf(item, index, o.cidrOf(item)));
  ranges.sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : a.index - b.index));
  const found: Array<{ pair: [T, T]; later: number }> = [];
  let active: Array<Range<T>> = [];
  for (const cur of ranges) {
    active = active.filter((a) => a.family === cur.family && a.end >= cur.start);
    const hit = active.find((a) => !o.ignore?.(a.item, cur.item));
    if (hit) {
      const [first, second] = hit.index < cur.index ? [hit, cur] : [cur, hit];
      found.push({ pair: [first.item, second.item], later: second.index });
    }
    active.push(cur);
  }
  return found.sort((a, b) => a.later - b.later).map((f) => f.pair);
}

function rangeOf<T>(item: T, index: number, c: Cidr): Range<T> {
  const start = toBigInt(networkOf(c).address);
  const size = 1n << BigInt(bits(c.family) - c.prefix);
  return { item, index, family: c.family, start, end: start + size - 1n };
}
