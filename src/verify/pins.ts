// Neighbour pins for a big probe run. The kernel keeps one neighbour (ARP) table for every
// namespace, and learned entries are capped by gc_thresh3 (1024 by default, settable only in the
// initial namespace); every ARP request is a broadcast copied to every port of a bridge, so a run
// that resolves N neighbours on an N-port bridge costs N² frame deliveries, all in the senders'
// system calls (measured: 4.6 of 5.6 s of `test --gateways` on 1000 hosts). Permanent entries are
// exempt from gc_thresh3 (checked on 6.18: 1500 permanent + 1024 learned fit, the 1025th learned
// does not). So for a run that needs more entries than fit, the probes between two ends of one
// segment get permanent entries at both ends, with the MACs the kernel reports now, for the run
// only: every probe still crosses the real data path (veths, bridge, firewall, routes), only ARP
// resolution is skipped. Probes that leave the segment (routed) keep learning, in waves. Pure.
import { HOST_NS, type NeighPin, type NsRef } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { contains, parseCidr } from '../util/ip.js';
import type { Probe } from './matrix.js';

/** One end of a segment: an interface of a node, or a network's bridge in the host (its gateways). */
interface End {
  readonly ns: NsRef;
  readonly dev: string;
  /** The L2 segment: `net:NAME` for a bridged network, `link:ID` for a point-to-point link. */
  readonly seg: string;
  readonly cidrs: readonly string[];
}

/** The pins a run needs, per namespace, and the probes whose both ends they cover. */
export interface PinPlan {
  readonly pins: ReadonlyMap<NsRef, readonly NeighPin[]>;
  readonly pinned: ReadonlySet<number>;
}

/** Every end of every segment of the lab, per namespace. */
function endsOf(t: Topology): Map<NsRef, End[]> {
  const links = new Map(t.links.map((l) => [l.id, l]));
  const out = new Map<NsRef, End[]>();
  const add = (e: End): void => void out.set(e.ns, [...(out.get(e.ns) ?? []), e]);
  for (const node of t.nodes.values()) {
    for (const iface of node.interfaces.values()) {
      const link = links.get(iface.link);
      if (!link || iface.addresses.length === 0) continue;
      add({ ns: node.netns, dev: iface.name, seg: link.kind === 'bridged' ? `net:${link.network}` : `link:${link.id}`, cidrs: iface.addresses });
    }
  }
  for (const net of t.networks.values()) {
    if (net.gateways.length > 0) add({ ns: HOST_NS, dev: net.bridge, seg: `net:${net.name}`, cidrs: net.gateways });
  }
  return out;
}

const addr = (cidr: string): string => cidr.split('/')[0]!;

/** The source's address on the subnet that holds `dst` (the one the kernel sends from), with its end. */
function sourceEnd(ends: readonly End[], dst: string): { end: End; address: string } | undefined {
  for (const end of ends) {
    for (const cidr of end.cidrs) {
      const c = parseCidr(cidr);
      if (c && contains(c, dst)) return { end, address: addr(cidr) };
    }
  }
  return undefined;
}

/**
 * Plan pins for the probes that go straight to a neighbour on the same segment: a node of the lab
 * (the probe's target namespace) or a gateway (a bridge in the host). `macOf` gives the MAC the
 * kernel reports for a device now; a probe whose ends have no known MAC is not pinned (it learns).
 */
export function planPins(t: Topology, probes: readonly Probe[], macOf: (ns: NsRef, dev: string) => string | undefined): PinPlan {
  const ends = endsOf(t);
  const pins = new Map<NsRef, Map<string, NeighPin>>();
  const put = (ns: NsRef, p: NeighPin): void => {
    const m = pins.get(ns) ?? new Map<string, NeighPin>();
    pins.set(ns, m);
    m.set(`${p.dev}|${p.address}`, p);
  };
  const pinned = new Set<number>();
  for (const p of probes) {
    if (!p.dst) continue;
    const src = sourceEnd(ends.get(p.netns) ?? [], p.dst);
    if (!src) continue;
    const targets = p.toNetns ? (ends.get(p.toNetns) ?? []) : (ends.get(HOST_NS) ?? []);
    const dst = targets.find((e) => e.seg === src.end.seg && e.cidrs.some((c) => addr(c) === p.dst));
    if (!dst) continue;
    const srcMac = macOf(src.end.ns, src.end.dev);
    const dstMac = macOf(dst.ns, dst.dev);
    if (!srcMac || !dstMac) continue;
    put(src.end.ns, { dev: src.end.dev, address: p.dst, mac: dstMac });
    put(dst.ns, { dev: dst.dev, address: src.address, mac: srcMac });
    pinned.add(p.id);
  }
  return { pins: new Map([...pins].map(([ns, m]) => [ns, [...m.values()]])), pinned };
}

/** The namespaces whose devices' MACs a plan may ask for: the probes' sources and targets, and the host for gateways. */
export function pinNamespaces(probes: readonly Probe[]): NsRef[] {
  const out = new Set<NsRef>();
  for (const p of probes) {
    out.add(p.netns);
    out.add(p.toNetns ?? HOST_NS);
  }
  return [...out];
}
