// Dump one namespace over its netlink socket and decode it into the port's Live* shapes:
// interface indexes become names, numbers become iproute2 words. Read-only; it refreshes the
// namespace's name -> ifindex cache as a side benefit (a dump is the authoritative list).
import type { NsHandle } from './ns-table.js';
import type { LiveAddr, LiveLink, LiveNeigh, LiveQdisc, LiveRoute, NsSnapshot, SnapshotWhat } from '../port/kernel.js';
import { psched } from './psched.js';
import { decodeAddr, encodeAddrDump } from '../netlink/wire-addr.js';
import { decodeLink, encodeLinkDump, encodeLinkGet, encodeLinkGetIndex, type LinkMsg } from '../netlink/wire-link.js';
import { decodeNeigh, encodeNeighDelete, encodeNeighDump, type NeighMsg } from '../netlink/wire-neigh.js';
import { decodeQdisc, encodeQdiscDump, formatHandle } from '../netlink/wire-qdisc.js';
import { decodeRoute, encodeRouteDump } from '../netlink/wire-route.js';
import { dropUndefined } from '../netlink/wire.js';
import { NUD_NOARP, NUD_PERMANENT, neighStateName, operstateName, protocolName, routeTypeName, scopeName } from '../netlink/wire-words.js';

/** ifi_flags bit: the link has carrier (linux/if.h). */
const IFF_LOWER_UP = 0x10000;

/** Every link of the namespace, decoded; refreshes the name cache. `ip -d link show` */
export function dumpLinks(h: NsHandle, stats = false): LinkMsg[] {
  const links: LinkMsg[] = [];
  for (const m of h.sock.dump(encodeLinkDump(stats))) {
    const l = decodeLink(m);
    if (l) links.push(l);
  }
  h.index.clear();
  for (const l of links) h.index.set(l.name, l.index);
  return links;
}

/**
 * The named links that exist, each asked for by name in one send, their masters by index; the
 * name cache learns what was found. What snapshotNs reads of links, for a few names of a big namespace.
 */
export function namedLinks(h: NsHandle, names: readonly string[]): LiveLink[] {
  if (names.length === 0) return [];
  const found = getLinks(
    h,
    names.map((n) => encodeLinkGet(n)),
  );
  const masters = [...new Set(found.flatMap((l) => (l.master === undefined ? [] : [l.master])))];
  const nameOf = new Map(found.map((l) => [l.index, l.name]));
  for (const m of getLinks(
    h,
    masters.filter((i) => !nameOf.has(i)).map((i) => encodeLinkGetIndex(i)),
  ))
    nameOf.set(m.index, m.name);
  return found.map((l) => liveLink(l, nameOf, false));
}

/** The links a batch of RTM_GETLINK requests found (an absent one answers ENODEV: left out). */
function getLinks(h: NsHandle, msgs: readonly Buffer[]): LinkMsg[] {
  if (msgs.length === 0) return [];
  const out: LinkMsg[] = [];
  for (const r of h.sock.batch(msgs)) {
    const l = r.replies.map(decodeLink).find((x) => x !== undefined);
    if (l) {
      out.push(l);
      h.index.set(l.name, l.index);
    }
  }
  return out;
}

/** The MACs of the named links (each asked for by name, one batch); refreshes their cache entries. */
export function linkMacs(h: NsHandle, names: readonly string[]): Map<string, string> {
  return new Map(
    getLinks(
      h,
      names.map((n) => encodeLinkGet(n)),
    ).map((l) => [l.name, l.mac]),
  );
}

/** Links, addresses, main-table routes and optionally neighbours, counters and qdiscs of one namespace. */
export function snapshotNs(h: NsHandle, what: SnapshotWhat): NsSnapshot {
  const raw = dumpLinks(h, what.stats === true);
  const nameOf = new Map(raw.map((l) => [l.index, l.name]));
  return {
    links: raw.map((l) => liveLink(l, nameOf, what.stats === true)),
    addrs: what.linksOnly ? [] : dumpAddrs(h, nameOf),
    routes: what.linksOnly ? [] : dumpRoutes(h, nameOf),
    neighbours: what.neighbours ? dumpNeighbours(h, nameOf) : [],
    ...(what.qdiscs ? { qdiscs: dumpQdiscs(h, nameOf) } : {}),
  };
}

/** `tc qdisc show`: every device's qdiscs, the defaults included. */
function dumpQdiscs(h: NsHandle, nameOf: ReadonlyMap<number, string>): LiveQdisc[] {
  const p = psched();
  const out: LiveQdisc[] = [];
  for (const m of h.sock.dump(encodeQdiscDump())) {
    const q = decodeQdisc(m, p);
    if (!q) continue;
    out.push({
      dev: nameOf.get(q.index) ?? String(q.index),
      kind: q.kind,
      handle: formatHandle(q.handle),
      parent: formatHandle(q.parent, true),
      ...dropUndefined({ tbf: q.tbf, netem: q.netem }),
    });
  }
  return out;
}

function liveLink(l: LinkMsg, nameOf: ReadonlyMap<number, string>, stats: boolean): LiveLink {
  return {
    index: l.index,
    name: l.name,
    up: (l.flags & 1) !== 0,
    operstate: operstateName(l.operstate),
    carrier: (l.flags & IFF_LOWER_UP) !== 0,
    mtu: l.mtu,
    mac: l.mac,
    ...dropUndefined({
      kind: l.kind,
      master: l.master !== undefined ? nameOf.get(l.master) : undefined,
      alias: l.alias,
      peerIndex: l.link,
      vxlan: l.vxlan,
      stats: stats ? l.stats : undefined,
    }),
  };
}

/** `ip addr show` */
function dumpAddrs(h: NsHandle, nameOf: ReadonlyMap<number, string>): LiveAddr[] {
  const out: LiveAddr[] = [];
  for (const m of h.sock.dump(encodeAddrDump())) {
    const a = decodeAddr(m);
    if (!a) continue;
    out.push({
      dev: nameOf.get(a.index) ?? String(a.index),
      cidr: `${a.address}/${a.prefix}`,
      family: a.family,
      scope: scopeName(a.scope),
    });
  }
  return out;
}

/** `ip route show` and `ip -6 route show` (main table, every protocol, multipath next hops included). */
function dumpRoutes(h: NsHandle, nameOf: ReadonlyMap<number, string>): LiveRoute[] {
  const out: LiveRoute[] = [];
  for (const m of h.sock.dump(encodeRouteDump())) {
    const r = decodeRoute(m);
    if (!r) continue;
    out.push({
      to: r.dst,
      family: r.family,
      protocol: protocolName(r.protocol),
      type: routeTypeName(r.type),
      scope: scopeName(r.scope),
      ...dropUndefined({
        via: r.gateway,
        dev: r.oif !== undefined ? (nameOf.get(r.oif) ?? String(r.oif)) : undefined,
        nexthops: r.nexthops?.map((n) =>
          dropUndefined({
            via: n.gateway,
            dev: n.oif !== undefined ? (nameOf.get(n.oif) ?? String(n.oif)) : undefined,
            weight: n.weight,
            linkdown: n.linkdown,
          }),
        ),
        metric: r.priority,
        src: r.prefsrc,
        linkdown: r.linkdown,
      }),
    });
  }
  return out;
}

/** `ip neigh show` (like iproute2, without NOARP entries such as multicast addresses). */
function dumpNeighbours(h: NsHandle, nameOf: ReadonlyMap<number, string>): LiveNeigh[] {
  const out: LiveNeigh[] = [];
  // Neighbour tables churn while probes run: a possibly inconsistent dump is still worth showing.
  for (const m of h.sock.dump(encodeNeighDump(), 'accept')) {
    const n = decodeNeigh(m);
    if (!n || (n.state & NUD_NOARP) !== 0) continue;
    out.push({
      dev: nameOf.get(n.index) ?? String(n.index),
      address: n.address,
      state: neighStateName(n.state),
      ...dropUndefined({ mac: n.mac }),
    });
  }
  return out;
}

/** Delete every learned neighbour entry of the namespace in one batch; returns the count. */
export function flushNeighbours(h: NsHandle, devs?: readonly string[]): number {
  const only = devs ? new Set(devs.map((d) => h.index.get(d) ?? dumpLinks(h).find((l) => l.name === d)?.index ?? -1)) : undefined;
  const doomed = h.sock
    .dump(encodeNeighDump(), 'accept')
    .map(decodeNeigh)
    .filter((n) => n !== undefined && (n.state & (NUD_NOARP | NUD_PERMANENT)) === 0 && (!only || only.has(n.index))) as NeighMsg[];
  if (doomed.length === 0) return 0;
  // Entries can vanish (garbage collection) between the dump and the delete: ENOENT is fine.
  return h.sock.batch(doomed.map(encodeNeighDelete)).filter((r) => r.errno === 0).length;
}
