// Root test: grouped namespaces (a lab's): mounted in the group's own tmpfs and named by symlinks
// in /run/netns, so iproute2 sees ordinary named namespaces; deleting the whole group is one
// umount; a partial delete, a dangling name and a foreign name are handled exactly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS as H, type KernelOp, type OpResult } from '../../src/port/kernel.js';
import { drive, eventually, inSandbox, sh } from './helpers.js';

const create = (name: string): KernelOp => ({ op: 'netns.create', name, group: 'gx' });
const del = (name: string): KernelOp => ({ op: 'netns.delete', name, group: 'gx' });
const veth = (ns: string, peer: string): KernelOp => ({
  op: 'link.create',
  kind: 'veth',
  ns,
  name: 'eth0',
  ipv6: false,
  up: true,
  peer: { ns: H, name: peer },
});

test('grouped namespaces are ordinary named namespaces to iproute2, and go all at once', (t) =>
  inSandbox(t, async (sb) => {
    const [, made] = (await drive(sb, [{ open: {} }, { run: [create('gx-a'), create('gx-b'), create('gx-c'), veth('gx-a', 'gx-a-eth0')] }])) as [
      unknown,
      OpResult[],
    ];
    assert.ok(
      made.every((r) => r.ok),
      JSON.stringify(made),
    );
    assert.equal((await sh(sb, 'readlink', '/run/netns/gx-a')).trim(), '/run/nslab-netns/gx/gx-a');
    assert.deepEqual(
      (await sh(sb, 'ip', 'netns', 'list'))
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[0])
        .sort(),
      ['gx-a', 'gx-b', 'gx-c'],
    );
    assert.match(await sh(sb, 'ip', 'netns', 'exec', 'gx-a', 'ip', '-o', 'link', 'show'), /eth0@/);
    assert.match(await sh(sb, 'findmnt', '-n', '-o', 'FSTYPE', '/run/nslab-netns/gx'), /tmpfs/);

    // one of three: deleted alone, the others stay
    const [, one, list] = (await drive(sb, [{ open: {} }, { run: [del('gx-c')] }, { netnsList: true }])) as [unknown, OpResult[], string[]];
    assert.deepEqual(one, [{ ok: true }]);
    assert.deepEqual(list, ['gx-a', 'gx-b']);

    // A foreign file under a lab name is never removed: re-point gx-b's name at something else.
    await sh(sb, 'rm', '/run/netns/gx-b');
    await sh(sb, 'ln', '-s', '/tmp/elsewhere', '/run/netns/gx-b');
    const [, all] = (await drive(sb, [{ open: {} }, { run: [del('gx-a'), del('gx-b')] }])) as [unknown, OpResult[]];
    assert.ok(
      all.every((r) => r.ok),
      JSON.stringify(all),
    );
    assert.equal((await sh(sb, 'readlink', '/run/netns/gx-b')).trim(), '/tmp/elsewhere');
    assert.equal((await sb.run(['ls', '/run/netns/gx-a'])).code, 2, 'gx-a is still named');
    assert.equal((await sb.run(['findmnt', '/run/nslab-netns/gx'])).code, 1, 'the group is still mounted');
    assert.ok(await eventually(async () => (await sb.run(['ip', 'link', 'show', 'gx-a-eth0'])).code !== 0), 'the veth of the deleted namespace stayed');
  }));

test('a dangling name of a group (a teardown cut short) is not listed and is re-used by create', (t) =>
  inSandbox(t, async (sb) => {
    await drive(sb, [{ open: {} }, { run: [create('gx-a'), create('gx-b')] }]);
    // as if a down were killed between the group's umount and the removal of the names
    await sh(sb, 'umount', '-l', '/run/nslab-netns/gx');
    const [, list, again] = (await drive(sb, [{ open: {} }, { netnsList: true }, { run: [create('gx-a')] }])) as [unknown, string[], OpResult[]];
    assert.deepEqual(list, []);
    assert.deepEqual(again, [{ ok: true }]);
    assert.match(await sh(sb, 'ip', 'netns', 'exec', 'gx-a', 'ip', 'link', 'show', 'lo'), /lo:/);
    const [, gone] = (await drive(sb, [{ open: {} }, { run: [del('gx-a'), del('gx-b')] }])) as [unknown, OpResult[]];
    assert.ok(
      gone.every((r) => r.ok || r.code === 'ENOENT'),
      JSON.stringify(gone),
    );
    assert.equal((await sh(sb, 'ls', '/run/netns')).trim(), '');
  }));
