// VXLAN links and their forwarding entries: RTM_NEWLINK of kind "vxlan" and RTM_NEWNEIGH /
// RTM_DELNEIGH of family AF_BRIDGE. PURE. The bytes are those iproute2 sends for
// `ip link add ... type vxlan ...` and `bridge fdb append|del ...` (checked in the unit tests).
import { addressBytes } from '../util/ip.js';
import { macBytes } from './wire-neigh.js';
import { MsgBuilder } from './wire.js';
import { ifinfomsg } from './wire-link.js';
import * as C from './wire-consts.js';

const KIND_VXLAN = Buffer.from('vxlan');

/** What a vxlan creation needs. */
export interface VxlanCreate {
  readonly name: string;
  readonly vni: number;
  readonly port: number;
  /** IPv4 underlay source address. */
  readonly local?: string;
  /** ifindex of the underlay device. */
  readonly link?: number;
  readonly mtu?: number;
  /** IPv4 address of the one remote tunnel end (a point-to-point tunnel: no FDB entries). */
  readonly remote?: string;
  /**
   * An fd of the namespace the device is to live in (IFLA_NET_NS_FD). The device moves there, but
   * its UDP socket and `local` stay in the namespace the request is sent from (the kernel takes
   * the underlay from the requester's namespace): how a node's interface is itself a tunnel end.
   */
  readonly nsFd?: number;
  /** The device's MAC address. */
  readonly mac?: string;
}

/**
 * RTM_NEWLINK creating a vxlan device, learning off and UDP checksums on.
 * `ip link add NAME [netns NS] [mtu M] type vxlan id VNI [remote R] [local L] [dev D] dstport PORT nolearning udpcsum`
 */
export function encodeVxlanCreate(v: VxlanCreate): Buffer {
  const m = new MsgBuilder(C.RTM_NEWLINK, C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL).raw(ifinfomsg());
  if (v.nsFd !== undefined) m.u32(C.IFLA_NET_NS_FD, v.nsFd);
  if (v.mtu !== undefined) m.u32(C.IFLA_MTU, v.mtu);
  if (v.mac !== undefined) m.attr(C.IFLA_ADDRESS, macBytes(v.mac));
  m.str(C.IFLA_IFNAME, v.name);
  m.nest(C.IFLA_LINKINFO).attr(C.IFLA_INFO_KIND, KIND_VXLAN).nest(C.IFLA_INFO_DATA);
  m.u8(C.IFLA_VXLAN_UDP_CSUM, 1).u32(C.IFLA_VXLAN_ID, v.vni);
  if (v.local !== undefined) m.attr(C.IFLA_VXLAN_LOCAL, addressBytes(v.local));
  if (v.remote !== undefined) m.attr(C.IFLA_VXLAN_GROUP, addressBytes(v.remote));
  if (v.link !== undefined) m.u32(C.IFLA_VXLAN_LINK, v.link);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(v.port);
  m.u8(C.IFLA_VXLAN_LEARNING, 0).attr(C.IFLA_VXLAN_PORT, port);
  return m.end().end().finish();
}

/** The all-zero MAC: the "default" FDB entry of a vxlan device, used for every unknown or broadcast destination. */
const ZERO_MAC = Buffer.alloc(6);

/**
 * RTM_NEWNEIGH (NLM_F_CREATE|NLM_F_APPEND) or RTM_DELNEIGH of a vxlan device's default entry to
 * one remote tunnel end. `bridge fdb append|del 00:00:00:00:00:00 dev DEV dst DST`
 */
export function encodeFdb(verb: 'append' | 'delete', f: { readonly index: number; readonly dst: string }): Buffer {
  const nd = Buffer.alloc(C.NDMSG_LEN);
  nd.writeUInt8(C.AF_BRIDGE, 0);
  nd.writeInt32LE(f.index, 4);
  nd.writeUInt16LE(C.NUD_NOARP | C.NUD_PERMANENT, 8);
  nd.writeUInt8(C.NTF_SELF, 10);
  const flags = verb === 'append' ? C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_APPEND : C.NLM_F_REQUEST | C.NLM_F_ACK;
  return new MsgBuilder(verb === 'append' ? C.RTM_NEWNEIGH : C.RTM_DELNEIGH, flags)
    .raw(nd)
    .attr(C.NDA_LLADDR, ZERO_MAC)
    .attr(C.NDA_DST, addressBytes(f.dst))
    .finish();
}
