// NAT, firewalls and published ports end to end. "The internet" is one more namespace upstream
// of the sandbox host (198.51.100.1/24, documentation addresses) with no route back to the
// labs' subnets: a node reaches it only if masquerading works.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { EXAMPLES, FIXTURES, nslab, nslabOk, pings, waitListening, withSandbox } from './lab.js';

const UPSTREAM = '198.51.100.1';
const HOST_UP = '198.51.100.2';

async function upstream(sb: Sandbox): Promise<void> {
  for (const cmd of [
    'ip netns add inet',
    'ip link add up0 type veth peer name up1 netns inet',
    `ip addr add ${HOST_UP}/24 dev up0`,
    'ip link set up0 up',
    `ip -n inet addr add ${UPSTREAM}/24 dev up1`,
    'ip -n inet link set up1 up',
    'ip -n inet link set lo up',
  ])
    await sh(sb, ...cmd.split(' '));
}

const hostState = async (sb: Sandbox): Promise<{ ruleset: string; forwarding: string }> => ({
  ruleset: await sh(sb, 'nft', 'list', 'ruleset'),
  forwarding: (await sh(sb, 'cat', '/proc/sys/net/ipv4/ip_forward')).trim(),
});

/** Whether a TCP connect from a namespace (or the sandbox host) to addr:port succeeds. */
async function connects(sb: Sandbox, ns: string | undefined, addr: string, port: number): Promise<boolean> {
  const js = `const s=require('net').connect({host:'${addr}',port:${port},timeout:3000},()=>process.exit(0));s.on('error',()=>process.exit(1));s.on('timeout',()=>process.exit(1))`;
  const r = await sb.run([...(ns ? ['ip', 'netns', 'exec', ns] : []), process.execPath, '-e', js], { timeoutMs: 10_000 });
  return r.code === 0;
}

test('nat: true lets nodes reach upstream, nat: false does not; down restores the ruleset and forwarding', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await upstream(sb);
    const before = await hostState(sb);
    await nslabOk(sb, 'up', join(FIXTURES, 'nat-off.yaml'));
    assert.equal(await pings(sb, 'nonat-netns1', UPSTREAM), false, 'no masquerade, no way back');
    await nslabOk(sb, 'down', 'nonat');
    await nslabOk(sb, 'up', join(EXAMPLES, 'nat.yaml'));
    assert.equal((await hostState(sb)).forwarding, '1');
    assert.ok(await pings(sb, 'natlab-netns1', UPSTREAM));
    assert.match(await nslabOk(sb, 'up', join(EXAMPLES, 'nat.yaml')), /up to date/);
    await nslabOk(sb, 'down', 'natlab');
    assert.deepEqual(await hostState(sb), before, 'the host ruleset is byte-identical and forwarding is off again');
  }));

test('two labs with NAT at once: each removes only its own table; forwarding stays on until the last is down', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await upstream(sb);
    await sh(sb, 'nft', 'add', 'table', 'ip', 'user');
    await sh(sb, 'nft', 'add', 'chain', 'ip', 'user', 'c', '{ type filter hook forward priority 10; policy accept; }');
    const before = await hostState(sb);
    await nslabOk(sb, 'up', join(EXAMPLES, 'nat.yaml'));
    await nslabOk(sb, 'up', join(FIXTURES, 'nat-b.yaml'));
    assert.ok(await pings(sb, 'natlab-netns2', UPSTREAM));
    assert.ok(await pings(sb, 'natb-solo', UPSTREAM));
    await nslabOk(sb, 'down', 'natlab');
    const mid = await hostState(sb);
    assert.equal(mid.forwarding, '1', 'natb still needs forwarding');
    assert.doesNotMatch(mid.ruleset, /nslab-natlab/);
    assert.match(mid.ruleset, /table inet nslab-natb/);
    assert.match(mid.ruleset, /table ip user/);
    assert.ok(await pings(sb, 'natb-solo', UPSTREAM));
    await nslabOk(sb, 'down', 'natb');
    assert.deepEqual(await hostState(sb), before);
  }));

test('a firewall with policy drop: ping blocked, the allowed port open, replies to its own traffic pass; a published port is reached from the host, upstream and another node', (t) =>
  withSandbox(t, ['nft', 'libnftables', 'ping'], async (sb) => {
    await upstream(sb);
    const before = await hostState(sb);
    await nslabOk(sb, 'up', join(EXAMPLES, 'firewall.yaml'));
    // The example starts its own listener on web:8080 (processes:, ready: { tcp: 8080 }).
    try {
      await waitListening(sb, 'fw-web', 8080);
      const shown = await nslabOk(sb, 'show', 'fw', 'web');
      assert.match(shown, /tcp dport 8080 accept comment "nslab:fw:input#1"/, "show lists the node's rules");
      assert.match(await nslabOk(sb, 'show', 'fw'), /dnat ip to 10\.40\.0\.10:8080/, "and the host's");
      assert.equal((await nslab(sb, 'trace', 'fw', 'client', 'web', '--tcp', '8080')).code, 0, 'trace: the allowed port passes');
      const dropped = await nslab(sb, 'trace', 'fw', 'client', 'web', '--tcp', '9090');
      assert.equal(dropped.code, 1);
      assert.match(dropped.stdout, /dropped by web's firewall: policy drop of chain input/);
      const r = await nslab(sb, 'test', 'fw');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(await connects(sb, undefined, HOST_UP, 8080), 'from the host itself');
      assert.ok(await connects(sb, 'inet', HOST_UP, 8080), 'from upstream ("outside the host")');
      assert.ok(await connects(sb, 'fw-client', '10.40.0.1', 8080), 'from another node through the host (hairpin)');
      assert.ok(!(await connects(sb, 'inet', HOST_UP, 9090)), 'only the published port');
    } finally {
      await nslab(sb, 'down', 'fw');
    }
    assert.deepEqual(await hostState(sb), before);
  }));
