// The lab names a capture line puts next to raw addresses: a MAC becomes the node:iface (or the
// network's bridge) that owns it, an IP the node (node:iface when the node has several
// interfaces), a gateway "NET gateway", plus broadcast and the usual multicast groups. MACs come
// from the live state (the kernel picks them at random); addresses from the topology and the live
// state (which adds IPv6 link-local ones). Pure.
import type { NsSnapshot } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { contains, lastOf, parseCidr } from '../util/ip.js';

/** Names for addresses; undefined when the lab does not know one. */
export interface Namer {
  mac(mac: string): string | undefined;
  ip(address: string): string | undefined;
}

/** What the lab's namespaces hold now: per node (absent when its namespace is gone) and the host. */
export interface LiveView {
  readonly nodes: ReadonlyMap<string, NsSnapshot | undefined>;
  readonly host: NsSnapshot | undefined;
}

const MULTICAST6: Readonly<Record<string, string>> = { 'ff02::1': 'all-nodes', 'ff02::2': 'all-routers', 'ff02::16': 'mldv2-routers', 'ff02::fb': 'mdns' };

/** The names of one lab, from its topology and live state. */
export function labNamer(t: Topology, live: LiveView): Namer {
  const macs = new Map<string, string>();
  const ips = new Map<string, string>();
  const addr = (cidr: string, name: string): void => {
    const c = parseCidr(cidr);
    if (c && !ips.has(c.address)) ips.set(c.address, name);
  };
  const ipName = (node: string, iface: string): string => ((t.nodes.get(node)?.interfaces.size ?? 0) > 1 ? `${node}:${iface}` : node);
  for (const n of t.nodes.values()) for (const i of n.interfaces.values()) i.addresses.forEach((a) => addr(a, ipName(n.name, i.name)));
  for (const net of t.networks.values()) net.gateways.forEach((g) => addr(g, `${net.name} gateway`));
  for (const l of t.links) if (l.kind === 'host') l.hostAddresses.forEach((a) => addr(a, `host:${l.hostEnd}`));
  for (const [node, snap] of live.nodes) {
    for (const l of snap?.links ?? []) if (l.name !== 'lo') macs.set(l.mac, `${node}:${l.name}`);
    for (const a of snap?.addrs ?? []) if (a.dev !== 'lo') addr(a.cidr, ipName(node, a.dev));
  }
  const hostNames = hostLinkNames(t);
  for (const l of live.host?.links ?? []) {
    const name = hostNames.get(l.name);
    if (name !== undefined && !macs.has(l.mac)) macs.set(l.mac, name);
  }
  for (const a of live.host?.addrs ?? []) {
    const name = hostNames.get(a.dev);
    if (name !== undefined) addr(a.cidr, name);
  }
  const broadcasts = subnetBroadcasts(t);
  return {
    mac: (m) => macs.get(m) ?? specialMac(m),
    ip: (a) => ips.get(a) ?? broadcasts.get(a) ?? specialIp(a),
  };
}

/** The lab's links in the host namespace: bridges as their network, host ends as `host:NAME`. */
function hostLinkNames(t: Topology): Map<string, string> {
  const out = new Map<string, string>();
  for (const net of t.networks.values()) out.set(net.bridge, `${net.name} ${net.gateways.length > 0 ? 'gateway' : 'bridge'}`);
  for (const l of t.links) if (l.kind !== 'p2p') out.set(l.hostEnd, `host:${l.hostEnd}`);
  return out;
}

/** "NET broadcast" for the last address of each IPv4 subnet. */
function subnetBroadcasts(t: Topology): Map<string, string> {
  const out = new Map<string, string>();
  for (const net of t.networks.values()) {
    for (const s of net.subnets) {
      const c = parseCidr(s);
      if (c?.family === 4 && c.prefix < 31) out.set(lastOf(c), `${net.name} broadcast`);
    }
  }
  return out;
}

function specialMac(m: string): string | undefined {
  if (m === 'ff:ff:ff:ff:ff:ff') return 'broadcast';
  if (m.startsWith('33:33:')) return 'ipv6 multicast';
  if (m.startsWith('01:00:5e:')) return 'ipv4 multicast';
  return undefined;
}

const SOLICITED = parseCidr('ff02::1:ff00:0/104');
const MULTICAST4 = parseCidr('224.0.0.0/4');

function specialIp(a: string): string | undefined {
  if (a === '255.255.255.255') return 'broadcast';
  if (MULTICAST6[a]) return MULTICAST6[a];
  if (a.includes(':') && SOLICITED && contains(SOLICITED, a)) return 'solicited-node';
  if (!a.includes(':') && MULTICAST4 && contains(MULTICAST4, a)) return 'multicast';
  return undefined;
}
