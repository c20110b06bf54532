// Address allocation for interfaces on a network that declare no address: one address from
// each of the network's subnets, the lowest free one. Never the network address, the IPv4
// broadcast, a gateway, or any address declared on that network; never a duplicate. The order
// (nodes, then interfaces, as declared) makes the same file give the same addresses every time.
import { usesIpam } from '../topology/addressing.js';
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { IfaceRaw, TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { Cidr } from '../util/ip.js';
import { bits, formatCidr, fromBigInt, ipv4Text, lastOf, toBigInt } from '../util/ip.js';

/** Allocated addresses by `node:iface`, as CIDRs with the subnet's prefix. */
export type Allocation = ReadonlyMap<string, readonly Cidr[]>;

/** A subnet's free-address cursor. */
interface Pool {
  readonly subnet: Cidr;
  next: bigint;
  readonly last: bigint;
  readonly taken: ReadonlySet<string>;
}

/** Allocate addresses for every interface left to IPAM; a full subnet is reported at the interface. */
export function allocateAddresses(raw: TopologyRaw, sink: IssueSink): Allocation {
  const pools = new Map<string, Pool[]>();
  const taken = takenByNetwork(raw);
  for (const net of raw.networks.values())
    if (net.ok)
      pools.set(
        net.name,
        net.subnets.map((s) => pool(s.value, taken.get(net.name) ?? new Set())),
      );
  const out = new Map<string, Cidr[]>();
  for (const node of raw.nodes.values()) {
    for (const iface of node.interfaces.values()) {
      if (!iface.ok || !usesIpam(iface) || iface.attach?.kind !== 'network') continue;
      const list = pools.get(iface.attach.network.value);
      if (list) out.set(`${node.name}:${iface.name}`, allocate(iface, list, sink));
    }
  }
  return out;
}

/** The first and last assignable addresses of a subnet (IPv4 /31 and /32, IPv6 /127 and /128 use all). */
export function assignableRange(subnet: Cidr): { first: bigint; last: bigint } {
  const first = toBigInt(subnet.address);
  const last = toBigInt(lastOf(subnet));
  const hostBits = bits(subnet.family) - subnet.prefix;
  if (hostBits <= 1) return { first, last };
  return { first: first + 1n, last: subnet.family === 4 ? last - 1n : last };
}

function pool(subnet: Cidr, taken: ReadonlySet<string>): Pool {
  const { first, last } = assignableRange(subnet);
  return { subnet, next: first, last, taken };
}

function allocate(iface: IfaceRaw, pools: readonly Pool[], sink: IssueSink): Cidr[] {
  const out: Cidr[] = [];
  for (const p of pools) {
    const address = nextFree(p);
    if (address === undefined) {
      const net = iface.attach?.kind === 'network' ? iface.attach.network.value : '';
      sink.error(
        iface.span,
        IssueCode.SubnetFull,
        `no free address left in ${formatCidr(p.subnet)} of network ${quote(net)} for interface ${quote(`${iface.node}:${iface.name}`)}; use a larger subnet`,
      );
      continue;
    }
    out.push({ address, prefix: p.subnet.prefix, family: p.subnet.family });
  }
  return out;
}

function nextFree(p: Pool): string | undefined {
  // Each address is looked at once over the whole run: the cursor only moves forward.
  if (p.subnet.family === 4) {
    // IPv4 in plain numbers (exact below 2^53): BigInt steps cost more than the rest of a big lab's IPAM.
    let next = Number(p.next);
    const last = Number(p.last);
    let found: string | undefined;
    while (found === undefined && next <= last) {
      const a = ipv4Text(next);
      next++;
      if (!p.taken.has(a)) found = a;
    }
    p.next = BigInt(next);
    return found;
  }
  while (p.next <= p.last) {
    const a = fromBigInt(p.next++, p.subnet.family);
    if (!p.taken.has(a)) return a;
  }
  return undefined;
}

/** Per network: its gateways and every address declared on an interface attached to it. */
function takenByNetwork(raw: TopologyRaw): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (net: string, address: string): void => {
    const set = out.get(net) ?? new Set<string>();
    set.add(address);
    out.set(net, set);
  };
  for (const net of raw.networks.values()) for (const g of net.gateways) add(net.name, g.value.address);
  for (const node of raw.nodes.values()) {
    for (const i of node.interfaces.values()) {
      if (i.attach?.kind === 'network') for (const a of i.addresses) add(i.attach.network.value, a.value.address);
    }
  }
  return out;
}
