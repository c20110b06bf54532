// Link properties resolved per direction, and the lab's runtime changes laid over them.
// Every interface's `out` is what its end sends (its egress); `in` is what it receives, the far
// end's egress: for a point-to-point link the peer's `out`, for a network or host link the host
// (bridge-side) end's. The symmetric keys shape both; `egress:` only `out`.
import type { TopologyRaw } from '../topology/raw.js';
import { isEmptyShape, type LinkShape } from '../topology/impair-units.js';
import type { Iface, IfaceShape, Node, Topology } from './types.js';

/** `shape` and `down` of one interface, from the file. */
export function ifaceImpair(raw: TopologyRaw, node: string, iface: string): { shape?: IfaceShape; down?: true } {
  const me = raw.nodes.get(node)?.interfaces.get(iface);
  if (!me) return {};
  const mine = me.impair;
  let out: LinkShape = { ...mine?.both, ...mine?.egress };
  let inn: LinkShape = { ...mine?.both };
  if (me.attach?.kind === 'peer') {
    const p = me.attach.peer.value;
    const theirs = raw.nodes.get(p.node)?.interfaces.get(p.iface)?.impair;
    out = { ...mine?.both, ...theirs?.both, ...mine?.egress };
    inn = { ...mine?.both, ...theirs?.both, ...theirs?.egress };
  }
  return { ...shapeField(out, inn), ...(mine?.down ? { down: true as const } : {}) };
}

function shapeField(out: LinkShape | undefined, inn: LinkShape | undefined): { shape?: IfaceShape } {
  const o = isEmptyShape(out) ? {} : { out: out! };
  const i = isEmptyShape(inn) ? {} : { in: inn! };
  return Object.keys(o).length + Object.keys(i).length === 0 ? {} : { shape: { ...o, ...i } };
}

/**
 * What changed at run time (`nslab link`, `impair`, `partition`), kept in the lab's state until
 * `up --reset` or `down`. Endpoints are "NODE:IFACE".
 */
export interface RuntimeChanges {
  /** Ends set down by `nslab link ... down`. */
  readonly down: readonly string[];
  /** `nslab impair`: the shape in force instead of the file's, in the order given. */
  readonly impair: readonly RuntimeImpair[];
  /** `nslab partition`: the groups and the ends each partition set down. */
  readonly partitions: readonly RuntimePartition[];
}

/** One `nslab impair`. */
export interface RuntimeImpair {
  readonly end: string;
  readonly shape: LinkShape;
  /** Only what this end sends; else both directions. */
  readonly egressOnly: boolean;
}

/** One `nslab partition`. */
export interface RuntimePartition {
  readonly a: readonly string[];
  readonly b: readonly string[];
  /** The ends it set down, "NODE:IFACE". */
  readonly cut: readonly string[];
}

/** No runtime changes. */
export const NO_CHANGES: RuntimeChanges = { down: [], impair: [], partitions: [] };

/** Whether there is any runtime change. */
export function hasChanges(c: RuntimeChanges): boolean {
  return c.down.length > 0 || c.impair.length > 0 || c.partitions.length > 0;
}

/** Every end set down at run time (by `link` or a partition). */
export function downEnds(c: RuntimeChanges): Set<string> {
  return new Set([...c.down, ...c.partitions.flatMap((p) => p.cut)]);
}

/** The lab as it is meant to be now: the file's model with the runtime changes laid over it. */
export function withRuntime(t: Topology, c: RuntimeChanges): Topology {
  if (!hasChanges(c)) return t;
  const shapes = new Map<string, { out?: LinkShape; in?: LinkShape }>();
  for (const node of t.nodes.values()) {
    for (const i of node.interfaces.values()) shapes.set(`${node.name}:${i.name}`, { ...i.shape });
  }
  for (const r of c.impair) {
    const me = shapes.get(r.end);
    if (!me) continue;
    const shape = isEmptyShape(r.shape) ? undefined : r.shape;
    setDir(me, 'out', shape);
    const far = peerOf(t, r.end);
    if (far) {
      const them = shapes.get(far);
      if (them) setDir(them, 'in', shape);
      if (!r.egressOnly) {
        setDir(me, 'in', shape);
        if (them) setDir(them, 'out', shape);
      }
    } else if (!r.egressOnly) setDir(me, 'in', shape);
  }
  const down = downEnds(c);
  const nodes = new Map<string, Node>();
  for (const node of t.nodes.values()) {
    const interfaces = new Map<string, Iface>();
    for (const i of node.interfaces.values()) {
      const key = `${node.name}:${i.name}`;
      const { shape: _, down: __, ...rest } = i;
      const s = shapes.get(key) ?? {};
      interfaces.set(i.name, { ...rest, ...shapeField(s.out, s.in), ...(i.down || down.has(key) ? { down: true as const } : {}) });
    }
    nodes.set(node.name, { ...node, interfaces });
  }
  return { ...t, nodes };
}

function setDir(s: { out?: LinkShape; in?: LinkShape }, dir: 'out' | 'in', shape: LinkShape | undefined): void {
  if (shape) s[dir] = shape;
  else delete s[dir];
}

/** The other end of a point-to-point link, "NODE:IFACE"; undefined for network and host links. */
export function peerOf(t: Topology, end: string): string | undefined {
  const [node, iface] = splitEnd(end);
  const id = t.nodes.get(node)?.interfaces.get(iface)?.link;
  const l = t.links.find((x) => x.id === id);
  if (l?.kind !== 'p2p') return undefined;
  const other = l.a.node === node && l.a.iface === iface ? l.b : l.a;
  return `${other.node}:${other.iface}`;
}

/** "NODE:IFACE" -> [node, iface]. */
export function splitEnd(end: string): [string, string] {
  const i = end.indexOf(':');
  return i < 0 ? [end, ''] : [end.slice(0, i), end.slice(i + 1)];
}
