// Root test: namespace lifecycle, sysctls inside a namespace, commands run in a namespace, and
// a --host-netns host. Each test has its own sandbox; results are checked with ip and cat.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS as H, type KernelOp, type NsSnapshot, type OpResult } from '../../src/port/kernel.js';
import type { ErrorInfo } from './fixtures/driver.js';
import { drive, eventually, inSandbox, ipJson, pings, sh } from './helpers.js';

const veth = (ns: string, name: string, peer: string, peerNs = H): KernelOp => ({
  op: 'link.create',
  kind: 'veth',
  ns,
  name,
  ipv6: true,
  up: true,
  peer: { ns: peerNs, name: peer },
});

test('netns.delete removes the namespace at once and the host end of its veth soon after', (t) =>
  inSandbox(t, async (sb) => {
    const [, made] = (await drive(sb, [{ open: {} }, { run: [{ op: 'netns.create', name: 'tx' }, veth('tx', 'eth0', 'tx-eth0')] }])) as [unknown, OpResult[]];
    assert.ok(
      made.every((r) => r.ok),
      JSON.stringify(made),
    );
    assert.match(await sh(sb, 'ip', 'netns', 'list'), /^tx\b/m);
    assert.equal((await ipJson<unknown[]>(sb, 'link', 'show', 'tx-eth0')).length, 1);

    const steps = [
      { open: {} },
      { run: [{ op: 'netns.delete', name: 'tx' }] as KernelOp[] },
      { netnsList: true as const },
      // The same name again: a fresh namespace, not the cached handle of the deleted one.
      { run: [{ op: 'netns.create', name: 'tx' }, veth('tx', 'eth1', 'tx-eth1')] as KernelOp[] },
      { linkNames: 'tx' },
    ];
    const [, del, list, again, names] = (await drive(sb, steps)) as [unknown, OpResult[], string[], OpResult[], string[]];
    assert.deepEqual(del, [{ ok: true }]);
    assert.deepEqual(list, []);
    assert.ok(
      again.every((r) => r.ok),
      JSON.stringify(again),
    );
    assert.deepEqual(names, ['eth1', 'lo']);
    const gone = await eventually(async () => (await sb.run(['ip', 'link', 'show', 'tx-eth0'])).code !== 0);
    assert.ok(gone, 'the kernel removed the host end of the deleted namespace’s veth');
  }));

test('sysctl.set changes a namespace’s value and not the sandbox host’s', (t) =>
  inSandbox(t, async (sb) => {
    const ops: KernelOp[] = [
      { op: 'netns.create', name: 'ta' },
      { op: 'sysctl.set', ns: 'ta', key: 'net.ipv4.ip_forward', value: '1' },
      { op: 'sysctl.set', ns: 'ta', key: 'net/ipv6/conf/all/forwarding', value: '1' },
    ];
    const out = await drive(sb, [
      { open: {} },
      { run: ops },
      { sysctlGet: 'ta', key: 'net.ipv4.ip_forward' },
      { sysctlGet: H, key: 'net.ipv4.ip_forward' },
      { sysctlGet: 'ta', key: 'net.ipv6.conf.all.forwarding' },
      { sysctlGet: 'ta', key: 'net.ipv4.no_such_key' },
      { sysctlGet: 'no-such-ns', key: 'net.ipv4.ip_forward' },
    ]);
    assert.deepEqual(out.slice(1), [[{ ok: true }, { ok: true }, { ok: true }], '1', '0', '1', null, null]);
    assert.equal((await sh(sb, 'ip', 'netns', 'exec', 'ta', 'cat', '/proc/sys/net/ipv4/ip_forward')).trim(), '1');
    assert.equal((await sh(sb, 'cat', '/proc/sys/net/ipv4/ip_forward')).trim(), '0');
  }));

test('execInNetns runs the command in the namespace and passes its exit status through', (t) =>
  inSandbox(t, async (sb) => {
    const out = await drive(sb, [
      { open: {} },
      { run: [{ op: 'netns.create', name: 'ta' }, veth('ta', 'only-ta', 'ta-h')] },
      { exec: { netns: 'ta', argv: ['sh', '-c', 'exit 7'] } },
      { exec: { netns: 'ta', argv: ['ip', 'link', 'show', 'only-ta'] } },
      { exec: { netns: 'ta', argv: ['sh', '-c', 'kill -TERM $$'] } },
      { exec: { netns: 'ta', argv: ['no-such-command-xyz'] } },
      { exec: { netns: 'no-such-ns', argv: ['true'] } },
      // The driver is back in the sandbox host: this bridge must land there.
      { run: [{ op: 'link.create', kind: 'bridge', ns: H, name: 'after-exec', ipv6: true, up: false }] },
    ]);
    assert.deepEqual(out[2], { code: 7, signal: null });
    assert.deepEqual(out[3], { code: 0, signal: null }, 'only-ta exists where the command ran');
    assert.deepEqual(out[4], { code: null, signal: 'SIGTERM' });
    const notFound = out[5] as ErrorInfo;
    assert.equal(notFound.error.code, 'ENOENT');
    assert.match(notFound.error.message, /command not found: no-such-command-xyz/);
    assert.equal((out[6] as ErrorInfo).error.code, 'ENOENT');
    assert.deepEqual(out[7], [{ ok: true }]);
    assert.equal((await ipJson<unknown[]>(sb, 'link', 'show', 'after-exec')).length, 1);
    assert.notEqual((await sb.run(['ip', 'link', 'show', 'only-ta'])).code, 0);
  }));

test('with hostNetns the bridge and the host ends of veths live in that namespace', (t) =>
  inSandbox(t, ['ping'], async (sb) => {
    await sh(sb, 'ip', 'netns', 'add', 'hostsim');
    const ops: KernelOp[] = [
      { op: 'link.create', kind: 'bridge', ns: H, name: 'kbr0', ipv6: true, up: true },
      { op: 'addr.add', ns: H, dev: 'kbr0', cidr: '10.9.0.1/24' },
      { op: 'netns.create', name: 'n1' },
      veth('n1', 'eth0', 'n1-eth0'),
      { op: 'addr.add', ns: 'n1', dev: 'eth0', cidr: '10.9.0.2/24' },
      { op: 'link.set', ns: H, name: 'n1-eth0', master: 'kbr0', up: true },
    ];
    const [, res, host, list] = (await drive(sb, [{ open: { hostNetns: 'hostsim' } }, { run: ops }, { snapshot: H }, { netnsList: true }])) as [
      unknown,
      OpResult[],
      NsSnapshot,
      string[],
    ];
    assert.ok(
      res.every((r) => r.ok),
      JSON.stringify(res),
    );
    assert.deepEqual(host.links.map((l) => l.name).sort(), ['kbr0', 'lo', 'n1-eth0']);
    assert.deepEqual(list, ['hostsim', 'n1']);
    const inHostsim = await ipJson<{ ifname: string; master?: string }[]>(sb, '-n', 'hostsim', 'link', 'show', 'master', 'kbr0');
    assert.deepEqual(
      inHostsim.map((l) => l.ifname),
      ['n1-eth0'],
    );
    assert.notEqual((await sb.run(['ip', 'link', 'show', 'kbr0'])).code, 0, 'nothing in the sandbox’s own namespace');
    assert.ok(await pings(sb, 'n1', '10.9.0.1'));
  }));
