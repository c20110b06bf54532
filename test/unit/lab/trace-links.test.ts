// `trace` on the in-memory kernel: a hop over a link that is down says so (instead of "add a
// route"), and a multipath route is followed where the kernel sends the flow, naming the others.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { trace, type TraceResult } from '../../../src/lab/trace.js';
import { up } from '../../../src/lab/up.js';
import { withStateDir, writeLab } from '../helpers.js';
import { triangle } from '../../helpers/triangle.js';

const TRIANGLE = triangle({ r2: ['{ to: 10.0.3.0/24, via: 10.0.23.3 }'], r3: ['{ to: 10.0.12.0/24, via: 10.0.13.1 }'] });

async function onLab(fn: (k: FakeKernel, t: (from: string, to: string) => Promise<TraceResult>) => Promise<void>): Promise<void> {
  await withStateDir(async (dir, state) => {
    const k = new FakeKernel();
    await up({ file: writeLab(dir, TRIANGLE), openKernel: () => k, system: new FakeSystem(k), state });
    await fn(k, (from, to) => trace({ lab: 'tri', from, to, openKernel: () => k, state }));
  });
}

test('with every link up, r2 reaches h3 through r3 and back', async () => {
  await onLab(async (_k, t) => {
    const r = await t('r2', 'h3');
    assert.equal(r.ok, true, JSON.stringify(r.request.stop ?? r.reply?.stop));
  });
});

test("the far end of the next hop's link is set down: the trace names the link, not a missing route", async () => {
  await onLab(async (k, t) => {
    k.run([{ op: 'link.set', ns: 'tri-r3', name: 'eth1', up: false }]);
    const r = await t('r2', 'h3');
    assert.equal(r.ok, false);
    assert.deepEqual(r.request.stop, {
      code: 'link-down',
      at: 'r2',
      message: 'the link r2:eth1 -> r3:eth1 is down: r3:eth1 is set down; bring it up with `ip -n tri-r3 link set eth1 up`',
    });
    assert.equal(r.request.hops.length, 1, 'the hop onto the link is shown, then the stop');
  });
});

test('a link without carrier (the cable cut) is down too', async () => {
  await onLab(async (k, t) => {
    k.setCarrier('tri-r2', 'eth1', false);
    const r = await t('r2', 'h3');
    assert.equal(r.request.stop?.code, 'link-down');
    assert.equal(r.request.stop?.message, 'the link r2:eth1 -> r3:eth1 is down: r2:eth1 has no carrier (its other end is down)');
  });
});

test('the egress interface set down (the kernel then drops its routes): link-down, not "add a route"', async () => {
  await onLab(async (k, t) => {
    k.run([{ op: 'link.set', ns: 'tri-r2', name: 'eth1', up: false }]);
    const r = await t('r2', 'h3');
    assert.deepEqual(r.request.stop, {
      code: 'link-down',
      at: 'r2',
      message: 'r2 has no route to 10.0.3.10: the link r2:eth1 -> r3:eth1 is down: r2:eth1 is set down; bring it up with `ip -n tri-r2 link set eth1 up`',
    });
    assert.equal(r.request.hops.length, 0);
  });
});

test("a daemon's multipath route: the trace follows the kernel's choice and names the other next hops", async () => {
  await onLab(async (k, t) => {
    k.addRoute('tri-r1', {
      to: '10.0.3.0/24',
      protocol: 'ospf',
      metric: 20,
      nexthops: [
        { via: '10.0.12.2', dev: 'eth0', weight: 1 },
        { via: '10.0.13.3', dev: 'eth1', weight: 1 },
      ],
    });
    const r = await t('r1', 'h3');
    assert.equal(r.ok, true, JSON.stringify(r.request.stop ?? r.reply?.stop));
    const first = r.request.hops[0]!;
    assert.equal(first.route, '10.0.3.0/24 via 10.0.12.2 dev eth0 proto ospf (one of 2 next hops)');
    assert.deepEqual(first.alternatives, ['via 10.0.13.3 dev eth1']);
    assert.deepEqual(
      r.request.hops.map((h) => `${h.at} ${h.outDev} -> ${h.toward}`),
      ['r1 eth0 -> r2:eth0', 'r2 eth1 -> r3:eth1', 'r3 eth2 -> h3:eth0'],
    );
  });
});
