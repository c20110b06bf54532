// Links (veth pairs) derived from interfaces, in declaration order: one per interface on a
// network or to the host, one per point-to-point pair, whose `a` end is the end declared first.
import type { IfaceRaw, TopologyRaw } from '../topology/raw.js';
import { assertNever } from '../util/assert-never.js';
import { formatCidr } from '../util/ip.js';
import type { HostNames } from './names.js';
import { ifaceAlias } from '../names/markers.js';
import type { Link } from './types.js';

/** Every link of a checked raw topology, plus each interface's link id by `node:iface`. */
export function deriveLinks(raw: TopologyRaw, lab: string, names: HostNames): { links: Link[]; ids: Map<string, string> } {
  const links: Link[] = [];
  const ids = new Map<string, string>();
  for (const node of raw.nodes.values()) {
    for (const iface of node.interfaces.values()) {
      const me = `${node.name}:${iface.name}`;
      if (ids.has(me)) continue; // the b end of a p2p link declared earlier
      const link = reusedLink(iface, lab, names);
      if (!link) continue;
      links.push(link);
      ids.set(me, link.id);
      if (link.kind === 'p2p') ids.set(`${link.b.node}:${link.b.iface}`, link.id);
    }
  }
  return { links, ids };
}

/**
 * makeLink, the same object again for an interface seen before with the same names: a
 * long-lived process's unchanged nodes keep their parsed interfaces (topology/memo.ts), and the
 * planner then finds their resources by identity (plan/resources.ts) without rendering the link.
 */
const links = new WeakMap<IfaceRaw, { readonly key: string; readonly link: Link | undefined }>();

function reusedLink(iface: IfaceRaw, lab: string, names: HostNames): Link | undefined {
  const me = `${iface.node}:${iface.name}`;
  const key = `${lab}\0${names.hostEnds.get(me) ?? ''}\0${names.owner ?? ''}`;
  const hit = links.get(iface);
  if (hit?.key === key) return hit.link;
  const link = makeLink(iface, lab, names);
  links.set(iface, { key, link });
  return link;
}

function makeLink(iface: IfaceRaw, lab: string, names: HostNames): Link | undefined {
  const a = iface.attach;
  if (!a) return undefined;
  const end = { node: iface.node, iface: iface.name };
  const me = `${iface.node}:${iface.name}`;
  const host = { end, hostEnd: names.hostEnds.get(me) ?? '', alias: ifaceAlias(lab, iface.node, iface.name, names.owner) };
  switch (a.kind) {
    case 'network':
      return { kind: 'bridged', id: `bridged:${me}`, network: a.network.value, ...host };
    case 'host':
      return { kind: 'host', id: `host:${me}`, hostAddresses: a.hostAddresses.map((h) => formatCidr(h.value)), ...host };
    case 'peer':
      return { kind: 'p2p', id: `p2p:${me}`, a: end, b: { node: a.peer.value.node, iface: a.peer.value.iface } };
    default:
      return assertNever(a);
  }
}
