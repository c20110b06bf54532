// Cross-checks over the whole raw topology, before IPAM: references (networks, peers, route
// devices, expectation targets, firewall nodes and interfaces), declared addresses and
// published host ports. Checks that need allocated addresses (duplicates, same-subnet traps,
// kernel name clashes, what firewalls and published ports point at) run in model/ after IPAM.
import type { IssueSink } from './issues.js';
import type { TopologyRaw } from './raw.js';
import { validateExpectations } from './validate-expect.js';
import { validateFirewalls } from './validate-firewall.js';
import { validateInterfaces } from './validate-interfaces.js';
import { validateMachines } from './validate-machines.js';
import { validateNetworks } from './validate-networks.js';
import { validateRoutes } from './validate-routes.js';

/** Report every cross-check problem of the raw topology. */
export function validateTopology(raw: TopologyRaw, sink: IssueSink): void {
  validateNetworks(raw, sink);
  validateInterfaces(raw, sink);
  validateRoutes(raw, sink);
  validateExpectations(raw, sink);
  validateFirewalls(raw, sink);
  validateMachines(raw, sink);
}
