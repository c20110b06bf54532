// The kernel's neighbour (ARP) table limit: one table for all namespaces together, capped by
// net.ipv4.neigh.default.gc_thresh3, which only the initial namespace can read or set
// (notes/kernel.md). Probing plans its waves with this; nothing here changes it but raiseNeighLimit.
import { readFileSync, writeFileSync } from 'node:fs';
import type { NeighLimits } from '../port/host.js';
export type { NeighLimits } from '../port/host.js';

const THRESH = '/proc/sys/net/ipv4/neigh/default/gc_thresh';
/** The kernel's default gc_thresh3, assumed when it cannot be read (outside the initial namespace). */
export const DEFAULT_NEIGH_CAP = 1024;

/** Read the cap and the current number of entries. */
export function neighLimits(): NeighLimits {
  const cap = readNumber(`${THRESH}3`);
  return { cap: cap ?? DEFAULT_NEIGH_CAP, capKnown: cap !== undefined, entries: currentEntries() };
}

/**
 * Raise gc_thresh1..3 so that `need` entries fit; returns the old values to restore, or
 * undefined when they cannot be written here. Only called when the user asked for it.
 * `sysctl -w net.ipv4.neigh.default.gc_thresh3=N` (and 1, 2)
 */
export function raiseNeighLimit(need: number): number[] | undefined {
  const old = [1, 2, 3].map((i) => readNumber(`${THRESH}${i}`));
  if (old.some((v) => v === undefined)) return undefined;
  const want = [Math.ceil(need / 4), Math.ceil(need / 2), need];
  [1, 2, 3].forEach((i, k) => {
    if (want[k]! > old[k]!) writeFileSync(`${THRESH}${i}`, String(want[k]));
  });
  return old as number[];
}

/** Put back what raiseNeighLimit changed. */
export function restoreNeighLimit(old: readonly number[]): void {
  [1, 2, 3].forEach((i, k) => writeFileSync(`${THRESH}${i}`, String(old[k])));
}

function readNumber(path: string): number | undefined {
  try {
    const v = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The "entries" column of /proc/net/stat/arp_cache (hex; the same on every CPU's row). */
function currentEntries(): number {
  try {
    const row = readFileSync('/proc/net/stat/arp_cache', 'utf8').split('\n')[1] ?? '';
    const v = parseInt(row.trim().split(/\s+/)[0] ?? '', 16);
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}
