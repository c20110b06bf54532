// Writing pcapng (the format Wireshark and tcpdump -r read): a section header, one interface
// description block per capture point (named, so a merged file says where each packet was seen),
// then an enhanced packet block per packet. Only encoding, little-endian; the caller writes the
// bytes. Block layouts: draft-ietf-opsawg-pcapng sections 4.1 (SHB), 4.2 (IDB), 4.3 (EPB).

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;

/** Link type of Ethernet (LINKTYPE_ETHERNET), what veths and bridges capture as. */
export const LINKTYPE_ETHERNET = 1;

const pad4 = (n: number): number => (n + 3) & ~3;

/** Options as pcapng encodes them: code, length, value padded to 32 bits, then opt_endofopt. */
function options(opts: ReadonlyArray<readonly [number, string | undefined]>): Buffer {
  const parts: Buffer[] = [];
  for (const [code, text] of opts) {
    if (text === undefined) continue;
    const value = Buffer.from(text, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    parts.push(head, value, Buffer.alloc(pad4(value.length) - value.length));
  }
  if (parts.length === 0) return Buffer.alloc(0);
  const end = Buffer.alloc(4); // opt_endofopt: code 0, length 0
  end.writeUInt16LE(OPT_END, 0);
  parts.push(end);
  return Buffer.concat(parts);
}

/** A block: type, total length, body (already padded), total length again. */
function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/** Section header block (version 1.0, section length unknown), naming the writing program. */
export function sectionHeader(app?: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8);
  return block(SHB, Buffer.concat([fixed, options([[SHB_USERAPPL, app]])]));
}

/** Interface description block; interfaces are numbered 0, 1, ... in the order written. */
export function interfaceBlock(o: { readonly name: string; readonly description?: string; readonly linktype?: number; readonly snaplen?: number }): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(o.linktype ?? LINKTYPE_ETHERNET, 0);
  fixed.writeUInt32LE(o.snaplen ?? 0, 4);
  return block(
    IDB,
    Buffer.concat([
      fixed,
      options([
        [IF_NAME, o.name],
        [IF_DESCRIPTION, o.description],
      ]),
    ]),
  );
}

/** Enhanced packet block; the timestamp is in microseconds (the IDB's default resolution). */
export function packetBlock(o: { readonly iface: number; readonly tsUs: number; readonly data: Uint8Array; readonly origLen: number }): Buffer {
  const fixed = Buffer.alloc(20);
  fixed.writeUInt32LE(o.iface, 0);
  fixed.writeUInt32LE(Math.floor(o.tsUs / 2 ** 32), 4);
  fixed.writeUInt32LE(o.tsUs % 2 ** 32, 8);
  fixed.writeUInt32LE(o.data.length, 12);
  fixed.writeUInt32LE(o.origLen, 16);
  const data = Buffer.alloc(pad4(o.data.length));
  data.set(o.data, 0);
  return block(EPB, Buffer.concat([fixed, data]));
}
