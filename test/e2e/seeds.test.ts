// One end-to-end test per seed scenario: build the bundled example with the real CLI inside a
// sandbox, check the result with ip and ping, tear it down, and check nothing is left.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXAMPLES, assertAddrs, hostEnd, hostState, ipJson, nslabOk, pings, withSandbox } from './lab.js';
import type { Sandbox } from '../helpers/sandbox.js';

/** up the example, run checks, down, and require the host to be as before. */
async function roundTrip(sb: Sandbox, example: string, lab: string, checks: () => Promise<void>): Promise<void> {
  const before = await hostState(sb);
  const out = await nslabOk(sb, 'up', join(EXAMPLES, example));
  assert.match(out, new RegExp(`lab ${lab}: up`));
  await checks();
  await nslabOk(sb, 'down', lab);
  assert.deepEqual(await hostState(sb), before, 'down leaves ip netns list and ip link as before');
}

test('seed 000 example 1: two namespaces joined by one veth pair ping both ways', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'veth-pair.yaml', 'pair', async () => {
      await assertAddrs(sb, 'pair-ns1', 'veth1', ['172.12.0.11/24']);
      await assertAddrs(sb, 'pair-ns2', 'veth1p', ['172.12.0.12/24']);
      assert.ok(await pings(sb, 'pair-ns1', '172.12.0.12'));
      assert.ok(await pings(sb, 'pair-ns2', '172.12.0.11'));
    });
  }));

test('seed 000 example 2: both namespaces on a bridge that holds 172.12.0.13/24', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'bridge.yaml', 'bridge', async () => {
      await assertAddrs(sb, undefined, 'bridge-br0', ['172.12.0.13/24']);
      const ports = await ipJson<Array<{ ifname: string }>>(sb, 'link', 'show', 'master', 'bridge-br0');
      assert.equal(ports.length, 2);
      assert.ok(await pings(sb, 'bridge-ns1', '172.12.0.12'));
      assert.ok(await pings(sb, 'bridge-ns2', '172.12.0.11'));
      assert.ok(await pings(sb, 'bridge-ns1', '172.12.0.13'));
      assert.ok(await pings(sb, undefined, '172.12.0.11'), 'the host reaches a node through the bridge');
    });
  }));

test('seed 001: netns1 and the host ping each other over a veth; then two namespaces behind a bridge gateway', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'host-veth.yaml', 'hostveth', async () => {
      await assertAddrs(sb, undefined, await hostEnd(sb, 'nslab:hostveth:node:netns1:ceth1'), ['172.20.0.1/16']);
      assert.ok(await pings(sb, undefined, '172.20.0.11'));
      assert.ok(await pings(sb, 'hostveth-netns1', '172.20.0.1'));
      const routes = await ipJson<Array<{ dst: string; gateway?: string }>>(sb, '-n', 'hostveth-netns1', 'route', 'show', 'default');
      assert.equal(routes[0]?.gateway, '172.20.0.1');
    });
    await roundTrip(sb, 'host-bridge.yaml', 'twons', async () => {
      assert.ok(await pings(sb, 'twons-netns1', '172.20.0.10'));
      assert.ok(await pings(sb, 'twons-netns2', '172.20.0.10'));
      assert.ok(await pings(sb, 'twons-netns1', '172.20.0.12'));
      assert.ok(await pings(sb, undefined, '172.20.0.12'));
    });
  }));

test('seed 002: two namespaces on bridge br1 with the host at 10.10.0.1', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'unshare-bridge.yaml', 'seed002', async () => {
      assert.ok(await pings(sb, 'seed002-ns1', '10.10.0.20'));
      assert.ok(await pings(sb, 'seed002-ns2', '10.10.0.1'));
    });
  }));

test('seed 003: namespace blue with 10.1.1.1/24 reaches the host end 10.1.1.2/24 and back', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'blue.yaml', 'blue', async () => {
      assert.ok(await pings(sb, undefined, '10.1.1.1'));
      assert.ok(await pings(sb, 'blue-blue', '10.1.1.2'));
    });
  }));

test('seed 004: ns1 at 192.168.10.2/24 reaches the host at .1 directly, then through a bridge', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'ns1-host.yaml', 'seed004', async () => {
      assert.ok(await pings(sb, 'seed004-ns1', '192.168.10.1'));
      assert.ok(await pings(sb, undefined, '192.168.10.2'));
    });
    await roundTrip(sb, 'ns-bridge.yaml', 'seed004br', async () => {
      await assertAddrs(sb, 'seed004br-ns2', 'veth1', ['192.168.10.3/24']);
      assert.ok(await pings(sb, 'seed004br-ns1', '192.168.10.1'));
      assert.ok(await pings(sb, 'seed004br-ns1', '192.168.10.3'));
    });
  }));

test('a routed lab: hosts on two subnets and behind a point-to-point link reach each other through routers', (t) =>
  withSandbox(t, ['ping'], async (sb) => {
    await roundTrip(sb, 'routed.yaml', 'routed', async () => {
      assert.ok(await pings(sb, 'routed-h1', '10.0.2.10'));
      assert.ok(await pings(sb, 'routed-h2', '10.0.1.10'));
      assert.ok(await pings(sb, 'routed-h1', '10.9.0.2'), 'two routers and a p2p link');
      const fwd = await sb.run(['ip', 'netns', 'exec', 'routed-r1', 'cat', '/proc/sys/net/ipv4/ip_forward']);
      assert.equal(fwd.stdout.trim(), '1');
      const hostFwd = await sb.run(['cat', '/proc/sys/net/ipv4/ip_forward']);
      assert.equal(hostFwd.stdout.trim(), '0', 'the host namespace is not changed');
    });
  }));
