// Bounds-checked reads of header fields for the decoders: big-endian (network order) integers,
// MAC and IP address texts. Every reader returns undefined past the end instead of throwing, so a
// truncated packet decodes as far as it goes.
import { bytesToAddress } from '../util/ip.js';

/** Part of a summary line: text, or an address that the formatter may name. */
export type Token = string | { readonly mac: string } | { readonly ip: string; readonly port?: number };

/** A window onto packet bytes. */
export class Bytes {
  constructor(readonly b: Uint8Array) {}

  get length(): number {
    return this.b.length;
  }

  /** Whether `n` bytes are there from `off`. */
  has(off: number, n: number): boolean {
    return off >= 0 && off + n <= this.b.length;
  }

  u8(off: number): number {
    return this.b[off] ?? 0;
  }

  u16(off: number): number {
    return ((this.b[off] ?? 0) << 8) | (this.b[off + 1] ?? 0);
  }

  u32(off: number): number {
    return this.u16(off) * 0x10000 + this.u16(off + 2);
  }

  /** `aa:bb:cc:dd:ee:ff` at off. */
  mac(off: number): string {
    return Array.from(this.b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, '0')).join(':');
  }

  /** IPv4 (4 bytes) or IPv6 (16 bytes) address text at off, canonical as everywhere in nslab. */
  ip(off: number, len: 4 | 16): string {
    return bytesToAddress(this.b.subarray(off, off + len));
  }

  /** The bytes from `off` (to `end`), as a new window. */
  from(off: number, end = this.b.length): Bytes {
    return new Bytes(this.b.subarray(Math.min(off, this.b.length), Math.min(end, this.b.length)));
  }
}

/** An address token with a port only when there is one (exactOptionalPropertyTypes). */
export function at(ip: string, port: number | undefined): Token {
  return port === undefined ? { ip } : { ip, port };
}
