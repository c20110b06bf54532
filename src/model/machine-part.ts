// One machine's part of a lab spread over machines (`--as MACHINE`): the nodes placed there and
// their links, the networks they use (a network's gateway address and NAT only on its home
// machine, the one with most of its nodes: one gateway per layer-2 segment), and for every network
// shared with other machines a tunnel (model/types.ts Tunnel) with its VNI, remotes and MTU, and
// for every point-to-point link to a node on another machine its end (PairEnd): a vxlan device
// that is the node's interface, with the link's own VNI and the other machine as its one remote.
// Pure: every machine computes its part from the same resolved lab.
import { fnv1a32 } from '../names/hash.js';
import { markerHead } from '../names/markers.js';
import { DEFAULT_UNDERLAY_MTU, MAX_VNI, tunnelName, VXLAN_OVERHEAD } from './machines.js';
import type { Iface, Link, Machine, Network, Node, PairEnd, Topology, Tunnel } from './types.js';

/** The part of `t` that `machine` builds; the whole lab's placement and machines stay on it. */
export function machinePart(t: Topology, machine: string): Topology {
  const placement = t.placement ?? new Map<string, string>();
  const machines = t.machines ?? new Map();
  const local = (node: string): boolean => placement.get(node) === machine;
  const on = networkMachines(t, placement, [...machines.keys()]);
  const networks = new Map<string, Network>();
  const tunnels: Tunnel[] = [];
  const mtus = new Map<string, number>();
  for (const net of t.networks.values()) {
    const where = on.get(net.name) ?? [];
    const home = homeOf(t, net.name, placement, where, [...machines.keys()]);
    if (!where.includes(machine) && home !== machine) continue;
    networks.set(net.name, home === machine ? net : { ...net, gateways: [], nat: false });
    if (where.length < 2 || !where.includes(machine)) continue;
    const mtu = Math.min(...where.map((m) => machines.get(m)?.mtu ?? DEFAULT_UNDERLAY_MTU)) - VXLAN_OVERHEAD;
    mtus.set(net.name, mtu);
    const self = machines.get(machine);
    tunnels.push({
      network: net.name,
      device: tunnelName(t.name, net.name),
      alias: `${markerHead(t.name, t.owner)}:vxlan:${net.name}`,
      vni: net.vni ?? 1,
      local: self?.address ?? '',
      ...(self?.dev ? { dev: self.dev } : {}),
      mtu,
      remotes: where.filter((m) => m !== machine).map((m) => machines.get(m)?.address ?? ''),
    });
  }
  const linkNet = new Map(t.links.flatMap((l) => (l.kind === 'bridged' ? [[l.id, l.network] as const] : [])));
  const pairs = pairEnds(t, placement, machines).filter((p) => placement.get(p.node) === machine);
  const pairMtu = new Map(pairs.map((p) => [p.link, p.mtu] as const));
  const nodes = new Map<string, Node>();
  for (const node of t.nodes.values()) if (local(node.name)) nodes.set(node.name, withMtus(t.name, node, linkNet, mtus, pairMtu));
  const links = t.links.filter((l: Link) => (l.kind === 'p2p' ? local(l.a.node) && local(l.b.node) : local(l.end.node)));
  return { ...t, networks, nodes, links, part: { machine, tunnels, pairs } };
}

/**
 * Both ends of every point-to-point link whose nodes are on different machines, in link order.
 * Each gets the VNI derived from the lab and the link's two ends (FNV-1a into 1..2^24-1, as a
 * network's), moved on by one past any VNI a network of the lab or an earlier such link has: every
 * machine walks the same links of the same file, so both ends agree.
 */
export function pairEnds(t: Topology, placement: ReadonlyMap<string, string>, machines: ReadonlyMap<string, Machine>): PairEnd[] {
  const taken = new Set<number>();
  for (const n of t.networks.values()) if (n.vni !== undefined) taken.add(n.vni);
  const out: PairEnd[] = [];
  for (const l of t.links) {
    if (l.kind !== 'p2p') continue;
    const [ma, mb] = [placement.get(l.a.node), placement.get(l.b.node)];
    if (ma === undefined || mb === undefined || ma === mb) continue;
    let vni = (fnv1a32(`${t.name}/${l.a.node}:${l.a.iface}/${l.b.node}:${l.b.iface}`) % (MAX_VNI - 1)) + 1;
    while (taken.has(vni)) vni = (vni % (MAX_VNI - 1)) + 1;
    taken.add(vni);
    const [xa, xb] = [machines.get(ma), machines.get(mb)];
    const limit = Math.min(xa?.mtu ?? DEFAULT_UNDERLAY_MTU, xb?.mtu ?? DEFAULT_UNDERLAY_MTU) - VXLAN_OVERHEAD;
    const end = (e: typeof l.a, far: typeof l.a, self: Machine | undefined, other: Machine | undefined, farMachine: string): PairEnd => {
      const declared = t.nodes.get(e.node)?.interfaces.get(e.iface)?.mtu;
      return {
        link: l.id,
        node: e.node,
        iface: e.iface,
        peer: { node: far.node, iface: far.iface, machine: farMachine },
        vni,
        local: self?.address ?? '',
        remote: other?.address ?? '',
        mtu: declared !== undefined && declared < limit ? declared : limit,
      };
    };
    out.push(end(l.a, l.b, xa, xb, mb), end(l.b, l.a, xb, xa, ma));
  }
  return out;
}

/**
 * A node whose interfaces on shared networks get the tunnel's MTU (unless they declare a smaller
 * one), and whose every interface gets a MAC derived from the lab, node and interface names: a
 * machine's part rebuilt alone then answers at the MACs the other machines' nodes still have in
 * their neighbour tables (a random one would leave them sending to a MAC that is gone until their
 * entries age out, up to a minute).
 */
function withMtus(
  lab: string,
  node: Node,
  linkNet: ReadonlyMap<string, string>,
  mtus: ReadonlyMap<string, number>,
  pairMtu: ReadonlyMap<string, number>,
): Node {
  const interfaces = new Map<string, Iface>();
  for (const i of node.interfaces.values()) {
    const net = linkNet.get(i.link);
    const mtu = net === undefined ? pairMtu.get(i.link) : mtus.get(net);
    const fixed = mtu !== undefined && (i.mtu === undefined || i.mtu > mtu) ? { mtu } : {};
    interfaces.set(i.name, { ...i, ...fixed, mac: stableMac(`${lab}/${node.name}/${i.name}`) });
  }
  return { ...node, interfaces };
}

/** A locally administered unicast MAC ("02:" then 5 bytes of two FNV-1a hashes of key). */
export function stableMac(key: string): string {
  const a = fnv1a32(key);
  const b = fnv1a32(`${key}#`);
  const bytes = [0x02, a >>> 24, (a >>> 16) & 0xff, (a >>> 8) & 0xff, a & 0xff, b & 0xff];
  return bytes.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The machines with nodes on each network, in machine declaration order. */
function networkMachines(t: Topology, placement: ReadonlyMap<string, string>, order: readonly string[]): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const l of t.links) {
    if (l.kind !== 'bridged') continue;
    const m = placement.get(l.end.node);
    if (m !== undefined) sets.set(l.network, (sets.get(l.network) ?? new Set()).add(m));
  }
  return new Map([...sets].map(([net, s]) => [net, order.filter((m) => s.has(m))] as const));
}

/** The machine with most of a network's nodes (ties: the first declared); a network without nodes: the first machine. */
function homeOf(t: Topology, net: string, placement: ReadonlyMap<string, string>, where: readonly string[], order: readonly string[]): string | undefined {
  if (where.length === 0) return order[0];
  if (where.length === 1) return where[0];
  const count = new Map<string, number>();
  for (const l of t.links) {
    if (l.kind === 'bridged' && l.network === net) {
      const m = placement.get(l.end.node);
      if (m !== undefined) count.set(m, (count.get(m) ?? 0) + 1);
    }
  }
  let best = where[0]!;
  for (const m of where) if ((count.get(m) ?? 0) > (count.get(best) ?? 0)) best = m;
  return best;
}
