// The side panel: details of the selected node or link, the node list, and the results of the
// probe and expect: actions. Text goes in through textContent only, never as HTML.
import { si } from './graph.js';

/** A DOM element with attributes and children (strings become text nodes). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

function table(head, rows, numeric = []) {
  if (rows.length === 0) return h('div', { class: 'hint' }, '(none)');
  return h(
    'table',
    {},
    h(
      'tr',
      {},
      head.map((x) => h('th', {}, x)),
    ),
    rows.map((r) =>
      h(
        'tr',
        {},
        r.map((c, i) => h('td', numeric.includes(i) ? { class: 'num' } : {}, c)),
      ),
    ),
  );
}

function state(s) {
  return h('span', { class: `state-${s}` }, s);
}

/** Show a node's details (the /api/labs/LAB/nodes/NODE answer). */
export function renderNode(body, d, { onProbeFrom, onProbeTo }) {
  const n = d.node;
  const parts = [
    h('div', { class: 'hint' }, `lab ${d.lab} · netns ${n.netns}`),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: onProbeFrom }, 'probe from here'),
      h('button', { type: 'button', onclick: onProbeTo }, 'probe to here'),
    ),
  ];
  if (!n.present) parts.push(h('div', { class: 'fail' }, 'namespace missing'));
  parts.push(
    h('h3', {}, 'Interfaces'),
    table(
      ['iface', 'state', 'addresses', 'to', 'rx pkts', 'tx pkts'],
      n.interfaces.map((i) => [
        i.name,
        state(i.up ? i.state : 'DOWN'),
        i.addresses.join('\n') || '-',
        i.to || '-',
        String(i.stats?.rxPackets ?? '-'),
        String(i.stats?.txPackets ?? '-'),
      ]),
      [4, 5],
    ),
  );
  parts.push(
    h('h3', {}, 'Routes'),
    table(
      ['to', 'via', 'dev', 'proto'],
      n.routes.map((r) => [r.to === '0.0.0.0/0' || r.to === '::/0' ? 'default' : r.to, r.via || '-', r.dev || '-', r.protocol]),
    ),
  );
  parts.push(
    h('h3', {}, 'Neighbours'),
    table(
      ['address', 'mac', 'dev', 'state'],
      n.neighbours.map((x) => [x.address, x.mac || '-', x.dev, x.state]),
    ),
  );
  parts.push(h('h3', {}, 'Firewall'), n.rules ? h('pre', {}, n.rules) : h('div', { class: 'hint' }, '(no nslab rules in this node)'));
  parts.push(
    h('h3', {}, 'Processes'),
    table(
      ['pid', 'user', 'stat', 'command'],
      d.processes.map((p) => [String(p.pid), p.user, p.stat, p.command]),
    ),
  );
  body.replaceChildren(...parts);
}

/** "h1", "network lan" or "host" for a vertex id. */
function vertexName(id) {
  return id.startsWith('net:') ? `network ${id.slice(4)}` : id.replace(/^node:/, '');
}

function endRows(label, end, s) {
  return [
    [label, `${vertexName(end.vertex)}${end.iface ? ` ${end.iface}` : ''}`],
    ['device', `${end.ns === '@host' ? 'host' : end.ns} ${end.dev}`],
    ['addresses', end.addresses.join(' ') || '-'],
    ['state', s ? state(s.state) : '-'],
    ['rx', s ? `${s.rxPackets} pkts, ${s.rxBytes} B (${si(s.rxPps)} pkt/s, ${si(s.rxBps)} B/s)` : '-'],
    ['tx', s ? `${s.txPackets} pkts, ${s.txBytes} B (${si(s.txPps)} pkt/s, ${si(s.txBps)} B/s)` : '-'],
    ['dropped', s ? `rx ${s.rxDropped}, tx ${s.txDropped}` : '-'],
  ];
}

/** Show a link: both ends, their state and counters, and its faults (refreshed on every live tick). */
export function renderEdge(body, lab, edge, live, fault) {
  const header = h('div', { class: 'hint' }, `lab ${lab} · ${edge.kind} link${live ? (live.up ? ' · up' : ' · down') : ''}`);
  const faults = fault
    ? h(
        'div',
        { id: 'link-faults', 'data-down': String(fault.down), 'data-runtime': String(fault.runtime) },
        h('div', { class: fault.down ? 'fail' : 'warn' }, `${fault.down ? 'down' : 'impaired'}${fault.runtime ? ' — changed at run time' : ''}`),
        h(
          'ul',
          {},
          fault.details.map((d) => h('li', {}, d)),
        ),
      )
    : h('div', { id: 'link-faults', class: 'hint', 'data-down': 'false', 'data-runtime': 'false' }, 'no fault: up, nothing shaped');
  body.replaceChildren(
    header,
    faults,
    h(
      'table',
      { id: 'link-counters' },
      [...endRows('end a', edge.a, live?.a), ...endRows('end b', edge.b, live?.b)].map((r) => h('tr', {}, h('th', {}, r[0]), h('td', {}, r[1]))),
    ),
  );
}

/** Fill the node list; clicking an entry selects the node. */
export function renderNodeList(list, count, nodes, multi, onPick) {
  count.textContent = `(${nodes.length})`;
  list.replaceChildren(...nodes.map((n) => h('li', { 'data-lab': n.lab, 'data-id': n.id, onclick: () => onPick(n) }, multi ? `${n.lab}/${n.name}` : n.name)));
}

/** A probe's outcome as a line, and the path it took. */
export function renderProbe(box, r) {
  const row = r.row;
  const reached = row.got === 'reached';
  const head = h(
    'div',
    { class: reached ? 'ok' : 'fail' },
    `${reached ? '✔ reachable' : '✘ unreachable'}: ${r.from} → ${r.to}${row.dst ? ` (${row.dst})` : ''}, ${row.probe}${row.rttMs !== undefined ? `, ${row.rttMs.toFixed(2)} ms` : ''}${row.reason ? ` — ${row.reason}` : ''}`,
  );
  const legs = r.path.map((leg) =>
    h(
      'div',
      {},
      `${leg.direction}: ${leg.vertices.map((v) => v.replace(/^(node|net):/, '')).join(' → ')}${leg.stop ? ` ✘ ${leg.stop.message}` : leg.reached ? ' ✔' : ''}`,
    ),
  );
  box.dataset.reached = String(reached);
  box.replaceChildren(head, ...legs);
}

/** The expect: run as a table, each row ok or failed. */
export function renderTest(box, r) {
  const rep = r.report;
  const summary = h('div', { class: rep.failed ? 'fail' : 'ok' }, `${rep.passed}/${rep.rows.length} hold${rep.failed ? `, ${rep.failed} do not` : ''}`);
  const rows = rep.rows.map((x) =>
    h(
      'tr',
      { 'data-ok': String(x.ok) },
      h('td', {}, x.from),
      h('td', {}, x.to),
      h('td', {}, x.probe),
      h('td', {}, x.expected),
      h('td', { class: x.ok ? 'ok' : 'fail' }, x.ok ? 'ok' : `FAIL (${x.got})`),
    ),
  );
  box.replaceChildren(
    summary,
    h(
      'table',
      {},
      h(
        'tr',
        {},
        ['from', 'to', 'probe', 'expected', 'result'].map((x) => h('th', {}, x)),
      ),
      rows,
    ),
  );
}

/** An error message in a result box. */
export function renderError(box, e) {
  box.dataset.reached = '';
  box.replaceChildren(h('div', { class: 'fail' }, e.message || String(e)));
}

const sec = (ms) => `${(ms / 1000).toFixed(2)} s`;

/** A scenario's status line: running (how far), finished (ok or not), abandoned. */
function scenarioStatus(sc) {
  if (sc.status === 'running') return h('span', { class: 'warn' }, `running: ${sec(sc.lastMs)} of ${sec(sc.plannedMs)}`);
  if (sc.status === 'abandoned') return h('span', { class: 'fail' }, `stopped at ${sec(sc.lastMs)} without finishing`);
  const how = sc.interrupted ? 'interrupted' : sc.ok ? 'finished: every limit holds' : 'finished: a limit failed or a step did';
  return h('span', { class: sc.ok ? 'ok' : 'fail' }, `${how} (${sec(sc.lastMs)})`);
}

/** One flow's bar: its outages as red spans and the steps as markers, on the scenario's time axis. */
function scenarioBar(sc, outages) {
  const span = Math.max(sc.plannedMs, sc.lastMs, 1);
  const pct = (ms) => `${Math.min(100, Math.max(0, (ms / span) * 100)).toFixed(2)}%`;
  const bar = h('div', { class: 'sc-bar' });
  const now = h('div', { class: 'sc-now' });
  now.style.left = pct(sc.lastMs);
  bar.append(now);
  for (const s of sc.steps) {
    if (s.ranAtMs === undefined) continue;
    const m = h('div', { class: `sc-step${s.error ? ' failed' : ''}`, title: `#${s.index} ${s.text}` });
    m.style.left = pct(s.ranAtMs);
    bar.append(m);
  }
  for (const o of outages) {
    const end = o.endMs ?? sc.lastMs;
    const x = h('div', { class: 'sc-out', title: `out ${sec(o.startMs)} – ${o.endMs === undefined ? 'now' : sec(o.endMs)}` });
    x.style.left = pct(o.startMs);
    x.style.width = `max(2px, ${pct(end - o.startMs)})`;
    bar.append(x);
  }
  return bar;
}

/** The scenario timelines (one per lab that ran one): flows with state and outage windows, steps as markers. */
export function renderScenarios(section, body, scenarios) {
  const labs = Object.keys(scenarios);
  section.hidden = labs.length === 0;
  body.replaceChildren(
    ...labs.map((lab) => {
      const sc = scenarios[lab];
      const flows = sc.flows.map((f) =>
        h(
          'tr',
          { 'data-flow': String(f.id), 'data-state': f.state, 'data-outages': String(f.outages.length) },
          h('td', {}, `#${f.id} ${f.label}`),
          h('td', { class: f.state === 'down' ? 'fail' : f.state === 'up' ? 'ok' : 'hint' }, f.state),
          h('td', { class: 'sc-windows' }, f.outages.map((o) => `${sec(o.startMs)}–${o.endMs === undefined ? '…' : sec(o.endMs)}`).join(', ') || 'no outage'),
        ),
      );
      const bars = sc.flows.map((f) => h('div', { class: 'sc-row' }, h('span', { class: 'sc-label' }, `#${f.id}`), scenarioBar(sc, f.outages)));
      const steps = sc.steps.map((s) =>
        h(
          'li',
          { class: s.error ? 'fail' : s.ranAtMs === undefined ? 'hint' : '' },
          `${sec(s.ranAtMs ?? s.atMs)} #${s.index} ${s.text}${s.error ? ` — ${s.error}` : s.ranAtMs === undefined ? ' (not run)' : ''}`,
        ),
      );
      return h(
        'div',
        { class: 'scenario', 'data-lab': lab, 'data-status': sc.status },
        h('div', { class: 'hint' }, `lab ${lab} · ${sc.file.split('/').pop()} · started ${new Date(sc.startedAt).toLocaleTimeString()}`),
        h('div', {}, scenarioStatus(sc)),
        ...(sc.error ? [h('div', { class: 'fail' }, sc.error)] : []),
        h(
          'table',
          {},
          h(
            'tr',
            {},
            ['flow', 'now', 'outages'].map((x) => h('th', {}, x)),
          ),
          flows,
        ),
        ...bars,
        h('ul', { class: 'sc-steps' }, steps),
      );
    }),
  );
}
