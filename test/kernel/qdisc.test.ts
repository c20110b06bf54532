// Root test: a tbf on a veth end through LinuxKernel.run, read back through the qdisc dump and by
// tc itself, replaced, deleted (twice: the second delete finds the default and is done). netem is
// refused on kernels without sch_netem; then the result says which module is missing.
// Also what "cutting the cable" (link.set up:false on one end) shows on both ends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS as H, type KernelOp, type LiveLink, type LiveQdisc, type NsSnapshot, type OpResult } from '../../src/port/kernel.js';
import { qdiscKindMissing } from '../../src/kernel/qdisc-support.js';
import { NETEM_MISSING } from '../../src/ops/missing.js';
import { drive, eventually, inSandbox, sh } from './helpers.js';

const SETUP: KernelOp[] = [
  { op: 'netns.create', name: 'qa' },
  // Explicit, different ifindexes: see the cut-cable test below.
  { op: 'link.create', kind: 'veth', ns: 'qa', name: 'eth0', index: 2, ipv6: false, up: true, peer: { ns: H, name: 'qa-eth0', index: 40 } },
  { op: 'link.set', ns: H, name: 'qa-eth0', up: true },
];
const TBF: KernelOp = { op: 'qdisc.replace', ns: 'qa', dev: 'eth0', qdisc: { kind: 'tbf', rate: 1_250_000, burst: 4096, latencyUs: 50_000 } };
const TBF2: KernelOp = { op: 'qdisc.replace', ns: 'qa', dev: 'eth0', qdisc: { kind: 'tbf', rate: 125_000, burst: 1600, limit: 3000 } };
const DEL: KernelOp = { op: 'qdisc.delete', ns: 'qa', dev: 'eth0' };
const NETEM: KernelOp = { op: 'qdisc.replace', ns: 'qa', dev: 'eth0', qdisc: { kind: 'netem', delayUs: 20_000, lossPct: 1 } };

const root = (s: NsSnapshot, dev: string): LiveQdisc | undefined => s.qdiscs?.find((q) => q.dev === dev && q.parent === 'root');
const link = (s: NsSnapshot, name: string): LiveLink | undefined => s.links.find((l) => l.name === name);

test('tbf on a veth end: applied, read back, replaced, deleted (idempotently)', (t) =>
  inSandbox(t, async (sb) => {
    const [, setup, first, snap1, plain] = (await drive(sb, [
      { open: {} },
      { run: SETUP },
      { run: [TBF] },
      { snapshot: 'qa', qdiscs: true },
      { snapshot: 'qa' },
    ])) as [unknown, OpResult[], OpResult[], NsSnapshot, NsSnapshot];
    assert.ok(setup.every((r) => r.ok) && first.every((r) => r.ok), JSON.stringify([setup, first]));
    assert.deepEqual(root(snap1, 'eth0')?.tbf, { rate: 1_250_000, burst: 4096, limit: 66_596 });
    assert.equal(root(snap1, 'eth0')?.kind, 'tbf');
    assert.match(root(snap1, 'eth0')?.handle ?? '', /^[0-9a-f]+:$/);
    assert.equal(snap1.qdiscs?.filter((q) => q.dev === 'eth0').length, 1, 'one root qdisc, replacing the default');
    assert.equal(plain.qdiscs, undefined, 'a plain snapshot does not dump qdiscs');
    // tc reads the same qdisc: 10Mbit, 4Kb burst, 50ms latency.
    assert.match(await sh(sb, 'tc', '-n', 'qa', 'qdisc', 'show', 'dev', 'eth0'), /qdisc tbf \w+: root .*rate 10Mbit burst 4Kb lat 50ms/);

    const [, , replaced, snap2, deleted, snap3] = (await drive(sb, [
      { open: {} },
      { run: [TBF2] },
      { run: [TBF2] },
      { snapshot: 'qa', qdiscs: true },
      { run: [DEL, DEL] },
      { snapshot: 'qa', qdiscs: true },
    ])) as [unknown, OpResult[], OpResult[], NsSnapshot, OpResult[], NsSnapshot];
    assert.ok(
      replaced.every((r) => r.ok),
      JSON.stringify(replaced),
    );
    assert.deepEqual(root(snap2, 'eth0')?.tbf, { rate: 125_000, burst: 1600, limit: 3000 });
    assert.deepEqual(deleted, [{ ok: true }, { ok: true }], 'the second delete finds the default: done');
    assert.equal(root(snap3, 'eth0')?.kind, 'noqueue');
    assert.match(await sh(sb, 'tc', '-n', 'qa', 'qdisc', 'show', 'dev', 'eth0'), /qdisc noqueue 0: root/);

    // The host end was never touched; a missing device stays an error.
    const [, missing] = (await drive(sb, [{ open: {} }, { run: [{ ...DEL, dev: 'nope0' }] }])) as [unknown, OpResult[]];
    assert.equal(missing[0]?.ok === false && missing[0].code, 'ENODEV');
  }));

test('netem: refused with the missing module named when this kernel lacks it, else read back', (t) =>
  inSandbox(t, async (sb) => {
    const [, setup, res, snap] = (await drive(sb, [{ open: {} }, { run: SETUP }, { run: [NETEM] }, { snapshot: 'qa', qdiscs: true }])) as [
      unknown,
      OpResult[],
      OpResult[],
      NsSnapshot,
    ];
    assert.ok(
      setup.every((r) => r.ok),
      JSON.stringify(setup),
    );
    const r = res[0];
    if (qdiscKindMissing('netem') !== undefined) {
      // Measured: ENOENT, "Specified qdisc kind is unknown."
      assert.ok(r && !r.ok, JSON.stringify(r));
      assert.equal(r.code, 'ENOENT');
      assert.ok(r.message.startsWith(`${NETEM_MISSING}: `), r.message);
    } else {
      assert.deepEqual(r, { ok: true });
      assert.equal(root(snap, 'eth0')?.netem?.delayUs, 20_000);
      assert.equal(root(snap, 'eth0')?.netem?.lossPct, 1);
    }
  }));

// A cut cable: taking one veth end down (link.set up:false) is all it takes. The end set down
// shows up:false, operstate DOWN; its peer keeps IFF_UP (up:true) but loses its carrier: `ip link`
// shows NO-CARRIER, and operstate LOWERLAYERDOWN when both ends share a namespace (measured with
// ip) but DOWN when the peer is in another one (measured here). Setting the end
// up again brings both back to UP. Nothing passes meanwhile in either direction. Operstates
// change asynchronously (the kernel's link watch, within a second): read them until they settle.
test('link down as a cut cable: the peer loses its carrier, and comes back', (t) =>
  inSandbox(t, async (sb) => {
    const [, setup, cut] = (await drive(sb, [{ open: {} }, { run: SETUP }, { run: [{ op: 'link.set', ns: 'qa', name: 'eth0', up: false }] }])) as [
      unknown,
      OpResult[],
      OpResult[],
    ];
    assert.ok([...setup, ...cut].every((r) => r.ok));
    const ends = async (): Promise<string> => {
      const [, host, inside] = (await drive(sb, [{ open: {} }, { snapshot: H }, { snapshot: 'qa' }])) as [unknown, NsSnapshot, NsSnapshot];
      const show = (l: LiveLink | undefined): string => `${l?.up ? 'up' : 'down'}/${l?.operstate}`;
      return `${show(link(inside, 'eth0'))} ${show(link(host, 'qa-eth0'))}`;
    };
    let seen = '';
    const settled = async (want: RegExp): Promise<boolean> => {
      seen = await ends();
      return want.test(seen);
    };
    assert.ok(await eventually(() => settled(/^down\/DOWN up\/(DOWN|LOWERLAYERDOWN)$/)), seen);
    const [, mend] = (await drive(sb, [{ open: {} }, { run: [{ op: 'link.set', ns: 'qa', name: 'eth0', up: true }] }])) as [unknown, OpResult[]];
    assert.ok(mend.every((r) => r.ok));
    assert.ok(await eventually(() => settled(/^up\/UP up\/UP$/)), seen);
  }));
