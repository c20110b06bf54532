// Published ports after IPAM: each forwards to the node's first IPv4 address. The checks that
// go with it run in load before resolve: a node that publishes needs an IPv4 address (error),
// and the host should have a connected route to it (else a warning: only a route the user
// adds on the host makes the port reachable).
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { IfaceRaw, NodeRaw, TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import { contains } from '../util/ip.js';
import { ifaceCidrs } from './address-inventory.js';
import type { Allocation } from './ipam.js';
import type { Publish } from './types.js';

/** The node's first IPv4 address after IPAM (interface order) and the interface holding it. */
export function firstIPv4(raw: TopologyRaw, n: NodeRaw, alloc: Allocation): { address: string; iface: IfaceRaw } | undefined {
  for (const iface of n.interfaces.values()) {
    const c = ifaceCidrs(raw, iface, alloc).find((x) => x.family === 4);
    if (c) return { address: c.address, iface };
  }
  return undefined;
}

/** Why the host has no connected route to address on iface, or undefined when it has one. */
function noHostRoute(raw: TopologyRaw, iface: IfaceRaw, address: string): string | undefined {
  const a = iface.attach;
  if (a?.kind === 'peer') return `it is on the point-to-point link ${quote(`${iface.node}:${iface.name}`)}`;
  if (a?.kind === 'host') {
    return a.hostAddresses.some((h) => h.value.family === 4 && contains(h.value, address))
      ? undefined
      : `the host end of ${quote(`${iface.node}:${iface.name}`)} has no address in its subnet`;
  }
  const net = a ? raw.networks.get(a.network.value) : undefined;
  const sub = net?.subnets.find((s) => contains(s.value, address));
  const gw = sub && net?.gateways.some((g) => g.value.family === 4 && contains(sub.value, g.value.address));
  return gw ? undefined : `network ${quote(a?.kind === 'network' ? a.network.value : '')} has no IPv4 gateway, the bridge's address in the host`;
}

/** Report nodes that publish ports but have no IPv4 address, or one the host has no route to. */
export function checkPublished(raw: TopologyRaw, alloc: Allocation, sink: IssueSink): void {
  for (const n of raw.nodes.values()) {
    const first = n.publish[0];
    if (!first || !n.interfacesOk) continue;
    const target = firstIPv4(raw, n, alloc);
    if (!target) {
      sink.error(
        first.span,
        IssueCode.NoAddress,
        `node ${quote(n.name)} publishes ports but has no IPv4 address to forward them to (the first IPv4 address of its interfaces receives them)`,
      );
      continue;
    }
    const why = noHostRoute(raw, target.iface, target.address);
    if (why) sink.warn(first.span, IssueCode.HostRoute, `published port of ${quote(n.name)} is reachable only if the host routes to ${target.address}: ${why}`);
  }
}

/** The resolved published ports of a node (empty when it has no IPv4 address). */
export function resolvePublish(raw: TopologyRaw, n: NodeRaw, alloc: Allocation): Publish[] {
  const target = firstIPv4(raw, n, alloc);
  if (!target) return [];
  return n.publish.map((p) => ({
    hostPort: p.hostPort,
    nodePort: p.nodePort,
    proto: p.proto,
    ...(p.hostAddress !== undefined ? { hostAddress: p.hostAddress } : {}),
    nodeAddress: target.address,
    span: p.span,
  }));
}
