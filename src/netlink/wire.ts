// rtnetlink wire format, by hand: message builder, attribute parser, ack/done decoding.
// PURE (no I/O). Hand-written because no maintained JS library can open a socket inside another
// namespace or batch requests with flow control (npm `netlink` 0.3: see notes/kernel.md), and the
// format is small. Host byte order is little-endian (x86_64/arm64); everything is 4-byte aligned.
// Per-family encoders/decoders: wire-link/-addr/-route/-neigh.ts (all pure, all built on this).
import { NLA_TYPE_MASK, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_HDRLEN, NLMSGERR_ATTR_MSG } from './wire-consts.js';

/** Round up to the 4-byte netlink alignment (NLMSG_ALIGN / NLA_ALIGN). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * Builds one netlink message: header, fixed family struct, attributes, nests.
 * The sequence number is left 0; the socket stamps it when sending (see setSeq).
 */
export class MsgBuilder {
  private buf = Buffer.alloc(256);
  private len = NLMSG_HDRLEN;
  private readonly open: number[] = [];

  constructor(type: number, flags: number) {
    this.buf.writeUInt16LE(type, 4);
    this.buf.writeUInt16LE(flags, 6);
  }

  /** Append raw bytes (a family struct), padded to 4 bytes. */
  raw(bytes: Uint8Array): this {
    const at = this.reserve(align4(bytes.length));
    this.buf.set(bytes, at);
    return this;
  }

  /** Append one attribute with the given payload. */
  attr(type: number, data: Uint8Array): this {
    const at = this.reserve(align4(4 + data.length));
    this.buf.writeUInt16LE(4 + data.length, at);
    this.buf.writeUInt16LE(type, at + 2);
    this.buf.set(data, at + 4);
    return this;
  }

  u8(type: number, v: number): this {
    return this.attr(type, Uint8Array.of(v));
  }

  u32(type: number, v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.attr(type, b);
  }

  /** A NUL-terminated string attribute (IFLA_IFNAME, IFLA_INFO_KIND). */
  str(type: number, s: string): this {
    return this.attr(type, Buffer.from(`${s}\0`, 'utf8'));
  }

  /** Open a nested attribute; close it with end(). */
  nest(type: number): this {
    const at = this.reserve(4);
    this.buf.writeUInt16LE(type, at + 2);
    this.open.push(at);
    return this;
  }

  /** Close the innermost nest: its length covers everything appended since nest(). */
  end(): this {
    const at = this.open.pop();
    if (at === undefined) throw new Error('MsgBuilder.end() without nest()');
    this.buf.writeUInt16LE(this.len - at, at);
    return this;
  }

  /** The finished message, with nlmsg_len filled in. */
  finish(): Buffer {
    if (this.open.length > 0) throw new Error('MsgBuilder.finish() with an open nest');
    this.buf.writeUInt32LE(this.len, 0);
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  private reserve(n: number): number {
    if (this.len + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    const at = this.len;
    this.len += n; // Buffer.alloc zero-fills, so padding bytes are already 0
    return at;
  }
}

/** Stamp a sequence number into an encoded message (in place). */
export function setSeq(msg: Buffer, seq: number): void {
  msg.writeUInt32LE(seq >>> 0, 8);
}

/** One message as received: header fields and the payload after the 16-byte header. */
export interface NlMsg {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  readonly body: Buffer;
}

/** Split a receive buffer into messages; stops at a truncated or malformed tail. */
export function splitMessages(buf: Buffer): NlMsg[] {
  const out: NlMsg[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) break;
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      body: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** Attributes of a message region, by type (flag bits masked off); the last duplicate wins. */
export type Attrs = Map<number, Buffer>;

/** Parse the attributes in buf[start, end). */
export function parseAttrs(buf: Buffer, start = 0, end = buf.length): Attrs {
  const out: Attrs = new Map();
  let off = start;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    out.set(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** A string attribute without its trailing NUL(s). */
export function attrStr(a: Buffer | undefined): string | undefined {
  if (a === undefined) return undefined;
  let end = a.length;
  while (end > 0 && a[end - 1] === 0) end--;
  return a.toString('utf8', 0, end);
}

export function attrU32(a: Buffer | undefined): number | undefined {
  return a !== undefined && a.length >= 4 ? a.readUInt32LE(0) : undefined;
}

export function attrU8(a: Buffer | undefined): number | undefined {
  return a !== undefined && a.length >= 1 ? a.readUInt8(0) : undefined;
}

/** An NLMSG_ERROR (or NLMSG_DONE) decoded: errno is positive, 0 for a plain ack. */
export interface Ack {
  readonly errno: number;
  /** Sequence number of the request this answers (NLMSG_ERROR only). */
  readonly seq: number;
  /** The kernel's extended-ack text (NLMSGERR_ATTR_MSG), when it gave one. */
  readonly message?: string;
}

/**
 * Decode the payload of an NLMSG_ERROR: struct nlmsgerr { int error; struct nlmsghdr msg; }
 * followed by the rest of the request unless capped (NETLINK_CAP_ACK, or NLM_F_CAPPED set),
 * then extended-ack TLVs when NLM_F_ACK_TLVS is set.
 */
export function decodeError(m: NlMsg): Ack {
  const errno = m.body.length >= 4 ? 0 - m.body.readInt32LE(0) : 0;
  const seq = m.body.length >= 16 ? m.body.readUInt32LE(4 + 8) : 0;
  if ((m.flags & NLM_F_ACK_TLVS) === 0 || m.body.length < 4 + NLMSG_HDRLEN) return { errno, seq };
  const origLen = m.body.readUInt32LE(4);
  const capped = (m.flags & NLM_F_CAPPED) !== 0 || errno === 0;
  const tlvAt = 4 + (capped ? NLMSG_HDRLEN : align4(origLen));
  return withMessage({ errno, seq }, parseAttrs(m.body, tlvAt));
}

/** Decode the payload of an NLMSG_DONE: an int error (0 = complete), maybe with ext-ack TLVs. */
export function decodeDone(m: NlMsg): Ack {
  const errno = m.body.length >= 4 ? 0 - m.body.readInt32LE(0) : 0;
  if ((m.flags & NLM_F_ACK_TLVS) === 0) return { errno, seq: m.seq };
  return withMessage({ errno, seq: m.seq }, parseAttrs(m.body, 4));
}

function withMessage(ack: Ack, tlvs: Attrs): Ack {
  const message = attrStr(tlvs.get(NLMSGERR_ATTR_MSG));
  return message ? { ...ack, message } : ack;
}

/** "aa:bb:cc:dd:ee:ff" for hardware address bytes. */
export function formatMac(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Copy without undefined-valued keys (exactOptionalPropertyTypes: absent, not undefined). */
export function dropUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
