// Syntax of the address-like values of the format: ADDR, ADDR/LEN, subnets (network address
// with a prefix), route destinations. Each check returns a reason a person can act on.
import { bits, formatCidr, networkOf, parseAddress, parseCidr } from '../util/ip.js';
import type { Cidr, Family } from '../util/ip.js';
import { familyName, quote } from './text.js';

/** An address as written on an interface: prefix absent when written without /LEN. */
export interface AddressSpec {
  readonly address: string;
  readonly family: Family;
  readonly prefix?: number;
}

/** Why text is not an IPv4/IPv6 address without /LEN, or undefined. */
export function addressProblem(text: string): string | undefined {
  if (text.includes('/')) return 'an address is written without /LEN here (such as 10.0.0.1)';
  return parseAddress(text) ? undefined : 'it is not an IPv4 or IPv6 address';
}

/** Why text is not ADDR/LEN, or undefined. */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return 'it has no /LEN prefix length (such as 10.0.0.0/24)';
  const addr = text.slice(0, slash);
  const a = parseAddress(addr);
  if (!a) return `${quote(addr)} is not an IPv4 or IPv6 address`;
  const len = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(len)) return `${quote('/' + len)} is not a prefix length`;
  const max = bits(a.family);
  if (Number(len) > max) return `prefix length /${len} is more than ${max}, the ${familyName(a.family)} maximum`;
  return undefined;
}

/** Why text is not a subnet (ADDR/LEN with no host bits set), or undefined. */
export function subnetProblem(text: string): string | undefined {
  const p = cidrProblem(text);
  if (p) return p;
  const c = parseCidr(text)!;
  const net = formatCidr(networkOf(c));
  return net === formatCidr(c) ? undefined : `it has host bits set (did you mean ${net}?)`;
}

/** Why text is neither ADDR nor ADDR/LEN, or undefined. */
export function addressOrCidrProblem(text: string): string | undefined {
  return text.includes('/') ? cidrProblem(text) : addressProblem(text);
}

/** Why text is not a route destination (`default`, a subnet, or a single address), or undefined. */
export function destinationProblem(text: string): string | undefined {
  if (text === 'default') return undefined;
  return text.includes('/') ? subnetProblem(text) : addressProblem(text);
}

/** Parse ADDR or ADDR/LEN (already checked by addressOrCidrProblem). */
export function parseAddressSpec(text: string): AddressSpec {
  const c = parseCidr(text);
  if (c) return { address: c.address, family: c.family, prefix: c.prefix };
  const a = parseAddress(text)!;
  return { address: a.address, family: a.family };
}

/** Parse a route destination (already checked): a single address is a host route. */
export function parseDestination(text: string, viaFamily: Family | undefined): Cidr {
  if (text === 'default') return { address: viaFamily === 6 ? '::' : '0.0.0.0', prefix: 0, family: viaFamily ?? 4 };
  const c = parseCidr(text);
  if (c) return c;
  const a = parseAddress(text)!;
  return { address: a.address, family: a.family, prefix: bits(a.family) };
}
