// Lifecycle end to end: idempotent up, two labs with the same subnets, --host-netns, exec,
// show, and broken files that must change nothing.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, FIXTURES, hostState, ipJson, nslab, nslabOk, pings, rootOnly, withSandbox } from './lab.js';

type Link = { ifname: string; ifindex: number };

test('a second up of an unchanged file changes nothing (same ifindexes); down leaves the host as before', (t) =>
  withSandbox(t, async (sb) => {
    const before = await hostState(sb);
    const file = join(EXAMPLES, 'routed.yaml');
    await nslabOk(sb, 'up', file);
    const links1 = await ipJson<Link[]>(sb, '-n', 'routed-r1', 'link');
    const host1 = await hostState(sb);
    const again = await nslabOk(sb, 'up', file);
    assert.match(again, /up to date/);
    assert.deepEqual(await ipJson<Link[]>(sb, '-n', 'routed-r1', 'link'), links1);
    assert.deepEqual(await hostState(sb), host1);
    await nslabOk(sb, 'down', file);
    assert.deepEqual(await hostState(sb), before);
  }));

test('two labs with the same subnet run at once, each working, neither reaching the other', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await nslabOk(sb, 'up', join(FIXTURES, 'twin-a.yaml'));
    await nslabOk(sb, 'up', join(FIXTURES, 'twin-b.yaml'));
    assert.ok(await pings(sb, 'twina-x', '10.0.0.2'));
    assert.ok(await pings(sb, 'twinb-x', '10.0.0.2'));
    assert.ok(await pings(sb, 'twinb-x', '10.0.0.3'));
    assert.ok(!(await pings(sb, 'twina-x', '10.0.0.3')), 'lab twina must not reach twinb-z');
    const ls = JSON.parse(await nslabOk(sb, 'ls', '--json')) as Array<{ name: string; status: string }>;
    assert.deepEqual(
      ls.map((l) => `${l.name}:${l.status}`),
      ['twina:up', 'twinb:up'],
    );
    await nslabOk(sb, 'down', 'twina');
    assert.ok(await pings(sb, 'twinb-x', '10.0.0.3'), 'taking one lab down leaves the other alone');
    await nslabOk(sb, 'down', 'twinb');
  }));

test(
  '--host-netns puts the bridges and host ends in the named namespace, and down finds it again',
  rootOnly("--host-netns names a namespace of root's host; rootless, the host is the holder's own", (t) =>
    withSandbox(t, ['ping'], async (sb) => {
      assert.equal((await sb.run(['ip', 'netns', 'add', 'hostsim'])).code, 0);
      const before = await hostState(sb);
      await nslabOk(sb, 'up', join(EXAMPLES, 'bridge.yaml'), '--host-netns', 'hostsim');
      const inSim = await ipJson<Link[]>(sb, '-n', 'hostsim', 'link', 'show', 'bridge-br0');
      assert.equal(inSim.length, 1);
      assert.equal((await sb.run(['ip', 'link', 'show', 'bridge-br0'])).code, 1, 'not in the sandbox root');
      assert.ok(await pings(sb, 'bridge-ns1', '172.12.0.13'));
      await nslabOk(sb, 'down', 'bridge');
      assert.deepEqual(
        (await ipJson<Link[]>(sb, '-n', 'hostsim', 'link')).map((l) => l.ifname),
        ['lo'],
      );
      assert.deepEqual(await hostState(sb), before);
    }),
  ),
);

test('exec runs argv in the node without a shell and passes the exit status through; show reports the lab', (t) =>
  withSandbox(t, async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
    const addrs = await nslabOk(sb, 'exec', 'pair', 'ns1', '--', 'ip', '-j', 'addr', 'show', 'veth1');
    assert.match(addrs, /172\.12\.0\.11/);
    assert.equal((await nslab(sb, 'exec', 'pair', 'ns1', '--', 'sh', '-c', 'exit 7')).code, 7);
    const semi = await nslab(sb, 'exec', 'pair', 'ns1', '--', 'echo', 'a;', 'exit', '3');
    assert.equal(semi.stdout.trim(), 'a; exit 3', 'arguments are not interpreted by a shell');
    assert.equal((await nslab(sb, 'exec', 'pair', 'nope', '--', 'true')).code, 2);
    const shown = JSON.parse(await nslabOk(sb, 'show', 'pair', '--json')) as {
      nodes: Array<{ name: string; interfaces: Array<{ name: string; addresses: string[]; to?: string }> }>;
    };
    const ns1 = shown.nodes.find((n) => n.name === 'ns1');
    const veth1 = ns1?.interfaces.find((i) => i.name === 'veth1');
    assert.deepEqual(
      veth1?.addresses.filter((a) => !a.startsWith('fe80')),
      ['172.12.0.11/24'],
    );
    assert.equal(veth1?.to, 'ns2:veth1p');
    const text = await nslabOk(sb, 'show', 'pair');
    assert.match(text, /node ns1/);
    await nslabOk(sb, 'down', 'pair');
  }));

test('broken files: each gives FILE:LINE:COL errors and exit 2, and creates nothing', (t) =>
  withSandbox(t, async (sb) => {
    const dir = join(FIXTURES, 'broken');
    const before = await hostState(sb);
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const file = join(dir, f);
      const r = await nslab(sb, 'up', file);
      assert.equal(r.code, 2, `${f}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: `), `${f}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${f}: no stack trace`);
    }
    assert.deepEqual(await hostState(sb), before);
    assert.equal((await sb.run(['sh', '-c', 'ls -A /run/nslab/ 2>/dev/null; true'])).stdout, '', 'no lab state was created');
  }));

test(
  'a name clash with a foreign object is an error naming it, and nothing is created or removed',
  rootOnly("the foreign objects are made in root's host; a user's holder (and its host) exists only while a lab does", (t) =>
    withSandbox(t, async (sb) => {
      assert.equal((await sb.run(['ip', 'netns', 'add', 'pair-ns2'])).code, 0);
      assert.equal((await sb.run(['ip', 'link', 'add', 'bridge-br0', 'type', 'bridge'])).code, 0);
      const before = await hostState(sb);
      const r = await nslab(sb, 'up', join(EXAMPLES, 'veth-pair.yaml'));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /network namespace pair-ns2 already exists and was not created by lab pair/);
      const b = await nslab(sb, 'up', join(EXAMPLES, 'bridge.yaml'));
      assert.equal(b.code, 1);
      assert.match(b.stderr, /interface bridge-br0 already exists in the host namespace/);
      assert.deepEqual(await hostState(sb), before, 'the foreign objects are untouched and nothing was added');
      const down = await nslab(sb, 'down', 'pair');
      assert.equal(down.code, 0, 'down is idempotent: a lab that never came up is nothing to do');
      assert.match(down.stdout, /lab pair: not up, nothing to do/);
      assert.equal((await nslab(sb, 'down', join(EXAMPLES, 'veth-pair.yaml'))).code, 0, 'down FILE of a lab that never came up is a no-op');
      assert.deepEqual(await hostState(sb), before);
    }),
  ),
);

test('node names resolve inside the lab, for ip netns exec and nslab exec; down removes the hosts links', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await nslabOk(sb, 'up', join(EXAMPLES, 'routed.yaml'));
    const viaIp = await sb.run(['ip', 'netns', 'exec', 'routed-h1', 'getent', 'hosts', 'h2']);
    assert.equal(viaIp.code, 0, viaIp.stderr);
    assert.match(viaIp.stdout, /^10\.0\.2\.10\s+h2/);
    assert.equal((await nslab(sb, 'exec', 'routed', 'h1', '--', 'ping', '-c1', '-W2', 'h3')).code, 0, 'ping by node name across two routers');
    const iface = await nslabOk(sb, 'exec', 'routed', 'h2', '--', 'getent', 'hosts', 'eth1.r1');
    assert.match(iface, /^10\.0\.2\.1\s/);
    assert.equal((await nslab(sb, 'exec', 'routed', 'h1', '--', 'no-such-command-xyz')).code, 127);
    await nslabOk(sb, 'down', 'routed');
    assert.equal((await sb.run(['ls', '-A', '/etc/netns'])).stdout.trim(), '', '/etc/netns is as before');
  }));
