// `show`: one lab (or one node) as the kernel has it now: nodes with interfaces, addresses,
// routes and neighbours, and networks with their bridge, gateway and ports. Data only; the CLI
// renders it as tables or JSON.
import type { Kernel, LiveLink, LiveNeigh, LiveRoute, NsSnapshot } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import { nftTableName } from '../names/markers.js';
import { HOST_NS } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { NslabError } from '../util/errors.js';
import type { KernelFactory } from './kernel.js';
import { linuxKernel } from './kernel.js';
import { loadLabLazy } from './load-lazy.js';
import { labJournal } from '../state/store.js';
import { nftNamespaces } from './preflight.js';
import { readRuntime } from '../state/runtime.js';
import { runtimeMarks } from './shaping.js';
import { inForce, nftLoss, rootOf } from './show-shaping.js';
import { partFor } from './machine.js';

/** One interface as shown. */
export interface ShownIface {
  readonly name: string;
  readonly state: string;
  readonly up: boolean;
  readonly mac: string;
  readonly mtu: number;
  readonly addresses: readonly string[];
  /** What the other end is: "network lan", "r1:eth1", "host demo-probe-eth0". */
  readonly to?: string;
  readonly stats?: LiveLink['stats'];
  /** Link properties in force: what this end sends (`out`) and, on a network or host link, what the host end sends it (`in`). */
  readonly shaping?: { readonly out?: string; readonly in?: string };
  /** Runtime changes on this interface ("runtime: down", "runtime: impaired"). */
  readonly runtime?: readonly string[];
}

/**
 * One route as shown: every protocol (the lab's static routes, the kernel's, a routing daemon's),
 * with its metric and, for a multipath route, every next hop with its weight.
 */
export type ShownRoute = LiveRoute;

/** One node as shown; `present: false` when its namespace is missing. */
export interface ShownNode {
  readonly name: string;
  readonly netns: string;
  readonly present: boolean;
  readonly interfaces: readonly ShownIface[];
  readonly routes: readonly ShownRoute[];
  readonly neighbours: readonly LiveNeigh[];
  /** The lab's nftables table in this node (`nft list table inet nslab-<lab>`), if it has one. */
  readonly rules?: string;
}

/** One network as shown. */
export interface ShownNetwork {
  readonly name: string;
  readonly bridge: string;
  readonly present: boolean;
  readonly state: string;
  readonly gateways: readonly string[];
  readonly ports: readonly string[];
}

/** What `show` returns. */
export interface Shown {
  readonly lab: string;
  readonly hostNetns?: string;
  readonly nodes: readonly ShownNode[];
  readonly networks: readonly ShownNetwork[];
  /** The lab's table in the host namespace (NAT, published ports), if it has one. */
  readonly hostRules?: string;
  /** With `--as`: the machine shown, every machine with its nodes, and this machine's tunnels. */
  readonly machine?: string;
  readonly machines?: readonly { readonly name: string; readonly address: string; readonly nodes: readonly string[] }[];
  readonly tunnels?: readonly ShownTunnel[];
}

/** A network's vxlan port on this machine, as the kernel has it. */
export interface ShownTunnel {
  readonly network: string;
  readonly device: string;
  readonly vni: number;
  /** The other machines' underlay addresses it floods to. */
  readonly remotes: readonly string[];
  readonly state: string;
  readonly mtu?: number;
}

/** Options of `show`. */
export interface ShowOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  readonly node?: string;
  /** `--as MACHINE`: one machine's part of a lab over machines (the caller passes its state root). */
  readonly machine?: string;
  readonly openKernel?: KernelFactory;
}

/** Read the live state of a lab. */
export async function show(opts: ShowOptions): Promise<Shown> {
  const root = opts.state;
  const whole = (await loadLabLazy(root, opts.lab)).topology;
  const topology = opts.machine === undefined ? whole : partFor(whole, opts.machine);
  if (opts.node !== undefined && !topology.nodes.has(opts.node)) {
    throw new NslabError('no-node', `lab ${opts.lab} has no node ${opts.node} (nodes: ${[...topology.nodes.keys()].join(', ')})`, 2);
  }
  const journal = labJournal(root, opts.lab);
  const hostNetns = journal.meta?.hostNetns;
  // Only tables the lab made are listed, so a lab without NAT, firewall or publish never needs libnftables.
  const tables = nftNamespaces(journal.owned);
  const kernel = await (opts.openKernel ?? linuxKernel)(hostNetns ? { hostNetns } : {});
  try {
    const host = kernel.snapshot(HOST_NS, { stats: true, qdiscs: true });
    const marks = runtimeMarks(readRuntime(root, opts.lab));
    const nodes = [...topology.nodes.values()]
      .filter((n) => opts.node === undefined || n.name === opts.node)
      .map((n) => showNode(kernel, topology, n.name, tables, { host, marks }));
    const networks = opts.node === undefined ? [...topology.networks.values()].map((n) => showNetwork(host, n.bridge, n.name)) : [];
    const hostRules = opts.node === undefined && tables.has(HOST_NS) ? kernel.nftList(HOST_NS, nftTableName(topology.name)) : undefined;
    const spread = opts.machine === undefined ? {} : machinesOf(whole, topology, opts.machine, host);
    return { lab: topology.name, ...(hostNetns ? { hostNetns } : {}), nodes, networks, ...(hostRules ? { hostRules } : {}), ...spread };
  } finally {
    kernel.close();
  }
}

/** The machines of the lab with their nodes, and this machine's tunnels as the host namespace has them. */
function machinesOf(whole: Topology, part: Topology, machine: string, host: NsSnapshot | undefined): Pick<Shown, 'machine' | 'machines' | 'tunnels'> {
  const machines = [...(whole.machines?.values() ?? [])].map((m) => ({
    name: m.name,
    address: m.address,
    nodes: [...(whole.placement ?? [])].filter(([, x]) => x === m.name).map(([n]) => n),
  }));
  const tunnels = (part.part?.tunnels ?? []).map((x) => {
    const l = host?.links.find((y) => y.name === x.device);
    return { network: x.network, device: x.device, vni: x.vni, remotes: x.remotes, state: l?.operstate ?? 'MISSING', ...(l ? { mtu: l.mtu } : {}) };
  });
  return { machine, machines, tunnels };
}

function showNode(
  kernel: Kernel,
  t: Topology,
  name: string,
  tables: ReadonlySet<string>,
  extra: { host: NsSnapshot | undefined; marks: ReadonlyMap<string, readonly string[]> },
): ShownNode {
  const node = t.nodes.get(name)!;
  const snap = kernel.snapshot(node.netns, { neighbours: true, stats: true, qdiscs: true });
  if (!snap) return { name, netns: node.netns, present: false, interfaces: [], routes: [], neighbours: [] };
  const table = tables.has(node.netns) ? kernel.nftList(node.netns, nftTableName(t.name)) : undefined;
  const loss = nftLoss(table);
  const interfaces = snap.links.map((l) => ({
    name: l.name,
    state: l.operstate,
    up: l.up,
    mac: l.mac,
    mtu: l.mtu,
    addresses: snap.addrs.filter((a) => a.dev === l.name).map((a) => a.cidr),
    ...peerText(t, name, l.name),
    ...(l.stats ? { stats: l.stats } : {}),
    ...shapingOf(t, node.name, l.name, snap, extra.host, loss),
    ...(extra.marks.has(`${name}:${l.name}`) ? { runtime: extra.marks.get(`${name}:${l.name}`)! } : {}),
  }));
  const rules = node.firewall ? table : undefined;
  return {
    name,
    netns: node.netns,
    present: true,
    interfaces,
    routes: snap.routes.filter((r) => r.type === 'unicast'),
    neighbours: snap.neighbours,
    ...(rules ? { rules } : {}),
  };
}

function shapingOf(
  t: Topology,
  node: string,
  iface: string,
  snap: NsSnapshot,
  host: NsSnapshot | undefined,
  loss: ReadonlyMap<string, number>,
): { shaping?: { out?: string; in?: string } } {
  const out = inForce(rootOf(snap, iface), loss.get(`${iface}:out`));
  const id = t.nodes.get(node)?.interfaces.get(iface)?.link;
  const l = t.links.find((x) => x.id === id);
  const inn = l && l.kind !== 'p2p' ? inForce(rootOf(host, l.hostEnd), loss.get(`${iface}:in`)) : undefined;
  if (out === undefined && inn === undefined) return {};
  return { shaping: { ...(out ? { out } : {}), ...(inn ? { in: inn } : {}) } };
}

function peerText(t: Topology, node: string, iface: string): { to?: string } {
  const id = t.nodes.get(node)?.interfaces.get(iface)?.link;
  const l = t.links.find((x) => x.id === id);
  if (!l) {
    // A machine's end of a link to another machine: the vxlan pair's far end, and where it is.
    const pair = t.part?.pairs.find((p) => p.node === node && p.iface === iface);
    return pair ? { to: `${pair.peer.node}:${pair.peer.iface} (vxlan ${pair.vni} to ${pair.peer.machine})` } : {};
  }
  if (l.kind === 'bridged') return { to: `network ${l.network}` };
  if (l.kind === 'host') return { to: `host ${l.hostEnd}` };
  const other = l.a.node === node && l.a.iface === iface ? l.b : l.a;
  return { to: `${other.node}:${other.iface}` };
}

function showNetwork(host: NsSnapshot | undefined, bridge: string, name: string): ShownNetwork {
  const br = host?.links.find((l) => l.name === bridge);
  return {
    name,
    bridge,
    present: br !== undefined,
    state: br?.operstate ?? 'MISSING',
    gateways: host?.addrs.filter((a) => a.dev === bridge).map((a) => a.cidr) ?? [],
    ports: host?.links.filter((l) => l.master === bridge).map((l) => l.name) ?? [],
  };
}
