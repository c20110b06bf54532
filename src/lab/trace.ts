// `trace`: ask each namespace's kernel which route it would take (RTM_GETROUTE), hop by hop from
// a node to a target and back, and explain where and why the packet would stop. Read-only: it
// dumps state and asks for routes, it sends no packet. The walk itself is verify/trace.ts (pure).
import { HOST_NS, type NsRef, type NsSnapshot } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import type { Topology } from '../model/types.js';
import { labJournal } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { parseAddress } from '../util/ip.js';
import { targetAddress } from '../verify/matrix.js';
import { type Hop, type Leg, traceLab, type Probe, type Trace } from '../verify/trace.js';
import { downEnds, withRuntime } from '../model/impair.js';
import { readRuntime } from '../state/runtime.js';
import { shapeText } from '../topology/impair-units.js';
import type { KernelFactory } from './kernel.js';
import { linuxKernel } from './kernel.js';
import { loadLabLazy } from './load-lazy.js';

export type { Hop, Leg, Probe, StopCode, Trace } from '../verify/trace.js';

/** Options of `trace`. */
export interface TraceOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  /** Source node. */
  readonly from: string;
  /** A node, `node:iface`, or an address. */
  readonly to: string;
  /** What is sent (decides which firewall rules match); icmp when absent. */
  readonly probe?: Probe;
  readonly openKernel?: KernelFactory;
}

/** What `trace` returns: the walk, with the lab it was done in. */
export interface TraceResult extends Trace {
  readonly lab: string;
  readonly hostNetns?: string;
}

/**
 * Trace the path from a node to a target and the reply back, as the kernels would route them now.
 * Throws NslabError: exit 2 for an unknown node, interface or target; 1 when the lab is not up.
 */
export async function trace(opts: TraceOptions): Promise<TraceResult> {
  const root = opts.state;
  const { topology } = await loadLabLazy(root, opts.lab);
  const dst = resolveTarget(topology, opts.from, opts.to);
  const hostNetns = labJournal(root, opts.lab).meta?.hostNetns;
  const kernel = await (opts.openKernel ?? linuxKernel)(hostNetns ? { hostNetns } : {});
  try {
    const snapshots = new Map<NsRef, NsSnapshot>();
    for (const ns of [HOST_NS, ...[...topology.nodes.values()].map((n) => n.netns)]) {
      const snap = kernel.snapshot(ns, { neighbours: true });
      if (snap) snapshots.set(ns, snap);
    }
    const start = topology.nodes.get(opts.from)!.netns;
    if (!snapshots.has(start))
      throw new NslabError('no-netns', `the namespace ${start} of node ${opts.from} is missing: run \`nslab up\` for lab ${opts.lab} again`, 1);
    const t = traceLab({
      topology,
      snapshots,
      from: opts.from,
      to: opts.to,
      dst,
      ...(opts.probe ? { probe: opts.probe } : {}),
      lookup: (ns, q) => kernel.routeGet(ns, q),
      sysctl: (ns, key) => kernel.sysctlGet(ns, key),
    });
    const changes = readRuntime(root, topology.name);
    const noted = annotateTrace(withRuntime(topology, changes), downEnds(changes), t);
    return { lab: topology.name, ...(hostNetns ? { hostNetns } : {}), ...noted };
  } finally {
    kernel.close();
  }
}

/**
 * Notes on each hop about the link it leaves by, as the lab is meant now (file and runtime
 * changes): its shape out of the node, the shape toward the next node on a network, a runtime cut.
 */
export function annotateTrace(t: Topology, cut: ReadonlySet<string>, tr: Trace): Trace {
  const leg = (l: Leg): Leg => ({ ...l, hops: l.hops.map((h) => withNotes(t, cut, h)), ...(l.stop ? { stop: withCut(t.name, cut, l.stop) } : {}) });
  return { ...tr, request: leg(tr.request), ...(tr.reply ? { reply: leg(tr.reply) } : {}) };
}

/** A link-down stop at an end cut at run time says so, and how to restore it with nslab. */
function withCut(lab: string, cut: ReadonlySet<string>, stop: NonNullable<Leg['stop']>): NonNullable<Leg['stop']> {
  if (stop.code !== 'link-down') return stop;
  const end = [...cut].find((e) => stop.message.includes(`${e} is set down`));
  return end ? { ...stop, message: `${stop.message} (cut at run time: \`nslab link ${lab} ${end} up\` restores it)` } : stop;
}

function withNotes(t: Topology, cut: ReadonlySet<string>, h: Hop): Hop {
  const notes: string[] = [];
  const mine = t.nodes.get(h.at)?.interfaces.get(h.outDev);
  if (mine?.shape?.out) notes.push(`impaired: ${shapeText(mine.shape.out)}`);
  if (cut.has(`${h.at}:${h.outDev}`)) notes.push(`runtime: ${h.at}:${h.outDev} down`);
  const next = h.next !== undefined && h.nextDev !== undefined ? t.nodes.get(h.next)?.interfaces.get(h.nextDev) : undefined;
  const l = next ? t.links.find((x) => x.id === next.link) : undefined;
  if (next?.shape?.in && l && l.kind !== 'p2p') notes.push(`impaired toward ${h.next}:${h.nextDev}: ${shapeText(next.shape.in)}`);
  if (h.next !== undefined && cut.has(`${h.next}:${h.nextDev}`)) notes.push(`runtime: ${h.next}:${h.nextDev} down`);
  return notes.length > 0 ? { ...h, notes } : h;
}

/** FROM must be a node; TO is resolved the way `test` resolves expectation targets. */
function resolveTarget(t: Topology, from: string, to: string): string {
  const nodes = [...t.nodes.keys()].join(', ');
  const src = t.nodes.get(from);
  if (!src) throw new NslabError('no-node', `lab ${t.name} has no node ${from} (nodes: ${nodes})`, 2);
  const dst = targetAddress(t, src, to);
  if (dst) return dst;
  if (parseAddress(to)) return to;
  const [name, iface] = to.split(':');
  const target = t.nodes.get(name ?? '');
  if (!target) throw new NslabError('no-node', `lab ${t.name} has no node ${name ?? to} and ${to} is not an address (nodes: ${nodes})`, 2);
  if (iface !== undefined && !target.interfaces.has(iface)) {
    throw new NslabError('no-iface', `node ${target.name} has no interface ${iface} (interfaces: ${[...target.interfaces.keys()].join(', ')})`, 2);
  }
  throw new NslabError('no-address', `${to} has no address to trace to: give an address instead`, 2);
}
