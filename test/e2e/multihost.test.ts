// One lab over three simulated machines: each machine is a namespace on an underlay bridge
// (192.0.2.0/24) and builds its part with `up --as M --host-netns M`. Nodes on different machines
// reach each other through VXLAN from the first probe, `test --as` passes from every machine, one
// machine's part is rebuilt alone, and `down --as` on each leaves nothing behind. A peer link
// between machines is a VXLAN pair: each node's interface a vxlan end to the other machine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sh } from '../helpers/checks.js';
import type { Sandbox } from '../helpers/sandbox.js';
import { ipJson, labFile, nslab, nslabJson, nslabOk, withSandbox } from './lab.js';

const MACHINES = ['m1', 'm2', 'm3'] as const;

const LAB = `name: mh
machines:
  m1: { address: 192.0.2.1 }
  m2: { address: 192.0.2.2, mtu: 1400 }
  m3: { address: 192.0.2.3 }
networks:
  lan: { subnet: 10.20.0.0/24, gateway: 10.20.0.1 }
  back: { subnet: 10.21.0.0/24 }
nodes:
  a: { machine: m1, interfaces: { eth0: { network: lan }, eth1: { network: back } } }
  b: { machine: m2, interfaces: { eth0: { network: lan } } }
  c: { machine: m3, interfaces: { eth0: { network: lan }, eth1: { network: back } } }
  d: { interfaces: { eth0: { network: lan } } }
expect:
  - { from: a, to: b }
  - { from: a, to: c }
  - { from: b, to: a }
  - { from: b, to: c }
  - { from: b, to: 10.20.0.1 }
  - { from: c, to: a }
  - { from: c, to: "a:eth1" }
  - { from: c, to: b }
  - { from: d, to: b }
`;

interface Report {
  machine?: string;
  report: { passed: number; failed: number; rows: Array<{ from: string; to: string; ok: boolean; reason?: string }> };
}

/** Three machine namespaces on one underlay bridge, each with its underlay address. */
async function machines(sb: Sandbox): Promise<void> {
  await sh(sb, 'ip', 'link', 'add', 'under', 'type', 'bridge');
  await sh(sb, 'ip', 'link', 'set', 'under', 'up');
  for (const [i, m] of MACHINES.entries()) {
    await sh(sb, 'ip', 'netns', 'add', m);
    await sh(sb, 'ip', 'link', 'add', `u-${m}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', m);
    await sh(sb, 'ip', 'link', 'set', `u-${m}`, 'master', 'under', 'up');
    await sh(sb, 'ip', '-n', m, 'addr', 'add', `192.0.2.${i + 1}/24`, 'dev', 'eth0');
    await sh(sb, 'ip', '-n', m, 'link', 'set', 'eth0', 'up');
    await sh(sb, 'ip', '-n', m, 'link', 'set', 'lo', 'up');
  }
}

/** `test --as M --json`, every row must hold. */
async function testFrom(sb: Sandbox, file: string, m: string, ...extra: string[]): Promise<Report> {
  const r = await nslabJson<Report>(sb, 'test', file, '--as', m, ...extra);
  const bad = r.value.report.rows.filter((x) => !x.ok);
  assert.equal(r.code, 0, `test --as ${m}: ${JSON.stringify(bad)}`);
  assert.equal(r.value.machine, m);
  return r.value;
}

/** What a machine namespace holds besides its underlay: links and nslab's namespaces. */
async function machineLinks(sb: Sandbox, m: string): Promise<string[]> {
  const links = await ipJson<Array<{ ifname: string }>>(sb, '-n', m, 'link', 'show');
  return links.map((l) => l.ifname).filter((n) => n !== 'lo' && n !== 'eth0');
}

test('a lab over three machines: vxlan between them, test --as from each, one part rebuilt alone, down --as leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const lab = labFile(LAB);
    try {
      await machines(sb);
      const plan = await nslabOk(sb, 'up', lab.path, '--as', 'm1', '--host-netns', 'm1', '--dry-run');
      assert.match(plan, /# machine m1 \(192\.0\.2\.1\): 2 node\(s\): a, d/);
      assert.match(plan, /type vxlan id \d+ local 192\.0\.2\.1 dstport 4789 nolearning/);
      for (const m of MACHINES) await nslabOk(sb, 'up', lab.path, '--as', m, '--host-netns', m);
      // The first probe after the last up: one attempt each, no retries.
      for (const m of MACHINES) await testFrom(sb, lab.path, m, '--attempts', '1');
      // A network shared with m2 (underlay MTU 1400) carries 1350 on its interfaces; `back` (m1, m3) 1450.
      const mtu = async (ns: string, dev: string): Promise<number> => (await ipJson<Array<{ mtu: number }>>(sb, '-n', ns, 'link', 'show', dev))[0]!.mtu;
      assert.equal(await mtu('mh-a', 'eth0'), 1350);
      assert.equal(await mtu('mh-a', 'eth1'), 1450);
      // m1's tunnel of `lan` floods to m2 and m3; m2 has no `back`, so no tunnel of it.
      const fdb = await sh(sb, 'bridge', '-n', 'm1', 'fdb', 'show');
      assert.match(fdb, /00:00:00:00:00:00 dev \S+ dst 192\.0\.2\.2 self permanent/);
      assert.match(fdb, /00:00:00:00:00:00 dev \S+ dst 192\.0\.2\.3 self permanent/);
      assert.equal((await machineLinks(sb, 'm2')).filter((n) => n.startsWith('mh.')).length, 1);
      // show --as: the machine of every node, and this machine's tunnels as the kernel has them.
      const shown = await nslabOk(sb, 'show', 'mh', '--as', 'm1');
      assert.match(shown, /m2\s+192\.0\.2\.2\s+b/);
      assert.match(shown, /lan\s+mh\.\w+\s+\d+\s+192\.0\.2\.2 192\.0\.2\.3\s+UNKNOWN\s+1350/);

      // m2 again changes nothing; then m2 alone is taken down and rebuilt, and everyone reaches it.
      assert.match(await nslabOk(sb, 'up', lab.path, '--as', 'm2', '--host-netns', 'm2'), /up to date/);
      await nslabOk(sb, 'down', lab.path, '--as', 'm2', '--wait');
      assert.deepEqual(await machineLinks(sb, 'm2'), [], 'm2 is empty after its down');
      assert.ok((await machineLinks(sb, 'm1')).length > 0, "m1's part is untouched by m2's down");
      await nslabOk(sb, 'up', lab.path, '--as', 'm2', '--host-netns', 'm2');
      // The rebuilt node keeps its MAC (derived from its names), so the others' neighbour entries
      // for it still hold: the first probe gets through again.
      for (const m of MACHINES) await testFrom(sb, lab.path, m, '--attempts', '1');

      for (const m of MACHINES) await nslabOk(sb, 'down', lab.path, '--as', m, '--wait');
      for (const m of MACHINES) assert.deepEqual(await machineLinks(sb, m), [], `${m} holds nothing of the lab`);
      assert.deepEqual(
        (await sh(sb, 'ip', 'netns', 'list')).split('\n').filter((l) => l.startsWith('mh-')),
        [],
      );
      assert.equal((await sh(sb, 'ip', 'link', 'show', 'type', 'vxlan')).trim(), '', 'no vxlan device leaked into the sandbox host');
    } finally {
      for (const m of MACHINES) await nslab(sb, 'down', lab.path, '--as', m);
      lab.done();
    }
  }));

const PAIR = `name: pp
machines:
  m1: { address: 192.0.2.1 }
  m2: { address: 192.0.2.2, mtu: 1400 }
nodes:
  a: { machine: m1, interfaces: { p: { peer: "b:p", address: 10.9.0.1/30 } } }
  b: { machine: m2, interfaces: { p: { peer: "a:p", address: 10.9.0.2/30 } }, routes: [ { to: 10.8.0.0/16, via: 10.9.0.1 } ] }
expect:
  - { from: a, to: b }
  - { from: b, to: a }
`;

test('a peer link between two machines is a VXLAN pair: pings from the first probe, up again changes nothing, one end rebuilt alone, down --as leaves nothing', (t) =>
  withSandbox(t, async (sb) => {
    const lab = labFile(PAIR);
    const both = ['m1', 'm2'] as const;
    try {
      await machines(sb);
      const plan = await nslabOk(sb, 'up', lab.path, '--as', 'm1', '--host-netns', 'm1', '--dry-run');
      assert.match(plan, /ip (-n m1 )?link add p netns pp-a mtu 1350 .*type vxlan id \d+ remote 192\.0\.2\.2 local 192\.0\.2\.1 dstport 4789/);
      for (const m of both) await nslabOk(sb, 'up', lab.path, '--as', m, '--host-netns', m);
      for (const m of both) await testFrom(sb, lab.path, m, '--attempts', '1');
      // The node's interface is the tunnel end, its UDP socket in the machine's namespace.
      const end = await sh(sb, 'ip', '-n', 'pp-a', '-d', 'link', 'show', 'p');
      assert.match(end, /mtu 1350 /, "the smaller underlay MTU (m2's 1400) less 50");
      assert.match(end, /link-netns|link-netnsid/);
      assert.match(end, /vxlan id \d+ remote 192\.0\.2\.2 local 192\.0\.2\.1 /);
      const vni = /vxlan id (\d+)/.exec(end)?.[1];
      assert.match(await sh(sb, 'ip', '-n', 'pp-b', '-d', 'link', 'show', 'p'), new RegExp(`vxlan id ${vni} remote 192\\.0\\.2\\.1 local 192\\.0\\.2\\.2 `));
      assert.deepEqual(await machineLinks(sb, 'm1'), [], 'nothing of the pair in the machine namespace');
      assert.match(await nslabOk(sb, 'show', 'pp', '--as', 'm1'), new RegExp(`b:p \\(vxlan ${vni} to m2\\)`));
      // The pair's VNI is taken on the machine: another lab asking for it is refused in one line.
      const other = labFile(
        `name: x\nmachines:\n  m1: { address: 192.0.2.1 }\n  m2: { address: 192.0.2.2 }\nnetworks:\n  lan: { subnet: 10.40.0.0/24, vni: ${vni} }\nnodes:\n  a: { machine: m1, interfaces: { eth0: { network: lan } } }\n  b: { machine: m2, interfaces: { eth0: { network: lan } } }\n`,
      );
      try {
        const r = await nslab(sb, 'up', other.path, '--as', 'm1', '--host-netns', 'm1');
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`VNI ${vni} is already used by another vxlan device`));
      } finally {
        await nslab(sb, 'down', other.path, '--as', 'm1', '--wait');
        other.done();
      }
      for (const m of both) assert.match(await nslabOk(sb, 'up', lab.path, '--as', m, '--host-netns', m), /up to date/);

      await nslabOk(sb, 'down', lab.path, '--as', 'm2', '--wait');
      assert.equal((await sh(sb, 'ip', 'netns', 'list')).includes('pp-b'), false);
      await nslabOk(sb, 'up', lab.path, '--as', 'm2', '--host-netns', 'm2');
      for (const m of both) await testFrom(sb, lab.path, m, '--attempts', '1');

      for (const m of both) await nslabOk(sb, 'down', lab.path, '--as', m, '--wait');
      for (const m of both) assert.deepEqual(await machineLinks(sb, m), [], `${m} holds nothing of the lab`);
      assert.deepEqual(
        (await sh(sb, 'ip', 'netns', 'list')).split('\n').filter((l) => l.startsWith('pp-')),
        [],
      );
    } finally {
      for (const m of both) await nslab(sb, 'down', lab.path, '--as', m);
      lab.done();
    }
  }));

test('up --as refuses a machine the file does not declare, and a file without machines', (t) =>
  withSandbox(t, async (sb) => {
    const lab = labFile(LAB);
    const single = labFile('name: one\nnodes:\n  a: {}\n');
    try {
      const r = await nslab(sb, 'up', lab.path, '--as', 'm9');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /has no machine m9; its machines are m1, m2, m3/);
      const s = await nslab(sb, 'up', single.path, '--as', 'm1');
      assert.equal(s.code, 2);
      assert.match(s.stderr, /declares no machines/);
    } finally {
      lab.done();
      single.done();
    }
  }));

test('up --as refuses a VNI another lab already uses on that machine, in one line that says so', (t) =>
  withSandbox(t, async (sb) => {
    const pair = (name: string, net: string): string =>
      `name: ${name}\nmachines:\n  m1: { address: 192.0.2.1 }\n  m2: { address: 192.0.2.2 }\nnetworks:\n  ${net}: { subnet: 10.${name === 'x' ? 40 : 41}.0.0/24, vni: 4242 }\nnodes:\n  a: { machine: m1, interfaces: { eth0: { network: ${net} } } }\n  b: { machine: m2, interfaces: { eth0: { network: ${net} } } }\n`;
    const [x, y] = [labFile(pair('x', 'lan')), labFile(pair('y', 'wan'))];
    try {
      await machines(sb);
      await nslabOk(sb, 'up', x.path, '--as', 'm1', '--host-netns', 'm1');
      const r = await nslab(sb, 'up', y.path, '--as', 'm1', '--host-netns', 'm1');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /VNI 4242 is already used by another vxlan device/);
      await nslabOk(sb, 'down', y.path, '--as', 'm1', '--wait');
      await nslabOk(sb, 'down', x.path, '--as', 'm1', '--wait');
      assert.deepEqual(await machineLinks(sb, 'm1'), []);
    } finally {
      for (const f of [x, y]) {
        await nslab(sb, 'down', f.path, '--as', 'm1');
        f.done();
      }
    }
  }));
