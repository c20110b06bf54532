// Probe waves that fit the kernel's neighbour table. Every probe between two nodes on one link
// needs an ARP entry in each of them, and the table is global and capped (gc_thresh3): a run that
// needs more entries than fit fails spuriously (Mininet's pingAll loses probes this way). Pure.
import type { Topology } from '../model/types.js';
import { contains, parseCidr } from '../util/ip.js';
import type { Probe } from './matrix.js';

/** The neighbour entries a probe creates: one in the source and one in the target, per link. */
export function neighbourKeys(t: Topology, p: Probe): string[] {
  if (!p.dst) return [];
  const from = t.nodes.get(p.from);
  const direct =
    from &&
    [...from.interfaces.values()].some((i) =>
      i.addresses.some((a) => {
        const c = parseCidr(a);
        return c !== undefined && contains(c, p.dst!);
      }),
    );
  // Direct: both ends learn each other (the same two entries for a->b and b->a). Routed: the
  // source learns its gateway and the target its way back, shared by every routed probe of each.
  const target = p.toNetns ?? p.dst;
  return direct ? [`${p.netns}|${target}`, `${target}|${p.netns}`] : [`${p.netns}|gw`, `${target}|gw`];
}

/** How many distinct neighbour entries a set of probes needs. */
export function neighbourNeed(t: Topology, probes: readonly Probe[]): number {
  return new Set(probes.flatMap((p) => neighbourKeys(t, p))).size;
}

/**
 * Split probes into waves that each need at most `budget` neighbour entries. Probes a->b and b->a
 * need the same two entries, so they are put side by side first: half the waves of file order.
 */
export function planWaves(t: Topology, probes: readonly Probe[], budget: number): Probe[][] {
  const pairOf = (p: Probe): string => [p.netns, p.toNetns ?? p.dst ?? ''].sort().join('|');
  const ordered = [...probes].sort((a, b) => (pairOf(a) < pairOf(b) ? -1 : pairOf(a) > pairOf(b) ? 1 : a.id - b.id));
  const waves: Probe[][] = [];
  let wave: Probe[] = [];
  let keys = new Set<string>();
  for (const p of ordered) {
    const k = neighbourKeys(t, p);
    const added = k.filter((x) => !keys.has(x)).length;
    if (wave.length > 0 && keys.size + added > budget) {
      waves.push(wave);
      wave = [];
      keys = new Set();
    }
    wave.push(p);
    for (const x of k) keys.add(x);
  }
  if (wave.length > 0) waves.push(wave);
  return waves;
}
