// A lab spread over machines: the machines of the file, each network's VXLAN id, the checks that
// need the placement, and one machine's part of the lab (`--as MACHINE`). Every machine derives
// the same ids, names and tunnels from the same file: no coordinator, any order of `up`.
// MTU rule: a network whose nodes are on several machines carries VXLAN (50 bytes of headers), so
// its interfaces and tunnels get the smallest underlay MTU of those machines less 50; so do both
// ends of a point-to-point link between two machines (a VXLAN pair).
import { fnv1a32, hash36 } from '../names/hash.js';
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { IfaceRaw, TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { Placement } from './placement.js';
import type { Machine } from './types.js';

/** The IANA VXLAN port. */
export const VXLAN_PORT = 4789;
/** Outer Ethernet (14) + IPv4 (20) + UDP (8) + VXLAN (8) headers. */
export const VXLAN_OVERHEAD = 50;
/** The underlay MTU when a machine does not say. */
export const DEFAULT_UNDERLAY_MTU = 1500;
/** The largest VNI (24 bits). */
export const MAX_VNI = 0xffffff;

/** The machines a file declares (readable ones), in declaration order. */
export function resolveMachines(raw: TopologyRaw): Map<string, Machine> {
  const out = new Map<string, Machine>();
  for (const m of raw.machines.values()) {
    if (!m.ok || !m.address) continue;
    out.set(m.name, { name: m.name, address: m.address.value, ...(m.dev ? { dev: m.dev } : {}), mtu: m.mtu ?? DEFAULT_UNDERLAY_MTU, span: m.span });
  }
  return out;
}

/**
 * Each network's VNI: `vni:` where given, else derived from the lab and network names (FNV-1a into
 * 1..2^24-1), moved on by one past any VNI another network of the lab already has.
 */
export function networkVnis(raw: TopologyRaw, lab: string): Map<string, number> {
  const out = new Map<string, number>();
  const taken = new Set<number>();
  for (const n of raw.networks.values()) if (n.vni) taken.add(n.vni.value);
  for (const n of raw.networks.values()) {
    if (n.vni) {
      out.set(n.name, n.vni.value);
      continue;
    }
    let v = (fnv1a32(`${lab}/${n.name}`) % (MAX_VNI - 1)) + 1;
    while (taken.has(v)) v = (v % (MAX_VNI - 1)) + 1;
    taken.add(v);
    out.set(n.name, v);
  }
  return out;
}

/** Kernel name of a network's vxlan device: `<lab>.<hash>`, 15 bytes at most. */
export function tunnelName(lab: string, network: string): string {
  return `${lab}.${hash36(network).slice(-(14 - lab.length))}`;
}

/**
 * What only the placement shows: an interface whose declared MTU the tunnel cannot carry (on a
 * network spread over machines, or on a point-to-point link between machines, which is a VXLAN
 * pair: model/machine-part.ts pairEnds), and link properties on such a link (nothing shapes a
 * vxlan end yet).
 */
export function checkPlacement(raw: TopologyRaw, placement: Placement, sink: IssueSink): void {
  if (placement.size === 0) return;
  const spans = networkMachines(raw, placement);
  const machines = resolveMachines(raw);
  for (const n of raw.nodes.values()) {
    for (const i of n.interfaces.values()) {
      if (i.attach?.kind === 'peer') {
        const far = i.attach.peer.value.node;
        const [a, b] = [placement.get(n.name), placement.get(far)];
        if (a !== undefined && b !== undefined && a !== b) checkPair(n.name, i, [a, b], machines, sink);
      }
      if (i.attach?.kind !== 'network' || i.mtu === undefined) continue;
      const limit = tunnelMtu(spans.get(i.attach.network.value) ?? [], machines);
      if (limit !== undefined && i.mtu > limit) {
        sink.error(
          i.span,
          IssueCode.BadValue,
          `interface ${quote(`${n.name}:${i.name}`)}: mtu ${i.mtu} is more than network ${quote(i.attach.network.value)} can carry between machines (${limit}: the underlay's MTU less ${VXLAN_OVERHEAD} bytes of VXLAN)`,
        );
      }
    }
  }
}

/** One end of a point-to-point link between machines `on` (this end's, the other's): a VXLAN pair. */
function checkPair(node: string, i: IfaceRaw, on: readonly [string, string], machines: ReadonlyMap<string, Machine>, sink: IssueSink): void {
  const name = quote(`${node}:${i.name}`);
  // A machine without a usable address has its own error; the pair cannot be checked further.
  if (!machines.has(on[0]) || !machines.has(on[1])) return;
  const limit = tunnelMtu(on, machines)!;
  if (i.mtu !== undefined && i.mtu > limit) {
    sink.error(
      i.span,
      IssueCode.BadValue,
      `interface ${name}: mtu ${i.mtu} is more than the link between machines ${quote(on[0])} and ${quote(on[1])} can carry (${limit}: the underlay's MTU less ${VXLAN_OVERHEAD} bytes of VXLAN)`,
    );
  }
  const shape = i.impair;
  if (shape && (Object.keys(shape.both).length > 0 || Object.keys(shape.egress).length > 0)) {
    sink.error(
      shape.span,
      IssueCode.MachineLink,
      `interface ${name}: link properties on a point-to-point link between machines ${quote(on[0])} and ${quote(on[1])} are not supported; place both nodes on one machine, or shape the link inside a node`,
    );
  }
}

/** The machines that have nodes on each network, in machine declaration order. */
function networkMachines(raw: TopologyRaw, placement: Placement): Map<string, string[]> {
  const sets = new Map<string, Set<string>>();
  for (const n of raw.nodes.values()) {
    const m = placement.get(n.name);
    if (m === undefined) continue;
    for (const i of n.interfaces.values()) {
      if (i.attach?.kind !== 'network') continue;
      const net = i.attach.network.value;
      sets.set(net, (sets.get(net) ?? new Set()).add(m));
    }
  }
  const order = [...raw.machines.keys()];
  return new Map([...sets].map(([net, s]) => [net, order.filter((m) => s.has(m))] as const));
}

/** The MTU of a network spread over these machines, or undefined when it is on one machine. */
function tunnelMtu(on: readonly string[], machines: ReadonlyMap<string, Machine>): number | undefined {
  if (on.length < 2) return undefined;
  return Math.min(...on.map((m) => machines.get(m)?.mtu ?? DEFAULT_UNDERLAY_MTU)) - VXLAN_OVERHEAD;
}
