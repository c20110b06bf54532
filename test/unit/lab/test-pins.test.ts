// `nslab test` with neighbour pins, on the fakes: the pins are in place while the probes run and
// gone after, also when probing fails; the pinned probes say so to the probe engine; a run that
// fits the neighbour table learns, as traffic does.
import assert from 'node:assert/strict';
import { test as it } from 'node:test';
import type { ProbeSpec } from '../../../src/port/probe.js';
import { test } from '../../../src/lab/test.js';
import { up } from '../../../src/lab/up.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { withStateDir, writeLab } from '../helpers.js';

const LAB = `name: pn
networks:
  n: { subnet: 10.71.0.0/24, gateway: 10.71.0.1 }
nodes:
  a: { interfaces: { eth0: { network: n, address: 10.71.0.10/24 } } }
  b: { interfaces: { eth0: { network: n, address: 10.71.0.11/24 } } }
  c: { interfaces: { eth0: { network: n, address: 10.71.0.12/24 } } }
`;

const pinCount = (k: FakeKernel): number => [...k.pins.values()].reduce((n, m) => n + m.size, 0);

it('pinned probes run with their pins in place, which are removed afterwards', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    let during = 0;
    let specs: readonly ProbeSpec[] = [];
    const r = await test({
      state,
      target: 'pn',
      all: true,
      neighbours: 'pin',
      openKernel: () => kernel,
      system,
      prober: async (s) => {
        during = pinCount(kernel);
        specs = s;
        return s.map((x) => ({ id: x.id, reached: true, attempts: 1, sent: 1, received: 1 }));
      },
    });
    assert.equal(r.report.failed, 0);
    assert.equal(during, 6, 'one entry per ordered pair of the three nodes');
    assert.equal(r.neighbours.pinned, 6);
    assert.ok(specs.length === 6 && specs.every((s) => s.pinned === true));
    assert.equal(pinCount(kernel), 0);
    assert.match(r.notices.join('\n'), /permanent neighbour entries/);
  }));

it('pins are removed when probing throws', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    await assert.rejects(
      test({
        state,
        target: 'pn',
        gateways: true,
        neighbours: 'pin',
        openKernel: () => kernel,
        system,
        prober: async () => {
          assert.equal(pinCount(kernel), 6, 'three nodes to the gateway and back');
          throw new Error('boom');
        },
      }),
      /boom/,
    );
    assert.equal(pinCount(kernel), 0);
  }));

it('a run that fits the neighbour table learns: no pins, no pinned specs', () =>
  withStateDir(async (dir, state) => {
    const kernel = new FakeKernel();
    const system = new FakeSystem(kernel);
    await up({ file: writeLab(dir, LAB), openKernel: () => kernel, system, state });
    let specs: readonly ProbeSpec[] = [];
    const r = await test({
      state,
      target: 'pn',
      all: true,
      openKernel: () => kernel,
      system,
      prober: async (s) => {
        specs = s;
        return s.map((x) => ({ id: x.id, reached: true, attempts: 1, sent: 1, received: 1 }));
      },
    });
    assert.equal(r.neighbours.pinned, 0);
    assert.equal(kernel.pinLog.length, 0);
    assert.ok(specs.every((s) => s.pinned === undefined));
  }));
