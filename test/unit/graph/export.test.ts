// `nslab graph` output: SVG, Mermaid and DOT drawn from a topology alone.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { placeGraph } from '../../../src/graph/layout.js';
import { graphOf } from '../../../src/graph/model.js';
import { renderGraph } from '../../../src/graph/render.js';
import { MIXED, topo } from '../helpers.js';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'examples');
const routed = (): ReturnType<typeof graphOf> => graphOf(topo(readFileSync(join(examples, 'routed.yaml'), 'utf8')));

test('svg: one box per vertex, one line per edge, every address written, and the same text every time', () => {
  const g = graphOf(topo(MIXED));
  const svg = renderGraph(g, 'svg');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="\d+" height="\d+"/);
  assert.equal(svg.match(/<rect x=/g)?.length, g.vertices.length);
  assert.equal(svg.match(/<path d="M/g)?.length, g.edges.length);
  for (const a of ['172.20.0.11/16', '172.20.0.10/16', '10.0.0.1/30', '10.0.0.2/30', '172.30.0.11/16', '172.30.0.1/16'])
    assert.ok(svg.includes(`>${a}</tspan>`), a);
  assert.equal(renderGraph(g, 'svg'), svg);
});

test('layout: boxes do not overlap, ranks go host, networks, nodes, and every line starts and ends on its boxes', () => {
  const p = placeGraph(routed());
  for (const a of p.vertices) {
    for (const b of p.vertices) {
      if (a === b) continue;
      const apart = Math.abs(a.x - b.x) >= (a.width + b.width) / 2 || Math.abs(a.y - b.y) >= (a.height + b.height) / 2;
      assert.ok(apart, `${a.vertex.id} overlaps ${b.vertex.id}`);
    }
  }
  const y = (id: string): number => p.vertices.find((v) => v.vertex.id === id)!.y;
  assert.ok(y('net:left') < y('node:h1') && y('net:right') < y('node:r2'));
  for (const e of p.edges) {
    const a = p.vertices.find((v) => v.vertex.id === e.edge.a.vertex)!;
    const first = e.points[0]!;
    assert.ok(Math.abs(first.x - a.x) <= a.width / 2 + 0.01 && Math.abs(first.y - a.y) <= a.height / 2 + 0.01, `${e.edge.id} starts off its box`);
  }
});

test('text is escaped: an address list cannot break out of SVG, DOT or Mermaid quoting', () => {
  const g = graphOf(topo(MIXED));
  const evil = { ...g, lab: 'a"<b>&\\' };
  assert.ok(renderGraph(evil, 'svg').includes('lab a&quot;&lt;b&gt;&amp;\\'));
  assert.ok(renderGraph(evil, 'dot').startsWith('graph "a\\"<b>&\\\\" {'));
  assert.ok(renderGraph(evil, 'mermaid').includes('title: lab a"<b>&\\'));
});

test('mermaid: a flowchart with every vertex and a labelled line per edge', () => {
  const text = renderGraph(routed(), 'mermaid');
  const lines = text.split('\n');
  assert.equal(lines[3], 'flowchart TB');
  assert.equal(lines.filter((l) => / --- /.test(l) || /---\|/.test(l)).length, 6);
  assert.ok(lines.includes('  v0{{"left<br/>10.0.1.0/24"}}'));
  assert.ok(text.includes('|"eth0 10.9.0.2/30 ↔ eth0 10.9.0.1/30"|'), text);
  assert.ok(/\(\["r1<br\/>router"\]\)/.test(text));
});

test('dot: an undirected graph whose edges carry both ends as tail and head labels', () => {
  const text = renderGraph(routed(), 'dot');
  assert.ok(text.startsWith('graph "routed" {'));
  assert.equal(text.match(/ -- /g)?.length, 6);
  assert.ok(text.includes('"node:h3" -- "node:r2" [taillabel="eth0\\n10.9.0.2/30", headlabel="eth0\\n10.9.0.1/30"];'), text);
  assert.ok(text.includes('"node:r1" [label="r1\\nrouter", shape="box", style="rounded,filled", fillcolor="#e3f2fd", peripheries="2"];'));
});
