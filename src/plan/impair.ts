// Link properties as resources: one root qdisc per shaped link end (tbf for a rate, netem for
// delay, loss and the like where the kernel has it), loss as nft rules where it has not, and the
// removal of a qdisc nslab set that is no longer wanted (back to the device's default). Qdiscs
// are state of a link, never journaled: they go with their link.
import type { LiveQdisc, NsRef, QdiscSpec } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { LinkShape, Node, Topology } from '../model/types.js';
import { resourceId } from '../names/resource-id.js';
import { type LossRule, lossChains } from '../nft/render-loss.js';
import { renderNodeTable } from '../nft/render.js';
import { markerHead } from '../names/markers.js';
import { tbfLimit } from '../netlink/wire-qdisc.js';
import { shapeText } from '../topology/impair-units.js';
import type { LiveState } from './live.js';
import type { PlanStep } from './steps.js';

/** What the kernel offers for shaping: sch_netem or not (tbf is assumed). */
export interface ShapingSupport {
  readonly netem: boolean;
}

/** One end of a lab link: where its qdisc goes and the shape of what it sends. */
export interface LinkEnd {
  readonly ns: NsRef;
  readonly dev: string;
  /** The node interface this end belongs to, "NODE:IFACE" (the host end of a network link names its node end). */
  readonly end: string;
  /** out: the node's end; in: the host end of a network or host link. */
  readonly dir: 'out' | 'in';
  readonly shape?: LinkShape;
  readonly mtu: number;
}

/** Every end of every link of the lab whose egress nslab may shape. */
export function linkEnds(t: Topology): readonly LinkEnd[] {
  let out = endsOf.get(t);
  if (!out) {
    out = makeLinkEnds(t);
    endsOf.set(t, out);
  }
  return out;
}

/** linkEnds of a model already asked about (planning asks twice per up). */
const endsOf = new WeakMap<Topology, readonly LinkEnd[]>();

function makeLinkEnds(t: Topology): LinkEnd[] {
  const out: LinkEnd[] = [];
  for (const l of t.links) {
    const ends = l.kind === 'p2p' ? [l.a, l.b] : [l.end];
    for (const e of ends) {
      const node = t.nodes.get(e.node);
      const iface = node?.interfaces.get(e.iface);
      if (!node || !iface) continue;
      const mtu = iface.mtu ?? 1500;
      const key = `${e.node}:${e.iface}`;
      out.push({ ns: node.netns, dev: iface.name, end: key, dir: 'out', mtu, ...(iface.shape?.out ? { shape: iface.shape.out } : {}) });
      if (l.kind !== 'p2p') out.push({ ns: HOST_NS, dev: l.hostEnd, end: key, dir: 'in', mtu, ...(iface.shape?.in ? { shape: iface.shape.in } : {}) });
    }
  }
  return out;
}

const NETEM_ONLY = ['delayUs', 'jitterUs', 'corruptPct', 'duplicatePct', 'reorderPct'] as const;

/** The file's words for what needs sch_netem in a shape ("delay 20ms"), empty when nothing does. */
export function needsNetem(s: LinkShape | undefined): string[] {
  if (!s) return [];
  return NETEM_ONLY.filter((k) => s[k] !== undefined && s[k] !== 0).map((k) => shapeText({ [k]: s[k] }));
}

/** The qdisc a shape becomes, and the loss left to nft (no netem). */
export function qdiscOf(s: LinkShape | undefined, mtu: number, support: ShapingSupport): { qdisc?: QdiscSpec; nftLossPct?: number } {
  if (!s) return {};
  const emu = NETEM_ONLY.some((k) => s[k] !== undefined && s[k] !== 0) || (s.lossPct ?? 0) > 0;
  if (support.netem && emu) {
    const q: QdiscSpec = {
      kind: 'netem',
      ...(s.delayUs ? { delayUs: s.delayUs } : {}),
      ...(s.jitterUs ? { jitterUs: s.jitterUs } : {}),
      ...(s.lossPct ? { lossPct: s.lossPct } : {}),
      ...(s.corruptPct ? { corruptPct: s.corruptPct } : {}),
      ...(s.duplicatePct ? { duplicatePct: s.duplicatePct } : {}),
      ...(s.reorderPct ? { reorderPct: s.reorderPct } : {}),
      ...(s.limit !== undefined ? { limit: s.limit } : {}),
      ...(s.rate !== undefined ? { rate: s.rate } : {}),
    };
    return { qdisc: q };
  }
  const loss = s.lossPct ? { nftLossPct: s.lossPct } : {};
  if (s.rate === undefined) return loss;
  return { qdisc: tbfOf(s.rate, mtu, s.limit), ...loss };
}

/**
 * A token bucket for a rate: a bucket of 10 ms of the rate, at least two full frames (a frame
 * larger than the bucket could never leave); a queue of 100 ms of the rate, or `limit` frames.
 */
export function tbfOf(rate: number, mtu: number, limit?: number): QdiscSpec {
  const frame = mtu + 14;
  const burst = Math.max(Math.ceil(rate / 100), 2 * frame);
  return limit !== undefined ? { kind: 'tbf', rate, burst, limit: limit * frame } : { kind: 'tbf', rate, burst, latencyUs: 100_000 };
}

/** The loss rules of one node's table. */
export function nodeLoss(t: Topology, node: Node, support: ShapingSupport): LossRule[] {
  if (support.netem) return [];
  const out: LossRule[] = [];
  for (const iface of node.interfaces.values()) {
    const o = iface.shape?.out?.lossPct;
    if (o) out.push({ dev: iface.name, dir: 'out', pct: o });
    // A point-to-point peer drops in its own table (its `out`); a host end has no table of the node's.
    const i = iface.shape?.in?.lossPct;
    if (!i) continue;
    // Looked up only for a shaped interface: a scan of every link per interface is quadratic.
    const l = t.links.find((x) => x.id === iface.link);
    if (l && l.kind !== 'p2p') out.push({ dev: iface.name, dir: 'in', pct: i });
  }
  return out;
}

/**
 * The node's nft table script, or undefined when it needs none: its firewall, its masquerade
 * rules and its loss rules (without netem); loaded when it has any of them.
 */
export function nodeTableScript(t: Topology, node: Node, support: ShapingSupport): string | undefined {
  const masquerade = [...node.interfaces.values()].filter((i) => i.masquerade).map((i) => i.name);
  const loss = lossChains(t.name, nodeLoss(t, node, support));
  if (!node.firewall && masquerade.length === 0 && loss.length === 0) return undefined;
  return renderNodeTable({ lab: t.name, fw: node.firewall, masquerade, extra: loss, mark: markerHead(t.name, t.owner) });
}

/** Whether a live root qdisc is the one wanted. */
export function qdiscMatches(live: LiveQdisc | undefined, want: QdiscSpec): boolean {
  if (!live || live.kind !== want.kind) return false;
  if (want.kind === 'tbf') return live.tbf !== undefined && live.tbf.rate === want.rate && live.tbf.burst === want.burst && live.tbf.limit === tbfLimit(want);
  const n = live.netem;
  if (!n) return false;
  return (
    n.delayUs === (want.delayUs ?? 0) &&
    n.jitterUs === (want.jitterUs ?? 0) &&
    near(n.lossPct, want.lossPct) &&
    near(n.corruptPct, want.corruptPct) &&
    near(n.duplicatePct, want.duplicatePct) &&
    near(n.reorderPct, want.reorderPct) &&
    n.limit === (want.limit ?? 1000) &&
    (n.rate ?? 0) === (want.rate ?? 0)
  );
}

/** Percentages come back from the kernel as 32-bit fractions: equal to 1e-6 of a percent. */
function near(live: number, want: number | undefined): boolean {
  return Math.abs(live - (want ?? 0)) < 1e-4;
}

/** The root qdisc of a device in a snapshot; undefined when qdiscs were not read. */
export function rootQdisc(live: LiveState, ns: NsRef, dev: string): LiveQdisc | undefined | null {
  const q = live.spaces.get(ns)?.qdiscs;
  if (!q) return null;
  return q.find((x) => x.dev === dev && x.parent === 'root');
}

/** A qdisc nslab sets: tbf or netem at the root. Any other kind is the device's default (or someone else's). */
export function isShapingQdisc(q: LiveQdisc | undefined | null): boolean {
  return q !== null && q !== undefined && (q.kind === 'tbf' || q.kind === 'netem');
}

/**
 * Removals of shaping no longer wanted: a lab link end with no desired qdisc whose root qdisc is
 * tbf or netem goes back to the default. Ends in namespaces left unread are skipped.
 */
export function staleQdiscSteps(t: Topology, live: LiveState, wanted: ReadonlySet<string>): PlanStep[] {
  const steps: PlanStep[] = [];
  for (const e of linkEnds(t)) {
    const id = resourceId.qdisc(e.ns, e.dev);
    if (wanted.has(id) || live.trusted?.has(e.ns)) continue;
    if (isShapingQdisc(rootQdisc(live, e.ns, e.dev))) steps.push({ id, op: { op: 'qdisc.delete', ns: e.ns, dev: e.dev }, journal: 'none' });
  }
  return steps;
}
