// Link properties planned like every other attribute, on the fake kernel: a shaped link gets its
// root qdisc, changing one property re-applies only that qdisc, removing it restores the default,
// loss without netem is an nft rule, and what only netem can do is refused before anything is built.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { up } from '../../../src/lab/up.js';
import type { KernelOp } from '../../../src/port/kernel.js';
import { withStateDir, writeLab } from '../helpers.js';
import { isNslabError } from '../../../src/util/errors.js';

const lab = (a: string, b = ''): string => `name: sh
nodes:
  a: { interfaces: { eth0: { peer: "b:eth0", address: 10.0.0.1/30${a} } } }
  b: { interfaces: { eth0: { peer: "a:eth0", address: 10.0.0.2/30${b} } } }
`;

const withNetem = (): undefined => undefined;
const noNetem = (): string => 'this kernel has no sch_netem';

function qdiscOps(log: readonly KernelOp[]): KernelOp[] {
  return log.filter((o) => o.op === 'qdisc.replace' || o.op === 'qdisc.delete');
}

test('a delay becomes a netem qdisc on both ends; changing one direction re-applies only its qdisc; removing it restores the default', () =>
  withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const open = async (): Promise<FakeKernel> => k;
    const file = writeLab(dir, lab(', delay: 20ms, egress: { loss: 1% }'));
    await up({ state: root, file, openKernel: open, netemMissing: withNetem });
    const first = qdiscOps(k.log);
    assert.deepEqual(first, [
      { op: 'qdisc.replace', ns: 'sh-a', dev: 'eth0', qdisc: { kind: 'netem', delayUs: 20_000, lossPct: 1 } },
      { op: 'qdisc.replace', ns: 'sh-b', dev: 'eth0', qdisc: { kind: 'netem', delayUs: 20_000 } },
    ]);
    k.log.length = 0;
    const same = await up({ state: root, file, openKernel: open, netemMissing: withNetem });
    assert.deepEqual(same.commands, [], 'unchanged: nothing to do');

    writeFileSync(file, lab(', delay: 20ms, egress: { loss: 2% }'));
    k.log.length = 0;
    const changed = await up({ state: root, file, openKernel: open, netemMissing: withNetem });
    assert.deepEqual(
      changed.steps.map((s) => s.op),
      [{ op: 'qdisc.replace', ns: 'sh-a', dev: 'eth0', qdisc: { kind: 'netem', delayUs: 20_000, lossPct: 2 } }],
    );

    writeFileSync(file, lab(', egress: { loss: 2% }'));
    const lessened = await up({ state: root, file, openKernel: open, netemMissing: withNetem });
    assert.deepEqual(
      lessened.steps.map((s) => s.op),
      [
        { op: 'qdisc.replace', ns: 'sh-a', dev: 'eth0', qdisc: { kind: 'netem', lossPct: 2 } },
        { op: 'qdisc.delete', ns: 'sh-b', dev: 'eth0' },
      ],
    );

    writeFileSync(file, lab(''));
    const removed = await up({ state: root, file, openKernel: open, netemMissing: withNetem });
    assert.deepEqual(
      removed.steps.map((s) => s.op),
      [{ op: 'qdisc.delete', ns: 'sh-a', dev: 'eth0' }],
    );
  }));

test('without netem: a rate is a token bucket, loss an nft rule in the node table; delay is refused before anything is built', () =>
  withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    k.netemAbsent = true;
    const open = async (): Promise<FakeKernel> => k;
    const file = writeLab(dir, lab(', rate: 10mbit, egress: { loss: 20% }'));
    await up({ state: root, file, openKernel: open, netemMissing: noNetem });
    const q = qdiscOps(k.log);
    assert.equal(q.length, 2);
    assert.deepEqual(q[0], { op: 'qdisc.replace', ns: 'sh-a', dev: 'eth0', qdisc: { kind: 'tbf', rate: 1_250_000, burst: 12_500, latencyUs: 100_000 } });
    const nft = k.log.find((o) => o.op === 'nft.load' && o.ns === 'sh-a');
    assert.ok(nft && nft.op === 'nft.load');
    assert.match(nft.script, /oifname "eth0" numgen random mod 10000 < 2000 drop/);
    assert.ok(!k.log.some((o) => o.op === 'nft.load' && o.ns === 'sh-b'), 'b sends without loss');

    const k2 = new FakeKernel();
    const file2 = writeLab(dir, lab(', delay: 20ms').replace('name: sh', 'name: sh2'), 'two.yaml');
    await assert.rejects(
      up({ state: root, file: file2, openKernel: async () => k2, netemMissing: noNetem }),
      (e: unknown) => isNslabError(e) && e.exitStatus === 1 && /a:eth0: delay 20ms needs the kernel module sch_netem/.test(e.message),
    );
    assert.deepEqual(k2.log, [], 'nothing was built');
  }));

test('up: false starts the link cut at that end, and bringing it back up is one step', () =>
  withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const open = async (): Promise<FakeKernel> => k;
    const file = writeLab(dir, lab('', ', up: false'));
    await up({ state: root, file, openKernel: open });
    const b = k.snapshot('sh-b')!.links.find((l) => l.name === 'eth0')!;
    assert.equal(b.up, false);
    writeFileSync(file, lab(''));
    const r = await up({ state: root, file, openKernel: open });
    assert.deepEqual(
      r.steps.map((s) => s.op),
      [{ op: 'link.set', ns: 'sh-b', name: 'eth0', up: true }],
    );
  }));
