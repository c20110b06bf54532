// Link messages (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK): encoders for veth and bridge creation,
// attribute changes, deletion and lookups by name, and the decoder for link dumps.
// PURE. Requests address links by name (IFLA_IFNAME) wherever the kernel allows it, so no index
// lookup is needed; IFLA_MASTER is the one attribute that only takes an index.
import type { LinkStats } from '../port/kernel.js';
import { MsgBuilder, attrStr, attrU32, attrU8, dropUndefined, formatMac, parseAttrs, type NlMsg } from './wire.js';
import * as C from './wire-consts.js';
import { macBytes } from './wire-neigh.js';

const NEW = C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL;
const CHANGE = C.NLM_F_REQUEST | C.NLM_F_ACK;
// IFLA_INFO_KIND goes without a NUL, as iproute2 sends it (the kernel accepts either).
const KIND_VETH = Buffer.from('veth');
const KIND_BRIDGE = Buffer.from('bridge');

/** struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; } */
export function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(C.IFINFOMSG_LEN);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags >>> 0, 8);
  b.writeUInt32LE(change >>> 0, 12);
  return b;
}

/** ifi_flags/ifi_change for an optional up/down: change only IFF_UP, and only when asked. */
function upFlags(up: boolean | undefined): [number, number] {
  if (up === undefined) return [0, 0];
  return [up ? C.IFF_UP : 0, C.IFF_UP];
}

/** What a veth creation needs; nsFd is an open /run/netns file (or /proc/.../ns/net) descriptor. */
export interface VethCreate {
  readonly name: string;
  readonly index?: number;
  readonly mtu?: number;
  /** This end's MAC address (IFLA_ADDRESS), else the kernel picks a random one. */
  readonly mac?: string;
  readonly up?: boolean;
  readonly peer: { readonly name: string; readonly index?: number; readonly mtu?: number; readonly nsFd?: number };
}

/**
 * RTM_NEWLINK creating a veth pair, the peer described by its own ifinfomsg inside
 * IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER, placed in another namespace by IFLA_NET_NS_FD.
 * The peer cannot be created up (veth_open → ENOTCONN): its ifinfomsg never sets IFF_UP.
 * `ip link add NAME [index I] [mtu M] [up] type veth peer name PEER [index J] netns NS`
 */
export function encodeVethCreate(v: VethCreate): Buffer {
  const [flags, change] = upFlags(v.up ? true : undefined);
  const m = new MsgBuilder(C.RTM_NEWLINK, NEW).raw(ifinfomsg(v.index, flags, change));
  if (v.mtu !== undefined) m.u32(C.IFLA_MTU, v.mtu);
  if (v.mac !== undefined) m.attr(C.IFLA_ADDRESS, macBytes(v.mac));
  m.str(C.IFLA_IFNAME, v.name);
  m.nest(C.IFLA_LINKINFO).attr(C.IFLA_INFO_KIND, KIND_VETH);
  m.nest(C.IFLA_INFO_DATA).nest(C.VETH_INFO_PEER).raw(ifinfomsg(v.peer.index));
  if (v.peer.mtu !== undefined) m.u32(C.IFLA_MTU, v.peer.mtu);
  if (v.peer.nsFd !== undefined) m.u32(C.IFLA_NET_NS_FD, v.peer.nsFd);
  m.str(C.IFLA_IFNAME, v.peer.name);
  return m.end().end().end().finish();
}

/**
 * RTM_NEWLINK creating a bridge, with multicast (IGMP/MLD) snooping off. A lab's bridge has no
 * multicast querier, and without one the kernel floods multicast to every port whether it snoops
 * or not (br_multicast_querier_exists), so snooping changes no forwarding here; but it re-arms two
 * query timers of EVERY port each time any port changes state (br_port_state_selection ->
 * br_multicast_enable_port), which made adding and removing a port O(ports): ~40% of the kernel's
 * bridge work at 1000 ports, building and tearing down.
 * `ip link add NAME [up] type bridge mcast_snooping 0`
 */
export function encodeBridgeCreate(b: { readonly name: string; readonly up?: boolean }): Buffer {
  const [flags, change] = upFlags(b.up ? true : undefined);
  return new MsgBuilder(C.RTM_NEWLINK, NEW)
    .raw(ifinfomsg(0, flags, change))
    .str(C.IFLA_IFNAME, b.name)
    .nest(C.IFLA_LINKINFO)
    .attr(C.IFLA_INFO_KIND, KIND_BRIDGE)
    .nest(C.IFLA_INFO_DATA)
    .u8(C.IFLA_BR_MCAST_SNOOPING, 0)
    .end()
    .end()
    .finish();
}

/** Changes to an existing link, addressed by name (or by index when no name is given). */
export interface LinkSet {
  readonly name?: string;
  readonly index?: number;
  readonly up?: boolean;
  /** Master ifindex; 0 releases the link from its master (`nomaster`). */
  readonly master?: number;
  readonly alias?: string;
  /** Set IFLA_INET6_ADDR_GEN_MODE to NONE: no IPv6 link-local address when the link goes up. */
  readonly addrGenModeNone?: boolean;
}

/**
 * RTM_NEWLINK without NLM_F_CREATE: change flags, master, alias, IPv6 address generation.
 * The kernel applies ifi_flags before IFLA_AF_SPEC (do_setlink order), so callers that turn off
 * address generation and bring the link up must send two messages, af-spec first.
 * `ip link set NAME [up|down] [master M] [alias A] [addrgenmode none]`
 */
export function encodeLinkSet(s: LinkSet): Buffer {
  const [flags, change] = upFlags(s.up);
  const m = new MsgBuilder(C.RTM_NEWLINK, CHANGE).raw(ifinfomsg(s.index, flags, change));
  if (s.name !== undefined) m.str(C.IFLA_IFNAME, s.name);
  if (s.master !== undefined) m.u32(C.IFLA_MASTER, s.master);
  // iproute2 sends the alias without a NUL; the kernel stores exactly nla_len bytes.
  if (s.alias !== undefined) m.attr(C.IFLA_IFALIAS, Buffer.from(s.alias, 'utf8'));
  if (s.addrGenModeNone) {
    m.nest(C.IFLA_AF_SPEC).nest(C.AF_INET6);
    m.u8(C.IFLA_INET6_ADDR_GEN_MODE, C.IN6_ADDR_GEN_MODE_NONE).end().end();
  }
  return m.finish();
}

/** RTM_DELLINK by name. `ip link del NAME` */
export function encodeLinkDelete(name: string): Buffer {
  return new MsgBuilder(C.RTM_DELLINK, CHANGE).raw(ifinfomsg()).str(C.IFLA_IFNAME, name).finish();
}

/** RTM_GETLINK for one name; the reply is an RTM_NEWLINK, then the ack. `ip link show NAME` */
export function encodeLinkGet(name: string): Buffer {
  return new MsgBuilder(C.RTM_GETLINK, CHANGE).raw(ifinfomsg()).str(C.IFLA_IFNAME, name).finish();
}

/** RTM_GETLINK for one interface index (a link's master, by the index its message names). `ip link show index N` */
export function encodeLinkGetIndex(index: number): Buffer {
  return new MsgBuilder(C.RTM_GETLINK, CHANGE).raw(ifinfomsg(index)).finish();
}

/** RTM_GETLINK dump of every link. `ip link show` */
export function encodeLinkDump(stats = true): Buffer {
  const b = new MsgBuilder(C.RTM_GETLINK, C.NLM_F_REQUEST | C.NLM_F_DUMP).raw(ifinfomsg());
  // Without counters each link's message is less than half as big (a 1000-link host's dump too).
  if (!stats) b.u32(C.IFLA_EXT_MASK, C.RTEXT_FILTER_SKIP_STATS);
  return b.finish();
}

/** A decoded RTM_NEWLINK. */
export interface LinkMsg {
  readonly index: number;
  readonly name: string;
  readonly flags: number;
  readonly kind?: string;
  /** IF_OPER_* number (IFLA_OPERSTATE). */
  readonly operstate: number;
  readonly mtu: number;
  readonly mac: string;
  readonly master?: number;
  readonly alias?: string;
  /** IFLA_LINK: for a veth, the peer's ifindex (in the peer's namespace). */
  readonly link?: number;
  readonly stats?: LinkStats;
  /** A vxlan's id and its IPv4 underlay ends (IFLA_INFO_DATA). */
  readonly vxlan?: VxlanInfo;
}

/** What identifies a vxlan tunnel: its VNI, local and (unicast) remote underlay addresses. */
export interface VxlanInfo {
  readonly vni: number;
  readonly local?: string;
  readonly remote?: string;
}

/** Decode an RTM_NEWLINK message; undefined when it is not one. */
export function decodeLink(m: NlMsg): LinkMsg | undefined {
  if (m.type !== C.RTM_NEWLINK || m.body.length < C.IFINFOMSG_LEN) return undefined;
  const a = parseAttrs(m.body, C.IFINFOMSG_LEN);
  const info = a.get(C.IFLA_LINKINFO);
  const infoAttrs = info ? parseAttrs(info) : undefined;
  const kind = attrStr(infoAttrs?.get(C.IFLA_INFO_KIND));
  const mac = a.get(C.IFLA_ADDRESS);
  const opt = {
    kind,
    vxlan: kind === 'vxlan' ? decodeVxlan(infoAttrs?.get(C.IFLA_INFO_DATA)) : undefined,
    master: attrU32(a.get(C.IFLA_MASTER)),
    alias: attrStr(a.get(C.IFLA_IFALIAS)),
    link: attrU32(a.get(C.IFLA_LINK)),
    stats: decodeStats(a.get(C.IFLA_STATS64)),
  };
  return {
    index: m.body.readInt32LE(4),
    name: attrStr(a.get(C.IFLA_IFNAME)) ?? '',
    flags: m.body.readUInt32LE(8),
    operstate: attrU8(a.get(C.IFLA_OPERSTATE)) ?? 0,
    mtu: attrU32(a.get(C.IFLA_MTU)) ?? 0,
    mac: mac ? formatMac(mac) : '',
    ...dropUndefined(opt),
  };
}

function decodeVxlan(data: Buffer | undefined): VxlanInfo | undefined {
  if (data === undefined) return undefined;
  const d = parseAttrs(data);
  const vni = attrU32(d.get(C.IFLA_VXLAN_ID));
  if (vni === undefined) return undefined;
  const v4 = (b: Buffer | undefined): string | undefined => (b?.length === 4 ? [...b].join('.') : undefined);
  return dropUndefined({ vni, local: v4(d.get(C.IFLA_VXLAN_LOCAL)), remote: v4(d.get(C.IFLA_VXLAN_GROUP)) }) as VxlanInfo;
}

function decodeStats(b: Buffer | undefined): LinkStats | undefined {
  if (b === undefined || b.length < 64) return undefined;
  const u64 = (i: number): number => Number(b.readBigUInt64LE(i * 8));
  return {
    rxPackets: u64(0),
    txPackets: u64(1),
    rxBytes: u64(2),
    txBytes: u64(3),
    rxDropped: u64(6),
    txDropped: u64(7),
  };
}
