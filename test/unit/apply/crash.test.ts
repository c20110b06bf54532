// up/down through the lab verbs on FakeKernel: complete teardown, and crash safety: a crash
// (the fake throws mid-batch, as SIGKILL would stop a real run) at every possible point of `up`
// leaves a journal from which `down` removes everything, and from which `up` converges.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeCrash, FakeKernel } from '../../helpers/fake-kernel.js';
import { down } from '../../../src/lab/down.js';
import { up } from '../../../src/lab/up.js';
import { labJournal } from '../../../src/state/store.js';
import { MIXED, withStateDir, writeLab } from '../helpers.js';

test('up then down on the fake kernel leaves nothing and no state', async () => {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const file = writeLab(dir, MIXED);
    const r = await up({ state: root, file, openKernel: () => k });
    assert.ok(r.steps.length > 20);
    assert.ok(k.objectCount() > 20);
    const again = await up({ state: root, file, openKernel: () => k });
    assert.equal(again.steps.length, 0, 'second up changes nothing');
    const d = await down({ state: root, target: 'demo', openKernel: () => k });
    assert.equal(d.wasUp, true);
    assert.equal(k.objectCount(), 0);
    assert.equal(labJournal(root, 'demo').owned.size, 0);
  });
});

test('a crash at any point of up leaves a state that down removes completely and up completes', async () => {
  await withStateDir(async (dir, root) => {
    const file = writeLab(dir, MIXED);
    const total = (await up({ state: root, file, openKernel: () => new FakeKernel() })).steps.length;
    await down({ state: root, target: 'demo', openKernel: () => new FakeKernel() });
    for (let crashAt = 0; crashAt <= total; crashAt++) {
      const k = new FakeKernel();
      k.crashAfter = crashAt;
      await up({ state: root, file, openKernel: () => k }).then(
        () => assert.equal(crashAt, total, 'only the last point lets up finish'),
        (e: unknown) => assert.ok(e instanceof FakeCrash, String(e)),
      );
      k.crashAfter = undefined;
      if (crashAt % 2 === 0) {
        await down({ state: root, target: 'demo', openKernel: () => k });
        assert.equal(k.objectCount(), 0, `leak after crash at ${crashAt}`);
      } else {
        const resumed = await up({ state: root, file, openKernel: () => k });
        assert.equal(resumed.steps.length, total - crashAt, `up after crash at ${crashAt} does the rest`);
        await down({ state: root, target: 'demo', openKernel: () => k });
        assert.equal(k.objectCount(), 0);
      }
    }
  });
});

test('a refused operation stops up with a message naming the command and how to undo', async () => {
  await withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const file = writeLab(dir, MIXED);
    // Sabotage: someone deletes a veth between planning and applying.
    const orig = k.run.bind(k);
    let armed = true;
    k.run = (ops) => {
      if (armed && ops.some((o) => o.op === 'link.set' && o.name === 'demo-web-eth0')) {
        armed = false;
        orig([{ op: 'link.delete', ns: '@host', name: 'demo-web-eth0' }]);
      }
      return orig(ops);
    };
    await assert.rejects(up({ state: root, file, openKernel: () => k }), (e: Error) => {
      assert.match(
        e.message,
        /ip link set demo-web-eth0 master demo-lan alias nslab(@[0-9a-z]{7})?:demo:node:web:eth0 addrgenmode none up: No such device \(ENODEV\)/,
      );
      assert.match(e.message, /nslab down demo/);
      return true;
    });
    await down({ state: root, target: 'demo', openKernel: () => k });
    assert.equal(k.objectCount(), 0);
  });
});
