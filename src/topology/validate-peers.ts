// Point-to-point links are declared on both ends: `a:eth0 { peer: "b:eth1" }` needs
// `b:eth1 { peer: "a:eth0" }`. A peer must exist, be a peer link itself, and name us back.
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { IfaceRaw, Located, TopologyRaw } from './raw.js';
import { didYouMean, quote } from './text.js';
import { checkPeerShapes, type ImpairRaw } from './parse-impair.js';

/** Report a peer that is missing, is this interface, or does not name this interface back. */
export function checkPeer(raw: TopologyRaw, iface: IfaceRaw, peer: Located<{ node: string; iface: string }>, sink: IssueSink): void {
  const me = quote(`${iface.node}:${iface.name}`);
  const them = quote(`${peer.value.node}:${peer.value.iface}`);
  if (peer.value.node === iface.node && peer.value.iface === iface.name) {
    sink.error(peer.span, IssueCode.PeerSelf, `interface ${me} names itself as its peer; a peer is the other end of the veth pair`);
    return;
  }
  const node = raw.nodes.get(peer.value.node);
  if (!node) {
    if (raw.complete.nodes)
      sink.error(
        peer.span,
        IssueCode.UnknownNode,
        `peer ${them} of interface ${me}: there is no node ${quote(peer.value.node)}${didYouMean(peer.value.node, raw.nodes.keys())}`,
      );
    return;
  }
  const other = node.interfaces.get(peer.value.iface);
  if (!other) {
    if (node.interfacesOk)
      sink.error(
        peer.span,
        IssueCode.UnknownInterface,
        `peer ${them} of interface ${me}: node ${quote(node.name)} has no interface ${quote(peer.value.iface)}${didYouMean(peer.value.iface, node.interfaces.keys())}`,
      );
    return;
  }
  if (!other.ok || !other.attach) return;
  if (other.attach.kind !== 'peer') {
    const is = other.attach.kind === 'network' ? `on network ${quote(other.attach.network.value)}` : 'a link to the host';
    sink.error(
      peer.span,
      IssueCode.PeerMismatch,
      `interface ${me} has peer ${them}, but ${them} is ${is}; a point-to-point link is declared on both ends (give ${them} peer: "${iface.node}:${iface.name}")`,
    );
    return;
  }
  const back = other.attach.peer.value;
  if (back.node !== iface.node || back.iface !== iface.name) {
    sink.error(
      peer.span,
      IssueCode.PeerMismatch,
      `mismatched peers: interface ${me} has peer ${them}, but ${them} has peer ${quote(`${back.node}:${back.iface}`)}`,
    );
    return;
  }
  // Checked once per pair, from the end whose name sorts first.
  if (`${iface.node}:${iface.name}` < `${other.node}:${other.name}`)
    checkPeerShapes({ what: `interface ${me}`, ...opt(iface.impair) }, { what: `interface ${them}`, ...opt(other.impair) }, sink);
}

function opt(impair: ImpairRaw | undefined): { impair?: ImpairRaw } {
  return impair ? { impair } : {};
}
