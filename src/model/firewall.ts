// A node's firewall after IPAM: node names in rules become all of that node's addresses as
// host CIDRs (/32, /128), canonical and without repeats. The check that goes with it (a rule
// names a node that has no address, so it would match nothing) runs in load before resolve.
import type { NodeRaw, TopologyRaw } from '../topology/raw.js';
import type { ChainRaw, RuleRaw } from '../topology/raw-firewall.js';
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import { CHAINS } from '../topology/schema-firewall.js';
import { quote } from '../topology/text.js';
import { bits } from '../util/ip.js';
import { ifaceCidrs } from './address-inventory.js';
import type { Allocation } from './ipam.js';
import type { Firewall, FirewallChain, FirewallRule } from './types.js';

/** Every address of a node after IPAM as a host CIDR ("10.0.0.2/32"), in interface order. */
export function nodeHostCidrs(raw: TopologyRaw, node: string, alloc: Allocation): string[] {
  const n = raw.nodes.get(node);
  if (!n) return [];
  const all = [...n.interfaces.values()].flatMap((i) => ifaceCidrs(raw, i, alloc)).map((c) => `${c.address}/${bits(c.family)}`);
  return [...new Set(all)];
}

/** Report rules that name a node without any address (they would match nothing). */
export function checkFirewallTargets(raw: TopologyRaw, alloc: Allocation, sink: IssueSink): void {
  for (const node of raw.nodes.values()) {
    for (const hook of CHAINS) {
      for (const r of node.firewall?.[hook]?.rules ?? []) {
        for (const [key, list] of [
          ['from', r.saddr],
          ['to', r.daddr],
        ] as const) {
          for (const t of list ?? []) {
            if (t.value.kind !== 'node') continue;
            const target = raw.nodes.get(t.value.node);
            if (!target?.interfacesOk || nodeHostCidrs(raw, t.value.node, alloc).length > 0) continue;
            sink.error(t.span, IssueCode.NoAddress, `${r.what}: ${key} ${quote(t.value.node)} names a node with no address, so the rule could never match`);
          }
        }
      }
    }
  }
}

/** The resolved firewall of a node, or undefined when it declares none. */
export function resolveFirewall(raw: TopologyRaw, n: NodeRaw, alloc: Allocation): Firewall | undefined {
  if (!n.firewall) return undefined;
  const out: { -readonly [K in keyof Firewall]?: FirewallChain } = {};
  for (const hook of CHAINS) {
    const c = n.firewall[hook];
    if (c) out[hook] = resolveChain(raw, c, alloc);
  }
  return out;
}

function resolveChain(raw: TopologyRaw, c: ChainRaw, alloc: Allocation): FirewallChain {
  return { policy: c.policy, established: c.established, rules: c.rules.map((r) => resolveRule(raw, r, alloc)), span: c.span };
}

function resolveRule(raw: TopologyRaw, r: RuleRaw, alloc: Allocation): FirewallRule {
  const cidrs = (list: RuleRaw['saddr']): string[] | undefined =>
    list && [...new Set(list.flatMap((t) => (t.value.kind === 'cidr' ? [t.value.cidr] : nodeHostCidrs(raw, t.value.node, alloc))))];
  const saddr = cidrs(r.saddr);
  const daddr = cidrs(r.daddr);
  return {
    action: r.action,
    ...(r.proto ? { proto: r.proto } : {}),
    ...(saddr ? { saddr } : {}),
    ...(daddr ? { daddr } : {}),
    ...(r.sport ? { sport: r.sport } : {}),
    ...(r.dport ? { dport: r.dport } : {}),
    ...(r.state ? { state: r.state } : {}),
    ...(r.iif ? { iif: r.iif.value } : {}),
    ...(r.oif ? { oif: r.oif.value } : {}),
    span: r.span,
  };
}
