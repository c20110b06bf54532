// PURE: one firewall rule of the model -> nft rule lines (no table, no chain). Addresses are
// split by family because one nft rule matches either `ip` or `ip6` headers, never both; a rule
// whose source and destination have no family in common can never match and renders as a comment.
// Must not import anything effectful (it lives in kernel/ only to sit next to its one user).
import type { FirewallRule, PortRange } from '../model/types.js';

/** nft address family selector of a header match. */
type Fam = 'ip' | 'ip6';

/** Whether a CIDR or address text is IPv6 (it has a colon; IPv4 never does). */
export function familyOf(cidr: string): Fam {
  return cidr.includes(':') ? 'ip6' : 'ip';
}

/** `X` for one element, `{ X, Y }` for several: nft's anonymous set syntax. */
export function nftSet(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `{ ${items.join(', ')} }`;
}

/** A double-quoted nft string (interface names, comments); quotes are not allowed inside. */
export function quote(s: string): string {
  if (/["\\\n]/.test(s)) throw new Error(`nft: cannot quote ${JSON.stringify(s)}`);
  return `"${s}"`;
}

function ports(rs: readonly PortRange[]): string {
  return nftSet(rs.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)));
}

/** The families the rule's address matches allow (both when it has none). */
function families(rule: FirewallRule): Fam[] {
  let fams: Fam[] = ['ip', 'ip6'];
  for (const list of [rule.saddr, rule.daddr]) {
    if (list === undefined) continue;
    const present = new Set(list.map(familyOf));
    fams = fams.filter((f) => present.has(f));
  }
  // icmp only exists over IPv4 and icmpv6 over IPv6: narrowing here avoids a dead twin rule.
  if (rule.proto === 'icmp') fams = fams.filter((f) => f === 'ip');
  if (rule.proto === 'icmpv6') fams = fams.filter((f) => f === 'ip6');
  return fams;
}

function addrMatch(fam: Fam, dir: 'saddr' | 'daddr', list: readonly string[] | undefined): string[] {
  if (list === undefined) return [];
  return [`${fam} ${dir} ${nftSet(list.filter((c) => familyOf(c) === fam))}`];
}

/** Protocol and port matches; ports without a protocol mean "tcp or udp" (`th` = transport header). */
function protoMatch(rule: FirewallRule): string[] {
  const hasPorts = rule.sport !== undefined || rule.dport !== undefined;
  const out: string[] = [];
  if (rule.proto === 'tcp' || rule.proto === 'udp') {
    if (!hasPorts) out.push(`meta l4proto ${rule.proto}`);
    if (rule.sport) out.push(`${rule.proto} sport ${ports(rule.sport)}`);
    if (rule.dport) out.push(`${rule.proto} dport ${ports(rule.dport)}`);
    return out;
  }
  if (rule.proto === 'icmp') out.push('meta l4proto icmp');
  else if (rule.proto === 'icmpv6') out.push('meta l4proto ipv6-icmp');
  else if (hasPorts) out.push('meta l4proto { tcp, udp }');
  if (hasPorts && rule.proto === undefined) {
    if (rule.sport) out.push(`th sport ${ports(rule.sport)}`);
    if (rule.dport) out.push(`th dport ${ports(rule.dport)}`);
  }
  return out;
}

/**
 * The nft lines of one rule, each ending in `comment "<tag>"` so `nft monitor trace` and
 * `list ruleset` name it. One line when the rule needs no address family or one family; two when
 * it matches IPv4 and IPv6 addresses; a `#` comment line when it can never match.
 */
export function renderRule(rule: FirewallRule, tag: string): string[] {
  const needsFamily = rule.saddr !== undefined || rule.daddr !== undefined;
  const common = [...(rule.iif !== undefined ? [`iifname ${quote(rule.iif)}`] : []), ...(rule.oif !== undefined ? [`oifname ${quote(rule.oif)}`] : [])];
  const tail = [...protoMatch(rule), ...(rule.state ? [`ct state ${rule.state.join(',')}`] : []), rule.action, `comment ${quote(tag)}`];
  if (!needsFamily) return [[...common, ...tail].join(' ')];
  const fams = families(rule);
  if (fams.length === 0) return [`# ${tag}: never matches (no address family in common)`];
  return fams.map((f) => [...common, ...addrMatch(f, 'saddr', rule.saddr), ...addrMatch(f, 'daddr', rule.daddr), ...tail].join(' '));
}
