// Neighbour messages (RTM_GETNEIGH dump, RTM_NEWNEIGH replies): ARP and NDP entries.
// PURE. A family-0 dump also returns the bridge FDB (AF_BRIDGE, via the same message type);
// the decoder keeps IPv4 and IPv6 entries only.
import { addressBytes, bytesToAddress } from '../util/ip.js';
import { MsgBuilder, dropUndefined, formatMac, parseAttrs, type NlMsg } from './wire.js';
import * as C from './wire-consts.js';

/** RTM_GETNEIGH dump (struct ndmsg, all zero: every family, every link). `ip neigh show` */
export function encodeNeighDump(): Buffer {
  return new MsgBuilder(C.RTM_GETNEIGH, C.NLM_F_REQUEST | C.NLM_F_DUMP).raw(Buffer.alloc(C.NDMSG_LEN)).finish();
}

/** RTM_DELNEIGH of one entry (struct ndmsg with family and ifindex, NDA_DST). `ip neigh del ADDR dev DEV` */
export function encodeNeighDelete(n: Pick<NeighMsg, 'family' | 'index' | 'address'>): Buffer {
  const nd = Buffer.alloc(C.NDMSG_LEN);
  nd.writeUInt8(n.family === 4 ? C.AF_INET : C.AF_INET6, 0);
  nd.writeInt32LE(n.index, 4);
  return new MsgBuilder(C.RTM_DELNEIGH, C.NLM_F_REQUEST | C.NLM_F_ACK).raw(nd).attr(C.NDA_DST, addressBytes(n.address)).finish();
}

/** NUD_PERMANENT (linux/neighbour.h): a static entry, never aged, not counted against gc_thresh3. */
const NUD_PERMANENT = 0x80;

/**
 * RTM_NEWNEIGH with NLM_F_CREATE|NLM_F_EXCL: add a permanent entry, refused (EEXIST) when the
 * kernel already has one for the address, learned or static, which is then left as it is.
 * `ip neigh add ADDR lladdr MAC dev DEV nud permanent protocol PROTO`
 */
export function encodeNeighAdd(n: { family: 4 | 6; index: number; address: string; mac: string; protocol: number }): Buffer {
  const nd = Buffer.alloc(C.NDMSG_LEN);
  nd.writeUInt8(n.family === 4 ? C.AF_INET : C.AF_INET6, 0);
  nd.writeInt32LE(n.index, 4);
  nd.writeUInt16LE(NUD_PERMANENT, 8);
  return new MsgBuilder(C.RTM_NEWNEIGH, C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL)
    .raw(nd)
    .attr(C.NDA_DST, addressBytes(n.address))
    .attr(C.NDA_LLADDR, macBytes(n.mac))
    .attr(C.NDA_PROTOCOL, Buffer.from([n.protocol]))
    .finish();
}

/** "02:00:0a:4d:00:02" -> its six bytes; throws on anything else (a bug upstream: MACs come from the kernel). */
export function macBytes(mac: string): Buffer {
  const parts = mac.split(':');
  if (parts.length !== 6 || !parts.every((p) => /^[0-9a-f]{2}$/i.test(p))) throw new RangeError(`not a MAC address: ${mac}`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

/** A decoded neighbour entry. */
export interface NeighMsg {
  readonly family: 4 | 6;
  readonly index: number;
  /** NUD_* bits (ndm_state). */
  readonly state: number;
  readonly flags: number;
  /** Canonical text of the neighbour's IP address. */
  readonly address: string;
  readonly mac?: string;
}

/**
 * Decode an RTM_NEWNEIGH: struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex;
 * u16 state; u8 flags; u8 type; } then NDA_* attributes. Undefined for other families.
 */
export function decodeNeigh(m: NlMsg): NeighMsg | undefined {
  if (m.type !== C.RTM_NEWNEIGH || m.body.length < C.NDMSG_LEN) return undefined;
  const fam = m.body.readUInt8(0);
  if (fam !== C.AF_INET && fam !== C.AF_INET6) return undefined;
  const a = parseAttrs(m.body, C.NDMSG_LEN);
  const dst = a.get(C.NDA_DST);
  if (dst === undefined) return undefined;
  const ll = a.get(C.NDA_LLADDR);
  return {
    family: fam === C.AF_INET ? 4 : 6,
    index: m.body.readInt32LE(4),
    state: m.body.readUInt16LE(8),
    flags: m.body.readUInt8(10),
    address: bytesToAddress(dst),
    ...dropUndefined({ mac: ll && ll.length > 0 ? formatMac(ll) : undefined }),
  };
}
