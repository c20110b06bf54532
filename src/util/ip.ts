// IPv4/IPv6 address and CIDR text <-> bytes, canonical forms and arithmetic.
// Pure and tiny: used by model/ (IPAM, validation) and kernel/ (wire encoding), so both sides of a
// diff print addresses the same way. Parsing is delegated to ipaddr.js; the arithmetic is BigInt.
import ipaddr from 'ipaddr.js';

/** Address family as the kernel numbers it in our model: 4 or 6. */
export type Family = 4 | 6;

/** A parsed CIDR: canonical address text, prefix length, family. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: Family;
}

/**
 * Memo tables: checking a big lab parses the same few thousand addresses many times over (each
 * interface against every subnet, gateway and route), ~50 ms of a 1000-node file. Results are
 * immutable; a table that grows past its cap is simply emptied.
 */
const MEMO_CAP = 200_000;
const parsedMemo = new Map<string, { address: string; family: Family } | undefined>();
const bigMemo = new Map<string, bigint>();

function remember<K, V>(memo: Map<K, V>, key: K, value: V): V {
  if (memo.size >= MEMO_CAP) memo.clear();
  memo.set(key, value);
  return value;
}

/** Parse an address ("10.0.0.1", "fd00::1") to its canonical text, or undefined when invalid. */
export function parseAddress(text: string): { address: string; family: Family } | undefined {
  if (parsedMemo.has(text)) return parsedMemo.get(text);
  return remember(parsedMemo, text, parseAddressOnce(text));
}

function parseAddressOnce(text: string): { address: string; family: Family } | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  // ipaddr.isValid accepts shorthand such as "10.1" (classful); only dotted quads are addresses here.
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const a = ipaddr.parse(text);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) {
    return { address: a.toString(), family: 6 };
  }
  return { address: a.toString(), family: a.kind() === 'ipv4' ? 4 : 6 };
}

/** Parse "ADDR/LEN" (LEN required) to a Cidr, or undefined when invalid. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const a = parseAddress(text.slice(0, slash));
  const lenText = text.slice(slash + 1);
  if (!a || !/^\d{1,3}$/.test(lenText)) return undefined;
  const prefix = Number(lenText);
  if (prefix > bits(a.family)) return undefined;
  return { address: a.address, prefix, family: a.family };
}

/** Canonical "ADDR/LEN" text of a Cidr. */
export function formatCidr(c: Cidr): string {
  return `${c.address}/${c.prefix}`;
}

/** Number of bits in an address of this family. */
export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Address bytes (4 or 16) of canonical or any valid address text. */
export function addressBytes(text: string): Uint8Array {
  // Fast path for the common canonical dotted quad (a probe run encodes tens of thousands):
  // decimal octets without leading zeros, nothing else; anything else goes to the full parser.
  const q = DOTTED_QUAD.exec(text);
  if (q) {
    const b = [q[1], q[2], q[3], q[4]].map(Number);
    if (b.every((x) => x <= 255)) return Uint8Array.from(b);
  }
  return Uint8Array.from(ipaddr.parse(text).toByteArray());
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** Canonical text of address bytes (4 or 16 of them). */
export function bytesToAddress(bytes: Uint8Array): string {
  // IPv4's canonical text is plain dotted decimal: no library round trip (IPAM formats thousands).
  if (bytes.length === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  return ipaddr.fromByteArray(Array.from(bytes)).toString();
}

/** The address as an unsigned BigInt. */
export function toBigInt(text: string): bigint {
  const known = bigMemo.get(text);
  if (known !== undefined) return known;
  let v = 0n;
  for (const b of addressBytes(text)) v = (v << 8n) | BigInt(b);
  return remember(bigMemo, text, v);
}

/** The dotted-quad text of an IPv4 address held in a plain number (0 to 2^32 - 1). */
export function ipv4Text(x: number): string {
  return `${x >>> 24}.${(x >>> 16) & 255}.${(x >>> 8) & 255}.${x & 255}`;
}

/** The canonical text of a BigInt address of the given family. */
export function fromBigInt(v: bigint, family: Family): string {
  if (family === 4) return ipv4Text(Number(v & 0xffffffffn));
  const n = bits(family) / 8;
  const out = new Uint8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return bytesToAddress(out);
}

/** The network (first) address of a CIDR, as a Cidr with the same prefix. */
export function networkOf(c: Cidr): Cidr {
  const host = bits(c.family) - c.prefix;
  const v = (toBigInt(c.address) >> BigInt(host)) << BigInt(host);
  return { address: fromBigInt(v, c.family), prefix: c.prefix, family: c.family };
}

/** The last address of a CIDR (the IPv4 broadcast address). */
export function lastOf(c: Cidr): string {
  const host = BigInt(bits(c.family) - c.prefix);
  const v = toBigInt(networkOf(c).address) | ((1n << host) - 1n);
  return fromBigInt(v, c.family);
}

/** Whether address text lies inside the subnet. */
export function contains(subnet: Cidr, address: string): boolean {
  const a = parseAddress(address);
  if (!a || a.family !== subnet.family) return false;
  const host = BigInt(bits(subnet.family) - subnet.prefix);
  return toBigInt(a.address) >> host === toBigInt(subnet.address) >> host;
}

/** Whether two subnets share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  if (a.family !== b.family) return false;
  const wider = a.prefix <= b.prefix ? a : b;
  const narrower = wider === a ? b : a;
  return contains(wider, narrower.address);
}

/** The default route destination of a family, as canonical CIDR text. */
export function defaultRoute(family: Family): string {
  return family === 4 ? '0.0.0.0/0' : '::/0';
}
