// `nslab trace` end to end: a routed lab traced through two routers and back, forwarding turned
// off by hand, seed 001's trap (two host veths in one subnet) explained and confirmed with a real
// ping and the kernel's own `ip route get`, and unknown nodes refused with exit 2.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, FIXTURES, nslab, nslabJson, nslabOk, pings, withSandbox } from './lab.js';

type Hop = { at: string; outDev: string; next?: string; nextDev?: string };
type Leg = { reached: boolean; at?: string; arrivedOn?: string; hops: Hop[]; stop?: { code: string; at: string; message: string } };
type Trace = { ok: boolean; dst: string; request: Leg; reply?: Leg };

test('routed: h1 reaches h3 through r1 and r2 and the reply comes back the same way (exit 0)', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'routed.yaml'));
    const { code, value: trace } = await nslabJson<Trace>(sb, 'trace', 'routed', 'h1', 'h3');
    assert.equal(code, 0, JSON.stringify(trace));
    assert.equal(trace.dst, '10.9.0.2');
    assert.deepEqual(
      trace.request.hops.map((h) => `${h.at}>${h.next}`),
      ['h1>r1', 'r1>r2', 'r2>h3'],
    );
    assert.deepEqual(
      trace.reply?.hops.map((h) => `${h.at}>${h.next}`),
      ['h3>r2', 'r2>r1', 'r1>h1'],
    );
    const text = await nslabOk(sb, 'trace', 'routed', 'h1', 'h3');
    assert.match(text, /^ 1 {2}h1 +eth0 -> host bridge routed-left -> r1:eth0 {2}via route default via 10\.0\.1\.1 \(src 10\.0\.1\.10\)$/m);
    assert.match(text, /reached both ways/);

    // Forwarding off in r1 by hand: the trace stops there, and so does a real ping.
    assert.equal((await sb.run(['ip', 'netns', 'exec', 'routed-r1', 'sysctl', '-qw', 'net.ipv4.ip_forward=0'])).code, 0);
    const off = await nslabJson<Trace>(sb, 'trace', 'routed', 'h1', 'h3');
    assert.equal(off.code, 1);
    assert.equal(off.value.request.stop?.code, 'forwarding-off');
    assert.match(off.value.request.stop?.message ?? '', /dropped: forwarding is off in r1/);
    assert.equal(await pings(sb, 'routed-h1', '10.9.0.2'), false);
    await nslabOk(sb, 'down', 'routed');
  }));

test("seed 001: the request reaches the host on netns2's veth, the reply leaves netns1's; trace says so and exits 1, and ping really fails", (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await nslabOk(sb, 'up', join(FIXTURES, 'trace-seed001.yaml'));
    const { code, value: trace } = await nslabJson<Trace>(sb, 'trace', 'trap001', 'netns2', '172.20.0.2');
    assert.equal(code, 1);
    assert.equal(trace.request.reached, true);
    assert.equal(trace.request.at, 'host');
    const cameIn = trace.request.arrivedOn!;
    const wrong = trace.reply?.hops[0]?.outDev;
    assert.ok(wrong && wrong !== cameIn, JSON.stringify(trace.reply));
    assert.equal(trace.reply?.stop?.code, 'shared-subnet');
    assert.equal(
      trace.reply?.stop?.message,
      `replies to 172.20.0.12 leave via ${wrong} (the first route for 172.20.0.0/16), not ${cameIn} where the request came in; ` +
        `ARP for 172.20.0.12 goes out ${wrong} and nobody answers. Two interfaces of the host share 172.20.0.0/16: ` +
        'use one bridge (see examples/host-bridge.yaml) or distinct subnets.',
    );

    // The explanation matches reality: the kernel picks that device, and the ping fails.
    const get = await sb.run(['ip', 'route', 'get', '172.20.0.12', 'from', '172.20.0.2']);
    assert.match(get.stdout, new RegExp(`dev ${wrong} `));
    const ping = await sb.run(['ip', 'netns', 'exec', 'trap001-netns2', 'ping', '-c1', '-W1', '172.20.0.2'], { timeoutMs: 10_000 });
    assert.notEqual(ping.code, 0, 'netns2 must not be able to ping 172.20.0.2');

    const text = await nslab(sb, 'trace', 'trap001', 'netns2', '172.20.0.2');
    assert.equal(text.code, 1);
    assert.match(text.stdout, /stopped at host: replies to 172\.20\.0\.12 leave via/);

    // The first route is netns1's, so netns1 and the host do reach each other, both ways.
    assert.equal((await nslab(sb, 'trace', 'trap001', 'netns1', '172.20.0.1')).code, 0);
    assert.equal(await pings(sb, 'trap001-netns1', '172.20.0.1'), true);
    await nslabOk(sb, 'down', 'trap001');
  }));

test('unknown nodes and interfaces are refused with exit 2', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'routed.yaml'));
    const noFrom = await nslab(sb, 'trace', 'routed', 'nosuch', 'h3');
    assert.equal(noFrom.code, 2);
    assert.match(noFrom.stderr, /lab routed has no node nosuch/);
    const noTo = await nslab(sb, 'trace', 'routed', 'h1', 'nosuch');
    assert.equal(noTo.code, 2);
    assert.match(noTo.stderr, /no node nosuch and nosuch is not an address/);
    assert.equal((await nslab(sb, 'trace', 'routed', 'h1', 'h3:eth9')).code, 2);
    await nslabOk(sb, 'down', 'routed');
  }));
