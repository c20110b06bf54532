// Cross-checks of each interface: its network exists and holds its addresses; addresses on
// point-to-point and host links carry their own prefix; no address is an IPv4 network or
// broadcast address. Peer links are checked in validate-peers.ts.
import { formatCidr } from '../util/ip.js';
import type { Cidr } from '../util/ip.js';
import type { AddressSpec } from './address-syntax.js';
import { cidrOf, specialAddressProblem, subnetFor } from './addressing.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { IfaceRaw, Located, NetworkRaw, TopologyRaw } from './raw.js';
import { didYouMean, quote } from './text.js';
import { checkPeer } from './validate-peers.js';
import { subnetList } from './validate-networks.js';

/** Report problems of every readable interface. */
export function validateInterfaces(raw: TopologyRaw, sink: IssueSink): void {
  for (const node of raw.nodes.values()) {
    for (const iface of node.interfaces.values()) {
      if (!iface.ok || !iface.attach) continue;
      if (iface.attach.kind === 'network') checkOnNetwork(raw, iface, iface.attach.network, sink);
      else checkOwnPrefixes(iface, sink);
      if (iface.attach.kind === 'peer') checkPeer(raw, iface, iface.attach.peer, sink);
      if (iface.attach.kind === 'host') checkHostAddresses(iface, iface.attach.hostAddresses, sink);
    }
  }
}

/** `'a:eth0'`. */
function ifaceName(i: { node: string; name: string }): string {
  return quote(`${i.node}:${i.name}`);
}

function checkOnNetwork(raw: TopologyRaw, iface: IfaceRaw, ref: Located<string>, sink: IssueSink): void {
  const net = raw.networks.get(ref.value);
  if (!net) {
    if (raw.complete.networks) {
      sink.error(
        ref.span,
        IssueCode.UnknownNetwork,
        `interface ${ifaceName(iface)} is on network ${quote(ref.value)}, which is not declared under networks:${didYouMean(ref.value, raw.networks.keys())}`,
      );
    }
    return;
  }
  if (net.ok) for (const a of iface.addresses) checkInNetwork(iface, net, a, sink);
}

function checkInNetwork(iface: IfaceRaw, net: NetworkRaw, a: Located<AddressSpec>, sink: IssueSink): void {
  const shown = a.value.prefix === undefined ? a.value.address : `${a.value.address}/${a.value.prefix}`;
  const what = `address ${shown} of interface ${ifaceName(iface)}`;
  const sub = subnetFor(net, a.value.address);
  if (!sub) {
    sink.error(a.span, IssueCode.OutsideSubnet, `${what} is outside network ${quote(net.name)} (${subnetList(net)})`);
    return;
  }
  if (a.value.prefix !== undefined && a.value.prefix !== sub.prefix) {
    sink.warn(
      a.span,
      IssueCode.PrefixMismatch,
      `${what} has prefix /${a.value.prefix} but network ${quote(net.name)} is ${formatCidr(sub)}; the node and the bridge will disagree about who is on-link (write ${a.value.address} alone to take the network's prefix)`,
    );
  }
  const special = specialAddressProblem(cidrOf(a.value, net)!);
  if (special) sink.error(a.span, IssueCode.BadAddress, `${what} ${special}`);
}

function checkOwnPrefixes(iface: IfaceRaw, sink: IssueSink): void {
  for (const a of iface.addresses) {
    const c = cidrOf(a.value, undefined);
    if (!c) {
      const kind = iface.attach?.kind === 'peer' ? 'a point-to-point' : 'a host';
      sink.error(
        a.span,
        IssueCode.BadAddress,
        `address ${a.value.address} of interface ${ifaceName(iface)} needs a prefix length, such as ${a.value.address}/${a.value.family === 4 ? 30 : 64}: it is on ${kind} link, and only addresses on a network take the network's prefix`,
      );
      continue;
    }
    const special = specialAddressProblem(c);
    if (special) sink.error(a.span, IssueCode.BadAddress, `address ${formatCidr(c)} of interface ${ifaceName(iface)} ${special}`);
  }
}

function checkHostAddresses(iface: IfaceRaw, list: readonly Located<Cidr>[], sink: IssueSink): void {
  for (const h of list) {
    const special = specialAddressProblem(h.value);
    if (special) sink.error(h.span, IssueCode.BadAddress, `host_address ${formatCidr(h.value)} of interface ${ifaceName(iface)} ${special}`);
  }
}
