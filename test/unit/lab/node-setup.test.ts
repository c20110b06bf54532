// Placing a node's files and running its setup steps, on the fakes: the placement script's shape
// (quoting, overlays only where a new entry is needed, read-only binds), staging under the lab's
// state directory, and steps run in order, once per key, failing with their output.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { placementScript, shQuote } from '../../../src/lab/files-script.js';
import { filesKey, placeFiles, runSteps, stageDir, stepKey } from '../../../src/lab/node-setup.js';
import type { NslabError } from '../../../src/util/errors.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir } from '../helpers.js';

const ISO = { pid: true, mount: true, uts: true };

test('shQuote: any text is one word for sh', () => {
  assert.equal(shQuote("it's"), `'it'\\''s'`);
  assert.equal(shQuote('$(rm -rf /)'), `'$(rm -rf /)'`);
});

test('placement script: files copied with mode and owner, dirs are tmpfs, binds read-only unless writable', () => {
  const s = placementScript([
    { kind: 'file', path: '/etc/frr/frr.conf', staged: '/run/nslab/l/files/r1/0', mode: 0o640, owner: 'frr:frrvty' },
    { kind: 'dir', path: '/var/tmp/frr', mode: 0o750, owner: 'frr' },
    { kind: 'bind', path: '/srv/a', source: '/data/a', writable: false },
    { kind: 'bind', path: '/srv/b', source: '/data/b', writable: true },
  ]);
  assert.match(s, /^set -eu\n/);
  assert.match(s, /cp '\/run\/nslab\/l\/files\/r1\/0' '\/etc\/frr\/frr.conf'; chmod 0640 '\/etc\/frr\/frr.conf'/);
  assert.match(s, /chown 'frr:frrvty' '\/etc\/frr\/frr.conf'/);
  assert.match(s, /mount -t tmpfs -o mode=0750 nslab-dir '\/var\/tmp\/frr'/);
  assert.match(s, /mount --bind '\/data\/a' '\/srv\/a'\nmount -o remount,bind,ro '\/srv\/a'/);
  assert.doesNotMatch(s, /remount,bind,ro '\/srv\/b'/);
  // overlays have a private upper layer; / is never overlaid; the node's mounts below are bound back
  assert.match(s, /mount -t overlay nslab-files -o "lowerdir=\$d,upperdir=\$k\/up,workdir=\$k\/work" "\$d"/);
  assert.match(s, /\/ is not overlaid/);
  assert.match(s, /mount --bind "keep\/\$i" "\$d\/\$s"/);
});

test('placeFiles on the fakes: staged under the lab state directory, placed through the holder; a failure says why', () =>
  withStateDir(async (_dir, state) => {
    const system = new FakeSystem(new FakeKernel());
    const node = { name: 'r1', netns: 'l-r1', isolate: ISO };
    await placeFiles(state, system, 'l', node, [{ kind: 'file', path: '/etc/x.conf', mode: 0o644, content: 'hello\n', hash: 'h' }], 4242);
    const run = system.runs.at(-1)!;
    assert.equal(run.join, 4242);
    assert.equal(run.netns, 'l-r1');
    assert.deepEqual(run.command.slice(0, 2), ['sh', '-c']);
    assert.equal(run.command.at(-1), `${stageDir(state, 'l', 'r1')}/mnt`);
    assert.equal(readFileSync(`${stageDir(state, 'l', 'r1')}/0`, 'utf8'), 'hello\n');
    assert.ok(existsSync(`${stageDir(state, 'l', 'r1')}/mnt`));
    system.behave = (cmd) => (cmd[0] === 'sh' ? { exitCode: 1, output: 'cannot create /x.conf: none of its parent directories exists\n' } : {});
    await assert.rejects(
      placeFiles(state, system, 'l', node, [{ kind: 'file', path: '/x.conf', mode: 0o644, content: 'x' }], 4242),
      (e: NslabError) => e.code === 'setup-failed' && /could not place its files \(exited with status 1\):\n {2}cannot create \/x.conf/.test(e.message),
    );
  }));

test('filesKey: a content change (by hash), a mode or an owner change is a change; the same files are not', () => {
  const a = [{ kind: 'file' as const, path: '/etc/a', mode: 0o644, content: 'x', hash: '1' }];
  assert.equal(filesKey(a), filesKey([{ ...a[0]! }]));
  assert.notEqual(filesKey(a), filesKey([{ ...a[0]!, hash: '2' }]));
  assert.notEqual(filesKey(a), filesKey([{ ...a[0]!, mode: 0o600 }]));
  assert.notEqual(filesKey(a), filesKey([{ ...a[0]!, owner: 'frr' }]));
});

test('runSteps on the fakes: in order, only those of the phase not yet run, a failure fails with the output', async () => {
  const system = new FakeSystem(new FakeKernel());
  const node = { name: 'r1', netns: 'l-r1', isolate: ISO };
  const holder = { pid: 7, start: 70 };
  const steps = [
    { id: 'a', command: ['one'], when: 'before-processes' as const, timeoutMs: 1000 },
    { id: 'b', command: ['two'], when: 'after-processes' as const, timeoutMs: 1000 },
    { id: 'c', command: ['three'], when: 'before-processes' as const, timeoutMs: 1000, user: 'nobody', env: { X: '1' } },
  ];
  const ran: string[] = [];
  assert.equal(await runSteps(system, node, steps, 'before-processes', holder, new Set([stepKey(steps[0]!, holder)]), (k) => ran.push(k)), 1);
  assert.deepEqual(ran, ['c@7.70']);
  const last = system.runs.at(-1)!;
  assert.deepEqual([last.command, last.user, last.join, last.env['X']], [['three'], 'nobody', 7, '1']);
  system.behave = (cmd) => (cmd[0] === 'two' ? { exitCode: 2, output: 'line1\nvtysh: no such daemon\n' } : {});
  await assert.rejects(
    runSteps(system, node, steps, 'after-processes', holder, new Set(), () => {}),
    (e: NslabError) => {
      assert.equal(e.code, 'setup-failed');
      assert.match(e.message, /node r1: exec step 2 \(two\) exited with status 2; its output:\n {2}line1\n {2}vtysh: no such daemon/);
      return true;
    },
  );
  // A new holder: the step runs again.
  assert.notEqual(stepKey(steps[0]!, holder), stepKey(steps[0]!, { pid: 8, start: 80 }));
});
