// Link properties with real traffic on this kernel: a 10 Mbit/s rate measured with iperf3, a 20%
// loss measured over 2000 pings (the nft fallback where the kernel has no sch_netem), a link cut
// and restored, a partition healed, and delay refused in one line when sch_netem is missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { netemMissing } from '../../src/kernel/qdisc-support.js';
import { BIN, labFile, nslab, nslabJson, nslabOk, pings, withSandbox } from './lab.js';

const P2P = (a: string, b = ''): string => `name: imp
nodes:
  a: { interfaces: { eth0: { peer: "b:eth0", address: 10.0.0.1/30${a} } } }
  b: { interfaces: { eth0: { peer: "a:eth0", address: 10.0.0.2/30${b} } } }
`;

type Shown = { nodes: Array<{ name: string; interfaces: Array<{ name: string; shaping?: { out?: string; in?: string }; runtime?: string[] }> }> };

test('rate: 10mbit on a link, measured with iperf3 from node to node, is within 10% (TCP goodput is 1448/1514 of it)', (t) =>
  withSandbox(t, ['iperf3'], async (sb) => {
    const f = labFile(P2P(', rate: 10mbit'));
    try {
      await nslabOk(sb, 'up', f.path);
      const shown = await nslabJson<Shown>(sb, 'show', 'imp', '--json');
      const a = shown.value.nodes.find((n) => n.name === 'a')!.interfaces.find((i) => i.name === 'eth0')!;
      assert.equal(a.shaping?.out, 'rate 10mbit', JSON.stringify(a));
      const script = [
        `node ${BIN} exec imp b -- iperf3 -s -1 -p 5201 >/dev/null 2>&1 &`,
        'sleep 1',
        `node ${BIN} exec imp a -- iperf3 -c 10.0.0.2 -p 5201 -t 5 -J`,
      ].join('\n');
      const r = await sb.run(['bash', '-c', script], { timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stderr);
      const bps = (JSON.parse(r.stdout) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
      t.diagnostic(`measured ${(bps / 1e6).toFixed(2)} Mbit/s of TCP goodput through rate: 10mbit`);
      assert.ok(bps >= 9e6 && bps <= 11e6, `${bps} bit/s is not within 10% of 10 Mbit/s`);

      // Changed at run time, only that qdisc changes; --clear returns to the file.
      const imp = await nslabOk(sb, 'impair', 'imp', 'a:eth0', '--rate', '2mbit', '--egress-only');
      assert.match(imp, /1 change/);
      const trace = await nslabJson<{ request: { hops: Array<{ notes?: string[] }> } }>(sb, 'trace', 'imp', 'a', 'b', '--json');
      assert.deepEqual(trace.value.request.hops[0]?.notes, ['impaired: rate 2mbit']);
      await nslabOk(sb, 'impair', 'imp', 'a:eth0', '--clear');
      const bad = await nslab(sb, 'impair', 'imp', 'a:eth0', '--rate', '0mbit');
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--rate 0mbit: must be more than 0/);
      await nslabOk(sb, 'down', 'imp');
    } finally {
      f.done();
    }
  }));

test('loss: 20% one way, measured over 2000 pings, is within 3 binomial sigmas (±2.7 points)', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const f = labFile(P2P(', egress: { loss: 20% }'));
    try {
      await nslabOk(sb, 'up', f.path);
      // ARP is never dropped, so the link works; but a's reply is, one time in five: one of
      // five pings gets through unless something is wrong (all five lost: p = 0.2^5 = 0.03%).
      let through = false;
      for (let i = 0; i < 5 && !through; i++) through = await pings(sb, 'imp-b', '10.0.0.1');
      assert.ok(through, 'no ping of five got through a 20% loss');
      const r = await sb.run(['ip', 'netns', 'exec', 'imp-a', 'ping', '-q', '-c', '2000', '-i', '0.002', '-W', '1', '10.0.0.2'], { timeoutMs: 60_000 });
      const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      const sent = Number(m[1]);
      const lost = (sent - Number(m[2])) / sent;
      // Each request is dropped with p = 0.2, independently: sigma = sqrt(p(1-p)/n) = 0.894 points.
      const sigma = Math.sqrt((0.2 * 0.8) / sent);
      t.diagnostic(`lost ${(lost * 100).toFixed(2)}% of ${sent} (bound 20% ± ${(3 * sigma * 100).toFixed(2)} points)`);
      assert.ok(Math.abs(lost - 0.2) <= 3 * sigma, `loss ${lost} is not within 3 sigma of 0.2`);
      await nslabOk(sb, 'down', 'imp');
    } finally {
      f.done();
    }
  }));

test('loss: 20% on a network link shapes both directions (the node end and the bridge-side end): 36% of pings lost, ±3 sigma', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const f = labFile(`name: impn
networks: { lan: { subnet: 10.1.0.0/24 } }
nodes:
  a: { interfaces: { eth0: { network: lan, address: 10.1.0.1, loss: 20% } } }
  b: { interfaces: { eth0: { network: lan, address: 10.1.0.2 } } }
`);
    try {
      await nslabOk(sb, 'up', f.path);
      const shown = await nslabJson<Shown>(sb, 'show', 'impn', '--json');
      const a = shown.value.nodes.find((n) => n.name === 'a')!.interfaces.find((i) => i.name === 'eth0')!;
      assert.deepEqual(a.shaping, { out: 'loss 20%', in: 'loss 20%' });
      const r = await sb.run(['ip', 'netns', 'exec', 'impn-b', 'ping', '-q', '-c', '2000', '-i', '0.002', '-W', '1', '10.1.0.1'], { timeoutMs: 60_000 });
      const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
      assert.ok(m, r.stdout + r.stderr);
      const sent = Number(m[1]);
      const lost = (sent - Number(m[2])) / sent;
      // A ping is lost when the request or the reply is dropped: p = 1 - 0.8 * 0.8 = 0.36.
      const sigma = Math.sqrt((0.36 * 0.64) / sent);
      t.diagnostic(`lost ${(lost * 100).toFixed(2)}% of ${sent} (bound 36% ± ${(3 * sigma * 100).toFixed(2)} points)`);
      assert.ok(Math.abs(lost - 0.36) <= 3 * sigma, `loss ${lost} is not within 3 sigma of 0.36`);
      await nslabOk(sb, 'down', 'impn');
    } finally {
      f.done();
    }
  }));

test('link down: ping fails and the far end has no carrier; up keeps the cut and says so; link up restores it', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const f = labFile(P2P(''));
    try {
      await nslabOk(sb, 'up', f.path);
      assert.ok(await pings(sb, 'imp-a', '10.0.0.2'));
      await nslabOk(sb, 'link', 'imp', 'a:eth0', 'down');
      assert.equal(await pings(sb, 'imp-a', '10.0.0.2'), false, 'the cut link carries nothing');
      const far = await sb.run(['ip', '-n', 'imp-b', 'link', 'show', 'eth0']);
      assert.match(far.stdout, /NO-CARRIER/);
      const shown = await nslabJson<Shown>(sb, 'show', 'imp', '--json');
      assert.deepEqual(shown.value.nodes.find((n) => n.name === 'a')?.interfaces.find((i) => i.name === 'eth0')?.runtime, ['runtime: down']);
      const again = await nslab(sb, 'up', f.path);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, /kept .*a:eth0: runtime: down/);
      assert.equal(await pings(sb, 'imp-a', '10.0.0.2'), false, 'up keeps the cut');
      const tr = await nslabJson<{ request: { stop?: { code: string; message: string } } }>(sb, 'trace', 'imp', 'a', 'b', '--json');
      assert.equal(tr.value.request.stop?.code, 'link-down');
      assert.match(tr.value.request.stop?.message ?? '', /cut at run time: `nslab link imp a:eth0 up` restores it/);
      await nslabOk(sb, 'link', 'imp', 'a:eth0', 'up');
      assert.ok(await pings(sb, 'imp-a', '10.0.0.2'), 'restored');
      const unknown = await nslab(sb, 'link', 'imp', 'a:eth7', 'down');
      assert.equal(unknown.code, 2);
      await nslabOk(sb, 'down', 'imp');
    } finally {
      f.done();
    }
  }));

test('partition a -- b cuts their direct link and shared network, heal restores both; a third node on the network stays reachable from a', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    const f = labFile(`name: part
networks: { lan: { subnet: 10.1.0.0/24 } }
nodes:
  a: { interfaces: { eth0: { network: lan, address: 10.1.0.1 }, eth1: { peer: "b:eth1", address: 10.0.0.1/30 } } }
  b: { interfaces: { eth0: { network: lan, address: 10.1.0.2 }, eth1: { peer: "a:eth1", address: 10.0.0.2/30 } } }
  c: { interfaces: { eth0: { network: lan, address: 10.1.0.3 } } }
`);
    try {
      await nslabOk(sb, 'up', f.path);
      for (const dst of ['10.1.0.2', '10.0.0.2', '10.1.0.3']) assert.ok(await pings(sb, 'part-a', dst), dst);
      const out = await nslabOk(sb, 'partition', 'part', 'a', '--', 'b');
      assert.match(out, /runtime: down b:eth1, b:eth0/);
      for (const dst of ['10.1.0.2', '10.0.0.2']) assert.equal(await pings(sb, 'part-a', dst), false, dst);
      assert.ok(await pings(sb, 'part-a', '10.1.0.3'), 'c is in neither group');
      const tested = await nslab(sb, 'test', 'part', '--all');
      assert.match(tested.stderr, /partition a -- b: runtime: down/);
      await nslabOk(sb, 'heal', 'part');
      for (const dst of ['10.1.0.2', '10.0.0.2']) assert.ok(await pings(sb, 'part-a', dst), dst);
      // down removes the runtime changes with the rest: the next up is the file's lab.
      await nslabOk(sb, 'partition', 'part', 'a', '--', 'b');
      await nslabOk(sb, 'down', 'part');
      const again = await nslab(sb, 'up', f.path);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /kept/);
      assert.ok(await pings(sb, 'part-a', '10.0.0.2'));
      await nslabOk(sb, 'down', 'part');
    } finally {
      f.done();
    }
  }));

test('delay: without sch_netem, up refuses in one line naming the module, exit 1, and builds nothing', (t) =>
  withSandbox(t, async (sb) => {
    if (netemMissing() === undefined) {
      t.skip('this kernel has sch_netem');
      return;
    }
    const f = labFile(P2P(', delay: 20ms'));
    try {
      const r = await nslab(sb, 'up', f.path);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /a:eth0: delay 20ms needs the kernel module sch_netem/);
      const ns = await sb.run(['ip', 'netns', 'list']);
      assert.equal(ns.stdout.trim(), '', 'nothing was built');
    } finally {
      f.done();
    }
  }));
