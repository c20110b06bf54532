// What `show` prints about link properties in force: each interface's root qdisc as the kernel
// reports it, the loss rules in the node's nft table (no netem), and the runtime marks.
import type { LiveQdisc, NsSnapshot } from '../port/kernel.js';
import { formatDuration, formatRate } from '../topology/impair-units.js';

/** A root qdisc nslab sets, in the file's words ("rate 10mbit", "delay 20ms loss 5%"); undefined for a default one. */
export function qdiscText(q: LiveQdisc | undefined): string | undefined {
  if (!q) return undefined;
  if (q.kind === 'tbf' && q.tbf) return `rate ${formatRate(q.tbf.rate)}`;
  if (q.kind !== 'netem' || !q.netem) return undefined;
  const n = q.netem;
  const pct = (v: number): string => `${Math.round(v * 100) / 100}%`;
  const parts = [
    n.rate ? `rate ${formatRate(n.rate)}` : '',
    n.delayUs ? `delay ${formatDuration(n.delayUs)}` : '',
    n.jitterUs ? `jitter ${formatDuration(n.jitterUs)}` : '',
    n.lossPct ? `loss ${pct(n.lossPct)}` : '',
    n.corruptPct ? `corrupt ${pct(n.corruptPct)}` : '',
    n.duplicatePct ? `duplicate ${pct(n.duplicatePct)}` : '',
    n.reorderPct ? `reorder ${pct(n.reorderPct)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'netem';
}

/** The root qdisc of a device in a snapshot read with qdiscs. */
export function rootOf(snap: NsSnapshot | undefined, dev: string): LiveQdisc | undefined {
  return snap?.qdiscs?.find((q) => q.dev === dev && q.parent === 'root');
}

/** Loss rules of a node's table listing, by "DEV:out" / "DEV:in": percent. */
export function nftLoss(listing: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (!listing) return out;
  const re = /numgen random mod 10000 (<|<=) (\d+) drop comment "[^"]*:loss:([^":]+):(out|in)"/g;
  for (const m of listing.matchAll(re)) out.set(`${m[3]}:${m[4]}`, (Number(m[2]) + (m[1] === '<=' ? 1 : 0)) / 100);
  return out;
}

/** "rate 10mbit loss 20%": a qdisc's words and an nft loss, joined; undefined when neither. */
export function inForce(q: LiveQdisc | undefined, lossPct: number | undefined): string | undefined {
  const parts = [qdiscText(q), lossPct ? `loss ${lossPct}%` : undefined].filter((x): x is string => x !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}
