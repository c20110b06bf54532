// Root test: kernel failures come back as per-op results (errno, code, message) while later ops
// still run; only failing to open the kernel throws, with a message that says what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS as H, type KernelOp, type OpResult } from '../../src/port/kernel.js';
import type { ErrorInfo } from './fixtures/driver.js';
import { drive, inSandbox, ipJson } from './helpers.js';

const SETUP: KernelOp[] = [
  { op: 'link.create', kind: 'bridge', ns: H, name: 'kbr0', alias: 'mine', ipv6: true, up: false },
  { op: 'netns.create', name: 'ta' },
  { op: 'link.create', kind: 'veth', ns: 'ta', name: 'eth0', index: 2, ipv6: true, up: true, peer: { ns: H, name: 'ta-eth0' } },
  { op: 'addr.add', ns: 'ta', dev: 'eth0', cidr: '10.50.0.2/24' },
];

/** Each failing op with the code (and message part) it must produce. */
const FAILING: [KernelOp, string, RegExp][] = [
  [{ op: 'link.create', kind: 'bridge', ns: H, name: 'kbr0', alias: 'theirs', ipv6: false, up: true }, 'EEXIST', /File exists/],
  [{ op: 'link.delete', ns: H, name: 'nope0' }, 'ENODEV', /No such device/],
  [{ op: 'addr.add', ns: 'ta', dev: 'nope0', cidr: '10.1.0.1/24' }, 'ENODEV', /Cannot find device "nope0"/],
  [{ op: 'addr.add', ns: 'ta', dev: 'eth0', cidr: '10.50.0.2/24' }, 'EEXIST', /^ipv4: Address already assigned$/],
  // The kernel explains this one through the extended ack.
  [{ op: 'route.add', ns: 'ta', to: '10.9.0.0/16', via: '10.99.0.1' }, 'ENETUNREACH', /^Nexthop has invalid gateway$/],
  [{ op: 'route.delete', ns: 'ta', to: '10.9.0.0/16', via: '10.50.0.1' }, 'ESRCH', /No such process/],
  [{ op: 'netns.create', name: 'ta' }, 'EEXIST', /ip netns add ta: File exists/],
  [{ op: 'netns.delete', name: 'no-such-ns' }, 'ENOENT', /ip netns delete no-such-ns/],
  [{ op: 'link.create', kind: 'veth', ns: 'ta', name: 'x1', ipv6: true, up: false, peer: { ns: 'no-such-ns', name: 'x2' } }, 'ENOENT', /netns no-such-ns/],
  [{ op: 'route.add', ns: 'no-such-ns', to: 'default', via: '10.0.0.1' }, 'ENOENT', /Cannot open network namespace "no-such-ns"/],
  [{ op: 'sysctl.set', ns: 'ta', key: 'net.ipv4.no_such_key', value: '1' }, 'ENOENT', /sysctl net.ipv4.no_such_key/],
];

test('failures are results with errno, code and message, and the ops after them still run', (t) =>
  inSandbox(t, async (sb) => {
    const last: KernelOp = { op: 'link.set', ns: H, name: 'kbr0', up: true };
    const ops = [...FAILING.map(([op]) => op), last];
    const [, setup, results] = (await drive(sb, [{ open: {} }, { run: SETUP }, { run: ops }])) as [unknown, OpResult[], OpResult[]];
    assert.ok(
      setup.every((r) => r.ok),
      JSON.stringify(setup),
    );
    for (const [i, [op, code, message]] of FAILING.entries()) {
      const r = results[i];
      assert.ok(r && !r.ok, `${op.op} should fail: ${JSON.stringify(r)}`);
      assert.equal(r.code, code, `${JSON.stringify(op)}: ${r.message}`);
      assert.ok(r.errno > 0);
      assert.match(r.message, message);
    }
    assert.deepEqual(results.at(-1), { ok: true }, 'the last op ran after all the failures');
    const [br] = await ipJson<{ ifalias?: string; flags: string[] }[]>(sb, 'link', 'show', 'kbr0');
    assert.equal(br?.ifalias, 'mine', 'a failed creation sends no follow-ups to the existing link');
    assert.ok(br?.flags.includes('UP'));
  }));

test('opening the kernel without privileges throws EPERM and says to use sudo', (t) =>
  inSandbox(t, async (sb) => {
    const [open] = (await drive(sb, [{ open: {} }], { uid: 65534 })) as [ErrorInfo];
    assert.equal(open.error.name, 'KernelError');
    assert.equal(open.error.code, 'EPERM');
    assert.match(open.error.message, /run it with sudo/);
  }));

test('--host-netns naming a missing namespace throws ENOENT and says how to create it', (t) =>
  inSandbox(t, async (sb) => {
    const [open] = (await drive(sb, [{ open: { hostNetns: 'nohost' } }])) as [ErrorInfo];
    assert.equal(open.error.code, 'ENOENT');
    assert.match(open.error.message, /ip netns add nohost/);
  }));

test('a veth made but refused addr_gen_mode (MTU below 1280: no IPv6 state) says created, and exists', (t) =>
  inSandbox(t, async (sb) => {
    // Linux keeps no inet6 state on a link below IPv6's minimum MTU, so the follow-up setting
    // addr_gen_mode none fails with EAFNOSUPPORT after the pair was made (issue 14).
    const ops: KernelOp[] = [
      { op: 'netns.create', name: 'tm' },
      { op: 'link.create', kind: 'veth', ns: 'tm', name: 'eth0', mtu: 1000, ipv6: false, up: true, peer: { ns: H, name: 'tm-eth0', mtu: 1000 } },
      { op: 'link.create', kind: 'veth', ns: H, name: 'tm-a', ipv6: false, up: false, peer: { ns: 'tm', name: 'eth1', mtu: 1000 } },
    ];
    const [, results] = (await drive(sb, [{ open: {} }, { run: ops }])) as [unknown, OpResult[]];
    assert.deepEqual(results[0], { ok: true });
    for (const r of results.slice(1)) {
      assert.ok(r && !r.ok, JSON.stringify(r));
      assert.equal(r.code, 'EAFNOSUPPORT');
      assert.equal(r.created, true, JSON.stringify(r));
    }
    const names = (await ipJson<{ ifname: string }[]>(sb, 'link', 'show')).map((l) => l.ifname);
    assert.ok(names.includes('tm-eth0') && names.includes('tm-a'), names.join(' '));
  }));
