// A create whose object was made but whose follow-up failed (OpResult.created): apply keeps the
// ownership it journaled, so down removes the object. The case from issue 14: addr_gen_mode on a
// veth whose MTU is below 1280 (Linux has no IPv6 state there: EAFNOSUPPORT), on the fake kernel.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applySteps } from '../../../src/apply/apply.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { down } from '../../../src/lab/down.js';
import { up } from '../../../src/lab/up.js';
import type { KernelOp } from '../../../src/port/kernel.js';
import { JournalWriter, readJournal } from '../../../src/state/journal.js';
import { withStateDir, writeLab } from '../helpers.js';

test('a veth whose follow-up failed stays owned and is reported', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    const k = new FakeKernel();
    const veth: KernelOp = {
      op: 'link.create',
      kind: 'veth',
      ns: 'a-x',
      name: 'eth0',
      mtu: 1000,
      ipv6: false,
      up: true,
      peer: { ns: '@host', name: 'a-x-eth0', mtu: 1000 },
    };
    const w = new JournalWriter(root, path);
    const out = applySteps({
      kernel: k,
      journal: w,
      steps: [
        { id: 'netns:a-x', op: { op: 'netns.create', name: 'a-x' }, journal: 'own' },
        { id: 'link:a-x:eth0', op: veth, journal: 'own' },
      ],
    });
    w.close();
    assert.equal(out.done, 1);
    assert.equal(out.failures.length, 1);
    const f = out.failures[0]!;
    assert.equal(f.step.id, 'link:a-x:eth0');
    assert.equal(f.result.code, 'EAFNOSUPPORT');
    assert.equal(f.result.created, true);
    // The pair exists, and the journal says it is the lab's (no drop record after the own).
    assert.ok(k.linkNames('@host')?.has('a-x-eth0'));
    assert.deepEqual([...readJournal(root, path).owned.keys()], ['netns:a-x', 'link:a-x:eth0']);
  });
});

test('a create refused outright is still unclaimed (it made nothing)', async () => {
  await withStateDir((dir, root) => {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const path = join(dir, 'state', 'j.jsonl');
    const k = new FakeKernel();
    k.run([{ op: 'link.create', kind: 'bridge', ns: '@host', name: 'theirs', ipv6: true, up: true }]);
    const w = new JournalWriter(root, path);
    const out = applySteps({
      kernel: k,
      journal: w,
      steps: [{ id: 'link:@host:theirs', op: { op: 'link.create', kind: 'bridge', ns: '@host', name: 'theirs', ipv6: false, up: true }, journal: 'own' }],
    });
    w.close();
    assert.equal(out.failures[0]?.result.code, 'EEXIST');
    assert.equal(out.failures[0]?.result.created, undefined);
    assert.equal(readJournal(root, path).owned.size, 0);
  });
});

test('an IPv4-only lab with mtu 1000 builds (no addr_gen_mode where IPv6 cannot run) and goes down', async () => {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const file = writeLab(
      dir,
      [
        'name: mtu',
        'networks:',
        '  lan: { subnet: 10.95.0.0/24 }',
        'nodes:',
        '  a: { interfaces: { eth0: { network: lan, address: 10.95.0.10/24, mtu: 1000 } } }',
        '  b: { interfaces: { eth0: { network: lan, address: 10.95.0.11/24 } } }',
        '  c: { interfaces: { p: { peer: "d:p", address: 10.96.0.1/30, mtu: 1000 } } }',
        '  d: { interfaces: { p: { peer: "c:p", address: 10.96.0.2/30, mtu: 1000 } } }',
        '',
      ].join('\n'),
    );
    await up({ state: root, file, openKernel: () => k });
    assert.equal(k.snapshot('mtu-a')?.links.find((l) => l.name === 'eth0')?.mtu, 1000);
    assert.equal(k.snapshot('mtu-a')?.links.find((l) => l.name === 'eth0')?.up, true);
    await down({ state: root, target: 'mtu', openKernel: () => k });
    assert.equal(k.objectCount(), 0);
  });
});
