// Routing daemons as nslab processes, end to end: the bundled FRR and BIRD examples come up, their
// expectations hold once the protocols converge (the time is reported), a cut link reroutes the
// OSPF triangle's traffic via r3, show lists the daemons' routes, a scenario measures the reroute
// outage, and down leaves no daemon and no mount behind. Skipped (naming the package) where FRR or
// BIRD is not installed; CI installs both (scripts/test.sh).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { BIN, EXAMPLES, labFile, leftoverSnapshot, nslab, nslabOk, processAlive, settlesTo, withSandbox } from './lab.js';

const DAEMONS = new Set(['zebra', 'ospfd', 'bird']);

/** `nslab test LAB --wait D`; resolves with the wall time it took and the output. */
async function testWait(sb: Sandbox, lab: string, wait: string): Promise<{ ms: number; out: string }> {
  const t0 = performance.now();
  const r = await sb.run(['node', BIN, 'test', lab, '--wait', wait], { timeoutMs: Number.parseInt(wait, 10) * 1000 + 60_000 });
  const ms = Math.round(performance.now() - t0);
  assert.equal(r.code, 0, `nslab test ${lab} --wait ${wait} exited ${r.code} after ${ms} ms\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return { ms, out: r.stdout };
}

/** The routing daemons running in the lab's namespaces (by the inode of each node's netns). */
async function daemonsOf(sb: Sandbox, lab: string): Promise<number[]> {
  const st = await sb.run(['sh', '-c', `for f in /run/netns/${lab}-*; do stat -L -c %i "$f"; done`]);
  const inodes = new Set(st.stdout.split('\n').filter(Boolean));
  const r = await sb.run(['sh', '-c', 'for p in /proc/[0-9]*; do echo "${p#/proc/} $(cat $p/comm 2>/dev/null) $(stat -L -c %i $p/ns/net 2>/dev/null)"; done']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' '))
    .filter(([, comm, ino]) => DAEMONS.has(comm ?? '') && inodes.has(ino ?? ''))
    .map(([pid]) => Number(pid));
}

/** Mounts of the daemons' private directories (in the sandbox and in this process's view). */
async function daemonMounts(sb: Sandbox): Promise<string[]> {
  const re = /\s(\/run\/frr|\/var\/tmp\/frr|\/etc\/frr|\/run\/bird|\/etc\/bird)[\s/]/;
  const inSandbox = (await sb.run(['cat', '/proc/self/mountinfo'])).stdout.split('\n');
  const here = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return [...inSandbox, ...here].filter((l) => re.test(l));
}

/** up EXAMPLE, prove it with test --wait (the time is reported), run checks, down, nothing left. */
async function roundTrip(t: TestContext, sb: Sandbox, example: string, lab: string, checks: () => Promise<void> = async () => {}): Promise<void> {
  const before = await leftoverSnapshot(sb, undefined, { mounts: false });
  let daemons: number[] = [];
  try {
    const t0 = performance.now();
    await nslabOk(sb, 'up', join(EXAMPLES, example));
    const upMs = Math.round(performance.now() - t0);
    daemons = await daemonsOf(sb, lab);
    assert.ok(daemons.length > 0, `no routing daemon runs in lab ${lab}`);
    const { ms } = await testWait(sb, lab, '60s');
    t.diagnostic(`${example}: up ${upMs} ms (daemons started and ready), then every expectation held after ${ms} ms of test --wait`);
    await checks();
  } finally {
    await nslab(sb, 'down', lab);
  }
  for (const pid of daemons) assert.ok(!processAlive(pid), `daemon PID ${pid} still runs after down`);
  assert.deepEqual(await daemonsOf(sb, lab), []);
  assert.deepEqual(await daemonMounts(sb), [], 'no mount of a daemon directory is left');
  await settlesTo(sb, before, `after down ${lab}`, undefined, { mounts: false });
}

type Route = { to: string; protocol: string; via?: string; dev?: string };
type Shown = { nodes: Array<{ name: string; routes: Route[] }> };

async function routesOf(sb: Sandbox, lab: string, node: string): Promise<Route[]> {
  const shown = JSON.parse(await nslabOk(sb, 'show', lab, node, '--json')) as Shown;
  return shown.nodes.find((n) => n.name === node)?.routes ?? [];
}

test('FRR OSPF triangle: converges, show lists OSPF routes, a cut r1-r2 link reroutes via r3, down leaves nothing', (t) =>
  withSandbox(t, ['frr', 'ping'], async (sb) => {
    await roundTrip(t, sb, 'frr-ospf.yaml', 'ospf', async () => {
      const routes = await routesOf(sb, 'ospf', 'r1');
      const h2 = routes.find((r) => r.to === '10.3.0.0/24');
      assert.equal(h2?.protocol, 'ospf', JSON.stringify(routes));
      assert.equal(h2?.dev, 'eth0', 'h1 -> h2 takes r1-r2 while every link is up (r1-r3 costs 100)');
      assert.match(await nslabOk(sb, 'show', 'ospf', 'r1'), /10\.255\.0\.2\/32\s+10\.0\.12\.2\s+eth0\s+ospf/);
      // vtysh inside the node reaches that node's daemons (exec joins the holder's mount namespace).
      assert.match(await nslabOk(sb, 'exec', 'ospf', 'r1', '--', 'vtysh', '-c', 'show ip ospf neighbor'), /10\.255\.0\.2 .*Full/);
      await nslabOk(sb, 'link', 'ospf', 'r1:eth0', 'down');
      const { ms } = await testWait(sb, 'ospf', '30s');
      t.diagnostic(`r1:eth0 (r1-r2) cut: every expectation held again after ${ms} ms of test --wait`);
      const after = (await routesOf(sb, 'ospf', 'r1')).find((r) => r.to === '10.3.0.0/24');
      assert.deepEqual([after?.protocol, after?.via, after?.dev], ['ospf', '10.0.13.3', 'eth1'], 'rerouted via r3');
      const r2 = (await routesOf(sb, 'ospf', 'r1')).find((r) => r.to === '10.255.0.2/32');
      assert.equal(r2?.via, '10.0.13.3', "r2's loopback via r3");
      await nslabOk(sb, 'link', 'ospf', 'r1:eth0', 'up');
      await testWait(sb, 'ospf', '30s');
    });
  }));

test('BIRD eBGP between AS 65001 and AS 65002: the session comes up, routes are installed, down leaves nothing', (t) =>
  withSandbox(t, ['bird', 'ping'], async (sb) => {
    await roundTrip(t, sb, 'bird-bgp.yaml', 'bgp', async () => {
      const learned = (await routesOf(sb, 'bgp', 'r1')).find((r) => r.to === '10.102.0.0/24');
      assert.deepEqual([learned?.protocol, learned?.via], ['bird', '10.12.0.2'], 'h2 is learned over BGP');
      assert.match(await nslabOk(sb, 'exec', 'bgp', 'r1', '--', 'birdc', '-s', '/run/bird/bird.ctl', 'show', 'protocols'), /as65002\s+BGP\s.*Established/);
    });
  }));

test('frr01 (containerlab lab-examples/frr01 ported): every PC reaches every PC and every loopback, down leaves nothing', (t) =>
  withSandbox(t, ['frr', 'ping'], async (sb) => {
    await roundTrip(t, sb, 'frr01.yaml', 'frr01', async () => {
      const lo = (await routesOf(sb, 'frr01', 'router1')).filter((r) => r.to.startsWith('10.10.10.') && r.protocol === 'ospf');
      assert.deepEqual(lo.map((r) => r.to).sort(), ['10.10.10.2/32', '10.10.10.3/32']);
    });
  }));

type Outage = { startMs: number; endMs: number; ms: number; open: boolean };
type ScenarioResult = { ok: boolean; flows: Array<{ label: string; outages: Outage[] }> };

/** Run a scenario on the converged triangle; returns the longest outage of flow 0 (0: none). */
async function scenarioOutage(sb: Sandbox, file: string): Promise<{ ms: number; outages: Outage[] }> {
  const r = await sb.run(['node', BIN, 'scenario', file, '--json'], { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `scenario ${file}: exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as ScenarioResult;
  const outages = res.flows[0]?.outages ?? [];
  assert.ok(
    outages.every((o) => !o.open),
    `an outage never ended: ${JSON.stringify(outages)}`,
  );
  return { ms: Math.max(0, ...outages.map((o) => o.ms)), outages };
}

// A cut that the routers see (link down, no carrier) and one they do not (every packet lost, the
// link stays up): the second waits for the dead interval (3 s) before OSPF reroutes. (99.99%, not
// 100%: without sch_netem the loss is an nft rule whose bound 10000 nft refuses; 1 packet in
// 10000 passing changes nothing here.)
const SILENT = `lab: ospf
probe: [ { from: h1, to: h2 } ]
interval: 100ms
steps:
  - { at: 1s, impair: "r1:eth0", loss: 99.99% }
  - { at: 8s, clear: "r1:eth0" }
  - { at: 10s, end: true }
`;

test('scenario frr-reroute: the reroute after a cut r1-r2 link, and after a silent one, is measured and bounded', (t) =>
  withSandbox(t, ['frr', 'ping'], async (sb) => {
    const silent = labFile(SILENT);
    try {
      await nslabOk(sb, 'up', join(EXAMPLES, 'frr-ospf.yaml'));
      await testWait(sb, 'ospf', '60s');
      const cut = await scenarioOutage(sb, join(EXAMPLES, 'scenarios', 'frr-reroute.yaml'));
      t.diagnostic(
        `r1:eth0 set down: reroute outage ${Math.round(cut.ms)} ms (probes every 100 ms; 0 = no probe lost) ${JSON.stringify(cut.outages.map((o) => [o.startMs, o.endMs]))}`,
      );
      // Both ends see the cut at once: an SPF run and a flood, far below the dead interval.
      assert.ok(cut.ms < 2000, `the reroute after a link down took ${cut.ms} ms (bound 2 s)`);
      await testWait(sb, 'ospf', '30s');
      const quiet = await scenarioOutage(sb, silent.path);
      t.diagnostic(`r1:eth0 losing every packet (link up): reroute outage ${Math.round(quiet.ms)} ms (dead interval 3 s plus SPF)`);
      // Dead interval 3 s, plus up to a hello interval and an SPF run, at probe resolution.
      assert.ok(quiet.ms >= 1500 && quiet.ms < 5000, `the reroute after a silent cut took ${quiet.ms} ms (expected 2-5 s)`);
    } finally {
      await nslab(sb, 'down', 'ospf');
      silent.done();
    }
  }));
