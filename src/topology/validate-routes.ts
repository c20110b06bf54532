// Cross-checks of each node's routes: `dev` is one of the node's interfaces, `via` lies in a
// subnet the node is directly connected to (else the kernel has no way to reach the next hop),
// and no destination (including each family's default) is routed twice.
import { contains, formatCidr, networkOf } from '../util/ip.js';
import type { Cidr, Family } from '../util/ip.js';
import { connectedSubnets } from './addressing.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { NodeRaw, RouteRaw, TopologyRaw } from './raw.js';
import { didYouMean, familyName, quote } from './text.js';

/** Report route problems of every node. */
export function validateRoutes(raw: TopologyRaw, sink: IssueSink): void {
  for (const node of raw.nodes.values()) {
    const connected = connectedSubnets(node, raw.networks);
    const seen = new Map<string, RouteRaw>();
    node.routes.forEach((r, i) => {
      if (!r.ok || !r.to) return;
      const what = `route #${i + 1} of node ${quote(node.name)}`;
      if (r.dev && node.interfacesOk && !node.interfaces.has(r.dev.value)) {
        sink.error(
          r.dev.span,
          IssueCode.RouteDev,
          `${what}: dev ${quote(r.dev.value)} is not an interface of node ${quote(node.name)}${didYouMean(r.dev.value, node.interfaces.keys())}`,
        );
      }
      if (r.via && connected && !connected.some((c) => contains(c, r.via!.value.address))) {
        sink.error(
          r.via.span,
          IssueCode.RouteVia,
          `${what}: next hop ${r.via.value.address} is not in any subnet connected to node ${quote(node.name)} (${connectedText(connected, r.via.value.family)}), so the kernel cannot reach it`,
        );
      }
      checkDuplicate(node, r, seen, sink);
    });
  }
}

function checkDuplicate(node: NodeRaw, r: RouteRaw, seen: Map<string, RouteRaw>, sink: IssueSink): void {
  const to = r.to!.value;
  const key = formatCidr(to);
  const first = seen.get(key);
  if (!first) {
    seen.set(key, r);
    return;
  }
  const dest = to.prefix === 0 ? `two ${familyName(to.family)} default routes` : `two routes to ${key}`;
  sink.error(r.span, IssueCode.DuplicateRoute, `node ${quote(node.name)} has ${dest} (the other is at line ${first.span.line})`);
}

function connectedText(connected: readonly Cidr[], family: Family): string {
  const list = connected.filter((c) => c.family === family).map((c) => formatCidr(networkOf(c)));
  return list.length === 0 ? `it has no ${familyName(family)} address` : `connected: ${[...new Set(list)].join(', ')}`;
}
