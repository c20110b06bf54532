// Topology -> the desired kernel objects, as a flat list of resources in build order.
// Order is by phase (see Phase), then by node declaration order, so that every namespace's
// rtnetlink work is contiguous and goes to the kernel as one batch (notes/kernel.md).
import type { KernelOp, NsRef } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import { type HostPublish, renderHostTable } from '../nft/render.js';
import { type LinkEnd, linkEnds, nodeTableScript, qdiscOf, type ShapingSupport } from './impair.js';
import { markerHead, netnsGroup, nftTableName } from '../names/markers.js';
import { resourceId, type ResourceId } from '../names/resource-id.js';
import type { Iface, Link, Node, PairEnd, Publish, Topology, Tunnel } from '../model/types.js';
import { VXLAN_PORT } from '../model/machines.js';
import { formatCidr, networkOf, parseCidr } from '../util/ip.js';
import type { Owned } from './live.js';
import { mtuCarriesIpv6, opNs } from '../ops/scope.js';

/**
 * Build phases. Namespaces must all exist before veths are created (a veth's far end lands in
 * another node's namespace), and host ends of veths exist only after the node batches ran.
 */
export const Phase = {
  HostPre: 0, // bridges and their gateway addresses
  Netns: 1, // every namespace
  Sysctl: 2, // per-namespace settings (forwarding), set right after the namespace exists
  Nodes: 3, // per node, one batch: lo up, veths it creates, ends to bring up, addresses, routes
  HostPost: 4, // host ends of veths: alias (ownership marker), master, up; host addresses
} as const;
/** A build phase number. */
export type Phase = (typeof Phase)[keyof typeof Phase];

/** One desired object. `kind: 'config'` is state of an object (link.set) and is never journaled. */
export interface Resource {
  readonly id: ResourceId;
  readonly kind: 'netns' | 'link' | 'config' | 'addr' | 'route' | 'sysctl' | 'nft' | 'qdisc' | 'fdb';
  readonly phase: Phase;
  readonly op: KernelOp;
}

/**
 * All resources of a lab, ordered for building. `support` says whether the kernel has sch_netem
 * (plan/impair.ts): without it, loss becomes nft rules.
 */
export function desiredResources(t: Topology, support: ShapingSupport = { netem: false }): Resource[] {
  const ipv6 = labUsesIpv6(t);
  const out: Resource[] = [];
  for (const net of t.networks.values()) {
    out.push(
      link(HOST_NS, net.bridge, Phase.HostPre, {
        op: 'link.create',
        kind: 'bridge',
        ns: HOST_NS,
        name: net.bridge,
        alias: net.alias,
        ipv6: net.subnets.some((s) => s.includes(':')),
        up: true,
      }),
    );
    for (const gw of net.gateways) out.push(addr(HOST_NS, net.bridge, gw, Phase.HostPre));
  }
  for (const tunnel of t.part?.tunnels ?? []) out.push(...tunnelResources(t, tunnel));
  const context = `${t.name}\0${t.owner ?? ''}\0${ipv6}\0${support.netem}`;
  for (const node of t.nodes.values()) out.push(...(reusedNode(t, context, node, ipv6, support) ?? nodeAll(t, node, ipv6, support)));
  for (const l of t.links) out.push(...hostEndResources(l, t));
  hostEndsDone();
  out.push(...qdiscResources(t, support, HOST_NS));
  out.push(...hostRules(t));
  return byPhase(out);
}

/** A stable sort by phase in one pass (phases are few and small; a big lab has thousands of resources). */
function byPhase(list: readonly Resource[]): Resource[] {
  const buckets: Resource[][] = Object.values(Phase).map(() => []);
  for (const r of list) buckets[r.phase]?.push(r);
  return buckets.flat();
}

/** Everything of one node: its namespace, settings, links, addresses, routes, qdiscs and table. */
function nodeAll(t: Topology, node: Node, ipv6: boolean, support: ShapingSupport): Resource[] {
  const ns: Resource =
    node.netnsOf === undefined
      ? {
          id: resourceId.netns(node.netns),
          kind: 'netns',
          phase: Phase.Netns,
          op: { op: 'netns.create', name: node.netns, group: netnsGroup(t.name, t.owner) },
        }
      : { id: resourceId.attach(node.netns), kind: 'netns', phase: Phase.Netns, op: { op: 'netns.attach', name: node.netns, pid: node.netnsOf } };
  return [ns, ...nodeSysctls(node), ...nodeResources(t, node, ipv6, support)];
}

/**
 * A plain node's resources, by its (immutable) model. A long-lived process resolves an unchanged
 * node to the same Node object (model/resolve.ts), and gets the very same resources back here:
 * then comparing them with the previous up's (plan/trust.ts) costs a lookup, not a rendering.
 * Plain: interfaces on networks only, unshaped, no masquerade, no firewall, a namespace of its own;
 * the key holds the rest (lab, owner, IPv6, netem, and each interface's link).
 */
const reused = new WeakMap<Node, { readonly key: string; readonly resources: readonly Resource[] }>();

function reusedNode(t: Topology, context: string, node: Node, ipv6: boolean, support: ShapingSupport): readonly Resource[] | undefined {
  if (node.firewall || node.netnsOf !== undefined) return undefined;
  let key = context;
  for (const iface of node.interfaces.values()) {
    const l = linkOf(t, iface.link);
    if (!l || l.kind === 'p2p' || iface.shape || iface.masquerade) return undefined;
    key += `|${linkKey(l)}`;
  }
  const hit = reused.get(node);
  if (hit?.key === key) return hit.resources;
  const resources = nodeAll(t, node, ipv6, support);
  reused.set(node, { key, resources });
  return resources;
}

/** A link's text for reusedNode's key, once per link object (an unchanged lab keeps its link objects). */
const linkKeys = new WeakMap<Link, string>();

function linkKey(l: Link): string {
  let k = linkKeys.get(l);
  if (k === undefined) {
    k = JSON.stringify(l);
    linkKeys.set(l, k);
  }
  return k;
}

function nodeSysctls(node: Node): Resource[] {
  if (!node.forwarding) return [];
  return ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding'].map((key) => ({
    id: resourceId.sysctl(node.netns, key),
    kind: 'sysctl' as const,
    phase: Phase.Sysctl,
    op: { op: 'sysctl.set' as const, ns: node.netns, key, value: '1' },
  }));
}

function nodeResources(t: Topology, node: Node, ipv6: boolean, support: ShapingSupport): Resource[] {
  const ns = node.netns;
  const out: Resource[] = [config(ns, 'lo', Phase.Nodes, { op: 'link.set', ns, name: 'lo', up: true })];
  for (const iface of node.interfaces.values()) {
    const l = linkOf(t, iface.link);
    if (!l) {
      const end = pairEndOf(t, node.name, iface.name);
      if (!end) continue;
      out.push(pairEndResource(node, iface, end, ipv6));
      if (iface.down) out.push(config(ns, iface.name, Phase.Nodes, { op: 'link.set', ns, name: iface.name, up: false }));
      for (const a of iface.addresses) out.push(addr(ns, iface.name, a, Phase.Nodes));
      continue;
    }
    const mtu = iface.mtu === undefined ? {} : { mtu: iface.mtu };
    if (l.kind === 'p2p' && l.b.node === node.name) {
      // The pair was created by the `a` node's batch, which ran earlier: just bring this end up.
      out.push(config(ns, iface.name, Phase.Nodes, { op: 'link.set', ns, name: iface.name, up: iface.down !== true }));
    } else {
      const peer = l.kind === 'p2p' ? { ns: nodeNetns(t, l.b.node), name: l.b.iface, ...peerMtu(t, l) } : { ns: HOST_NS, name: l.hostEnd, ...mtu };
      // ipv6:false (addr_gen_mode none on both ends) only when both ends can carry IPv6: below
      // its minimum MTU a link has no IPv6 state, Linux refuses the setting, and there is no
      // link-local to prevent. (A pair with one end below and one above keeps a link-local on
      // the other end: mismatched MTUs on one veth pair are a misconfiguration of their own.)
      const v6 = ipv6 || !mtuCarriesIpv6(iface.mtu) || !mtuCarriesIpv6(peer.mtu);
      const mac = iface.mac === undefined ? {} : { mac: iface.mac };
      out.push(
        link(ns, iface.name, Phase.Nodes, { op: 'link.create', kind: 'veth', ns, name: iface.name, ...mtu, ...mac, ipv6: v6, up: iface.down !== true, peer }),
      );
      // A link declared (or set at run time) down: this end stays down, the far end sees no carrier.
      if (iface.down) out.push(config(ns, iface.name, Phase.Nodes, { op: 'link.set', ns, name: iface.name, up: false }));
    }
    for (const a of iface.addresses) out.push(addr(ns, iface.name, a, Phase.Nodes));
  }
  for (const r of node.routes) {
    const op: KernelOp = { op: 'route.add', ns, to: r.to, ...(r.via ? { via: r.via } : {}), ...(r.dev ? { dev: r.dev } : {}) };
    out.push({ id: resourceId.route(ns, r.to), kind: 'route', phase: Phase.Nodes, op });
  }
  out.push(...qdiscResources(t, support, ns));
  const table = nodeTableScript(t, node, support);
  if (table !== undefined) out.push(nft(ns, t.name, table, Phase.Nodes));
  return out;
}

/**
 * The host end of a bridged link, by what decides it (name, alias, bridge, IPv6): the last lab
 * planned and this one's, so that a long-lived process's next plan of the same lab gets the very
 * same resources back (plan/trust.ts then compares objects it has seen, not a thousand fresh ones).
 */
let hostEndsBefore = new Map<string, readonly Resource[]>();
let hostEndsNow = new Map<string, readonly Resource[]>();

function hostEndResources(l: Link, t: Topology): readonly Resource[] {
  if (l.kind !== 'bridged') return hostEndFresh(l, t);
  const key = `${l.hostEnd}\0${l.alias}\0${t.networks.get(l.network)?.bridge}\0${t.nodes.get(l.end.node)?.interfaces.get(l.end.iface)?.mtu}`;
  const r = hostEndsNow.get(key) ?? hostEndsBefore.get(key) ?? hostEndFresh(l, t);
  hostEndsNow.set(key, r);
  return r;
}

/** A plan is done with host ends: what it did not use is dropped (plan/resources.ts keeps one plan's worth). */
function hostEndsDone(): void {
  hostEndsBefore = hostEndsNow;
  hostEndsNow = new Map();
}

function hostEndFresh(l: Link, t: Topology): Resource[] {
  if (l.kind === 'p2p') return [];
  const base = { op: 'link.set' as const, ns: HOST_NS, name: l.hostEnd, alias: l.alias, up: true };
  // The host end has its node end's MTU; below IPv6's minimum it has no IPv6 to switch off.
  const noV6 = mtuCarriesIpv6(t.nodes.get(l.end.node)?.interfaces.get(l.end.iface)?.mtu) ? { ipv6: false as const } : {};
  if (l.kind === 'bridged') {
    const bridge = t.networks.get(l.network)?.bridge;
    return [config(HOST_NS, l.hostEnd, Phase.HostPost, { ...base, ...(bridge ? { master: bridge } : {}), ...noV6 })];
  }
  const v6 = l.hostAddresses.some((a) => a.includes(':'));
  return [
    config(HOST_NS, l.hostEnd, Phase.HostPost, v6 ? base : { ...base, ...noV6 }),
    ...l.hostAddresses.map((a) => addr(HOST_NS, l.hostEnd, a, Phase.HostPost)),
  ];
}

/**
 * A network's tunnel to the other machines (model/machine-part.ts): the vxlan device made with the
 * bridges, then, once the host ends are done, enslaved to the network's bridge, and one default
 * FDB entry per remote machine. It stays in the machine's host namespace, whose routing carries
 * its UDP, like the bridge it is a port of.
 */
function tunnelResources(t: Topology, x: Tunnel): Resource[] {
  const bridge = t.networks.get(x.network)?.bridge;
  const create: KernelOp = {
    op: 'link.create',
    kind: 'vxlan',
    ns: HOST_NS,
    name: x.device,
    vni: x.vni,
    port: VXLAN_PORT,
    local: x.local,
    ...(x.dev !== undefined ? { dev: x.dev } : {}),
    mtu: x.mtu,
    alias: x.alias,
    // No IPv6 link-local on the tunnel itself (below IPv6's minimum MTU there is none to switch off).
    ipv6: !mtuCarriesIpv6(x.mtu),
    up: true,
  };
  const out = [link(HOST_NS, x.device, Phase.HostPre, create)];
  if (bridge) out.push(config(HOST_NS, x.device, Phase.HostPost, { op: 'link.set', ns: HOST_NS, name: x.device, master: bridge, up: true }));
  for (const dst of x.remotes) {
    out.push({ id: resourceId.fdb(HOST_NS, x.device, dst), kind: 'fdb', phase: Phase.HostPost, op: { op: 'fdb.append', ns: HOST_NS, dev: x.device, dst } });
  }
  return out;
}

/** This machine's end of a point-to-point link to another machine at a node's interface, if it is one. */
function pairEndOf(t: Topology, node: string, iface: string): PairEnd | undefined {
  return t.part?.pairs.find((p) => p.node === node && p.iface === iface);
}

/**
 * A node's end of a point-to-point link between machines (model/machine-part.ts PairEnd): the
 * interface is a vxlan device made in the node's namespace from the host's, so that its UDP socket
 * and `local` stay in the host namespace (whose routing reaches the other machine) while the node
 * sees a plain interface. Journaled and removed in the node's namespace like a veth end there.
 */
function pairEndResource(node: Node, iface: Iface, end: PairEnd, ipv6: boolean): Resource {
  const ns = node.netns;
  const create: KernelOp = {
    op: 'link.create',
    kind: 'vxlan',
    ns,
    name: iface.name,
    vni: end.vni,
    port: VXLAN_PORT,
    local: end.local,
    remote: end.remote,
    // No underlay `dev`: the host's routing to the unicast remote picks it (an ifindex would be
    // the host namespace's, which a request about a device in the node's cannot name).
    underlay: HOST_NS,
    ...(iface.mac !== undefined ? { mac: iface.mac } : {}),
    mtu: end.mtu,
    ipv6: ipv6 || !mtuCarriesIpv6(end.mtu),
    up: iface.down !== true,
  };
  return link(ns, iface.name, Phase.Nodes, create);
}

/**
 * The host's part of NAT and published ports: the lab's table in the host namespace, and IPv4
 * forwarding there (restored on teardown to what it was).
 */
function hostRules(t: Topology): Resource[] {
  const nat = [...t.networks.values()].filter((n) => n.nat).map((n) => ({ network: n.name, bridge: n.bridge, subnets: n.subnets }));
  const publish = [...t.nodes.values()].flatMap((node) => node.publish.map((p) => hostPublish(t, node, p)));
  if (nat.length === 0 && publish.length === 0) return [];
  return [
    {
      id: resourceId.sysctl(HOST_NS, 'net.ipv4.ip_forward'),
      kind: 'sysctl',
      phase: Phase.HostPost,
      op: { op: 'sysctl.set', ns: HOST_NS, key: 'net.ipv4.ip_forward', value: '1' },
    },
    nft(HOST_NS, t.name, renderHostTable({ lab: t.name, nat, publish, mark: markerHead(t.name, t.owner) }), Phase.HostPost),
  ];
}

function hostPublish(t: Topology, node: Node, p: Publish): HostPublish {
  const iface = [...node.interfaces.values()].find((i) => i.addresses.some((a) => a.split('/')[0] === p.nodeAddress));
  const cidr = iface?.addresses.find((a) => a.split('/')[0] === p.nodeAddress);
  const parsed = cidr ? parseCidr(cidr) : undefined;
  const link = t.links.find((l) => l.id === iface?.link);
  const bridge = link?.kind === 'bridged' ? t.networks.get(link.network)?.bridge : undefined;
  return {
    node: node.name,
    hostPort: p.hostPort,
    nodePort: p.nodePort,
    proto: p.proto,
    nodeAddress: p.nodeAddress,
    subnet: parsed ? formatCidr(networkOf(parsed)) : `${p.nodeAddress}/32`,
    ...(bridge ? { bridge } : {}),
    ...(p.hostAddress ? { hostAddress: p.hostAddress } : {}),
  };
}

/** A root qdisc on every shaped link end: node ends in their node's batch, host ends after the host ends are set up. */
function qdiscResources(t: Topology, support: ShapingSupport, ns: NsRef): Resource[] {
  const out: Resource[] = [];
  for (const e of endsIn(t, ns)) {
    const { qdisc } = qdiscOf(e.shape, e.mtu, support);
    if (!qdisc) continue;
    const phase = e.ns === HOST_NS ? Phase.HostPost : Phase.Nodes;
    out.push({ id: resourceId.qdisc(e.ns, e.dev), kind: 'qdisc', phase, op: { op: 'qdisc.replace', ns: e.ns, dev: e.dev, qdisc } });
  }
  return out;
}

/** The link ends by namespace, once per topology: asked per node, a full scan each time made a big lab's plan quadratic. */
const endsByNs = new WeakMap<Topology, Map<NsRef, LinkEnd[]>>();

function endsIn(t: Topology, ns: NsRef): readonly LinkEnd[] {
  let m = endsByNs.get(t);
  if (!m) {
    m = new Map();
    for (const e of linkEnds(t)) {
      const list = m.get(e.ns);
      if (list) list.push(e);
      else m.set(e.ns, [e]);
    }
    endsByNs.set(t, m);
  }
  return m.get(ns) ?? [];
}

/** The lab's links by id, once per topology (each interface looks its link up). */
const linksById = new WeakMap<Topology, Map<string, Topology['links'][number]>>();

function linkOf(t: Topology, id: string): Topology['links'][number] | undefined {
  let m = linksById.get(t);
  if (!m) {
    m = new Map(t.links.map((l) => [l.id, l]));
    linksById.set(t, m);
  }
  return m.get(id);
}

function nft(ns: NsRef, lab: string, script: string, phase: Phase): Resource {
  const table = nftTableName(lab);
  return { id: resourceId.nft(ns, table), kind: 'nft', phase, op: { op: 'nft.load', ns, table, script } };
}

/** Whether any subnet or address of the lab is IPv6 (else links get no IPv6 link-local). */
export function labUsesIpv6(t: Topology): boolean {
  // The model's CIDRs are canonical text: an IPv6 one, and only it, has a colon.
  const v6 = (c: string): boolean => c.includes(':');
  for (const n of t.networks.values()) if (n.subnets.some(v6)) return true;
  for (const node of t.nodes.values()) {
    for (const i of node.interfaces.values()) if (i.addresses.some(v6)) return true;
  }
  return t.links.some((l) => l.kind === 'host' && l.hostAddresses.some(v6));
}

function nodeNetns(t: Topology, name: string): string {
  return t.nodes.get(name)?.netns ?? `${t.name}-${name}`;
}

function peerMtu(t: Topology, l: Extract<Link, { kind: 'p2p' }>): { mtu?: number } {
  const mtu = t.nodes.get(l.b.node)?.interfaces.get(l.b.iface)?.mtu;
  return mtu === undefined ? {} : { mtu };
}

function link(ns: NsRef, name: string, phase: Phase, op: KernelOp): Resource {
  return { id: resourceId.link(ns, name), kind: 'link', phase, op };
}

function config(ns: NsRef, name: string, phase: Phase, op: KernelOp): Resource {
  return { id: resourceId.config(ns, name), kind: 'config', phase, op };
}

function addr(ns: NsRef, dev: string, cidr: string, phase: Phase): Resource {
  return { id: resourceId.addr(ns, dev, cidr), kind: 'addr', phase, op: { op: 'addr.add', ns, dev, cidr } };
}

/** What planning needs read from the kernel: the lab's namespaces and the sysctls it sets. */
export function liveQueryOf(
  t: Topology,
  owned: Owned,
  desired: readonly Resource[] = desiredResources(t),
): { namespaces: string[]; sysctls: Array<{ ns: NsRef; key: string }>; tables: NsRef[]; qdiscs: boolean } {
  // Each once, in one pass over each list: a big lab's journal has thousands of records.
  const namespaces = new Set<string>();
  for (const n of t.nodes.values()) namespaces.add(n.netns);
  const sysctls: Array<{ ns: NsRef; key: string }> = [];
  const tables = new Set<NsRef>();
  for (const r of desired) {
    if (r.op.op === 'sysctl.set') sysctls.push({ ns: r.op.ns, key: r.op.key });
    else if (r.op.op === 'nft.load') tables.add(r.op.ns);
  }
  for (const r of owned.values()) {
    namespaces.add(opNs(r.op));
    if (r.op.op === 'nft.load') tables.add(r.op.ns);
  }
  // Root qdiscs are read always: shaping the file no longer asks for must be found to be removed.
  return { namespaces: [...namespaces], sysctls, tables: [...tables], qdiscs: true };
}
