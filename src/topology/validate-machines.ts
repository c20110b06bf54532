// Cross-checks of `machines:` and of each node's `machine:` and each network's `vni:`: a node is
// placed only on a machine the file declares, no two machines share an underlay address, no
// underlay address lies in a subnet of the lab (its packets would be routed into the lab instead
// of to the machine), and no two networks ask for the same VXLAN id. Placement itself, and what
// needs it (links between machines), is model/placement.ts's.
import { contains } from '../util/ip.js';
import { IssueCode } from './issues.js';
import type { IssueSink } from './issues.js';
import type { TopologyRaw } from './raw.js';
import { quote } from './text.js';

/** Report every problem of the machines, the nodes' placement and the networks' VNIs. */
export function validateMachines(raw: TopologyRaw, sink: IssueSink): void {
  checkPlacement(raw, sink);
  checkAddresses(raw, sink);
  checkVnis(raw, sink);
}

function checkPlacement(raw: TopologyRaw, sink: IssueSink): void {
  const known = [...raw.machines.keys()];
  for (const node of raw.nodes.values()) {
    const m = node.machine;
    if (m === undefined || raw.machines.has(m.value)) continue;
    const hint = known.length === 0 ? 'the file has no `machines:`' : `the machines are ${known.map(quote).join(', ')}`;
    sink.error(m.span, IssueCode.UnknownMachine, `node ${quote(node.name)} is placed on unknown machine ${quote(m.value)}; ${hint}`);
  }
}

function checkAddresses(raw: TopologyRaw, sink: IssueSink): void {
  const seen = new Map<string, string>();
  for (const m of raw.machines.values()) {
    if (!m.address) continue;
    const first = seen.get(m.address.value);
    if (first !== undefined) {
      sink.error(m.address.span, IssueCode.DuplicateAddress, `machine ${quote(m.name)} has the underlay address ${m.address.value} of machine ${quote(first)}`);
    } else seen.set(m.address.value, m.name);
    for (const net of raw.networks.values()) {
      const subnet = net.subnets.find((s) => contains(s.value, m.address!.value));
      if (!subnet) continue;
      sink.error(
        m.address.span,
        IssueCode.UnderlayInLab,
        `machine ${quote(m.name)}: underlay address ${m.address.value} is inside subnet ${subnet.value.address}/${subnet.value.prefix} of network ${quote(net.name)}; the tunnels would be routed into the lab: use an address outside the lab's subnets`,
      );
    }
  }
}

function checkVnis(raw: TopologyRaw, sink: IssueSink): void {
  const seen = new Map<number, string>();
  for (const net of raw.networks.values()) {
    if (!net.vni) continue;
    const first = seen.get(net.vni.value);
    if (first !== undefined) {
      sink.error(
        net.vni.span,
        IssueCode.DuplicateVni,
        `network ${quote(net.name)} has vni ${net.vni.value}, as network ${quote(first)} has; each network needs its own`,
      );
    } else seen.set(net.vni.value, net.name);
  }
}
