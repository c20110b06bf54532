// Cross-checks of firewalls and published ports, before IPAM: every node named in a rule
// exists, iif/oif are interfaces of the rule's node and fit the chain's hook, and no host
// port+proto is published twice in the lab. Checks that need addresses are in model/.
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { NodeRaw, TopologyRaw } from './raw.js';
import type { PublishRaw, RuleRaw } from './raw-firewall.js';
import { CHAINS } from './schema-firewall.js';
import { didYouMean, quote } from './text.js';

/** Report reference problems of every firewall rule, and host ports published twice. */
export function validateFirewalls(raw: TopologyRaw, sink: IssueSink): void {
  for (const node of raw.nodes.values()) {
    for (const hook of CHAINS) for (const rule of node.firewall?.[hook]?.rules ?? []) checkRule(raw, node, hook, rule, sink);
  }
  checkPublished(raw, sink);
}

function checkRule(raw: TopologyRaw, node: NodeRaw, hook: (typeof CHAINS)[number], r: RuleRaw, sink: IssueSink): void {
  for (const [key, list] of [
    ['from', r.saddr],
    ['to', r.daddr],
  ] as const) {
    for (const t of list ?? []) {
      if (t.value.kind !== 'node' || raw.nodes.has(t.value.node) || !raw.complete.nodes) continue;
      sink.error(
        t.span,
        IssueCode.UnknownNode,
        `${r.what}: ${key} ${quote(t.value.node)} is not a node of this lab, nor an address${didYouMean(t.value.node, raw.nodes.keys())}`,
      );
    }
  }
  for (const [key, v, wrong] of [
    ['iif', r.iif, 'output'],
    ['oif', r.oif, 'input'],
  ] as const) {
    if (!v) continue;
    if (hook === wrong) {
      sink.error(
        v.span,
        IssueCode.BadValue,
        `${r.what}: ${key} never matches in the ${hook} chain (${hook === 'output' ? 'locally sent packets have no input interface' : 'packets for this node have no output interface'})`,
      );
    } else if (node.interfacesOk && !node.interfaces.has(v.value)) {
      sink.error(
        v.span,
        IssueCode.UnknownInterface,
        `${r.what}: ${key} ${quote(v.value)} is not an interface of node ${quote(node.name)}${didYouMean(v.value, node.interfaces.keys())}`,
      );
    }
  }
}

function checkPublished(raw: TopologyRaw, sink: IssueSink): void {
  const seen = new Map<string, { node: string; p: PublishRaw }>();
  for (const node of raw.nodes.values()) {
    for (const p of node.publish) {
      const key = `${p.hostPort}/${p.proto}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { node: node.name, p });
        continue;
      }
      const by = first.node === node.name ? 'this node' : `node ${quote(first.node)}`;
      sink.error(
        p.span,
        IssueCode.DuplicatePublish,
        `${p.what}: host port ${key} is already published by ${by} (line ${first.p.span.line}); the host can forward a port to one place only`,
      );
    }
  }
}
