// qdisc operations above the wire: the request an op becomes, the tc command it describes, the
// kernel's refusals reworded, the netem verdict from the system's module lists, and the fake kernel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeOp, isRtnlOp, neededNames, refusalIsDone, type RtnlOp } from '../../../src/netlink/requests.js';
import { describeOp } from '../../../src/ops/describe.js';
import { NETEM_MISSING, missingFeature, moduleVerdict } from '../../../src/ops/missing.js';
import { HOST_NS, type KernelOp } from '../../../src/port/kernel.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { TC_NETEM_REPLACE, TC_ROOT_DELETE } from './qdisc-fixtures.js';

const NETEM: KernelOp = {
  op: 'qdisc.replace',
  ns: 'lab-a',
  dev: 'v1',
  qdisc: { kind: 'netem', delayUs: 20_000, jitterUs: 5_000, lossPct: 10, corruptPct: 1, duplicatePct: 1, reorderPct: 25, limit: 1000 },
};
const TBF: KernelOp = { op: 'qdisc.replace', ns: 'lab-a', dev: 'v1', qdisc: { kind: 'tbf', rate: 1_250_000, burst: 4096, latencyUs: 50_000 } };
const DEL: KernelOp = { op: 'qdisc.delete', ns: 'lab-a', dev: 'v1' };
const ctx = { index: (n: string) => (n === 'v1' ? 3 : undefined), nsFd: () => 0 };

test('requests: qdisc ops are rtnetlink ops on their device, encoded like tc', () => {
  assert.ok(isRtnlOp(NETEM) && isRtnlOp(DEL));
  assert.deepEqual(neededNames(NETEM as RtnlOp), ['v1']);
  const enc = encodeOp(NETEM as RtnlOp, ctx);
  assert.ok('now' in enc);
  assert.equal(enc.now[0]?.toString('hex'), TC_NETEM_REPLACE);
  const del = encodeOp(DEL as RtnlOp, ctx);
  assert.ok('now' in del);
  assert.equal(del.now[0]?.toString('hex'), TC_ROOT_DELETE);
  assert.deepEqual(encodeOp({ ...DEL, dev: 'nope' } as RtnlOp, ctx), { errno: 19, code: 'ENODEV', message: 'Cannot find device "nope"' });
  const bad = encodeOp({ ...TBF, qdisc: { kind: 'tbf', rate: 1000, burst: 10 } } as RtnlOp, ctx);
  assert.ok('errno' in bad && bad.code === 'EINVAL');
  // Deleting a root qdisc that is not there (ENOENT) is done; a missing device is not.
  assert.equal(refusalIsDone(DEL as RtnlOp, 2), true);
  assert.equal(refusalIsDone(DEL as RtnlOp, 19), false);
  assert.equal(refusalIsDone(TBF as RtnlOp, 2), false);
});

test('describe: the tc command a human would type', () => {
  assert.equal(describeOp(TBF), 'tc -n lab-a qdisc replace dev v1 root tbf rate 10mbit burst 4096 latency 50ms');
  assert.equal(describeOp(NETEM), 'tc -n lab-a qdisc replace dev v1 root netem delay 20ms 5ms loss 10% corrupt 1% duplicate 1% reorder 25% limit 1000');
  assert.equal(
    describeOp({ op: 'qdisc.replace', ns: HOST_NS, dev: 'h-v1', qdisc: { kind: 'netem', delayUs: 1500, rate: 8000 } }),
    'tc qdisc replace dev h-v1 root netem delay 1500us rate 64kbit',
  );
  assert.equal(
    describeOp({ op: 'qdisc.replace', ns: HOST_NS, dev: 'x', qdisc: { kind: 'tbf', rate: 1000, burst: 1600, limit: 3000 } }, { hostNetns: 'h' }),
    'tc -n h qdisc replace dev x root tbf rate 8kbit burst 1600 limit 3000',
  );
  assert.equal(describeOp(DEL), 'tc -n lab-a qdisc del dev v1 root');
});

test('missing: the kernel refusing netem (ENOENT, "Specified qdisc kind is unknown.") names the module', () => {
  const f = { ok: false as const, errno: 2, code: 'ENOENT', message: 'Specified qdisc kind is unknown.' };
  assert.equal(missingFeature(NETEM, f), NETEM_MISSING);
  assert.match(NETEM_MISSING, /^this kernel has no sch_netem \(CONFIG_NET_SCH_NETEM\): delay, .* rate works \(tbf\)$/);
  assert.match(missingFeature(TBF, f) ?? '', /no sch_tbf \(CONFIG_NET_SCH_TBF; try `modprobe sch_tbf`\)/);
  assert.equal(missingFeature(DEL, f), undefined);
});

test('missing: the netem verdict from /sys/module, modules.builtin, modules.dep and the config', () => {
  const none = { sysModule: false, builtin: undefined, dep: undefined, config: undefined, option: 'CONFIG_NET_SCH_NETEM' };
  assert.equal(moduleVerdict('sch_netem', none), undefined, 'nothing readable: unknown');
  assert.equal(moduleVerdict('sch_netem', { ...none, sysModule: true }), true);
  assert.equal(moduleVerdict('sch_netem', { ...none, builtin: 'kernel/net/sched/sch_netem.ko\n' }), true);
  const dep = 'kernel/net/sched/sch_tbf.ko.zst:\nkernel/net/sched/sch_netem.ko.zst:\n';
  assert.equal(moduleVerdict('sch_netem', { ...none, builtin: '', dep }), true);
  assert.equal(moduleVerdict('sch_netem', { ...none, builtin: 'kernel/net/sched/sch_netemx.ko\n', dep: '' }), false);
  assert.equal(moduleVerdict('sch_netem', { ...none, config: 'CONFIG_NET_SCH_NETEM=m\n' }), true);
  // This machine: no /lib/modules for its kernel, the config says it outright.
  assert.equal(moduleVerdict('sch_netem', { ...none, config: 'CONFIG_NET_SCH_TBF=y\n# CONFIG_NET_SCH_NETEM is not set\n' }), false);
});

test('fake kernel: records the root qdisc per link, shows it only when asked, deletes idempotently', () => {
  const k = new FakeKernel();
  k.run([
    { op: 'netns.create', name: 'lab-a' },
    { op: 'link.create', kind: 'veth', ns: 'lab-a', name: 'v1', ipv6: true, up: true, peer: { ns: HOST_NS, name: 'h-v1' } },
  ]);
  assert.deepEqual(k.run([TBF]), [{ ok: true }]);
  assert.equal(k.snapshot('lab-a')?.qdiscs, undefined);
  const q = k.snapshot('lab-a', { qdiscs: true })?.qdiscs?.find((x) => x.dev === 'v1');
  assert.deepEqual(q, { dev: 'v1', kind: 'tbf', handle: '8001:', parent: 'root', tbf: { rate: 1_250_000, burst: 4096, limit: 66_596 } });
  k.run([{ ...TBF, qdisc: { kind: 'tbf', rate: 125_000, burst: 1600, limit: 3000 } }]);
  assert.equal(k.snapshot('lab-a', { qdiscs: true })?.qdiscs?.find((x) => x.dev === 'v1')?.handle, '8001:', 'replaced in place');
  assert.deepEqual(k.run([DEL, DEL]), [{ ok: true }, { ok: true }]);
  assert.equal(k.snapshot('lab-a', { qdiscs: true })?.qdiscs?.find((x) => x.dev === 'v1')?.kind, 'noqueue');
  assert.equal(k.run([{ ...DEL, dev: 'gone' }])[0]?.ok, false);
  k.netemAbsent = true;
  const r = k.run([NETEM])[0];
  assert.ok(r && !r.ok && r.code === 'ENOENT');
});
