// A lab's picture over live kernel state: per edge, whether both ends are up and what each end
// carries (counters and rates between two samples); per vertex, whether it exists. PURE: the
// samples come in as data (lab/live.ts reads them through the kernel port).
import { HOST_NS, type LinkStats } from '../port/kernel.js';
import type { EdgeEnd, GraphModel } from './model.js';

/** One interface as a sample saw it. */
export interface IfaceSample {
  readonly up: boolean;
  /** "UP", "DOWN", "LOWERLAYERDOWN", ... */
  readonly operstate: string;
  readonly stats?: LinkStats;
}

/** Interfaces by namespace, read at one moment; a namespace absent from `ifaces` is missing. */
export interface LabSample {
  /** Milliseconds (any monotonic clock). */
  readonly t: number;
  readonly ifaces: ReadonlyMap<string, ReadonlyMap<string, IfaceSample>>;
}

/** One end of an edge, live. */
export interface EndState extends LinkStats {
  /** "UP", "DOWN", ..., or "MISSING" when the interface (or its namespace) is not there. */
  readonly state: string;
  /** Per second since the previous sample (0 on the first). */
  readonly rxPps: number;
  readonly txPps: number;
  readonly rxBps: number;
  readonly txBps: number;
}

/** One edge, live: up when both ends are; busy by what end a carries. */
export interface EdgeState {
  readonly up: boolean;
  /** Packets and bytes per second through end a, both directions. */
  readonly pps: number;
  readonly bps: number;
  readonly a: EndState;
  readonly b: EndState;
}

/** A lab's picture, live. */
export interface LiveGraph {
  /** Vertex id -> whether it exists (a node's namespace, a network's bridge). */
  readonly vertices: Readonly<Record<string, boolean>>;
  readonly edges: Readonly<Record<string, EdgeState>>;
}

/** Live state of every vertex and edge; rates against `prev` when given. */
export function liveGraph(g: GraphModel, cur: LabSample, prev?: LabSample): LiveGraph {
  const dt = prev ? (cur.t - prev.t) / 1000 : 0;
  const vertices: Record<string, boolean> = {};
  for (const v of g.vertices) vertices[v.id] = present(g, v.id, cur);
  const edges: Record<string, EdgeState> = {};
  for (const e of g.edges) {
    const a = endState(e.a, cur, prev, dt);
    const b = endState(e.b, cur, prev, dt);
    edges[e.id] = { up: a.state === 'UP' && b.state === 'UP', pps: a.rxPps + a.txPps, bps: a.rxBps + a.txBps, a, b };
  }
  return { vertices, edges };
}

function present(g: GraphModel, id: string, s: LabSample): boolean {
  if (id === 'host') return s.ifaces.has(HOST_NS);
  const v = g.vertices.find((x) => x.id === id);
  if (v?.kind === 'node') return v.kernelName !== undefined && s.ifaces.has(v.kernelName);
  return v?.kernelName !== undefined && s.ifaces.get(HOST_NS)?.has(v.kernelName) === true;
}

const ZERO = { rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, rxDropped: 0, txDropped: 0 };

function endState(end: EdgeEnd, cur: LabSample, prev: LabSample | undefined, dt: number): EndState {
  const now = cur.ifaces.get(end.ns)?.get(end.dev);
  const before = prev?.ifaces.get(end.ns)?.get(end.dev);
  const c = now?.stats ?? ZERO;
  const p = before?.stats;
  // A counter that went down means the interface was recreated: no rate for this interval.
  // Rates to two decimals: the page shows three digits, and a big lab's stream stays smaller.
  const rate = (x: number, y: number | undefined): number => (p && dt > 0 && y !== undefined && x >= y ? Math.round(((x - y) / dt) * 100) / 100 : 0);
  return {
    state: now ? (now.up ? now.operstate : 'DOWN') : 'MISSING',
    ...c,
    rxPps: rate(c.rxPackets, p?.rxPackets),
    txPps: rate(c.txPackets, p?.txPackets),
    rxBps: rate(c.rxBytes, p?.rxBytes),
    txBps: rate(c.txBytes, p?.txBytes),
  };
}
