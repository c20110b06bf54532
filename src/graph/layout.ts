// Where each box and line of a lab's picture goes, for the static SVG export: a layered layout
// (dagre) with the host on top, networks below it and nodes under their networks. PURE and
// deterministic: the same file always gives the same picture, so a committed SVG diffs cleanly.
import { graphlib, layout } from '@dagrejs/dagre';
import type { Edge, GraphModel, Vertex } from './model.js';

/** Font metrics the sizes are estimated with (the SVG uses the same sizes). */
export const FONT = { name: 14, note: 11, end: 11 } as const;

/** A vertex with its box (x, y is the centre). */
export interface PlacedVertex {
  readonly vertex: Vertex;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** An edge with its polyline, from end a to end b. */
export interface PlacedEdge {
  readonly edge: Edge;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

/** A laid-out picture and its size. */
export interface Placed {
  readonly width: number;
  readonly height: number;
  readonly vertices: readonly PlacedVertex[];
  readonly edges: readonly PlacedEdge[];
}

/** Rough text width for a sans-serif font: enough to size boxes without measuring glyphs. */
export function textWidth(text: string, size: number): number {
  return Math.ceil(text.length * size * 0.6);
}

/** Lay out a lab's picture; `rankSep` is the room between layers (more where lines carry more text). */
export function placeGraph(g: GraphModel, opts: { readonly rankSep?: number } = {}): Placed {
  const dg = new graphlib.Graph({ multigraph: true });
  // End labels sit beside the lines, so ranks are far apart and boxes wide apart enough for them.
  // Two neighbours' labels may face each other, hence twice the widest label between boxes.
  const gap = Math.max(60, 2 * Math.max(0, ...g.edges.map(endWidth)) + 16);
  dg.setGraph({ rankdir: 'TB', nodesep: gap, ranksep: opts.rankSep ?? 90, marginx: 20, marginy: 20 });
  for (const v of g.vertices) dg.setNode(v.id, boxOf(v));
  for (const e of g.edges) {
    const [from, to] = downward(e);
    dg.setEdge(from, to, {}, e.id);
  }
  layout(dg);
  const vertices = g.vertices.map((v): PlacedVertex => {
    const n = dg.node(v.id);
    return { vertex: v, x: n.x, y: n.y, width: n.width, height: n.height };
  });
  // Straight lines from box edge to box edge: dagre's bends only help directed flow charts.
  const at = new Map(vertices.map((v) => [v.vertex.id, v]));
  const edges = g.edges.map((e): PlacedEdge => {
    const a = at.get(e.a.vertex)!;
    const b = at.get(e.b.vertex)!;
    return { edge: e, points: [boxExit(a, b), boxExit(b, a)] };
  });
  const size = dg.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), vertices, edges };
}

/** Where the straight line from a's centre towards b's centre leaves a's box. */
function boxExit(a: PlacedVertex, b: PlacedVertex): { x: number; y: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (dx === 0 && dy === 0) return { x: a.x, y: a.y };
  const scale = Math.min(dx === 0 ? Infinity : a.width / 2 / Math.abs(dx), dy === 0 ? Infinity : a.height / 2 / Math.abs(dy));
  return { x: a.x + dx * scale, y: a.y + dy * scale };
}

/** Rank order: the host above networks above nodes; between two nodes, a above b. */
function downward(e: Edge): [string, string] {
  const rank = (id: string): number => (id === 'host' ? 0 : id.startsWith('net:') ? 1 : 2);
  return rank(e.b.vertex) < rank(e.a.vertex) ? [e.b.vertex, e.a.vertex] : [e.a.vertex, e.b.vertex];
}

function boxOf(v: Vertex): { width: number; height: number } {
  const w = Math.max(textWidth(v.name, FONT.name), ...v.notes.map((n) => textWidth(n, FONT.note)));
  return { width: Math.max(70, w + 24), height: 30 + v.notes.length * (FONT.note + 3) };
}

/** The widest line of text written at either end of an edge. */
export function endWidth(e: Edge): number {
  const texts = [e.a, e.b].flatMap((x) => [x.iface ?? '', ...x.addresses]);
  return Math.max(0, ...texts.map((t) => textWidth(t, FONT.end)));
}
