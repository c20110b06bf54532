// A lab's picture as standalone SVG text (for docs and READMEs): boxes for the host, networks and
// nodes, lines for veth pairs with each end's interface and addresses written beside it.
// PURE: layout from graph/layout.ts, text out; the colours match the UI's.
import { FONT, placeGraph, textWidth, type PlacedEdge, type PlacedVertex } from './layout.js';
import type { EdgeEnd, GraphModel } from './model.js';

/** Fill and stroke per kind of box (the UI uses the same palette). */
const STYLE = {
  host: { fill: '#37474f', stroke: '#263238', text: '#ffffff' },
  network: { fill: '#fff3e0', stroke: '#ef6c00', text: '#4e342e' },
  node: { fill: '#e3f2fd', stroke: '#1565c0', text: '#0d47a1' },
} as const;

const TITLE = 28;

/** Render a lab's picture as an SVG document. */
export function renderSvg(g: GraphModel): string {
  const p = placeGraph(g);
  const labels = p.edges.flatMap(endLabels);
  // End labels may stick out of the layout's box: the picture grows to hold them.
  const minX = Math.min(0, ...labels.map((l) => l.left - 4));
  const maxX = Math.max(p.width, 200, ...labels.map((l) => l.right + 4));
  const width = Math.ceil(maxX - minX);
  const height = p.height + TITLE;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Verdana, sans-serif">`,
    `<title>lab ${esc(g.lab)}</title>`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="20" font-size="13" fill="#546e7a">lab ${esc(g.lab)}</text>`,
    `<g transform="translate(${r(-minX)} ${TITLE})">`,
    ...p.edges.map(edgeSvg),
    ...p.vertices.map(vertexSvg),
    ...labels.map((l) => l.svg),
    '</g>',
    '</svg>',
    '',
  ].join('\n');
}

function vertexSvg(p: PlacedVertex): string {
  const v = p.vertex;
  const s = STYLE[v.kind];
  const x = p.x - p.width / 2;
  const y = p.y - p.height / 2;
  const rx = v.kind === 'network' ? p.height / 2 : 6;
  const dash = v.container ? ' stroke-dasharray="5 3"' : '';
  const width = v.router ? 3 : 1.5;
  const lines = [
    `<text x="${p.x}" y="${y + 19}" font-size="${FONT.name}" font-weight="bold" text-anchor="middle" fill="${s.text}">${esc(v.name)}</text>`,
    ...v.notes.map(
      (n, i) => `<text x="${p.x}" y="${y + 19 + (i + 1) * (FONT.note + 3)}" font-size="${FONT.note}" text-anchor="middle" fill="${s.text}">${esc(n)}</text>`,
    ),
  ];
  return [
    `<g class="${v.kind}">`,
    `<rect x="${x}" y="${y}" width="${p.width}" height="${p.height}" rx="${rx}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${width}"${dash}/>`,
    ...lines,
    '</g>',
  ].join('\n');
}

function edgeSvg(p: PlacedEdge): string {
  const d = p.points.map((pt, i) => `${i === 0 ? 'M' : 'L'}${r(pt.x)} ${r(pt.y)}`).join(' ');
  const dash = p.edge.kind === 'gateway' ? ' stroke-dasharray="6 4"' : '';
  const line = `<path d="${d}" fill="none" stroke="#78909c" stroke-width="2"${dash}/>`;
  const mid = p.edge.label ? midLabel(p, p.edge.label) : '';
  return mid ? `${line}\n${mid}` : line;
}

function midLabel(p: PlacedEdge, text: string): string {
  const m = pointAt(p.points, 0.5);
  return `<text x="${r(m.x - 8)}" y="${r(m.y + 4)}" font-size="${FONT.end}" font-weight="bold" text-anchor="end" fill="#c62828" ${HALO}>${esc(text)}</text>`;
}

const HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"';

/** A text block beside a line, with its horizontal extent. */
interface EndLabel {
  readonly svg: string;
  readonly left: number;
  readonly right: number;
}

/**
 * Each end's interface and addresses, one per line, just past the box, on the side the line
 * leans away to (so two lines leaving one box keep their labels apart).
 */
function endLabels(p: PlacedEdge): EndLabel[] {
  const out: EndLabel[] = [];
  const ends: Array<[EdgeEnd, readonly { x: number; y: number }[]]> = [
    [p.edge.a, p.points],
    [p.edge.b, [...p.points].reverse()],
  ];
  for (const [end, pts] of ends) {
    const lines = [end.iface, ...end.addresses].filter((x): x is string => x !== undefined && x !== '');
    if (lines.length === 0 || pts.length < 2) continue;
    const at = along(pts, 12);
    const dx = pts[1]!.x - pts[0]!.x;
    const down = pts[1]!.y >= pts[0]!.y;
    const left = dx < -1;
    const x = at.x + (left ? -7 : 7);
    const y0 = down ? at.y + FONT.end : at.y - (lines.length - 1) * (FONT.end + 2) - 2;
    const w = Math.max(...lines.map((l) => textWidth(l, FONT.end)));
    const tspans = lines.map((l, i) => `<tspan x="${r(x)}" y="${r(y0 + i * (FONT.end + 2))}">${esc(l)}</tspan>`).join('');
    out.push({
      svg: `<text font-size="${FONT.end}" fill="#37474f" text-anchor="${left ? 'end' : 'start'}" ${HALO}>${tspans}</text>`,
      left: left ? x - w : x,
      right: left ? x : x + w,
    });
  }
  return out;
}

/** The point at `dist` along a polyline from its start (its end if shorter). */
function along(pts: readonly { x: number; y: number }[], dist: number): { x: number; y: number } {
  let left = dist;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1]!;
    const b = pts[i]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    if (len >= left && len > 0) return { x: a.x + ((b.x - a.x) * left) / len, y: a.y + ((b.y - a.y) * left) / len };
    left -= len;
  }
  return pts[pts.length - 1] ?? { x: 0, y: 0 };
}

function pointAt(pts: readonly { x: number; y: number }[], frac: number): { x: number; y: number } {
  let total = 0;
  for (let i = 1; i < pts.length; i++) total += Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y);
  return along(pts, total * frac);
}

function r(n: number): number {
  return Math.round(n * 10) / 10;
}

/** Escape text for XML content and attribute values. */
export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
