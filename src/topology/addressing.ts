// How declared addresses become CIDRs: an address written without /LEN on a network takes
// the prefix of the network's subnet that contains it. Shared by validation, IPAM and resolve.
import type { Cidr } from '../util/ip.js';
import { contains, lastOf, networkOf } from '../util/ip.js';
import type { AddressSpec } from './address-syntax.js';
import type { IfaceRaw, Located, NetworkRaw, NodeRaw } from './raw.js';

/** The subnet of the network that contains address, if any. */
export function subnetFor(net: NetworkRaw, address: string): Cidr | undefined {
  return net.subnets.find((s) => contains(s.value, address))?.value;
}

/** The network an interface is on, if it is on one that exists. */
export function networkFor(iface: IfaceRaw, networks: ReadonlyMap<string, NetworkRaw>): NetworkRaw | undefined {
  return iface.attach?.kind === 'network' ? networks.get(iface.attach.network.value) : undefined;
}

/** One declared address as a CIDR, or undefined when it has no prefix and no subnet gives one. */
export function cidrOf(a: AddressSpec, net: NetworkRaw | undefined): Cidr | undefined {
  if (a.prefix !== undefined) return { address: a.address, prefix: a.prefix, family: a.family };
  const sub = net ? subnetFor(net, a.address) : undefined;
  return sub ? { address: a.address, prefix: sub.prefix, family: a.family } : undefined;
}

/** The interface's declared addresses as CIDRs (those without a usable prefix left out). */
export function declaredCidrs(iface: IfaceRaw, networks: ReadonlyMap<string, NetworkRaw>): Located<Cidr>[] {
  const net = networkFor(iface, networks);
  return iface.addresses.flatMap((a) => {
    const c = cidrOf(a.value, net);
    return c ? [{ value: c, span: a.span }] : [];
  });
}

/** Whether IPAM assigns this interface's addresses (on a network, none declared). */
export function usesIpam(iface: IfaceRaw): boolean {
  return iface.attach?.kind === 'network' && iface.addresses.length === 0;
}

/**
 * The subnets directly connected to a node: the prefixes of its interfaces' addresses, and the
 * network's subnets for interfaces left to IPAM. Undefined when some interface or network could
 * not be read, so callers skip checks that would be guesses.
 */
export function connectedSubnets(node: NodeRaw, networks: ReadonlyMap<string, NetworkRaw>): Cidr[] | undefined {
  if (!node.interfacesOk) return undefined;
  const out: Cidr[] = [];
  for (const iface of node.interfaces.values()) {
    const net = networkFor(iface, networks);
    if (iface.attach?.kind === 'network' && !net?.ok) return undefined;
    if (usesIpam(iface)) out.push(...(net?.subnets.map((s) => s.value) ?? []));
    else out.push(...declaredCidrs(iface, networks).map((c) => c.value));
  }
  return out;
}

/** Why an address cannot be a host's address in its subnet (IPv4 network or broadcast), or undefined. */
export function specialAddressProblem(c: Cidr): string | undefined {
  if (c.family !== 4 || c.prefix >= 31) return undefined;
  const net = networkOf(c);
  if (net.address === c.address) return `is the network address of ${net.address}/${c.prefix}, not a host address`;
  if (lastOf(c) === c.address) return `is the broadcast address of ${net.address}/${c.prefix}, not a host address`;
  return undefined;
}
