// A long-lived process's up (lab/warm.ts): what it reuses from its previous up must never change
// what up does. Each warm sequence is replayed cold on a second fake kernel, and both must plan the
// same steps and leave the same kernel; the warm one must also skip what it claims to skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { HOST_NS, type LiveLink, type NsRef, type NsSnapshot, type SnapshotWhat } from '../../../src/port/kernel.js';
import { down } from '../../../src/lab/down.js';
import { up } from '../../../src/lab/up.js';
import { WarmLab } from '../../../src/lab/warm.js';
import { stateRootAt } from '../../../src/state/root.js';
import { withStateDir } from '../helpers.js';
import { join } from 'node:path';

/** A fake kernel that counts dumps of the host namespace (not lookups of named links, which the fake answers from one). */
class CountingKernel extends FakeKernel {
  hostDumps = 0;
  #lookup = false;
  override snapshot(ns: NsRef, what: SnapshotWhat = {}): NsSnapshot | undefined {
    if (ns === HOST_NS && !this.#lookup) this.hostDumps++;
    return super.snapshot(ns, what);
  }
  override links(ns: NsRef, names: readonly string[]): LiveLink[] | undefined {
    this.#lookup = true;
    try {
      return super.links(ns, names);
    } finally {
      this.#lookup = false;
    }
  }
}

function star(n: number, extra: Record<string, object> = {}, gateway = '10.9.0.1'): object {
  const nodes: Record<string, object> = {};
  for (let i = 1; i <= n; i++) nodes[`n${i}`] = { interfaces: { eth0: { network: 'lan' } } };
  return { name: 'w', networks: { lan: { subnet: '10.9.0.0/24', gateway } }, nodes: { ...nodes, ...extra } };
}

/** Ownership markers name the state root (each test's differs): left out of comparisons. */
const unmarked = (x: unknown): unknown => JSON.parse(JSON.stringify(x).replace(/nslab@[a-z0-9]+:/g, 'nslab@:'));

/** The same without interface indexes (a namespace made again gets new ones). */
const unindexed = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'index' || k === 'peerIndex' ? undefined : v)));

/** Every namespace of a fake kernel, as comparable data. */
function state(k: FakeKernel): unknown {
  return unmarked([HOST_NS, ...k.netnsList()].map((ns) => [ns, k.snapshot(ns)]));
}

test('warm ups plan what cold ups plan, and read the host only in part when only nodes change', () =>
  withStateDir(async (dir) => {
    const warmK = new CountingKernel();
    const coldK = new FakeKernel();
    const warmRoot = stateRootAt(join(dir, 'warm'));
    const coldRoot = stateRootAt(join(dir, 'cold'));
    const warm = new WarmLab(warmRoot);
    const steps = [
      star(4),
      star(4, { x1: { interfaces: { eth0: { network: 'lan' } } } }),
      star(4, { x1: { interfaces: { eth0: { network: 'lan', mtu: 1400 } } } }),
      star(3),
      star(3, {}, '10.9.0.254'),
      star(3, {}, '10.9.0.254'),
    ];
    for (const [i, value] of steps.entries()) {
      const dumps = warmK.hostDumps;
      const w = await up({ state: warmRoot, file: join(dir, 'w.yaml'), value, warm, openKernel: async () => warmK });
      const dumped = warmK.hostDumps - dumps;
      const c = await up({ state: coldRoot, file: join(dir, 'w.yaml'), value, openKernel: async () => coldK });
      assert.deepEqual(unmarked(w.commands), unmarked(c.commands), `step ${i}`);
      assert.deepEqual(state(warmK), state(coldK), `step ${i}`);
      // Only nodes changed (steps 1-3): the host's links are looked up by name, not dumped; a
      // changed gateway (step 4) is a host address: the host is read.
      if (i >= 1 && i <= 3) assert.equal(dumped, 0, `step ${i}: the host was dumped`);
      if (i === 4) assert.ok(dumped > 0, 'a changed host address reads the host');
    }
  }));

test('a warm up after someone else took the lab down builds it again in full', () =>
  withStateDir(async (dir, root) => {
    const k = new FakeKernel();
    const openKernel = async (): Promise<FakeKernel> => k;
    const warm = new WarmLab(root);
    const file = join(dir, 'w.yaml');
    await up({ state: root, file, value: star(3), warm, openKernel });
    const built = state(k);
    // Another process (the CLI) takes it down: a new journal is made by the next up.
    await down({ state: root, target: 'w', openKernel, waitMs: 0 });
    assert.deepEqual(k.netnsList(), []);
    const again = await up({ state: root, file, value: star(3), warm, openKernel });
    assert.ok(again.commands.length > 0);
    assert.deepEqual(unindexed(state(k)), unindexed(built));
    const none = await up({ state: root, file, value: star(3), warm, openKernel });
    assert.deepEqual(none.commands, [], 'and then changes nothing');
  }));

/** A fake kernel that records, per listing, which of its names the caller vouched for. */
class VouchKernel extends FakeKernel {
  readonly listings: string[][] = [];
  override netnsList(vouched?: (name: string) => boolean): string[] {
    const names = super.netnsList();
    this.listings.push(vouched ? names.filter(vouched) : []);
    return names;
  }
}

test('a warm up takes its own namespaces as listed only while no one else wrote the journal', () =>
  withStateDir(async (dir, root) => {
    const k = new VouchKernel();
    const openKernel = async (): Promise<FakeKernel> => k;
    const warm = new WarmLab(root);
    const file = join(dir, 'w.yaml');
    const vouched = async (value: object, w?: WarmLab): Promise<string[]> => {
      k.listings.length = 0;
      await up({ state: root, file, value, openKernel, ...(w ? { warm: w } : {}) });
      return k.listings[0] ?? [];
    };
    assert.deepEqual(await vouched(star(2), warm), [], 'the first up knows nothing yet');
    const x1 = { x1: { interfaces: { eth0: { network: 'lan' } } } };
    assert.deepEqual(await vouched(star(2, x1), warm), ['w-n1', 'w-n2'], 'its own, and no new name');
    // Another process (a cold up) changes the lab: its records are news to the warm one.
    await vouched(star(2), undefined);
    assert.deepEqual(await vouched(star(2, x1), warm), [], 'someone else wrote the journal');
    assert.deepEqual(await vouched(star(2, x1), warm), ['w-n1', 'w-n2', 'w-x1'], 'and after its own up, it knows again');
  }));
