// The links' faults `nslab ui` draws, on the fake kernel: nothing on a healthy lab, an end set
// down by `nslab link` makes its edge down (runtime), `nslab impair` makes it impaired with what is
// in force, a link shaped in the file is impaired without the runtime mark, and the live view
// carries the faults and the scenario timeline in every sample.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withFaults } from '../../../src/lab/fault-view.js';
import { labGraph } from '../../../src/lab/graph.js';
import { linkFaults } from '../../../src/lab/link-faults.js';
import { openLiveView } from '../../../src/lab/live.js';
import { impair, linkState } from '../../../src/lab/runtime.js';
import { up } from '../../../src/lab/up.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: lf
networks: { lan: { subnet: 10.1.0.0/24 } }
nodes:
  a: { interfaces: { eth0: { network: lan }, eth1: { peer: "b:eth1", address: 10.0.0.1/30 } } }
  b: { interfaces: { eth0: { network: lan, delay: 20ms }, eth1: { peer: "a:eth1", address: 10.0.0.2/30 } } }
`;

async function withLab(
  fn: (
    base: { state: import('../../../src/lab/config.js').StateRoot; lab: string; openKernel: () => Promise<FakeKernel>; netemMissing: () => undefined },
    k: FakeKernel,
  ) => Promise<void>,
): Promise<void> {
  await withStateDir(async (dir, state) => {
    const k = new FakeKernel();
    const openKernel = async (): Promise<FakeKernel> => k;
    const netemMissing = (): undefined => undefined;
    await up({ state, file: writeLab(dir, LAB), openKernel, netemMissing });
    await fn({ state, lab: 'lf', openKernel, netemMissing }, k);
  });
}

/** The id of the edge with a node end NODE:IFACE. */
function edgeOf(state: import('../../../src/lab/config.js').StateRoot, node: string, iface: string): string {
  const e = labGraph(state, 'lf').model.edges.find((x) => [x.a, x.b].some((end) => end.vertex === `node:${node}` && end.iface === iface));
  assert.ok(e, `no edge for ${node}:${iface}`);
  return e.id;
}

test('a declared delay is impaired, not runtime; healthy links have no fault', () =>
  withLab(async (base) => {
    const f = await linkFaults(base);
    const shaped = edgeOf(base.state, 'b', 'eth0');
    assert.deepEqual(Object.keys(f.edges), [shaped]);
    const e = f.edges[shaped]!;
    assert.equal(e.down, false);
    assert.equal(e.impaired, true);
    assert.equal(e.runtime, false);
    assert.equal(e.label, 'delay 20ms');
    assert.ok(e.details.includes('b:eth0 sends: delay 20ms'), e.details.join('\n'));
  }));

test('nslab link down: the edge is down (runtime), and up again clears it', () =>
  withLab(async (base) => {
    const p2p = edgeOf(base.state, 'a', 'eth1');
    await linkState({ ...base, end: 'a:eth1', up: false });
    const e = (await linkFaults(base)).edges[p2p];
    assert.ok(e);
    assert.equal(e.down, true);
    assert.equal(e.runtime, true);
    assert.equal(e.label, 'down (runtime)');
    assert.ok(e.details.includes('a:eth1 set down (runtime)'), e.details.join('\n'));
    await linkState({ ...base, end: 'a:eth1', up: true });
    assert.equal((await linkFaults(base)).edges[p2p], undefined);
  }));

test('nslab impair: the edge is impaired with what is in force, marked runtime', () =>
  withLab(async (base) => {
    const p2p = edgeOf(base.state, 'a', 'eth1');
    await impair({ ...base, end: 'a:eth1', shape: { rate: 1_250_000, lossPct: 20 } });
    const e = (await linkFaults(base)).edges[p2p];
    assert.ok(e);
    assert.equal(e.down, false);
    assert.equal(e.impaired, true);
    assert.equal(e.runtime, true);
    assert.match(e.label, /^rate 10mbit loss 20% \(runtime\)$/);
    assert.ok(
      e.details.some((d) => /a:eth1: impaired at run time/.test(d)),
      e.details.join('\n'),
    );
  }));

test('the live view with faults: every sample carries the faults and no scenario until one ran', () =>
  withLab(async (base) => {
    const view = withFaults(openLiveView({ state: base.state, openKernel: base.openKernel }), base);
    try {
      await linkState({ ...base, end: 'a:eth1', up: false });
      const t = await view.tick();
      assert.deepEqual(
        t.labs.map((l) => l.lab),
        ['lf'],
      );
      assert.equal(t.faults['lf']![edgeOf(base.state, 'a', 'eth1')]?.down, true);
      assert.deepEqual(t.scenarios, {});
    } finally {
      view.close();
    }
  }));
