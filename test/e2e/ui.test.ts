// `nslab ui` in a real headless Chromium against labs built in a sandbox (routed.yaml and seed
// 001's nat.yaml): the page lists the nodes, the graph has the right vertices and edges, counters
// move when a node pings, a click on a node shows its addresses, the probe reports reachable and
// unreachable pairs along their path, expect: results are coloured, and the server refuses
// requests without its token and cannot be reached on a non-loopback address. Faults: a link set
// down with `nslab link` turns its edge dashed red with "down (runtime)", an `nslab impair` labels
// it with what is in force, and a scenario's outage appears in the timeline panel as it happens.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Sandbox } from '../helpers/sandbox.js';
import { clickElement, ids, inGraph, launchBrowser, needChromium, startUi, type Browser } from './browser.js';
import { EXAMPLES, killByPid, labFile, nslab, nslabOk, withSandbox } from './lab.js';

const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts');

/** HTTP status of a GET inside the sandbox (or inside a namespace of it), or the connect error code. */
async function statusOf(sb: Sandbox, o: { host: string; port: number; path: string; headers?: Record<string, string>; netns?: string }): Promise<string> {
  const code = `require('http').get({ host: ${JSON.stringify(o.host)}, port: ${o.port}, path: ${JSON.stringify(o.path)}, headers: ${JSON.stringify(o.headers ?? {})}, timeout: 3000 }, (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => console.log(e.code)).on('timeout', function () { console.log('TIMEOUT'); this.destroy(); })`;
  const argv = [process.execPath, '-e', code];
  const r = await sb.run(o.netns ? ['ip', 'netns', 'exec', o.netns, ...argv] : argv, { timeoutMs: 10_000 });
  return r.stdout.trim();
}

/**
 * Wait (bounded) until a JavaScript expression holds in the page. Polled from here: the page's
 * Content-Security-Policy forbids the eval that waitForFunction would need for an expression.
 */
async function waitFor(page: Page, expr: string, timeout = 15_000): Promise<void> {
  const until = Date.now() + timeout;
  while (!(await page.evaluate(`!!(${expr})`))) {
    assert.ok(Date.now() < until, `not within ${timeout} ms: ${expr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Text of the link panel's row (e.g. "tx" of end a: its first match). */
async function counter(page: Page, row: 'rx' | 'tx'): Promise<number> {
  const text = await page
    .locator('#link-counters tr', { hasText: new RegExp(`^${row}`) })
    .first()
    .innerText();
  const m = /(\d+) pkts/.exec(text);
  assert.ok(m, `no packet count in "${text}"`);
  return Number(m[1]);
}

test('nslab ui: nodes listed, graph counts, live counters, details on click, probes along the path, expect: coloured', { timeout: 120_000 }, (t) =>
  withSandbox(t, ['chromium', 'libnftables', 'ping'], async (sb) => {
    if (!needChromium(t)) return;
    const pids: number[] = [];
    let browser: Browser | undefined;
    try {
      await nslabOk(sb, 'up', join(EXAMPLES, 'routed.yaml'));
      await nslabOk(sb, 'up', join(EXAMPLES, 'nat.yaml'));
      const ui = await startUi(sb, [], pids);
      browser = await launchBrowser(sb, pids);
      const page = browser.page;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(ui.url);

      // Both labs arrive over the live stream; the token leaves the address bar.
      await waitFor(page, `document.querySelectorAll('#node-list li').length === 7`);
      assert.deepEqual((await page.locator('#node-list li').allInnerTexts()).sort(), [
        'natlab/netns1',
        'natlab/netns2',
        'routed/h1',
        'routed/h2',
        'routed/h3',
        'routed/r1',
        'routed/r2',
      ]);
      assert.doesNotMatch(page.url(), /token/);
      // The token is kept in this origin's sessionStorage, never in a cookie (cookies reach every port).
      assert.deepEqual(await page.context().cookies(), []);
      await page.reload();
      await waitFor(page, `document.querySelectorAll('#node-list li').length === 7`);
      assert.deepEqual(
        await ids(page, 'node[lab = "routed"][vid]'),
        ['left', 'right', 'r1', 'r2', 'h1', 'h2', 'h3'].map((n) => `routed/${n.length > 2 ? 'net' : 'node'}:${n}`).sort(),
      );
      assert.equal((await ids(page, 'edge[lab = "routed"][eid]')).length, 6, 'routed: five bridged veths and one point-to-point');
      assert.deepEqual(await ids(page, 'node[lab = "natlab"][vid]'), ['natlab/host', 'natlab/net:br0', 'natlab/node:netns1', 'natlab/node:netns2']);
      assert.equal((await ids(page, 'edge[lab = "natlab"][eid]')).length, 3, 'natlab: two veths and the gateway');
      assert.equal(await inGraph<number>(page, `cy.getElementById('routed/node:h1').connectedEdges().length`), 1);

      // Click on a node: its interfaces and addresses.
      await clickElement(page, 'routed/node:r1');
      await waitFor(page, `document.querySelector('#details-body').textContent.includes('10.0.2.1/24')`);
      const details = await page.locator('#details-body').innerText();
      for (const s of ['10.0.1.1/24', 'eth0', 'eth1', 'netns routed-r1', '10.9.0.0/30']) assert.ok(details.includes(s), `node details lack ${s}:\n${details}`);

      // Click on h1's link, ping over it, and watch its counters and its busy look.
      const h1Edge = await inGraph<string>(page, `cy.getElementById('routed/node:h1').connectedEdges()[0].id()`);
      await clickElement(page, h1Edge);
      await page.waitForSelector('#link-counters');
      const before = await counter(page, 'tx');
      await nslabOk(sb, 'exec', 'routed', 'h1', '--', 'ping', '-c', '8', '-i', '0.2', '-q', '10.0.2.10');
      // The panel refreshes every second from the stream; the link marches while it carries pings.
      await waitFor(
        page,
        `(() => {
      const m = /tx\\s*(\\d+) pkts/.exec(document.querySelector('#link-counters').textContent);
      return m !== null && Number(m[1]) >= ${before + 8} && window.nslab.cy.getElementById(${JSON.stringify(h1Edge)}).hasClass('busy');
    })()`,
      );
      assert.ok((await counter(page, 'tx')) >= before + 8);

      // Probe: h1 -> h3 is reachable through both routers: five links, request and reply.
      await page.selectOption('#probe-lab', 'routed');
      await page.selectOption('#probe-from', 'h1');
      await page.selectOption('#probe-to', 'h3');
      await page.click('#probe-run');
      await waitFor(page, `document.querySelector('#probe-result').dataset.reached === 'true'`, 20_000);
      assert.equal((await ids(page, 'edge.path')).length, 5);
      assert.match(await page.locator('#probe-result').innerText(), /request: h1 → left → r1 → right → r2 → h3/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'ui.png') });

      // Break r2's way back to the left subnet: h3 -> h1 now stops at r2, drawn in red.
      assert.equal((await sb.run(['ip', '-n', 'routed-r2', 'route', 'del', '10.0.1.0/24'])).code, 0);
      await page.selectOption('#probe-from', 'h3');
      await page.selectOption('#probe-to', 'h1');
      await page.click('#probe-run');
      await waitFor(page, `document.querySelector('#probe-result').dataset.reached === 'false'`, 20_000);
      assert.match(await page.locator('#probe-result').innerText(), /unreachable: h3 → h1/);
      assert.deepEqual(await ids(page, 'node.stop'), ['routed/node:r2']);
      assert.ok((await ids(page, 'edge.path.fail')).length >= 1);

      // expect: of routed, coloured: h1 -> h3 needs r2's route (fails), the other two hold.
      await page.click('#test-run');
      await page.waitForSelector('#test-result table');
      const rows = await page.evaluate(
        `[...document.querySelectorAll('#test-result tr[data-ok]')].map((r) => r.children[0].textContent + '>' + r.children[1].textContent + ':' + r.dataset.ok)`,
      );
      assert.deepEqual(rows, ['h1>h2:true', 'h2>h1:true', 'h1>h3:false']);
      assert.equal((await ids(page, 'edge.result.ok')).length, 2);
      assert.deepEqual(await ids(page, 'edge.result.fail'), ['routed/result:2']);

      // A link taken down by hand turns red.
      const h2Edge = await inGraph<string>(page, `cy.getElementById('routed/node:h2').connectedEdges()[0].id()`);
      assert.equal((await sb.run(['ip', '-n', 'routed-h2', 'link', 'set', 'eth0', 'down'])).code, 0);
      await waitFor(page, `window.nslab.cy.getElementById(${JSON.stringify(h2Edge)}).hasClass('down')`);
      assert.deepEqual(await ids(page, 'edge.down'), [h2Edge]);

      // Search finds a node by name.
      await page.fill('#search', 'netns2');
      assert.deepEqual(await ids(page, 'node.match'), ['natlab/node:netns2']);

      // A lab brought down leaves the picture; seed 001 (natlab) stays, pinging, for the README's picture.
      await page.fill('#search', '');
      await nslabOk(sb, 'down', 'routed');
      await waitFor(page, `document.querySelectorAll('#node-list li').length === 2`);
      assert.deepEqual(await ids(page, 'node[lab = "routed"]'), []);
      const pinging = nslabOk(sb, 'exec', 'natlab', 'netns1', '--', 'ping', '-c', '15', '-i', '0.2', '-q', '172.20.0.12');
      await page.selectOption('#probe-from', 'netns2');
      await page.selectOption('#probe-to', 'netns1');
      await page.click('#probe-run');
      await waitFor(page, `document.querySelector('#probe-result').dataset.reached === 'true'`, 20_000);
      await clickElement(page, 'natlab/node:netns1');
      await waitFor(page, `document.querySelector('#details-body').textContent.includes('172.20.0.11/16') && window.nslab.cy.edges('.busy').length >= 2`);
      await page.screenshot({ path: join(ARTIFACTS, 'ui-natlab.png') });
      await pinging;
      assert.deepEqual(errors, [], 'the page logged errors');
      assert.equal(ui.stderr(), '');
    } finally {
      await browser?.close();
      killByPid(pids);
    }
  }),
);

test('nslab ui: no token, a wrong token or a foreign Host is refused; nothing listens beyond loopback; NAME shows one lab', { timeout: 60_000 }, (t) =>
  withSandbox(t, ['libnftables'], async (sb) => {
    const pids: number[] = [];
    try {
      await nslabOk(sb, 'up', join(EXAMPLES, 'nat.yaml'));
      await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
      const ui = await startUi(sb, ['natlab'], pids);
      const get = (path: string, headers: Record<string, string> = {}, host = '127.0.0.1', netns?: string): Promise<string> =>
        statusOf(sb, { host, port: ui.port, path, headers, ...(netns ? { netns } : {}) });
      const bearer = { Authorization: `Bearer ${ui.token}` };
      // The page's code is public (it holds no lab data); everything about the labs needs the token.
      assert.equal(await get('/'), '200');
      assert.equal(await get('/app.js'), '200');
      assert.equal(await get('/api/labs'), '401');
      assert.equal(await get('/api/events'), '401');
      assert.equal(await get(`/api/labs?token=${ui.token.slice(0, -1)}x`), '401');
      assert.equal(await get('/api/labs', { Authorization: `Bearer ${ui.token}x` }), '401');
      assert.equal(await get('/api/labs', { Cookie: `nslab-ui-${ui.port}=${ui.token}` }), '401', 'a cookie never carries the token');
      assert.equal(await get(`/?token=${ui.token}`), '200');
      assert.equal(await get('/api/labs', bearer), '200');
      assert.equal(await get('/api/labs', { ...bearer, Host: `evil.example:${ui.port}` }), '403');
      // NAME: this server shows lab natlab only.
      assert.equal(await get('/api/labs/natlab/graph', bearer), '200');
      assert.equal(await get('/api/labs/bridge/graph', bearer), '404');
      assert.equal(await get('/api/labs/..%2Fetc/graph', bearer), '400');
      // The sandbox host's own non-loopback addresses (the labs' gateways), and from inside a node.
      assert.equal(await get('/api/labs', bearer, '172.20.0.10'), 'ECONNREFUSED');
      assert.equal(await get('/api/labs', bearer, '172.12.0.13'), 'ECONNREFUSED');
      assert.equal(await get('/api/labs', bearer, '172.20.0.10', 'natlab-netns1'), 'ECONNREFUSED');
      const listening = (await sb.run(['ss', '-ltnH', `sport = :${ui.port}`])).stdout.trim().split('\n');
      assert.equal(listening.length, 1);
      assert.match(listening[0]!, /\s127\.0\.0\.1:\d+\s/);
    } finally {
      killByPid(pids);
    }
  }),
);

const FAULT_LAB = `name: uif
nodes:
  a: { interfaces: { eth0: { peer: "b:eth0", address: 10.62.0.1/30 } } }
  b: { interfaces: { eth0: { peer: "a:eth0", address: 10.62.0.2/30 } } }
`;

const FAULT_SCENARIO = `lab: uif
probe: [ { from: a, to: b } ]
interval: 50ms
steps:
  - { at: 0.5s, link: "a:eth0", down: true }
  - { at: 6.0s, link: "a:eth0", down: false }
  - { at: 7.0s, end: true }
`;

test('nslab ui: a link set down or impaired at run time is drawn and labelled; a scenario outage shows in the timeline panel', { timeout: 120_000 }, (t) =>
  withSandbox(t, ['chromium'], async (sb) => {
    if (!needChromium(t)) return;
    const pids: number[] = [];
    let browser: Browser | undefined;
    const lab = labFile(FAULT_LAB);
    const scn = labFile(FAULT_SCENARIO);
    try {
      await nslabOk(sb, 'up', lab.path);
      const ui = await startUi(sb, ['uif'], pids);
      browser = await launchBrowser(sb, pids);
      const page = browser.page;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(ui.url);
      await waitFor(page, `window.nslab.cy.edges('[eid]').length === 1 && window.nslab.latest.has('uif')`);
      const edge = await inGraph<string>(page, `cy.edges('[eid]')[0].id()`);
      const el = `window.nslab.cy.getElementById(${JSON.stringify(edge)})`;
      assert.equal(await page.evaluate(`${el}.hasClass('fault-down') || ${el}.hasClass('impaired')`), false);

      // nslab link ... down in a terminal: within the refresh period, dashed red, labelled, marked runtime.
      await nslabOk(sb, 'link', 'uif', 'a:eth0', 'down');
      await waitFor(page, `${el}.hasClass('fault-down') && ${el}.hasClass('runtime') && ${el}.data('label').includes('down (runtime)')`, 5000);
      assert.equal(await page.evaluate(`${el}.style('line-style')`), 'dashed');
      await clickElement(page, edge);
      await waitFor(page, `document.querySelector('#link-faults')?.dataset.down === 'true'`);
      assert.match(await page.locator('#link-faults').innerText(), /a:eth0 set down \(runtime\)/);
      await nslabOk(sb, 'link', 'uif', 'a:eth0', 'up');
      await waitFor(page, `!${el}.hasClass('fault-down') && document.querySelector('#link-faults')?.dataset.down === 'false'`, 5000);

      // nslab impair: the rate in force on the edge, marked runtime; --clear takes it away.
      await nslabOk(sb, 'impair', 'uif', 'a:eth0', '--rate', '10mbit');
      await waitFor(page, `${el}.hasClass('impaired') && ${el}.data('label').includes('rate 10mbit (runtime)')`, 5000);
      assert.match(await page.locator('#link-faults').innerText(), /a:eth0 sends: rate 10mbit/);
      await nslabOk(sb, 'impair', 'uif', 'a:eth0', '--clear');
      await waitFor(page, `!${el}.hasClass('impaired')`, 5000);

      // A scenario: the flow shows down while the link is cut, then one outage window once it ends.
      assert.equal(await page.locator('#scenario').isHidden(), true);
      const running = nslab(sb, 'scenario', scn.path);
      try {
        await waitFor(page, `document.querySelector('#scenario tr[data-flow="0"]')?.dataset.state === 'down' && ${el}.hasClass('fault-down')`, 10_000);
      } catch (e) {
        const r = await running;
        const sc = JSON.stringify(await page.evaluate('[...window.nslab.scenarios.values()]'));
        throw new Error(`${(e as Error).message}\nscenario exit ${r.code}: ${r.stdout}\n${r.stderr}\npage: ${sc}\nui: ${ui.stderr()}`);
      }
      assert.equal(await page.evaluate(`document.querySelector('#scenario .scenario').dataset.status`), 'running');
      const r = await running;
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      await waitFor(page, `document.querySelector('#scenario .scenario')?.dataset.status === 'finished'`, 5000);
      const row = page.locator('#scenario tr[data-flow="0"]');
      const seen = `${r.stdout}\npage: ${await page.locator('#scenario').innerText()}\n${JSON.stringify(await page.evaluate('[...window.nslab.scenarios.values()]'))}`;
      assert.equal(await row.getAttribute('data-outages'), '1', seen);
      assert.equal(await row.getAttribute('data-state'), 'up', seen);
      assert.match(await row.innerText(), /a -> b icmp\s+up\s+0\.\d+ s–[56]\.\d+ s/);
      assert.equal(await page.locator('#scenario .sc-out').count(), 1);
      assert.equal(await page.locator('#scenario .sc-step').count(), 3, 'the two link steps and the end');
      assert.match(await page.locator('#scenario').innerText(), /finished: every limit holds/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'ui-faults.png') });
      assert.deepEqual(errors, [], 'the page logged errors');
      assert.equal(ui.stderr(), '');
      await nslabOk(sb, 'down', 'uif');
    } finally {
      await browser?.close();
      killByPid(pids);
      lab.done();
      scn.done();
    }
  }),
);
