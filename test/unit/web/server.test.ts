// The UI server on an in-memory kernel (no root): the token and Host checks, security headers,
// the page and its libraries, the API's answers and refusals, and the live event stream.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { up } from '../../../src/lab/up.js';
import { startUi, type RunningUi } from '../../../src/web/server.js';
import { MIXED, withStateDir, writeLab } from '../helpers.js';
import type { StateRoot } from '../../../src/lab/config.js';
import { linkState } from '../../../src/lab/runtime.js';
import { writeStateFile } from '../../../src/state/root.js';
import { scenarioLogPath } from '../../../src/lab/scenario-log.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request to the server over loopback; bounded by a 5 s timeout. */
function call(ui: RunningUi, path: string, o: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ui.port, path, method: o.method ?? 'GET', headers: o.headers ?? {}, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in 5 s`)));
    req.end(o.body);
  });
}

/** The first `data:` event of the live stream. */
function firstEvent(
  ui: RunningUi,
  token: string,
): Promise<{
  labs: Array<{ lab: string }>;
  live: Record<string, { edges: Record<string, { up: boolean }>; vertices: Record<string, boolean> }>;
  faults: Record<string, Record<string, { down: boolean; runtime: boolean; label: string }>>;
  scenarios: Record<string, { status: string; flows: Array<{ state: string; outages: unknown[] }> }>;
}> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ui.port, path: '/api/events', headers: { Authorization: `Bearer ${token}` }, timeout: 5000 }, (res) => {
      assert.equal(res.headers['content-type'], 'text/event-stream; charset=utf-8');
      let text = '';
      res.on('data', (d: Buffer) => {
        text += d.toString();
        const m = /^data: (.*)$/m.exec(text);
        if (m) {
          resolve(JSON.parse(m[1]!));
          req.destroy();
        }
      });
    });
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.on('timeout', () => req.destroy(new Error('no event in 5 s')));
    req.end();
  });
}

async function withUi(fn: (ui: RunningUi, token: string, root: StateRoot, k: FakeKernel) => Promise<void>, lab?: string): Promise<void> {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    await up({ state: root, file: writeLab(dir, MIXED), openKernel: () => k });
    const ui = await startUi({ state: root, port: 0, openKernel: () => k, ...(lab ? { lab } : {}) });
    try {
      assert.match(ui.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      await fn(ui, new URL(ui.url).searchParams.get('token')!, root, k);
    } finally {
      await ui.close();
    }
  });
}

test("the page's code is public, lab data needs the token; no cookie is ever set or honoured (cookies are shared by every port)", () =>
  withUi(async (ui, token) => {
    for (const path of ['/api/labs', '/api/labs/demo/graph', '/api/events']) {
      assert.equal((await call(ui, path)).status, 401, path);
      // A cookie with the token is what another service on 127.0.0.1 could have been sent: not enough.
      assert.equal((await call(ui, path, { headers: { Cookie: `nslab-ui-${ui.port}=${token}` } })).status, 401, `${path} with a cookie`);
    }
    assert.equal((await call(ui, `/api/labs?token=${token.slice(1)}`)).status, 401);
    assert.equal((await call(ui, '/api/labs', { headers: { Authorization: `Bearer ${token}0` } })).status, 401);
    assert.equal((await call(ui, '/api/labs', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await call(ui, `/api/labs?token=${token}`)).status, 200, 'EventSource sends the token in the query');
    const page = await call(ui, `/?token=${token}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<script src="\/vendor\/cytoscape.min.js"><\/script>/);
    assert.equal(page.headers['set-cookie'], undefined);
    assert.doesNotMatch(page.body, new RegExp(token), 'the page itself does not hold the token');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    const lib = await call(ui, '/vendor/cytoscape-fcose.js');
    assert.equal(lib.status, 200);
    assert.equal(lib.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await call(ui, '/nope')).status, 404);
  }));

test('a Host header other than 127.0.0.1 or localhost is refused even with the token (DNS rebinding)', () =>
  withUi(async (ui, token) => {
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal((await call(ui, '/api/labs', { headers: { ...auth, Host: `evil.example:${ui.port}` } })).status, 403);
    assert.equal((await call(ui, '/api/labs', { headers: { ...auth, Host: `localhost:${ui.port}` } })).status, 200);
    assert.equal((await call(ui, '/api/labs', { headers: { ...auth, Host: `127.0.0.1:${ui.port + 1}` } })).status, 403);
  }));

test("the API gives the lab's picture and refuses bad names, bad bodies and unknown routes", () =>
  withUi(async (ui, token) => {
    const auth = { Authorization: `Bearer ${token}` };
    const g = JSON.parse((await call(ui, '/api/labs/demo/graph', { headers: auth })).body) as {
      revision: string;
      model: { vertices: Array<{ id: string }>; edges: unknown[] };
      positions: Record<string, { x: number; y: number }>;
    };
    assert.equal(g.model.vertices.length, 6);
    assert.deepEqual(Object.keys(g.positions).sort(), g.model.vertices.map((v) => v.id).sort(), 'a small lab comes laid out (layered, like nslab graph)');
    assert.ok(g.positions['host']!.y < g.positions['net:lan']!.y && g.positions['net:lan']!.y < g.positions['node:web']!.y);
    assert.equal(g.model.edges.length, 5);
    assert.match(g.revision, /^[0-9a-f]{16}$/);
    assert.equal((await call(ui, '/api/labs/nolab/graph', { headers: auth })).status, 404);
    assert.equal((await call(ui, '/api/labs/..%2F..%2Fetc/graph', { headers: auth })).status, 400);
    assert.equal((await call(ui, '/api/labs/%E0%A4%A/graph', { headers: auth })).status, 400);
    assert.equal((await call(ui, '/api/labs/demo/nodes/NOPE', { headers: auth })).status, 400);
    assert.equal((await call(ui, '/api/labs/demo/exec', { method: 'POST', headers: auth })).status, 404);
    const post = (body: string, type = 'application/json'): Promise<Answer> =>
      call(ui, '/api/labs/demo/probe', { method: 'POST', body, headers: { ...auth, 'Content-Type': type } });
    assert.equal((await post('{"from":"web","to":"r1"}', 'text/plain')).status, 415, 'a cross-site form cannot post');
    assert.equal((await post('not json')).status, 400);
    assert.equal((await post('{"from":"web"}')).status, 400);
    assert.equal((await post('{"from":"web","to":"r1","kind":"tcp"}')).status, 400, 'tcp needs a port');
    assert.equal((await post('{"from":"web","to":"$(reboot)"}')).status, 400);
    assert.equal((await post(JSON.stringify({ from: 'web', to: 'x'.repeat(5000) }))).status, 413);
    const unknown = await post('{"from":"ghost","to":"r1"}');
    assert.equal(unknown.status, 404);
    assert.match(JSON.parse(unknown.body).error, /no node ghost/);
  }));

test('the live stream starts at once with every lab, its vertices and its edges', () =>
  withUi(async (ui, token) => {
    const ev = await firstEvent(ui, token);
    assert.deepEqual(
      ev.labs.map((l) => l.lab),
      ['demo'],
    );
    assert.equal(Object.keys(ev.live['demo']!.edges).length, 5);
    assert.equal(ev.live['demo']!.vertices['node:web'], true);
  }));

test('NAME limits the server to one lab; an unknown lab fails at start', async () => {
  await withUi(async (ui, token) => {
    const labs = JSON.parse((await call(ui, '/api/labs', { headers: { Authorization: `Bearer ${token}` } })).body) as { labs: Array<{ name: string }> };
    assert.deepEqual(
      labs.labs.map((l) => l.name),
      ['demo'],
    );
  }, 'demo');
  await withStateDir(async (_dir, root) => {
    await assert.rejects(startUi({ state: root, lab: 'ghost', port: 0, openKernel: () => new FakeKernel() }), /no lab named ghost is up/);
  });
});

test('a client that goes away in the middle of its request is no internal error', () =>
  withUi(async (ui, token) => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      written.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    try {
      // A POST that promises 1000 bytes, sends 10 and hangs up: the server's body reader is aborted.
      await new Promise<void>((resolve) => {
        const req = request({
          host: '127.0.0.1',
          port: ui.port,
          path: '/api/labs/demo/probe',
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': '1000' },
        });
        req.on('error', () => resolve());
        req.write('{"from":"w');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100);
      });
      // The server still answers, and said nothing about a bug.
      assert.equal((await call(ui, '/api/labs', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(
      written.filter((w) => /internal error|bug/.test(w)),
      [],
    );
  }));

test("a link set down at run time: the faults route and the live stream say so; the scenario route gives the lab's last timeline", () =>
  withUi(async (ui, token, root, k) => {
    const auth = { Authorization: `Bearer ${token}` };
    const none = JSON.parse((await call(ui, '/api/labs/demo/faults', { headers: auth })).body) as { lab: string; edges: Record<string, unknown> };
    assert.deepEqual(none, { lab: 'demo', edges: {} });
    assert.deepEqual(JSON.parse((await call(ui, '/api/labs/demo/scenario', { headers: auth })).body), { lab: 'demo', scenario: null });
    assert.equal((await call(ui, '/api/labs/ghost/faults', { headers: auth })).status, 404);

    await linkState({ state: root, lab: 'demo', end: 'h2:eth0', up: false, openKernel: () => k, netemMissing: () => undefined });
    const cut = JSON.parse((await call(ui, '/api/labs/demo/faults', { headers: auth })).body) as {
      edges: Record<string, { down: boolean; runtime: boolean; label: string; details: string[] }>;
    };
    const [id, f] = Object.entries(cut.edges)[0]!;
    assert.equal(Object.keys(cut.edges).length, 1);
    assert.deepEqual([f.down, f.runtime, f.label], [true, true, 'down (runtime)']);
    assert.ok(f.details.includes('h2:eth0 set down (runtime)'));

    // A scenario's timeline, as the runner leaves it in the lab's state (its pid: this process, running).
    const head = { kind: 'scenario', v: 1, lab: 'demo', file: '/x/s.yaml', pid: process.pid, startedAt: Date.now(), plannedMs: 2000, intervalMs: 50 };
    const flows = [{ id: 0, label: 'h2 -> r1 icmp', dst: '10.0.0.1' }];
    const steps = [{ index: 0, atMs: 500, text: 'link h2:eth0 down' }];
    const lines = [
      { ...head, flows, steps },
      { t: 500, kind: 'step', step: 0, text: steps[0]!.text },
      { t: 550, kind: 'down', flow: 0, label: flows[0]!.label },
    ];
    writeStateFile(root, scenarioLogPath(root, 'demo'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''), 0o600);
    const sc = JSON.parse((await call(ui, '/api/labs/demo/scenario', { headers: auth })).body) as {
      scenario: { status: string; flows: Array<{ state: string; outages: unknown[] }>; steps: Array<{ ranAtMs?: number }> };
    };
    assert.equal(sc.scenario.status, 'running');
    assert.deepEqual(sc.scenario.flows[0], { id: 0, label: 'h2 -> r1 icmp', dst: '10.0.0.1', state: 'down', outages: [{ startMs: 550 }] });
    assert.equal(sc.scenario.steps[0]!.ranAtMs, 500);

    const ev = await firstEvent(ui, token);
    assert.equal(ev.faults['demo']![id]!.down, true);
    assert.equal(ev.live['demo']!.edges[id]!.up, false);
    assert.equal(ev.scenarios['demo']!.flows[0]!.state, 'down');
  }));
