// A lab's picture as Graphviz DOT text (`dot -Tsvg`): an undirected graph with one box per host,
// network and node, and each veth pair's ends labelled (taillabel/headlabel). PURE.
import type { Edge, EdgeEnd, GraphModel, Vertex } from './model.js';

/** Render a lab's picture as a DOT graph. */
export function renderDot(g: GraphModel): string {
  return [
    `graph ${q(g.lab)} {`,
    `  label=${q(`lab ${g.lab}`)}; labelloc=t; fontname="sans-serif";`,
    '  node [fontname="sans-serif", fontsize=12]; edge [fontname="sans-serif", fontsize=10, labeldistance=2.2];',
    ...g.vertices.map((v) => `  ${q(v.id)} [${attrs(vertexAttrs(v))}];`),
    ...g.edges.map((e) => `  ${q(e.a.vertex)} -- ${q(e.b.vertex)} [${attrs(edgeAttrs(e))}];`),
    '}',
    '',
  ].join('\n');
}

function vertexAttrs(v: Vertex): Array<[string, string]> {
  const label = [v.name, ...v.notes].join('\n');
  const shape: Array<[string, string]> =
    v.kind === 'host'
      ? [['shape', 'box3d']]
      : v.kind === 'network'
        ? [
            ['shape', 'box'],
            ['style', 'rounded,filled'],
            ['fillcolor', '#fff3e0'],
          ]
        : [
            ['shape', 'box'],
            ['style', v.container ? 'rounded,dashed,filled' : 'rounded,filled'],
            ['fillcolor', '#e3f2fd'],
          ];
  return [['label', label], ...shape, ...(v.router ? [['peripheries', '2'] as [string, string]] : [])];
}

function edgeAttrs(e: Edge): Array<[string, string]> {
  return [
    ...end('taillabel', e.a),
    ...end('headlabel', e.b),
    ...(e.label ? [['label', e.label] as [string, string]] : []),
    ...(e.kind === 'gateway' ? [['style', 'dashed'] as [string, string]] : []),
  ];
}

function end(attr: string, x: EdgeEnd): Array<[string, string]> {
  const text = [x.iface, ...x.addresses].filter((s) => s !== undefined && s !== '').join('\n');
  return text ? [[attr, text]] : [];
}

function attrs(list: Array<[string, string]>): string {
  return list.map(([k, v]) => `${k}=${q(v)}`).join(', ');
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as \n. */
function q(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
