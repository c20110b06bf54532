// `nslab test` waiting for convergence, on the fakes and on virtual time: a route that appears
// after some rounds holds at the time of its round (--wait), a within: entry that never holds
// fails after its time with its reason, a negative entry that held early is checked again at
// the end, and --all probes an address found live on a node's lo.
import assert from 'node:assert/strict';
import { test as it } from 'node:test';
import type { Clock, WaitProgress } from '../../../src/lab/converge.js';
import { test } from '../../../src/lab/test.js';
import { up } from '../../../src/lab/up.js';
import type { StateRoot } from '../../../src/state/root.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: cv
networks:
  left: { subnet: 10.70.1.0/24 }
  right: { subnet: 10.70.2.0/24 }
nodes:
  a: { interfaces: { eth0: { network: left, address: 10.70.1.10/24 } } }
  r:
    forwarding: true
    interfaces:
      eth0: { network: left, address: 10.70.1.1/24 }
      eth1: { network: right, address: 10.70.2.1/24 }
  b:
    interfaces: { eth0: { network: right, address: 10.70.2.10/24 } }
    routes: [ { to: default, via: 10.70.2.1 } ]
`;

/** Virtual monotonic time: sleeping moves it, and each probe round takes 10 ms. */
function virtualClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

async function labUp(
  dir: string,
  state: StateRoot,
  expect: string,
): Promise<{ kernel: FakeKernel; system: FakeSystem; clock: ReturnType<typeof virtualClock> }> {
  const kernel = new FakeKernel();
  const system = new FakeSystem(kernel);
  await up({ file: writeLab(dir, `${LAB}${expect}`), openKernel: () => kernel, system, state });
  const clock = virtualClock();
  const before = system.onProbe;
  system.onProbe = (n, specs) => {
    clock.t += 10;
    before(n, specs);
  };
  return { kernel, system, clock };
}

const routeToRight = (k: FakeKernel): void => k.addRoute('cv-a', { to: '10.70.2.0/24', via: '10.70.1.1' });

it('--wait: a route that appears after 3 rounds holds at the end of the 4th, re-probing only what did not hold', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, clock } = await labUp(dir, state, 'expect:\n  - { from: a, to: r }\n  - { from: a, to: b }\n');
    const seen: string[][] = [];
    system.onProbe = (n, specs) => {
      clock.t += 10;
      seen.push(specs.map((s) => s.dst));
      if (n === 4) routeToRight(kernel); // there for the 4th round
    };
    const progress: WaitProgress[] = [];
    const r = await test({ target: 'cv', state, system, openKernel: () => kernel, clock, waitMs: 10_000, onProgress: (p) => progress.push(p) });
    assert.equal(r.report.failed, 0, JSON.stringify(r.report.rows));
    assert.equal(r.rounds, 4);
    assert.equal(r.waited, true);
    assert.deepEqual(seen, [['10.70.1.1', '10.70.2.10'], ['10.70.2.10'], ['10.70.2.10'], ['10.70.2.10']], 'only the pending entry is probed again');
    assert.deepEqual(clock.sleeps, [200, 300, 450], 'rounds 200 ms apart, backing off');
    const [ar, ab] = r.report.rows;
    assert.equal(ar?.heldMs, 10);
    assert.equal(ab?.heldMs, 10 + 200 + 10 + 300 + 10 + 450 + 10);
    assert.equal(ab?.withinMs, 10_000);
    assert.deepEqual(
      progress.map((p) => `${p.holding}/${p.total}`),
      ['1/2', '1/2', '1/2'],
    );
  }));

it('without --wait, an entry without within: is probed once and fails at once with its reason', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, clock } = await labUp(dir, state, 'expect:\n  - { from: a, to: b }\n');
    const r = await test({ target: 'cv', state, system, openKernel: () => kernel, clock });
    assert.equal(r.rounds, 1);
    assert.equal(r.waited, false);
    assert.equal(r.report.failed, 1);
    assert.equal(r.report.rows[0]?.reason, 'network unreachable');
    assert.equal(r.report.rows[0]?.withinMs, undefined);
    assert.deepEqual(clock.sleeps, []);
  }));

it('a within: entry that never holds fails after its time with its last reason; others are probed once; --wait caps within:', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, clock } = await labUp(dir, state, 'expect:\n  - { from: a, to: r }\n  - { from: a, to: b, within: 2s }\n');
    const counts = new Map<string, number>();
    system.onProbe = (_n, specs) => {
      clock.t += 10;
      for (const s of specs) counts.set(s.dst, (counts.get(s.dst) ?? 0) + 1);
    };
    const r = await test({ target: 'cv', state, system, openKernel: () => kernel, clock });
    const ab = r.report.rows[1]!;
    assert.equal(ab.ok, false);
    assert.equal(ab.reason, 'network unreachable');
    assert.equal(ab.withinMs, 2000);
    assert.equal(r.report.rows[0]?.withinMs, undefined);
    assert.equal(counts.get('10.70.1.1'), 1, 'the entry without within: is probed once');
    assert.ok(r.ms >= 2000 && r.ms < 2000 + 1000 + 50, `gave up after its time (${r.ms} ms)`);
    assert.ok(r.rounds > 2 && r.rounds < 10, `bounded (${r.rounds} rounds)`);
    // --wait shorter than within: wins.
    const capped = await test({ target: 'cv', state, system, openKernel: () => kernel, clock, waitMs: 500 });
    assert.equal(capped.report.rows[1]?.withinMs, 500);
    assert.equal(capped.report.rows[0]?.withinMs, 500, '--wait covers the entries without within: too');
  }));

it('a negative entry that held early is probed again at the end, and fails when it is reachable by then', () =>
  withStateDir(async (dir, state) => {
    const expect = 'expect:\n  - { from: a, to: b, reach: false, within: 5s }\n  - { from: r, to: 10.255.0.2, within: 5s }\n';
    const { kernel, system, clock } = await labUp(dir, state, expect);
    const seen: string[][] = [];
    system.onProbe = (n, specs) => {
      clock.t += 10;
      seen.push(specs.map((s) => s.dst));
      if (n === 3) {
        // A daemon converges: b's loopback /32 becomes known to r, and a learns b's network.
        kernel.run([{ op: 'addr.add', ns: 'cv-b', dev: 'lo', cidr: '10.255.0.2/32' }]);
        kernel.addRoute('cv-r', { to: '10.255.0.2/32', via: '10.70.2.10', protocol: 'bgp' });
        routeToRight(kernel);
      }
    };
    const r = await test({ target: 'cv', state, system, openKernel: () => kernel, clock });
    const [neg, pos] = r.report.rows;
    assert.equal(pos?.ok, true);
    assert.equal(neg?.ok, false, 'blocked early, reachable at the end: it does not hold');
    assert.equal(neg?.got, 'reached');
    assert.deepEqual(seen[seen.length - 1], ['10.70.2.10'], 'the negative entry was probed again at the end');
  }));

it('--all also probes addresses found live on the nodes (a /32 on lo), not loopback, link-local or down ones', () =>
  withStateDir(async (dir, state) => {
    const { kernel, system, clock } = await labUp(dir, state, '');
    kernel.run([
      { op: 'addr.add', ns: 'cv-r', dev: 'lo', cidr: '10.255.0.1/32' },
      { op: 'addr.add', ns: 'cv-r', dev: 'lo', cidr: '127.0.0.1/8' },
      { op: 'addr.add', ns: 'cv-r', dev: 'eth0', cidr: 'fe80::1/64' },
      { op: 'link.create', ns: 'cv-r', name: 'dummy0', kind: 'bridge', ipv6: false, up: false },
      { op: 'addr.add', ns: 'cv-r', dev: 'dummy0', cidr: '10.254.0.1/32' },
    ]);
    const r = await test({ target: 'cv', state, system, openKernel: () => kernel, clock, all: true });
    assert.deepEqual(r.live, [{ node: 'r', dev: 'lo', address: '10.255.0.1' }]);
    const live = r.report.rows.filter((x) => x.live !== undefined);
    assert.deepEqual(
      live.map((x) => `${x.from}>${x.to} ${x.dst} ${x.ok}`),
      ['a>r:lo 10.255.0.1 false', 'b>r:lo 10.255.0.1 true'],
      'b has a default route through r; a has no route to it',
    );
    assert.deepEqual(live[0]?.live, { dev: 'lo' });
  }));
