// PURE: what one of a node's firewall chains does to one packet, the way nftables would decide it
// for the ruleset nft/render.ts loads: the implied established/related rule (`#0`) first,
// then the rules in order (every given match must hold; first verdict wins), then the policy.
// The verdict names the rule by the comment it carries in `nft list ruleset`.
import type { FirewallChain, FirewallRule } from '../model/types.js';
import { ruleMark } from '../names/markers.js';
import type { PortRange } from '../topology/types.js';
import { parseAddress, parseCidr, contains } from '../util/ip.js';

/** The packet a chain sees. `icmp` means ICMP over IPv4 and ICMPv6 over IPv6 (by the addresses). */
export interface FwPacket {
  readonly proto: 'icmp' | 'tcp' | 'udp';
  readonly src: string;
  readonly dst: string;
  /** Transport ports (tcp/udp only). */
  readonly sport?: number;
  readonly dport?: number;
  /** Connection tracking state: the first packet of a flow is new, its replies established. */
  readonly state: 'new' | 'established';
  /** Interface it came in on (input, forward) / goes out of (forward, output). */
  readonly iif?: string;
  readonly oif?: string;
}

export type ChainName = 'input' | 'forward' | 'output';

/** A chain's decision on a packet. */
export interface ChainVerdict {
  readonly verdict: 'accept' | 'drop' | 'reject';
  /** The deciding rule's comment tag (`nslab:<lab>:<chain>#<n>`), or 'policy'. */
  readonly rule: string;
  /** In words: "rule input#1 (tcp dport 8080) accepts", "policy drop of chain input". */
  readonly text: string;
}

/**
 * Evaluate one chain on a packet. A chain that is not declared (undefined) accepts everything,
 * as the empty policy-accept chain nslab renders for it does.
 */
export function evaluateChain(o: { lab: string; chainName: ChainName; chain: FirewallChain | undefined; packet: FwPacket }): ChainVerdict {
  const { lab, chainName, chain, packet } = o;
  if (!chain) return { verdict: 'accept', rule: 'policy', text: `chain ${chainName} is not declared (policy accept)` };
  if (chain.established && packet.state === 'established') {
    return { verdict: 'accept', rule: ruleMark(lab, `${chainName}#0`), text: `rule ${chainName}#0 (ct state established,related) accepts` };
  }
  for (const [i, rule] of chain.rules.entries()) {
    if (!ruleMatches(rule, packet)) continue;
    const n = `${chainName}#${i + 1}`;
    const desc = describeRule(rule);
    return { verdict: rule.action, rule: ruleMark(lab, n), text: `rule ${n}${desc ? ` (${desc})` : ''} ${ACTS[rule.action]}` };
  }
  return { verdict: chain.policy, rule: 'policy', text: `policy ${chain.policy} of chain ${chainName}` };
}

const ACTS = { accept: 'accepts', drop: 'drops', reject: 'rejects' } as const;

/** Whether every match the rule gives holds for the packet (nft semantics; see render-rule.ts). */
export function ruleMatches(rule: FirewallRule, p: FwPacket): boolean {
  const family = parseAddress(p.dst)?.family ?? parseAddress(p.src)?.family;
  if (rule.iif !== undefined && rule.iif !== p.iif) return false;
  if (rule.oif !== undefined && rule.oif !== p.oif) return false;
  if (rule.saddr !== undefined && !inAny(rule.saddr, p.src)) return false;
  if (rule.daddr !== undefined && !inAny(rule.daddr, p.dst)) return false;
  switch (rule.proto) {
    case 'tcp':
    case 'udp':
      if (p.proto !== rule.proto) return false;
      break;
    case 'icmp':
      if (p.proto !== 'icmp' || family !== 4) return false;
      break;
    case 'icmpv6':
      if (p.proto !== 'icmp' || family !== 6) return false;
      break;
    default:
      break;
  }
  // Ports only exist in tcp and udp headers; without a proto the rule means "tcp or udp".
  if (rule.sport !== undefined || rule.dport !== undefined) {
    if (p.proto !== 'tcp' && p.proto !== 'udp') return false;
    if (rule.sport !== undefined && !inPorts(rule.sport, p.sport)) return false;
    if (rule.dport !== undefined && !inPorts(rule.dport, p.dport)) return false;
  }
  if (rule.state !== undefined && !rule.state.includes(p.state)) return false;
  return true;
}

function inAny(cidrs: readonly string[], address: string): boolean {
  return cidrs.some((c) => {
    const net = parseCidr(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`);
    return net !== undefined && contains(net, address);
  });
}

function inPorts(ranges: readonly PortRange[], port: number | undefined): boolean {
  return port !== undefined && ranges.some((r) => port >= r.from && port <= r.to);
}

/** The rule's matches in nft-like words: "tcp dport 8080", "saddr 10.0.0.0/8 icmp", "iif eth0 state new". */
export function describeRule(rule: FirewallRule): string {
  const ports = (rs: readonly PortRange[]): string => {
    const items = rs.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`));
    return items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`;
  };
  const set = (xs: readonly string[]): string => (xs.length === 1 ? xs[0]! : `{ ${xs.join(', ')} }`);
  const l4 = rule.proto === 'tcp' || rule.proto === 'udp' ? rule.proto : 'th';
  const parts = [
    ...(rule.iif !== undefined ? [`iif ${rule.iif}`] : []),
    ...(rule.oif !== undefined ? [`oif ${rule.oif}`] : []),
    ...(rule.saddr !== undefined ? [`saddr ${set(rule.saddr)}`] : []),
    ...(rule.daddr !== undefined ? [`daddr ${set(rule.daddr)}`] : []),
    ...(rule.proto !== undefined && rule.sport === undefined && rule.dport === undefined ? [rule.proto] : []),
    ...(rule.sport !== undefined ? [`${l4} sport ${ports(rule.sport)}`] : []),
    ...(rule.dport !== undefined ? [`${l4} dport ${ports(rule.dport)}`] : []),
    ...(rule.state !== undefined ? [`state ${rule.state.join(',')}`] : []),
  ];
  return parts.join(' ');
}
