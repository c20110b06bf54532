// Cross-checks of `networks:`: each gateway inside one of its network's subnets, at most one
// gateway per family, no two subnets sharing addresses (all bridges live in one host
// namespace, whose routing table can send an address to only one of them), and no more
// interfaces on a network than a Linux bridge has ports.
import type { Cidr } from '../util/ip.js';
import { formatCidr } from '../util/ip.js';
import { specialAddressProblem, subnetFor } from './addressing.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import { overlappingPairs } from './overlaps.js';
import type { Located, NetworkRaw, TopologyRaw } from './raw.js';
import { familyName, quote } from './text.js';

/** Report gateway and subnet problems of every readable network. */
export function validateNetworks(raw: TopologyRaw, sink: IssueSink): void {
  const nets = [...raw.networks.values()].filter((n) => n.ok);
  for (const net of nets) checkGateways(net, sink);
  checkOverlaps(nets, sink);
  checkPorts(raw, sink);
}

/**
 * Ports of one Linux bridge: BR_MAX_PORTS is 1024 and port number 0 is reserved, so the 1024th
 * `ip link set X master BR` fails with EXFULL ("Exchange full"), measured on 6.x kernels.
 */
export const MAX_BRIDGE_PORTS = 1023;

function checkPorts(raw: TopologyRaw, sink: IssueSink): void {
  const count = new Map<string, number>();
  for (const node of raw.nodes.values()) {
    for (const i of node.interfaces.values()) {
      if (i.attach?.kind === 'network') count.set(i.attach.network.value, (count.get(i.attach.network.value) ?? 0) + 1);
    }
  }
  for (const [name, n] of count) {
    const net = raw.networks.get(name);
    if (!net || n <= MAX_BRIDGE_PORTS) continue;
    sink.error(
      net.span,
      IssueCode.TooBig,
      `network ${quote(name)} has ${n} interfaces, ${n - MAX_BRIDGE_PORTS} more than the ${MAX_BRIDGE_PORTS} ports a Linux bridge takes; split it into networks joined by a node with forwarding: true`,
    );
  }
}

function checkGateways(net: NetworkRaw, sink: IssueSink): void {
  const seen = new Map<number, string>();
  for (const gw of net.gateways) {
    const { address, family } = gw.value;
    const what = `gateway ${address} of network ${quote(net.name)}`;
    const first = seen.get(family);
    if (first) {
      sink.error(
        gw.span,
        IssueCode.BadValue,
        `network ${quote(net.name)} has a second ${familyName(family)} gateway ${address} (the first is ${first}); a network has at most one per family`,
      );
      continue;
    }
    seen.set(family, address);
    const sub = subnetFor(net, address);
    if (!sub) {
      sink.error(gw.span, IssueCode.OutsideSubnet, `${what} is outside the network's ${subnetList(net)}`);
      continue;
    }
    const special = specialAddressProblem({ address, prefix: sub.prefix, family });
    if (special) sink.error(gw.span, IssueCode.BadAddress, `${what} ${special}`);
  }
}

interface Sub {
  readonly net: NetworkRaw;
  readonly subnet: Located<Cidr>;
}

function checkOverlaps(nets: readonly NetworkRaw[], sink: IssueSink): void {
  const items: Sub[] = nets.flatMap((net) => net.subnets.map((subnet) => ({ net, subnet })));
  for (const [a, b] of overlappingPairs({ items, cidrOf: (s) => s.subnet.value })) {
    const later = `subnet ${formatCidr(b.subnet.value)} of network ${quote(b.net.name)}`;
    const earlier = `${formatCidr(a.subnet.value)}${a.net === b.net ? '' : ` of network ${quote(a.net.name)}`} (line ${a.subnet.span.line})`;
    const why =
      a.net === b.net ? 'list each address range once' : 'every bridge is in the host namespace, whose routing table can send an address to only one of them';
    sink.error(b.subnet.span, IssueCode.SubnetOverlap, `${later} overlaps ${earlier}: ${why}`);
  }
}

/** "subnet 10.0.0.0/24" or "subnets 10.0.0.0/24, fd00::/64". */
export function subnetList(net: NetworkRaw): string {
  const list = net.subnets.map((s) => formatCidr(s.value)).join(', ');
  return net.subnets.length === 1 ? `subnet ${list}` : `subnets ${list}`;
}
