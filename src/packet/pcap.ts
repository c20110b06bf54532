// Reading the classic pcap stream tcpdump writes with `-w -`: a 24-byte file header, then one
// 16-byte record header per packet. Incremental, because the stream arrives in pipe-sized chunks
// that split records anywhere. Pure: bytes in, records out. (The format is fixed and tiny; the npm
// readers for it are unmaintained since 2015, so reading it here is simpler than depending on one.)

/** One captured packet. */
export interface PcapRecord {
  /** Capture time in microseconds since the epoch (nanosecond streams are truncated). */
  readonly tsUs: number;
  /** The bytes captured (at most the snapshot length). */
  readonly data: Uint8Array;
  /** The packet's length on the wire. */
  readonly origLen: number;
}

/** The stream does not start like a pcap file. */
export class PcapFormatError extends Error {
  override readonly name = 'PcapFormatError';
}

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
/** A record claiming more than this is a corrupt stream, not a packet. */
const MAX_RECORD = 16 * 1024 * 1024;

/** Incremental pcap reader: push chunks, get whole records back. */
export class PcapReader {
  private buf: Buffer = Buffer.alloc(0);
  private little = true;
  private nano = false;
  /** The stream's link type (1 = Ethernet); undefined until the header has arrived. */
  linktype: number | undefined;

  /** Append a chunk; returns the records it completes. Throws PcapFormatError on a bad stream. */
  push(chunk: Uint8Array): PcapRecord[] {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    if (this.linktype === undefined && !this.header()) return [];
    const out: PcapRecord[] = [];
    let off = 0;
    while (this.buf.length - off >= 16) {
      const u32 = (at: number): number => (this.little ? this.buf.readUInt32LE(off + at) : this.buf.readUInt32BE(off + at));
      const incl = u32(8);
      if (incl > MAX_RECORD) throw new PcapFormatError(`record of ${incl} bytes: the stream is corrupt`);
      if (this.buf.length - off < 16 + incl) break;
      const frac = u32(4);
      const tsUs = u32(0) * 1_000_000 + (this.nano ? Math.floor(frac / 1000) : frac);
      out.push({ tsUs, origLen: u32(12), data: Uint8Array.prototype.slice.call(this.buf, off + 16, off + 16 + incl) });
      off += 16 + incl;
    }
    this.buf = this.buf.subarray(off);
    return out;
  }

  /** Consume the file header once it is complete; false while it is not. */
  private header(): boolean {
    if (this.buf.length < 24) return false;
    const le = this.buf.readUInt32LE(0);
    const be = this.buf.readUInt32BE(0);
    if (le === MAGIC_US || le === MAGIC_NS) this.little = true;
    else if (be === MAGIC_US || be === MAGIC_NS) this.little = false;
    else throw new PcapFormatError(`not a pcap stream (magic 0x${be.toString(16).padStart(8, '0')})`);
    this.nano = (this.little ? le : be) === MAGIC_NS;
    this.linktype = (this.little ? this.buf.readUInt32LE(20) : this.buf.readUInt32BE(20)) & 0x0fffffff;
    this.buf = this.buf.subarray(24);
    return true;
  }
}
