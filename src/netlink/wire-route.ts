// Route messages (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE) for the main table only.
// PURE. nslab owns static routes in the main table; other tables and cloned (cache) entries are
// filtered out by the decoder. Routes of every protocol are kept, multipath ones (what routing
// daemons install for equal-cost paths) with each next hop: they are shown, never owned.
import { addressBytes, bytesToAddress, type Cidr } from '../util/ip.js';
import { MsgBuilder, align4, attrU32, dropUndefined, parseAttrs, type NlMsg } from './wire.js';
import * as C from './wire-consts.js';

/** struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; } */
function rtmsg(r: { family: number; dstLen: number; protocol: number; scope: number; type: number }): Buffer {
  const b = Buffer.alloc(C.RTMSG_LEN);
  b.writeUInt8(r.family, 0);
  b.writeUInt8(r.dstLen, 1);
  b.writeUInt8(r.family === 0 ? 0 : C.RT_TABLE_MAIN, 4);
  b.writeUInt8(r.protocol, 5);
  b.writeUInt8(r.scope, 6);
  b.writeUInt8(r.type, 7);
  return b;
}

/** A route to add or delete: destination network, optional gateway and output ifindex. */
export interface RouteSpec {
  readonly dst: Cidr;
  readonly gateway?: string;
  readonly oif?: number;
}

/**
 * RTM_NEWROUTE (add: main table, proto static, unicast, scope universe with a gateway and link
 * without one, as iproute2 does) or RTM_DELROUTE (delete: scope nowhere and protocol/type 0,
 * which the kernel reads as "any", again as iproute2 does).
 * `ip route add TO [via GW] [dev DEV] proto static` / `ip route del TO [via GW] [dev DEV]`
 */
export function encodeRoute(cmd: 'add' | 'delete', r: RouteSpec): Buffer {
  const add = cmd === 'add';
  const family = r.dst.family === 4 ? C.AF_INET : C.AF_INET6;
  const hdr = add
    ? { protocol: C.RTPROT_STATIC, scope: r.gateway ? C.RT_SCOPE_UNIVERSE : C.RT_SCOPE_LINK, type: C.RTN_UNICAST }
    : { protocol: 0, scope: C.RT_SCOPE_NOWHERE, type: 0 };
  const flags = add ? C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL : C.NLM_F_REQUEST | C.NLM_F_ACK;
  const m = new MsgBuilder(add ? C.RTM_NEWROUTE : C.RTM_DELROUTE, flags);
  m.raw(rtmsg({ family, dstLen: r.dst.prefix, ...hdr }));
  // A default route (prefix 0) carries no RTA_DST, like `ip route add default`.
  if (r.dst.prefix > 0) m.attr(C.RTA_DST, addressBytes(r.dst.address));
  if (r.gateway !== undefined) m.attr(C.RTA_GATEWAY, addressBytes(r.gateway));
  if (r.oif !== undefined) m.u32(C.RTA_OIF, r.oif);
  return m.finish();
}

/** RTM_GETROUTE dump of both families (every table; decodeRoute keeps main). `ip route show` */
export function encodeRouteDump(): Buffer {
  const hdr = rtmsg({ family: 0, dstLen: 0, protocol: 0, scope: 0, type: 0 });
  return new MsgBuilder(C.RTM_GETROUTE, C.NLM_F_REQUEST | C.NLM_F_DUMP).raw(hdr).finish();
}

/** RTA_MULTIPATH: a list of struct rtnexthop, each followed by its own attributes (linux/rtnetlink.h). */
const RTA_MULTIPATH = 9;
/** struct rtnexthop { u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; s32 rtnh_ifindex; } */
const RTNH_LEN = 8;
/** rtnh_flags (and, for a single-path route, the low bits of rtm_flags): the next hop's link has no carrier. */
const RTNH_F_LINKDOWN = 0x10;

/** One next hop of a multipath route. */
export interface NexthopMsg {
  readonly gateway?: string;
  readonly oif?: number;
  /** rtnh_hops + 1, as `ip route` prints it. */
  readonly weight: number;
  /** RTNH_F_LINKDOWN: the output link has no carrier (`linkdown` in `ip route`). */
  readonly linkdown?: true;
}

/** The struct rtnexthop list of an RTA_MULTIPATH attribute; a truncated entry ends the list. */
export function decodeMultipath(b: Buffer): NexthopMsg[] {
  const out: NexthopMsg[] = [];
  for (let off = 0; off + RTNH_LEN <= b.length; ) {
    const len = b.readUInt16LE(off);
    if (len < RTNH_LEN || off + len > b.length) break;
    const a = parseAttrs(b, off + RTNH_LEN, off + len);
    const flags = b.readUInt8(off + 2);
    out.push({
      weight: b.readUInt8(off + 3) + 1,
      ...dropUndefined({
        gateway: addrAttr(a, C.RTA_GATEWAY),
        oif: b.readInt32LE(off + 4) || undefined,
        linkdown: (flags & RTNH_F_LINKDOWN) !== 0 ? (true as const) : undefined,
      }),
    });
    off += align4(len);
  }
  return out;
}

/** A decoded main-table route. */
export interface RouteMsg {
  readonly family: 4 | 6;
  /** Canonical destination CIDR text ("0.0.0.0/0" for default). */
  readonly dst: string;
  readonly protocol: number;
  readonly scope: number;
  readonly type: number;
  readonly gateway?: string;
  readonly oif?: number;
  readonly prefsrc?: string;
  /** RTA_PRIORITY, the metric (IPv4 routes of metric 0 carry none). */
  readonly priority?: number;
  /** Every next hop of a multipath route (then gateway and oif are absent). */
  readonly nexthops?: readonly NexthopMsg[];
  /** A single-path route whose output link has no carrier. */
  readonly linkdown?: true;
}

/** The struct rtmsg fields and attributes of an IPv4/IPv6 RTM_NEWROUTE; undefined for anything else. */
function routeParts(
  m: NlMsg,
):
  | { family: 4 | 6; a: ReturnType<typeof parseAttrs>; dstLen: number; protocol: number; scope: number; type: number; flags: number; table: number }
  | undefined {
  if (m.type !== C.RTM_NEWROUTE || m.body.length < C.RTMSG_LEN) return undefined;
  const fam = m.body.readUInt8(0);
  if (fam !== C.AF_INET && fam !== C.AF_INET6) return undefined;
  const a = parseAttrs(m.body, C.RTMSG_LEN);
  return {
    family: fam === C.AF_INET ? 4 : 6,
    a,
    dstLen: m.body.readUInt8(1),
    protocol: m.body.readUInt8(5),
    scope: m.body.readUInt8(6),
    type: m.body.readUInt8(7),
    flags: m.body.readUInt32LE(8),
    // rtm_table is a u8; tables above 255 only appear in RTA_TABLE, which wins when present.
    table: attrU32(a.get(C.RTA_TABLE)) ?? m.body.readUInt8(4),
  };
}

/** An address attribute as canonical text. */
function addrAttr(a: ReturnType<typeof parseAttrs>, type: number): string | undefined {
  const b = a.get(type);
  return b ? bytesToAddress(b) : undefined;
}

/** Decode an RTM_NEWROUTE; undefined unless it is an IPv4/IPv6 main-table, non-cloned route. */
export function decodeRoute(m: NlMsg): RouteMsg | undefined {
  const r = routeParts(m);
  if (!r || (r.flags & C.RTM_F_CLONED) !== 0 || r.table !== C.RT_TABLE_MAIN) return undefined;
  const dstRaw = r.a.get(C.RTA_DST) ?? new Uint8Array(r.family === 4 ? 4 : 16);
  const mp = r.a.get(RTA_MULTIPATH);
  const multipath = mp ? decodeMultipath(mp) : undefined;
  return {
    family: r.family,
    dst: `${bytesToAddress(dstRaw)}/${r.dstLen}`,
    protocol: r.protocol,
    scope: r.scope,
    type: r.type,
    ...dropUndefined({
      gateway: addrAttr(r.a, C.RTA_GATEWAY),
      oif: attrU32(r.a.get(C.RTA_OIF)),
      prefsrc: addrAttr(r.a, C.RTA_PREFSRC),
      priority: attrU32(r.a.get(C.RTA_PRIORITY)),
      nexthops: multipath && multipath.length > 0 ? multipath : undefined,
      linkdown: (r.flags & RTNH_F_LINKDOWN) !== 0 ? (true as const) : undefined,
    }),
  };
}

/* Route "get" (a single lookup, not a dump). Numbers from linux/rtnetlink.h that only this uses. */
const RTA_SRC = 2;
const RTA_IIF = 3;
/** rtm_flags: report the table the answer came from (iproute2 sets it on every `route get`). */
const RTM_F_LOOKUP_TABLE = 0x1000;

/** One lookup: destination, and optionally source, input interface (simulated arrival) or output interface. */
export interface RouteGetSpec {
  readonly dst: string;
  readonly src?: string;
  readonly iif?: number;
  readonly oif?: number;
}

/**
 * RTM_GETROUTE for one address, byte for byte what iproute2 6.x sends (strace), except that we
 * add NLM_F_ACK: the answer comes back as the data reply of a batch, and an error as the ack.
 * `ip route get DST [from SRC] [iif DEV] [oif DEV]`
 */
export function encodeRouteGet(q: RouteGetSpec): Buffer {
  const dst = addressBytes(q.dst);
  const family = dst.length === 4 ? C.AF_INET : C.AF_INET6;
  const b = Buffer.alloc(C.RTMSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(dst.length * 8, 1);
  if (q.src !== undefined) b.writeUInt8(dst.length * 8, 2);
  b.writeUInt32LE(RTM_F_LOOKUP_TABLE, 8);
  const m = new MsgBuilder(C.RTM_GETROUTE, C.NLM_F_REQUEST | C.NLM_F_ACK).raw(b).attr(C.RTA_DST, dst);
  if (q.src !== undefined) m.attr(RTA_SRC, addressBytes(q.src));
  if (q.iif !== undefined) m.u32(RTA_IIF, q.iif);
  if (q.oif !== undefined) m.u32(C.RTA_OIF, q.oif);
  return m.finish();
}

/** The kernel's answer to a route get (any table: local answers come from the local table). */
export interface RouteGetMsg {
  readonly family: 4 | 6;
  /** rtm_type number: 1 unicast, 2 local, 3 broadcast, 6 blackhole, 7 unreachable, 8 prohibit. */
  readonly type: number;
  readonly table: number;
  readonly oif?: number;
  readonly iif?: number;
  readonly gateway?: string;
  readonly prefsrc?: string;
}

/** Decode the RTM_NEWROUTE answering a route get; undefined for anything else. */
export function decodeRouteGet(m: NlMsg): RouteGetMsg | undefined {
  const r = routeParts(m);
  if (!r) return undefined;
  return {
    family: r.family,
    type: r.type,
    table: r.table,
    ...dropUndefined({
      oif: attrU32(r.a.get(C.RTA_OIF)),
      iif: attrU32(r.a.get(RTA_IIF)),
      gateway: addrAttr(r.a, C.RTA_GATEWAY),
      prefsrc: addrAttr(r.a, C.RTA_PREFSRC),
    }),
  };
}
