// Every address of a lab after IPAM, tagged with the namespace it lives in and the layer-2
// segment it is on. Duplicate and same-subnet checks (address-checks.ts) and resolve read it.
import { declaredCidrs } from '../topology/addressing.js';
import type { IfaceRaw, TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { Span } from '../topology/types.js';
import type { Cidr } from '../util/ip.js';
import { contains } from '../util/ip.js';
import type { Allocation } from './ipam.js';

/** The host namespace, as a namespace key. */
export const HOST = '';

/** One address in one namespace. */
export interface AddressEntry {
  /** Node name, or HOST. */
  readonly ns: string;
  /** Layer-2 segment: `net:<name>` for a bridge, the link for p2p and host links. */
  readonly segment: string;
  readonly cidr: Cidr;
  readonly span: Span;
  /** How messages name its owner: "interface 'a:eth0'", "the gateway of network 'lan'". */
  readonly who: string;
  /** Whether it is a network gateway (bridge address). */
  readonly gateway: boolean;
}

/** The addresses of an interface: declared, or allocated by IPAM. */
export function ifaceCidrs(raw: TopologyRaw, iface: IfaceRaw, alloc: Allocation): readonly Cidr[] {
  return alloc.get(`${iface.node}:${iface.name}`) ?? declaredCidrs(iface, raw.networks).map((c) => c.value);
}

/** Every readable address of the lab, in file order. */
export function addressInventory(raw: TopologyRaw, alloc: Allocation): AddressEntry[] {
  const out: AddressEntry[] = [];
  for (const net of raw.networks.values()) {
    if (!net.ok) continue;
    for (const g of net.gateways) {
      const sub = net.subnets.find((s) => s.value.family === g.value.family && contains(s.value, g.value.address));
      if (!sub) continue;
      const cidr = { ...g.value, prefix: sub.value.prefix };
      out.push({ ns: HOST, segment: `net:${net.name}`, cidr, span: g.span, who: `the gateway of network ${quote(net.name)}`, gateway: true });
    }
  }
  for (const node of raw.nodes.values()) {
    for (const iface of node.interfaces.values()) if (iface.ok) out.push(...ifaceEntries(raw, iface, alloc));
  }
  return out.sort((a, b) => a.span.line - b.span.line || a.span.col - b.span.col);
}

function ifaceEntries(raw: TopologyRaw, iface: IfaceRaw, alloc: Allocation): AddressEntry[] {
  const a = iface.attach;
  if (!a) return [];
  const name = `${iface.node}:${iface.name}`;
  const segment =
    a.kind === 'network'
      ? `net:${a.network.value}`
      : a.kind === 'peer'
        ? `p2p:${[name, `${a.peer.value.node}:${a.peer.value.iface}`].sort().join('|')}`
        : `host:${name}`;
  const who = `interface ${quote(name)}`;
  const spans = new Map(declaredCidrs(iface, raw.networks).map((c) => [c.value.address, c.span]));
  const own = ifaceCidrs(raw, iface, alloc).map((cidr) => ({
    ns: iface.node,
    segment,
    cidr,
    span: spans.get(cidr.address) ?? iface.span,
    who,
    gateway: false,
  }));
  if (a.kind !== 'host') return own;
  const hostWho = `the host end of ${quote(name)}`;
  return [...own, ...a.hostAddresses.map((h) => ({ ns: HOST, segment, cidr: h.value, span: h.span, who: hostWho, gateway: false }))];
}
