// A lab's picture as a Mermaid flowchart (renders inline in GitHub Markdown): networks as
// hexagons, nodes as rounded boxes (routers as stadiums), the host as a subroutine box; each
// line carries the interfaces and addresses of both ends. PURE.
import { endText, type Edge, type GraphModel, type Vertex } from './model.js';

/** Render a lab's picture as a Mermaid `flowchart TB`. */
export function renderMermaid(g: GraphModel): string {
  // Mermaid ids are positional (v0, v1, ...): vertex ids hold ':' which Mermaid would misread.
  const ids = new Map(g.vertices.map((v, i) => [v.id, `v${i}`]));
  return [
    '---',
    `title: lab ${g.lab}`,
    '---',
    'flowchart TB',
    ...g.vertices.map((v) => `  ${ids.get(v.id)}${shape(v)}`),
    ...g.edges.map((e) => `  ${ids.get(e.a.vertex)} ---${edgeLabel(e)} ${ids.get(e.b.vertex)}`),
    '',
  ].join('\n');
}

function shape(v: Vertex): string {
  const text = q([v.name, ...v.notes].join('<br/>'));
  if (v.kind === 'host') return `[[${text}]]`;
  if (v.kind === 'network') return `{{${text}}}`;
  return v.router ? `([${text}])` : `(${text})`;
}

function edgeLabel(e: Edge): string {
  const a = endText(e.a);
  const b = endText(e.b);
  const text = [a && b ? `${a} ↔ ${b}` : a || b, e.label].filter((x) => x).join('<br/>');
  return text ? `|${q(text)}|` : '';
}

/** A Mermaid quoted label: double quotes become the #quot; entity. */
function q(s: string): string {
  return `"${s.replace(/"/g, '#quot;')}"`;
}
