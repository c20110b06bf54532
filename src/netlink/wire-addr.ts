// Address messages (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR): encoders and the dump decoder.
// PURE. Address text <-> bytes goes through util/ip.ts so that what we write and what we read
// back print in the same canonical form as the model's CIDRs.
import { addressBytes, bytesToAddress, lastOf, type Cidr } from '../util/ip.js';
import { MsgBuilder, attrStr, attrU32, dropUndefined, parseAttrs, type NlMsg } from './wire.js';
import * as C from './wire-consts.js';

/** struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; } */
function ifaddrmsg(family: number, prefix: number, flags: number, index: number): Buffer {
  const b = Buffer.alloc(C.IFADDRMSG_LEN);
  b.writeUInt8(family, 0);
  b.writeUInt8(prefix, 1);
  b.writeUInt8(flags & 0xff, 2);
  b.writeUInt32LE(index >>> 0, 4);
  return b;
}

/**
 * RTM_NEWADDR (add) or RTM_DELADDR (delete) of one address on the link with ifindex `index`.
 * IPv4 carries IFA_LOCAL + IFA_ADDRESS (equal: not point-to-point) and, on add, the subnet
 * broadcast as `brd +` computes it (none for /31 and /32). IPv6 carries IFA_ADDRESS and, on add,
 * IFA_F_NODAD (also in IFA_FLAGS) so the address is usable at once instead of tentative for ~1 s.
 * `ip addr add CIDR [brd +] dev DEV [nodad]` / `ip addr del CIDR dev DEV`
 */
export function encodeAddr(cmd: 'add' | 'delete', a: { readonly index: number; readonly cidr: Cidr }): Buffer {
  const add = cmd === 'add';
  const flags = add ? C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_EXCL : C.NLM_F_REQUEST | C.NLM_F_ACK;
  const bytes = addressBytes(a.cidr.address);
  if (a.cidr.family === 4) {
    const m = new MsgBuilder(add ? C.RTM_NEWADDR : C.RTM_DELADDR, flags);
    m.raw(ifaddrmsg(C.AF_INET, a.cidr.prefix, 0, a.index));
    m.attr(C.IFA_LOCAL, bytes).attr(C.IFA_ADDRESS, bytes);
    if (add && a.cidr.prefix <= 30) m.attr(C.IFA_BROADCAST, addressBytes(lastOf(a.cidr)));
    return m.finish();
  }
  const ifaFlags = add ? C.IFA_F_NODAD : 0;
  const m = new MsgBuilder(add ? C.RTM_NEWADDR : C.RTM_DELADDR, flags);
  m.raw(ifaddrmsg(C.AF_INET6, a.cidr.prefix, ifaFlags, a.index)).attr(C.IFA_ADDRESS, bytes);
  if (add) m.u32(C.IFA_FLAGS, ifaFlags);
  return m.finish();
}

/** RTM_GETADDR dump of both families. `ip addr show` */
export function encodeAddrDump(): Buffer {
  return new MsgBuilder(C.RTM_GETADDR, C.NLM_F_REQUEST | C.NLM_F_DUMP).raw(ifaddrmsg(0, 0, 0, 0)).finish();
}

/** A decoded RTM_NEWADDR. */
export interface AddrMsg {
  readonly family: 4 | 6;
  readonly index: number;
  readonly prefix: number;
  /** Canonical text of the local address. */
  readonly address: string;
  /** IFA_F_* bits (IFA_FLAGS when present, else the u8 field). */
  readonly flags: number;
  /** RT_SCOPE_* number. */
  readonly scope: number;
  readonly label?: string;
}

/** Decode an RTM_NEWADDR message of family AF_INET or AF_INET6; undefined otherwise. */
export function decodeAddr(m: NlMsg): AddrMsg | undefined {
  if (m.type !== C.RTM_NEWADDR || m.body.length < C.IFADDRMSG_LEN) return undefined;
  const fam = m.body.readUInt8(0);
  if (fam !== C.AF_INET && fam !== C.AF_INET6) return undefined;
  const a = parseAttrs(m.body, C.IFADDRMSG_LEN);
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
  const raw = a.get(C.IFA_LOCAL) ?? a.get(C.IFA_ADDRESS);
  if (raw === undefined) return undefined;
  return {
    family: fam === C.AF_INET ? 4 : 6,
    prefix: m.body.readUInt8(1),
    flags: attrU32(a.get(C.IFA_FLAGS)) ?? m.body.readUInt8(2),
    scope: m.body.readUInt8(3),
    index: m.body.readUInt32LE(4),
    address: bytesToAddress(raw),
    ...dropUndefined({ label: attrStr(a.get(C.IFA_LABEL)) }),
  };
}
