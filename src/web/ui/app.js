// nslab ui's page: keeps the picture in step with the live stream (a lab whose revision changes
// is fetched and laid out again, links' faults and scenario timelines come with each tick), and wires the search box, the side panel and the two actions.
import { adoptToken, api, live } from './api.js';
import { LabGraph } from './graph.js';
import { renderEdge, renderError, renderNode, renderNodeList, renderProbe, renderScenarios, renderTest } from './panel.js';

const $ = (id) => document.getElementById(id);
// The token came in the URL: keep it for this origin only, and out of the address bar.
const hasToken = adoptToken() !== null;

const revisions = new Map();
const latest = new Map();
// Per lab, its links' faults by edge id, and its last scenario's timeline (from the live stream).
const faults = new Map();
const scenarios = new Map();
let selected;

const graph = new LabGraph($('graph'), { onSelect: select });
// For the browser's console and the browser tests: the graph and the latest live state.
window.nslab = { graph, cy: graph.cy, latest, faults, scenarios };

async function select(sel) {
  selected = sel;
  const body = $('details-body');
  if (!sel) {
    $('details-title').textContent = 'Details';
    body.replaceChildren('Click a node or a link.');
    return;
  }
  const model = graph.models.get(sel.lab);
  if (sel.type === 'edge') {
    $('details-title').textContent = 'Link';
    renderEdge(
      body,
      sel.lab,
      model.edges.find((e) => e.id === sel.id),
      latest.get(sel.lab)?.edges[sel.id],
      faults.get(sel.lab)?.[sel.id],
    );
    return;
  }
  const v = model.vertices.find((x) => x.id === sel.id);
  $('details-title').textContent = `${v.kind} ${v.name}`;
  if (v.kind !== 'node') {
    body.replaceChildren(`${v.kind === 'network' ? `bridge ${v.kernelName}` : 'the host namespace'}${v.notes.length ? ` · ${v.notes.join(' · ')}` : ''}`);
    return;
  }
  body.replaceChildren('loading…');
  try {
    const d = await api(`/api/labs/${sel.lab}/nodes/${v.name}`);
    if (selected !== sel) return;
    renderNode(body, d, { onProbeFrom: () => pickProbe(sel.lab, 'probe-from', v.name), onProbeTo: () => pickProbe(sel.lab, 'probe-to', v.name) });
  } catch (e) {
    renderError(body, e);
  }
}

function pickProbe(lab, field, name) {
  $('probe-lab').value = lab;
  fillProbeNodes();
  $(field).value = name;
}

/** A live tick: fetch labs that are new or changed, drop labs that went, apply live state. */
async function onTick(tick) {
  const names = tick.labs.map((l) => l.lab);
  let changed = false;
  for (const lab of [...revisions.keys()]) {
    if (!names.includes(lab)) {
      graph.removeLab(lab);
      revisions.delete(lab);
      changed = true;
      // Results about a lab that is gone would only mislead.
      for (const box of [$('probe-result'), $('test-result')]) if (box.dataset.lab === lab) box.replaceChildren();
      if (selected?.lab === lab) select(undefined);
    }
  }
  for (const l of tick.labs) {
    if (l.error || revisions.get(l.lab) === l.revision) continue;
    const g = await api(`/api/labs/${l.lab}/graph`);
    graph.setLab(l.lab, g.model, g.positions);
    revisions.set(l.lab, g.revision);
    changed = true;
  }
  faults.clear();
  for (const [lab, f] of Object.entries(tick.faults ?? {})) faults.set(lab, f);
  scenarios.clear();
  for (const [lab, sc] of Object.entries(tick.scenarios ?? {})) scenarios.set(lab, sc);
  for (const [lab, state] of Object.entries(tick.live)) {
    latest.set(lab, state);
    graph.applyLive(lab, state, faults.get(lab));
  }
  renderScenarios($('scenario'), $('scenario-body'), Object.fromEntries(scenarios));
  if (changed) {
    graph.layout();
    refreshLists();
  }
  const problems = tick.labs.filter((l) => l.error).map((l) => `${l.lab}: ${l.error}`);
  $('labs-summary').textContent =
    names.length === 0 ? 'no labs are up' : `${names.length === 1 ? 'lab' : 'labs'} ${names.join(', ')}${problems.length ? ` — ${problems.join('; ')}` : ''}`;
  if (selected?.type === 'edge') {
    const model = graph.models.get(selected.lab);
    const edge = model?.edges.find((e) => e.id === selected.id);
    if (edge) renderEdge($('details-body'), selected.lab, edge, latest.get(selected.lab)?.edges[selected.id], faults.get(selected.lab)?.[selected.id]);
  }
  for (const li of $('node-list').children) li.classList.toggle('missing', latest.get(li.dataset.lab)?.vertices[li.dataset.id] === false);
}

function refreshLists() {
  const nodes = graph.nodes();
  renderNodeList($('node-list'), $('node-count'), nodes, revisions.size > 1, (n) => {
    graph.select(n.lab, n.id);
    select({ type: 'vertex', lab: n.lab, id: n.id });
  });
  const labSel = $('probe-lab');
  const current = labSel.value;
  labSel.replaceChildren(...[...revisions.keys()].map((l) => new Option(l, l)));
  if (revisions.has(current)) labSel.value = current;
  $('probe-lab-label').hidden = revisions.size < 2;
  fillProbeNodes();
}

function fillProbeNodes() {
  const lab = $('probe-lab').value;
  const names = graph
    .nodes()
    .filter((n) => n.lab === lab)
    .map((n) => n.name);
  for (const id of ['probe-from', 'probe-to']) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren(...names.map((n) => new Option(n, n)));
    if (names.includes(keep)) sel.value = keep;
  }
  if ($('probe-to').value === $('probe-from').value && names.length > 1) $('probe-to').value = names.find((n) => n !== $('probe-from').value);
}

let chain = Promise.resolve();
if (!hasToken) $('labs-summary').textContent = 'no token: open the URL that nslab ui printed';
else
  live(
    (tick) => {
      chain = chain.then(() => onTick(tick)).catch((e) => console.error(e));
    },
    (on) => {
      $('status').textContent = on ? 'live' : 'offline';
      $('status').className = `status ${on ? 'on' : 'off'}`;
    },
  );

$('probe-lab').addEventListener('change', fillProbeNodes);
$('probe-kind').addEventListener('change', () => {
  $('probe-port-label').hidden = $('probe-kind').value === 'icmp';
});
$('probe-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const lab = $('probe-lab').value;
  const kind = $('probe-kind').value;
  const body = { from: $('probe-from').value, to: $('probe-to').value, kind, ...(kind === 'icmp' ? {} : { port: Number($('probe-port').value) }) };
  const box = $('probe-result');
  box.dataset.reached = '';
  box.replaceChildren(`probing ${body.from} → ${body.to}…`);
  $('probe-run').disabled = true;
  try {
    const r = await api(`/api/labs/${lab}/probe`, body);
    renderProbe(box, r);
    box.dataset.lab = lab;
    graph.showPath(lab, r.path);
  } catch (e) {
    renderError(box, e);
  } finally {
    $('probe-run').disabled = false;
  }
});
$('test-run').addEventListener('click', async () => {
  const lab = $('probe-lab').value;
  const box = $('test-result');
  box.replaceChildren(`running the expect: entries of lab ${lab}…`);
  $('test-run').disabled = true;
  try {
    const r = await api(`/api/labs/${lab}/test`, {});
    renderTest(box, r);
    box.dataset.lab = lab;
    graph.showResults(lab, r.report.rows);
  } catch (e) {
    renderError(box, e);
  } finally {
    $('test-run').disabled = false;
  }
});
$('clear').addEventListener('click', () => graph.clearMarks());
$('fit').addEventListener('click', () => graph.fit());
$('search').addEventListener('input', () => {
  const hits = graph.search($('search').value);
  const ids = new Set(hits.map((n) => n.id()));
  for (const li of $('node-list').children) li.classList.toggle('match', ids.has(`${li.dataset.lab}/${li.dataset.id}`));
});
$('search').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') graph.focus(graph.search($('search').value));
});
