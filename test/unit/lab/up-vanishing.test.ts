// A removal that `up` plans can find its object already gone: the kernel frees a deleted
// namespace's veths in the background, so a host end seen while planning may vanish before the
// delete runs (seen in CI as ENODEV on `ip link del big-h243-eth0` right after a down). Like
// teardown, up counts "already gone" as done instead of failing the run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import type { KernelOp, OpResult } from '../../../src/port/kernel.js';
import { up } from '../../../src/lab/up.js';
import { MIXED, withStateDir, writeLab } from '../helpers.js';

/** A kernel that frees a link in the background just before a request to delete it arrives. */
class FreeingKernel extends FakeKernel {
  override run(ops: readonly KernelOp[]): OpResult[] {
    for (const op of ops) if (op.op === 'link.delete') super.run([op]);
    return super.run(ops);
  }
}

test('up: a host end to delete that the kernel freed meanwhile counts as deleted, and up completes', () =>
  withStateDir(async (dir, root) => {
    const k = new FreeingKernel();
    const open = async (): Promise<FakeKernel> => k;
    const file = writeLab(dir, MIXED);
    await up({ state: root, file, openKernel: open });
    // The namespace is gone but its host end is still there (the kernel has not freed it yet).
    (k as unknown as { spaces: Map<string, unknown> }).spaces.delete('demo-web');
    k.log.length = 0;
    await up({ state: root, file, openKernel: open, full: true });
    assert.ok(
      k.log.some((o) => o.op === 'link.delete'),
      'up planned to delete the stale host end',
    );
    assert.ok(
      k.log.some((o) => o.op === 'netns.create' && o.name === 'demo-web'),
      'and rebuilt the node',
    );
    k.log.length = 0;
    const again = await up({ state: root, file, openKernel: open });
    assert.deepEqual(again.commands, [], 'the lab is complete: a second up changes nothing');
  }));
