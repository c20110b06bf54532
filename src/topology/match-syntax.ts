// Syntax of the values of firewall matches and published ports: ports and "LO-HI" ranges,
// rule targets (a CIDR, an address or a node name), and docker-style "[HOSTADDR:]HOST:NODE[/PROTO]"
// strings. Each check returns a reason a person can act on; each parse expects a checked value.
import type { PortRange } from './types.js';
import { bits, formatCidr, networkOf, parseAddress, parseCidr } from '../util/ip.js';
import { addressProblem, subnetProblem } from './address-syntax.js';
import { nameProblem } from './name-rules.js';

const RANGE = /^(\d{1,6})\s*-\s*(\d{1,6})$/;

function portNumberProblem(n: number): string | undefined {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : `port ${n} is out of range: ports are 1 to 65535`;
}

/** Why v is not a port (1..65535, as a number or digits) or a "LO-HI" range, or undefined. */
export function portProblem(v: unknown): string | undefined {
  if (typeof v === 'number') return portNumberProblem(v);
  if (typeof v !== 'string') return 'must be a port such as 22, a range such as "8000-8080", or a list of them';
  if (/^\d{1,6}$/.test(v.trim())) return portNumberProblem(Number(v));
  const m = RANGE.exec(v.trim());
  if (!m) return 'it is not a port such as 22 or a range such as "8000-8080"';
  const [lo, hi] = [Number(m[1]), Number(m[2])];
  const p = portNumberProblem(lo) ?? portNumberProblem(hi);
  if (p) return p;
  return hi < lo ? `the range is empty: ${hi} is less than ${lo} (write ${hi}-${lo})` : undefined;
}

/** A checked port or range as a PortRange. */
export function parsePort(v: number | string): PortRange {
  if (typeof v === 'number') return { from: v, to: v };
  const m = RANGE.exec(v.trim());
  return m ? { from: Number(m[1]), to: Number(m[2]) } : { from: Number(v), to: Number(v) };
}

/** A rule target as written: a CIDR (canonical, /32 or /128 for an address) or a node name. */
export type Target = { readonly kind: 'cidr'; readonly cidr: string } | { readonly kind: 'node'; readonly node: string };

/** Why text is not a CIDR, an address or a node name, or undefined. */
export function targetProblem(text: string): string | undefined {
  if (text.includes('/')) return subnetProblem(text);
  if (parseAddress(text)) return undefined;
  if (text.includes(':') || /^[0-9.]+$/.test(text)) return addressProblem(text);
  return nameProblem('node', text) === undefined ? undefined : 'it is not a CIDR such as 10.0.0.0/24, an address such as 10.0.0.1, or a node name';
}

/** Parse a checked target. */
export function parseTarget(text: string): Target {
  const c = parseCidr(text);
  if (c) return { kind: 'cidr', cidr: formatCidr(networkOf(c)) };
  const a = parseAddress(text);
  return a ? { kind: 'cidr', cidr: `${a.address}/${bits(a.family)}` } : { kind: 'node', node: text };
}

/** A published port as written, before the node's address is known. */
export interface PublishSpec {
  readonly hostPort: number;
  readonly nodePort: number;
  readonly proto: 'tcp' | 'udp';
  readonly hostAddress?: string;
}

const PUBLISH = /^(?:(\[[^\]]*\]|[^:[\]]+):)?(\d{1,6}):(\d{1,6})(?:\/([a-z0-9]+))?$/i;

/** Why text is not "[HOSTADDR:]HOSTPORT:NODEPORT[/tcp|udp]", or undefined. */
export function publishProblem(text: string): string | undefined {
  const m = PUBLISH.exec(text.trim());
  if (!m) return 'it is not HOSTPORT:NODEPORT, HOSTADDR:HOSTPORT:NODEPORT or either with /tcp or /udp (such as "8080:80/tcp")';
  const p = portNumberProblem(Number(m[2])) ?? portNumberProblem(Number(m[3]));
  if (p) return p;
  if (m[4] !== undefined && !['tcp', 'udp'].includes(m[4].toLowerCase())) return `protocol '${m[4]}' is neither tcp nor udp`;
  return m[1] === undefined ? undefined : hostAddressProblem(m[1].replace(/^\[|\]$/g, ''));
}

/** Why text cannot be the host address of a published port (an IPv4 address), or undefined. */
export function hostAddressProblem(text: string): string | undefined {
  const p = addressProblem(text);
  if (p) return `host address: ${p}`;
  return parseAddress(text)!.family === 4 ? undefined : "the host address must be IPv4: published ports forward to the node's IPv4 address";
}

/** Parse a checked publish string. */
export function parsePublish(text: string): PublishSpec {
  const m = PUBLISH.exec(text.trim())!;
  const host = m[1] === undefined ? {} : { hostAddress: parseAddress(m[1].replace(/^\[|\]$/g, ''))!.address };
  return { hostPort: Number(m[2]), nodePort: Number(m[3]), proto: (m[4]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp', ...host };
}
