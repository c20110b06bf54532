// The picture: cytoscape.js with the fCoSE layout. One compound box per lab holding its host,
// networks (bridges) and nodes (namespaces); edges are veth pairs labelled at each end with the
// interface and its addresses. Live state colours edges (busy, down) and greys missing vertices;
// faults (down, impaired, runtime changes) are drawn on the edge with a label of what is in force.
/* global cytoscape, cytoscapeFcose */
cytoscape.use(cytoscapeFcose);

const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-halign': 'center',
      'font-size': 12,
      shape: 'round-rectangle',
      'border-width': 1.5,
      'min-zoomed-font-size': 6,
    },
  },
  { selector: 'node[bw]', style: { width: 'data(bw)', height: 'data(bh)' } },
  { selector: 'node.node', style: { 'background-color': '#e3f2fd', 'border-color': '#1565c0', color: '#0d47a1' } },
  { selector: 'node.router', style: { 'border-width': 3 } },
  { selector: 'node.container', style: { 'border-style': 'dashed' } },
  { selector: 'node.network', style: { 'background-color': '#fff3e0', 'border-color': '#ef6c00', color: '#4e342e', 'corner-radius': 18 } },
  { selector: 'node.host', style: { 'background-color': '#37474f', 'border-color': '#263238', color: '#fff', shape: 'rectangle' } },
  {
    selector: 'node.lab',
    style: {
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'background-color': '#eceff1',
      'background-opacity': 0.35,
      'border-color': '#b0bec5',
      'border-style': 'dashed',
      color: '#546e7a',
      'font-size': 14,
      padding: '24px',
    },
  },
  { selector: 'node.missing', style: { opacity: 0.35, 'border-color': '#c62828' } },
  { selector: 'node.match', style: { 'background-color': '#fff59d', 'border-width': 3 } },
  { selector: 'node:selected', style: { 'border-color': '#6a1b9a', 'border-width': 4 } },
  { selector: 'node.on-path', style: { 'border-color': '#1e88e5', 'border-width': 4 } },
  { selector: 'node.stop', style: { 'border-color': '#c62828', 'border-width': 5, 'border-style': 'double' } },
  {
    selector: 'edge',
    style: {
      width: 'data(w)',
      'line-color': '#90a4ae',
      'curve-style': 'bezier',
      'font-size': 9,
      color: '#37474f',
      'text-wrap': 'wrap',
      'source-label': 'data(srcLabel)',
      'target-label': 'data(tgtLabel)',
      'source-text-offset': 34,
      'target-text-offset': 34,
      label: 'data(label)',
      'text-background-color': '#ffffff',
      'text-background-opacity': 0.85,
      'text-background-padding': '1px',
      'text-rotation': 'autorotate',
      'text-margin-y': -8,
      'min-zoomed-font-size': 7,
    },
  },
  { selector: 'edge.gateway', style: { 'line-style': 'dashed', 'line-dash-pattern': [6, 4] } },
  { selector: 'edge.busy', style: { 'line-color': '#43a047', 'line-style': 'dashed', 'line-dash-pattern': [8, 4], color: '#1b5e20' } },
  { selector: 'edge.down', style: { 'line-color': '#e53935', 'line-style': 'dotted' } },
  // Faults: a link that is down is dashed red, a shaped one orange; a runtime change is drawn thicker-dashed.
  {
    selector: 'edge.fault-down',
    style: { 'line-color': '#d32f2f', 'line-style': 'dashed', 'line-dash-pattern': [10, 6], color: '#b71c1c', 'font-weight': 'bold' },
  },
  { selector: 'edge.impaired', style: { 'line-color': '#fb8c00', color: '#e65100' } },
  {
    selector: 'edge.runtime',
    style: { 'line-dash-pattern': [4, 4], 'line-style': 'dashed', 'text-border-width': 1, 'text-border-opacity': 1, 'text-border-color': '#e65100' },
  },
  { selector: 'edge.fault-down.runtime', style: { 'text-border-color': '#b71c1c' } },
  { selector: 'edge:selected', style: { 'line-color': '#6a1b9a' } },
  { selector: 'edge.path', style: { 'line-color': '#1e88e5', width: 7, 'z-index': 10 } },
  { selector: 'edge.path.fail', style: { 'line-color': '#e53935' } },
  {
    selector: 'edge.result',
    style: {
      'curve-style': 'unbundled-bezier',
      'control-point-distances': [40],
      'line-style': 'dashed',
      'target-arrow-shape': 'triangle',
      width: 2,
      'source-label': '',
      'target-label': '',
      label: 'data(label)',
      'z-index': 20,
    },
  },
  { selector: 'edge.result.ok', style: { 'line-color': '#2e7d32', 'target-arrow-color': '#2e7d32', color: '#2e7d32' } },
  { selector: 'edge.result.fail', style: { 'line-color': '#c62828', 'target-arrow-color': '#c62828', color: '#c62828' } },
];

/** Compact rates: 1.2k, 3.4M. */
export function si(n) {
  if (n < 1000) return n < 10 && n % 1 ? n.toFixed(1) : String(Math.round(n));
  const units = ['k', 'M', 'G', 'T'];
  let i = -1;
  do {
    n /= 1000;
    i++;
  } while (n >= 1000 && i < units.length - 1);
  return `${n.toFixed(1)}${units[i]}`;
}

function endText(end) {
  return [end.iface, ...end.addresses].filter(Boolean).join('\n');
}

/** The picture and what the page does to it. */
export class LabGraph {
  constructor(container, { onSelect }) {
    this.models = new Map();
    this.positions = new Map();
    this.cy = cytoscape({ container, style: STYLE, minZoom: 0.05, maxZoom: 4, textureOnViewport: true });
    this.cy.on('tap', 'node.node, node.network, node.host', (ev) => onSelect({ type: 'vertex', lab: ev.target.data('lab'), id: ev.target.data('vid') }));
    this.cy.on('tap', 'edge[eid]', (ev) => onSelect({ type: 'edge', lab: ev.target.data('lab'), id: ev.target.data('eid') }));
    this.cy.on('tap', (ev) => {
      if (ev.target === this.cy) onSelect(undefined);
    });
    this.dash = 0;
    // Busy links march: their dashes move, the faster the more packets they carry.
    setInterval(() => {
      this.dash = (this.dash + 2) % 1200;
      this.cy.edges('.busy').style('line-dash-offset', -this.dash);
    }, 100);
  }

  /** Put (or replace) a lab's picture; positions (by vertex id) when the server laid it out. Call layout() afterwards. */
  setLab(lab, model, positions) {
    this.removeLab(lab);
    this.models.set(lab, model);
    this.positions.set(lab, positions);
    const els = [{ group: 'nodes', data: { id: `lab:${lab}`, label: `lab ${lab}` }, classes: 'lab' }];
    for (const v of model.vertices) {
      const classes = [v.kind, v.container ? 'container' : '', v.router ? 'router' : ''].filter(Boolean).join(' ');
      const lines = [v.name, ...v.notes];
      // Box size from the text (about 7 px per character at 12 px), so labels always fit.
      const size = { bw: Math.max(44, 7.2 * Math.max(...lines.map((l) => l.length)) + 22), bh: 16 * lines.length + 16 };
      els.push({
        group: 'nodes',
        data: { id: `${lab}/${v.id}`, parent: `lab:${lab}`, lab, vid: v.id, name: v.name, label: lines.join('\n'), ...size },
        classes,
      });
    }
    for (const e of model.edges) {
      els.push({
        group: 'edges',
        data: {
          id: `${lab}/${e.id}`,
          source: `${lab}/${e.a.vertex}`,
          target: `${lab}/${e.b.vertex}`,
          lab,
          eid: e.id,
          w: 2,
          srcLabel: endText(e.a),
          tgtLabel: endText(e.b),
          label: e.label || '',
          base: e.label || '',
        },
        classes: e.kind,
      });
    }
    this.cy.add(els);
  }

  removeLab(lab) {
    this.cy.remove(this.cy.getElementById(`lab:${lab}`).union(this.cy.elements(`[lab = "${lab}"]`)));
    this.models.delete(lab);
    this.positions.delete(lab);
  }

  /**
   * Lay every lab out, side by side: small labs where the server placed them (the layered
   * picture `nslab graph` draws), big ones with fCoSE (force-directed, fast for hundreds).
   */
  layout() {
    let x = 0;
    for (const lab of [...this.models.keys()].sort()) {
      const box = this.cy.getElementById(`lab:${lab}`);
      const members = box.children();
      const positions = this.positions.get(lab);
      if (positions) {
        members.layout({ name: 'preset', positions: (n) => positions[n.data('vid')], fit: false, animate: false }).run();
      } else {
        members
          .union(members.connectedEdges())
          .layout({
            name: 'fcose',
            animate: false,
            randomize: true,
            quality: 'default',
            nodeDimensionsIncludeLabels: true,
            idealEdgeLength: () => 200,
            nodeRepulsion: () => 9000,
            nodeSeparation: 90,
            packComponents: true,
            fit: false,
          })
          .run();
      }
      // Shift the lab to its place in the row: the left edge at x, the top at 0.
      const bb = members.boundingBox();
      const dx = x - bb.x1;
      const dy = -bb.y1;
      members.positions((n) => ({ x: n.position('x') + dx, y: n.position('y') + dy }));
      x += bb.w + 120;
    }
    this.fit();
  }

  /** Fit the picture, but never blow a small lab up beyond 1.2x. */
  fit() {
    this.cy.fit(undefined, 30);
    if (this.cy.zoom() > 1.2) {
      this.cy.zoom(1.2);
      this.cy.center();
    }
  }

  /**
   * Apply one lab's live state: down/busy edges, rates as the edge's middle label, missing
   * vertices; and its faults (by edge id: down, impaired, runtime, label) as classes and label.
   */
  applyLive(lab, live, faults = {}) {
    this.cy.batch(() => {
      for (const [vid, present] of Object.entries(live.vertices)) this.cy.getElementById(`${lab}/${vid}`).toggleClass('missing', !present);
      for (const [eid, s] of Object.entries(live.edges)) {
        const el = this.cy.getElementById(`${lab}/${eid}`);
        if (el.empty()) continue;
        const busy = s.pps >= 0.5;
        const f = faults[eid];
        el.toggleClass('busy', busy && s.up).toggleClass('down', !s.up);
        el.toggleClass('fault-down', f?.down === true)
          .toggleClass('impaired', f?.impaired === true && !f.down)
          .toggleClass('runtime', f?.runtime === true);
        el.data('fault', f?.label ?? '');
        el.data('w', busy ? 2 + Math.min(8, Math.log10(1 + s.pps) * 3) : f ? 3 : 2);
        el.data('label', [el.data('base'), f?.label, busy ? `${si(s.pps)} pkt/s · ${si(s.bps)}B/s` : ''].filter(Boolean).join('\n'));
      }
    });
  }

  /** Vertices of kind node, as {lab, id, name}. */
  nodes() {
    return this.cy.nodes('.node').map((n) => ({ lab: n.data('lab'), id: n.data('vid'), name: n.data('name') }));
  }

  /** Mark vertices whose name contains text; returns them. */
  search(text) {
    const q = text.trim().toLowerCase();
    this.cy.nodes().removeClass('match');
    if (!q) return this.cy.collection();
    const hits = this.cy.nodes('.node, .network, .host').filter((n) => n.data('name').toLowerCase().includes(q));
    hits.addClass('match');
    return hits;
  }

  /** Bring elements into view: one is centred at a readable zoom, several are fitted. */
  focus(els) {
    if (els.empty()) return;
    if (els.length === 1) this.cy.animate({ center: { eles: els }, zoom: Math.max(this.cy.zoom(), 1.2), duration: 300 });
    else this.cy.animate({ fit: { eles: els, padding: 80 }, duration: 300 });
  }

  select(lab, vid) {
    const el = this.cy.getElementById(`${lab}/${vid}`);
    this.cy.elements().unselect();
    el.select();
    this.focus(el);
  }

  clearMarks() {
    this.cy.remove('edge.result');
    this.cy.elements().removeClass('path fail on-path stop');
  }

  /** Draw a probe's path: its legs' edges and vertices, and where it stopped. */
  showPath(lab, legs) {
    this.clearMarks();
    for (const leg of legs) {
      for (const id of leg.edges) this.cy.getElementById(`${lab}/${id}`).addClass('path').toggleClass('fail', !leg.reached);
      for (const id of leg.vertices) this.cy.getElementById(`${lab}/${id}`).addClass('on-path');
      if (leg.stop) this.cy.getElementById(`${lab}/${leg.stop.vertex}`).addClass('stop');
    }
  }

  /** Draw expectation results as arrows from source to target, green or red. */
  showResults(lab, rows) {
    this.clearMarks();
    rows.forEach((r, i) => {
      const target = this.cy.getElementById(`${lab}/node:${r.to.split(':')[0]}`);
      if (target.empty()) return;
      this.cy.add({
        group: 'edges',
        data: { id: `${lab}/result:${i}`, source: `${lab}/node:${r.from}`, target: target.id(), lab, w: 2, label: r.probe === 'icmp' ? '' : r.probe },
        classes: `result ${r.ok ? 'ok' : 'fail'}`,
      });
    });
  }
}
