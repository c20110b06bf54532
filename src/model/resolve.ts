// Checked TopologyRaw -> Topology, the immutable model everything downstream consumes: kernel
// names minted (names.ts), addresses allocated (ipam.ts), links derived (links.ts), routes
// completed (routes.ts), firewalls (firewall.ts) and published ports (publish.ts) bound to
// addresses, every CIDR canonical. Runs only on a file without errors.
import { subnetFor } from '../topology/addressing.js';
import type { ExpectRaw, NetworkRaw, NodeRaw, TopologyRaw } from '../topology/raw.js';
import { formatCidr, parseAddress } from '../util/ip.js';
import { ifaceCidrs } from './address-inventory.js';
import type { Allocation } from './ipam.js';
import { resolveFirewall } from './firewall.js';
import { resolveExec, resolveFiles } from './files.js';
import type { HostFiles } from './files.js';
import { deriveLinks } from './links.js';
import { ifaceImpair } from './impair.js';
import type { HostNames } from './names.js';
import { networkAlias } from '../names/markers.js';
import { netnsName } from './names.js';
import { resolvePublish } from './publish.js';
import { nodeRoutes } from './routes.js';
import { networkVnis, resolveMachines } from './machines.js';
import type { Placement } from './placement.js';
import type { Expectation, Iface, Network, Node, Topology } from './types.js';

/** What resolveTopology needs: the checked raw topology and the results of names and IPAM. */
export interface ResolveInput {
  readonly raw: TopologyRaw;
  readonly lab: string;
  readonly names: HostNames;
  readonly alloc: Allocation;
  /** The `source:` files read from the host (model/files.ts checkFiles); none for a saved copy. */
  readonly host?: HostFiles | undefined;
  /** Node -> machine (model/placement.ts); empty without `machines:`. */
  readonly placement?: Placement;
}

/** The resolved lab. */
export function resolveTopology({ raw, lab, names, alloc, host, placement }: ResolveInput): Topology {
  const { links, ids } = deriveLinks(raw, lab, names);
  const spread = raw.machines.size > 0;
  const vnis = spread ? networkVnis(raw, lab) : undefined;
  const networks = new Map(
    [...raw.networks.values()].map((n) => {
      const net = resolveNetwork(n, lab, names);
      const vni = vnis?.get(n.name);
      return [n.name, vni === undefined ? net : { ...net, vni }] as const;
    }),
  );
  const input = { raw, lab, names, alloc, host };
  const context = reuseContext(input);
  const nodes = new Map([...raw.nodes.values()].map((n) => [n.name, reusedNode(input, context, n, ids) ?? resolveNode(input, n, ids)] as const));
  return {
    name: lab,
    networks,
    nodes,
    links,
    expect: raw.expect.map(resolveExpectation),
    file: raw.file,
    ...(names.owner === undefined ? {} : { owner: names.owner }),
    ...(spread ? { machines: resolveMachines(raw), placement: placement ?? new Map() } : {}),
  };
}

/**
 * Resolved plain nodes, by their parse. A long-lived process checks the same nodes again and again
 * (topology/memo.ts hands back the very parse of an unchanged node): a node whose parse, addresses,
 * links and context are all the same resolves to the same Node, and the same object lets later
 * stages (plan/resources.ts) reuse their work too. Only plain nodes (interfaces on networks,
 * nothing that depends on other nodes or on host files) are kept; the rest resolve afresh.
 * A WeakMap: an entry lives as long as the parse it is keyed by.
 */
const resolved = new WeakMap<NodeRaw, { readonly key: string; readonly node: Node }>();

/** What every node's resolution depends on besides the node: the lab, its owner tag, the networks. */
function reuseContext(input: ResolveInput): string {
  const nets = [...input.raw.networks.values()].map((n) => [
    n.name,
    n.ok,
    n.nat,
    n.subnets.map((s) => formatCidr(s.value)),
    n.gateways.map((g) => g.value.address),
  ]);
  return JSON.stringify([input.lab, input.names.owner ?? null, nets]);
}

/** The node resolved before, if it is plain and nothing it depends on changed; else undefined (and it is kept once resolved). */
function reusedNode(input: ResolveInput, context: string, n: NodeRaw, ids: ReadonlyMap<string, string>): Node | undefined {
  if (n.firewall || n.publish.length > 0 || n.files.length > 0) return undefined;
  let key = context;
  for (const i of n.interfaces.values()) {
    if (i.attach?.kind !== 'network') return undefined;
    const at = `${n.name}:${i.name}`;
    key += `|${i.name}=${(input.alloc.get(at) ?? []).map(formatCidr).join(',')}@${ids.get(at)}`;
  }
  const hit = resolved.get(n);
  if (hit?.key === key) return hit.node;
  const node = resolveNode(input, n, ids);
  resolved.set(n, { key, node });
  return node;
}

function resolveNetwork(n: NetworkRaw, lab: string, names: HostNames): Network {
  const gateways = n.gateways.map((g) => `${g.value.address}/${subnetFor(n, g.value.address)!.prefix}`);
  return {
    name: n.name,
    bridge: names.bridges.get(n.name)!,
    alias: networkAlias(lab, n.name, names.owner),
    subnets: n.subnets.map((s) => formatCidr(s.value)),
    gateways,
    nat: n.nat,
    span: n.span,
  };
}

function resolveNode(input: ResolveInput, n: NodeRaw, ids: ReadonlyMap<string, string>): Node {
  const interfaces = new Map<string, Iface>();
  for (const i of n.interfaces.values()) {
    const addresses = ifaceCidrs(input.raw, i, input.alloc).map(formatCidr);
    const mtu = i.mtu === undefined ? {} : { mtu: i.mtu };
    const masquerade = i.masquerade ? { masquerade: true as const } : {};
    interfaces.set(i.name, {
      name: i.name,
      addresses,
      link: ids.get(`${n.name}:${i.name}`)!,
      ...mtu,
      ...masquerade,
      ...ifaceImpair(input.raw, n.name, i.name),
      span: i.span,
    });
  }
  const addressesOf = (iface: string): ReturnType<typeof ifaceCidrs> => {
    const i = n.interfaces.get(iface);
    return i ? ifaceCidrs(input.raw, i, input.alloc) : [];
  };
  const firewall = resolveFirewall(input.raw, n, input.alloc);
  // Files live in the node's own mount namespace: one the runtime makes and a holder keeps.
  const isolate = new Set(n.files.length > 0 ? [...n.isolate, 'mount' as const] : n.isolate);
  return {
    name: n.name,
    netns: netnsName(input.lab, n.name),
    forwarding: n.forwarding,
    interfaces,
    routes: nodeRoutes(n, input.raw.networks, addressesOf),
    ...(firewall ? { firewall } : {}),
    publish: resolvePublish(input.raw, n, input.alloc),
    isolate,
    holder: isolate.size > 0,
    files: resolveFiles(n.files, input.host),
    exec: resolveExec(n.exec),
    ...(n.netnsOf === undefined ? {} : { netnsOf: n.netnsOf }),
    ...(n.hostname !== undefined ? { hostname: n.hostname } : n.isolate.includes('uts') ? { hostname: n.name } : {}),
    processes: n.processes,
    span: n.span,
  };
}

function resolveExpectation(e: ExpectRaw): Expectation {
  const to = e.to?.value ?? '';
  const within = e.withinMs === undefined ? {} : { withinMs: e.withinMs };
  return { from: e.from?.value ?? '', to: parseAddress(to)?.address ?? to, reach: e.reach, probe: e.probe, ...within, span: e.span };
}
