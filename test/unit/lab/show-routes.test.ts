// `show` on the in-memory kernel: a routing daemon's multipath route appears with its protocol,
// metric and every next hop, in the table and in the JSON.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeKernel } from '../../helpers/fake-kernel.js';
import { FakeSystem } from '../../helpers/fake-system.js';
import { renderRoutes } from '../../../src/cli/commands/show.js';
import { show } from '../../../src/lab/show.js';
import { up } from '../../../src/lab/up.js';
import { withStateDir, writeLab } from '../helpers.js';
import { triangle } from '../../helpers/triangle.js';

export const TRIANGLE = triangle({ r2: ['{ to: 10.0.13.0/24, via: 10.0.23.3 }'] });

const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, '');

test("show lists a daemon's multipath route with protocol, metric and each next hop (table and JSON)", async () => {
  await withStateDir(async (dir, state) => {
    const k = new FakeKernel();
    await up({ file: writeLab(dir, TRIANGLE), openKernel: () => k, system: new FakeSystem(k), state });
    k.addRoute('tri-r1', {
      to: '10.0.3.0/24',
      protocol: 'ospf',
      metric: 20,
      nexthops: [
        { via: '10.0.12.2', dev: 'eth0', weight: 1 },
        { via: '10.0.13.3', dev: 'eth1', weight: 1 },
      ],
    });
    const s = await show({ lab: 'tri', node: 'r1', openKernel: () => k, state });
    const r1 = s.nodes[0]!;
    const ospf = r1.routes.find((r) => r.to === '10.0.3.0/24');
    assert.deepEqual(ospf, {
      to: '10.0.3.0/24',
      family: 4,
      protocol: 'ospf',
      metric: 20,
      type: 'unicast',
      scope: 'global',
      nexthops: [
        { via: '10.0.12.2', dev: 'eth0', weight: 1 },
        { via: '10.0.13.3', dev: 'eth1', weight: 1 },
      ],
    });
    // --json prints the verb's data as is: the same fields survive a round trip.
    assert.deepEqual(
      JSON.parse(JSON.stringify(s)).nodes[0].routes.find((r: { to: string }) => r.to === '10.0.3.0/24'),
      ospf,
    );
  });
});

test('the routes table: a row per single-path route, a row per next hop of a multipath one', () => {
  const text = renderRoutes([
    { to: '0.0.0.0/0', family: 4, via: '10.0.3.1', dev: 'eth0', protocol: 'static', type: 'unicast', scope: 'global' },
    { to: '10.0.12.0/24', family: 4, dev: 'eth0', protocol: 'kernel', type: 'unicast', scope: 'link', src: '10.0.12.1', linkdown: true },
    {
      to: '10.0.3.0/24',
      family: 4,
      protocol: 'ospf',
      metric: 20,
      type: 'unicast',
      scope: 'global',
      nexthops: [
        { via: '10.0.12.2', dev: 'eth0', weight: 1 },
        { via: '10.0.13.3', dev: 'eth1', weight: 2, linkdown: true },
      ],
    },
  ]);
  assert.equal(
    plain(text),
    [
      'ROUTE                VIA        DEV   PROTO   METRIC  NEXTHOP',
      'default (0.0.0.0/0)  10.0.3.1   eth0  static  -       -',
      '10.0.12.0/24         -          eth0  kernel  -       linkdown',
      '10.0.3.0/24          10.0.12.2  eth0  ospf    20      1/2 weight 1',
      '                     10.0.13.3  eth1                  2/2 weight 2 linkdown',
    ].join('\n'),
  );
});
