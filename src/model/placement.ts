// Which machine builds which node: `machine:` where the file says, else a deterministic choice
// every machine makes alike from the same file (there is no coordinator). Nodes joined by a
// point-to-point link stay together (a veth is cheaper than a VXLAN pair, and needs no underlay);
// only `machine:` on both ends splits such a link (model/machine-part.ts pairEnds). The rest are
// placed group by group, each where most of its networks' nodes already are while that machine
// has room (ceil(nodes / machines)), else on the least loaded machine, ties to the first declared.
import type { NodeRaw, TopologyRaw } from '../topology/raw.js';

/** Node name -> machine name; empty when the file declares no machines. */
export type Placement = ReadonlyMap<string, string>;

/** Place every node of a file with `machines:`. */
export function placeNodes(raw: TopologyRaw): Placement {
  const machines = [...raw.machines.keys()];
  const out = new Map<string, string>();
  if (machines.length === 0) return out;
  const groups = peerGroups(raw);
  const load = new Map<string, number>(machines.map((m) => [m, 0] as const));
  const room = Math.ceil(raw.nodes.size / machines.length);
  const put = (g: readonly NodeRaw[], m: string): void => {
    for (const n of g) out.set(n.name, m);
    load.set(m, (load.get(m) ?? 0) + g.length);
  };
  // Pinned groups first, so that the automatic ones fill around them.
  const free: NodeRaw[][] = [];
  for (const g of groups) {
    const pinned = g.find((n) => n.machine !== undefined && raw.machines.has(n.machine.value))?.machine?.value;
    if (pinned === undefined) free.push(g);
    else {
      // A group pinned to several machines keeps each pinned node on its own machine (its links
      // between them are VXLAN pairs); its unpinned nodes go with the first pinned one.
      for (const n of g) out.set(n.name, n.machine !== undefined && raw.machines.has(n.machine.value) ? n.machine.value : pinned);
      load.set(pinned, (load.get(pinned) ?? 0) + g.length);
    }
  }
  for (const g of free) put(g, choose(g, machines, load, room, neighbours(raw, g, out)));
  return out;
}

/** The machine for a group: where most of its networks' placed nodes are, while it has room; else the least loaded. */
function choose(
  g: readonly NodeRaw[],
  machines: readonly string[],
  load: ReadonlyMap<string, number>,
  room: number,
  near: ReadonlyMap<string, number>,
): string {
  let best: string | undefined;
  for (const m of machines) {
    const n = near.get(m) ?? 0;
    if (n === 0 || (load.get(m) ?? 0) + g.length > room) continue;
    if (best === undefined || n > (near.get(best) ?? 0)) best = m;
  }
  if (best !== undefined) return best;
  let least = machines[0]!;
  for (const m of machines) if ((load.get(m) ?? 0) < (load.get(least) ?? 0)) least = m;
  return least;
}

/** How many already placed nodes share a network with the group, per machine. */
function neighbours(raw: TopologyRaw, g: readonly NodeRaw[], placed: ReadonlyMap<string, string>): Map<string, number> {
  const nets = new Set(g.flatMap((n) => networksOf(n)));
  const out = new Map<string, number>();
  if (nets.size === 0) return out;
  for (const n of raw.nodes.values()) {
    const m = placed.get(n.name);
    if (m !== undefined && networksOf(n).some((x) => nets.has(x))) out.set(m, (out.get(m) ?? 0) + 1);
  }
  return out;
}

const netsOf = new WeakMap<NodeRaw, string[]>();

function networksOf(n: NodeRaw): string[] {
  let v = netsOf.get(n);
  if (!v) {
    v = [...n.interfaces.values()].flatMap((i) => (i.attach?.kind === 'network' ? [i.attach.network.value] : []));
    netsOf.set(n, v);
  }
  return v;
}

/** Nodes joined by point-to-point links, as groups in declaration order of their first node. */
function peerGroups(raw: TopologyRaw): NodeRaw[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    parent.set(x, r);
    return r;
  };
  for (const n of raw.nodes.values()) parent.set(n.name, n.name);
  for (const n of raw.nodes.values()) {
    for (const i of n.interfaces.values()) {
      if (i.attach?.kind !== 'peer' || !raw.nodes.has(i.attach.peer.value.node)) continue;
      const a = find(n.name);
      const b = find(i.attach.peer.value.node);
      if (a !== b) parent.set(b, a);
    }
  }
  const groups = new Map<string, NodeRaw[]>();
  for (const n of raw.nodes.values()) {
    const r = find(n.name);
    const g = groups.get(r);
    if (g) g.push(n);
    else groups.set(r, [n]);
  }
  return [...groups.values()];
}
