// A node's routes: the declared ones (canonical), then per family an implied default route via
// the gateway of the node's first network (in interface order) that has one of that family,
// unless the node declares a default route of that family itself.
import type { NetworkRaw, NodeRaw } from '../topology/raw.js';
import type { Cidr, Family } from '../util/ip.js';
import { defaultRoute, formatCidr } from '../util/ip.js';
import type { Route } from './types.js';

/** Declared routes, then implied default routes. */
export function nodeRoutes(node: NodeRaw, networks: ReadonlyMap<string, NetworkRaw>, addressesOf: (iface: string) => readonly Cidr[]): Route[] {
  const declared: Route[] = node.routes.flatMap((r) =>
    r.to
      ? [
          {
            to: formatCidr(r.to.value),
            ...(r.via ? { via: r.via.value.address } : {}),
            ...(r.dev ? { dev: r.dev.value } : {}),
            implied: false,
            span: r.span,
          },
        ]
      : [],
  );
  const implied = ([4, 6] as const).flatMap((f) => impliedDefault(node, networks, addressesOf, f));
  return [...declared, ...implied.filter((r) => !declared.some((d) => d.to === r.to))];
}

function impliedDefault(node: NodeRaw, networks: ReadonlyMap<string, NetworkRaw>, addressesOf: (iface: string) => readonly Cidr[], f: Family): Route[] {
  for (const iface of node.interfaces.values()) {
    if (iface.attach?.kind !== 'network') continue;
    const gw = networks.get(iface.attach.network.value)?.gateways.find((g) => g.value.family === f);
    // The gateway is only reachable when the interface has an address of that family.
    if (gw && addressesOf(iface.name).some((a) => a.family === f)) {
      return [{ to: defaultRoute(f), via: gw.value.address, implied: true, span: iface.span }];
    }
  }
  return [];
}
