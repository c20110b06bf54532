// Routes a lab did not declare, as a routing daemon or a human adds them: a multipath route added
// by hand inside a node shows in `nslab show` with both next hops and its protocol, a daemon-style
// route (proto ospf, metric 20) to a prefix the lab declares changes nothing on the next `up`, and
// a link set down by hand is what `trace` reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipJson, labFile, nslabJson, nslabOk, withSandbox } from './lab.js';
import { triangle } from '../helpers/triangle.js';

const TRIANGLE = triangle({ r2: ['{ to: 10.0.3.0/24, via: 10.0.23.3 }'] }, 'mp');

type Route = { to: string; protocol: string; metric?: number; via?: string; dev?: string; nexthops?: Array<{ via?: string; dev?: string; weight?: number }> };
type Shown = { nodes: Array<{ name: string; routes: Route[] }> };
type Trace = { ok: boolean; request: { stop?: { code: string; at: string; message: string } } };

test('a multipath route added by hand shows both next hops and its protocol; a daemon route leaves up with nothing to do', (t) =>
  withSandbox(t, async (sb) => {
    const lab = labFile(TRIANGLE);
    try {
      await nslabOk(sb, 'up', lab.path);
      // As a human would, inside the lab: proto boot (ip's default), weights 1 and 2.
      await nslabOk(
        sb,
        'exec',
        'mp',
        'r1',
        '--',
        'ip',
        'route',
        'add',
        '10.9.0.0/24',
        'nexthop',
        'via',
        '10.0.12.2',
        'dev',
        'eth0',
        'weight',
        '1',
        'nexthop',
        'via',
        '10.0.13.3',
        'dev',
        'eth1',
        'weight',
        '2',
      );
      // As a routing daemon would: its own protocol and metric, to the prefix r2 declares.
      await nslabOk(
        sb,
        'exec',
        'mp',
        'r2',
        '--',
        'ip',
        'route',
        'add',
        '10.0.3.0/24',
        'proto',
        'ospf',
        'metric',
        '20',
        'nexthop',
        'via',
        '10.0.23.3',
        'dev',
        'eth1',
        'nexthop',
        'via',
        '10.0.12.1',
        'dev',
        'eth0',
      );

      const { value: shown } = await nslabJson<Shown>(sb, 'show', 'mp', 'r1');
      const mp = shown.nodes[0]?.routes.find((r) => r.to === '10.9.0.0/24');
      assert.deepEqual(mp, {
        to: '10.9.0.0/24',
        family: 4,
        protocol: 'boot',
        type: 'unicast',
        scope: 'global',
        nexthops: [
          { via: '10.0.12.2', dev: 'eth0', weight: 1 },
          { via: '10.0.13.3', dev: 'eth1', weight: 2 },
        ],
      });
      const text = await nslabOk(sb, 'show', 'mp', 'r1');
      assert.match(text, /^10\.9\.0\.0\/24 +10\.0\.12\.2 +eth0 +boot +- +1\/2 weight 1$/m, text);
      assert.match(text, /^ +10\.0\.13\.3 +eth1 +2\/2 weight 2$/m, text);

      const r2 = (await nslabJson<Shown>(sb, 'show', 'mp', 'r2')).value.nodes[0]!.routes.filter((r) => r.to === '10.0.3.0/24');
      assert.deepEqual(
        r2.map((r) => `${r.protocol} ${r.metric ?? 0} ${r.via ?? r.nexthops?.map((h) => h.via).join(',')}`),
        ['static 0 10.0.23.3', 'ospf 20 10.0.23.3,10.0.12.1'],
      );

      const again = await nslabOk(sb, 'up', lab.path);
      assert.match(again, /up to date/, again);
      const routes = await ipJson<Array<{ dst: string; protocol?: string }>>(sb, '-n', 'mp-r2', 'route', 'show', '10.0.3.0/24');
      assert.deepEqual(routes.map((r) => r.protocol).sort(), ['ospf', 'static'], 'both routes are still there');
      assert.equal((await ipJson<unknown[]>(sb, '-n', 'mp-r1', 'route', 'show', '10.9.0.0/24')).length, 1);

      // r3's end of the r2-r3 link set down by hand: trace from r2 to h3 names the link.
      await nslabOk(sb, 'exec', 'mp', 'r3', '--', 'ip', 'link', 'set', 'eth1', 'down');
      const { code, value: tr } = await nslabJson<Trace>(sb, 'trace', 'mp', 'r2', 'h3');
      assert.equal(code, 1);
      assert.equal(tr.request.stop?.code, 'link-down', JSON.stringify(tr));
      assert.match(tr.request.stop?.message ?? '', /the link r2:eth1 -> r3:eth1 is down/);
      await nslabOk(sb, 'down', 'mp');
    } finally {
      lab.done();
    }
  }));
