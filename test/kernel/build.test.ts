// Root test: LinuxKernel.run builds two namespaces, a bridge on the sandbox host and veths (two
// bridged, one point-to-point), with IPv4 and IPv6 addresses and routes; checked with ip -j and
// ping, then read back through snapshot().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_NS as H, type KernelOp, type LiveLink, type NsSnapshot, type OpResult } from '../../src/port/kernel.js';
import { drive, inSandbox, ipJson, pings } from './helpers.js';

/** The lab: bridge kbr0 (host) ← ta:eth0, tb:eth0; ta:p2p ↔ tb:p2p. */
export const BUILD: KernelOp[] = [
  { op: 'link.create', kind: 'bridge', ns: H, name: 'kbr0', alias: 'nslab:t:net:lan', ipv6: false, up: true },
  // kbr0 was created without an index: this forces a send and a lookup inside the batch.
  { op: 'addr.add', ns: H, dev: 'kbr0', cidr: '10.50.0.1/24' },
  { op: 'addr.add', ns: H, dev: 'kbr0', cidr: 'fd50::1/64' },
  { op: 'netns.create', name: 'ta' },
  { op: 'netns.create', name: 'tb' },
  { op: 'link.set', ns: 'ta', name: 'lo', up: true },
  { op: 'link.create', kind: 'veth', ns: 'ta', name: 'eth0', index: 2, ipv6: true, up: true, peer: { ns: H, name: 'ta-eth0' } },
  { op: 'addr.add', ns: 'ta', dev: 'eth0', cidr: '10.50.0.2/24' },
  { op: 'addr.add', ns: 'ta', dev: 'eth0', cidr: 'fd50::2/64' },
  { op: 'route.add', ns: 'ta', to: 'default', via: '10.50.0.1' },
  { op: 'link.create', kind: 'veth', ns: 'ta', name: 'p2p', mtu: 1400, ipv6: false, up: true, peer: { ns: 'tb', name: 'p2p', mtu: 1400 } },
  { op: 'addr.add', ns: 'ta', dev: 'p2p', cidr: '10.60.0.1/30' },
  { op: 'link.set', ns: 'tb', name: 'lo', up: true },
  // No ipv6:false here: the veth's own ipv6:false already covers this end (as the planner expects).
  { op: 'link.set', ns: 'tb', name: 'p2p', up: true },
  { op: 'addr.add', ns: 'tb', dev: 'p2p', cidr: '10.60.0.2/30' },
  { op: 'link.create', kind: 'veth', ns: 'tb', name: 'eth0', ipv6: true, up: true, peer: { ns: H, name: 'tb-eth0' } },
  { op: 'addr.add', ns: 'tb', dev: 'eth0', cidr: '10.50.0.3/24' },
  { op: 'addr.add', ns: 'tb', dev: 'eth0', cidr: 'fd50::3/64' },
  { op: 'route.add', ns: 'tb', to: '10.70.0.0/16', via: '10.60.0.1' },
  { op: 'route.add', ns: 'tb', to: 'default', via: 'fd50::1' },
  { op: 'route.add', ns: 'tb', to: '10.80.0.0/16', dev: 'eth0' },
  { op: 'link.set', ns: H, name: 'ta-eth0', master: 'kbr0', up: true },
  { op: 'link.set', ns: H, name: 'tb-eth0', master: 'kbr0', up: true },
];

/** A veth whose peer's namespace no later op touches: its peer settings go out at the end. */
const SOLO: KernelOp = { op: 'link.create', kind: 'veth', ns: 'ta', name: 'solo', ipv6: false, up: false, peer: { ns: H, name: 'ta-solo' } };

interface IpLink {
  ifname: string;
  ifindex: number;
  flags: string[];
  mtu: number;
  master?: string;
  ifalias?: string;
  linkinfo?: { info_kind?: string };
}
interface IpAddr {
  addr_info: { family: string; local: string; prefixlen: number; scope: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
}

const cidrs = (a: IpAddr[]): string[] => (a[0]?.addr_info ?? []).map((x) => `${x.local}/${x.prefixlen}`);

test('run() builds namespaces, a bridge, bridged and point-to-point veths, addresses and routes', (t) =>
  inSandbox(t, ['ping'], async (sb) => {
    const [, results] = (await drive(sb, [{ open: {} }, { run: BUILD }])) as [unknown, OpResult[]];
    assert.deepEqual(
      results.map((r, i) => (r.ok ? 'ok' : `${i}: ${r.code} ${r.message}`)),
      BUILD.map(() => 'ok'),
    );

    const [br] = await ipJson<IpLink[]>(sb, '-d', 'link', 'show', 'kbr0');
    assert.equal(br?.linkinfo?.info_kind, 'bridge');
    assert.equal(br?.ifalias, 'nslab:t:net:lan');
    assert.ok(br?.flags.includes('UP'));
    const ports = await ipJson<IpLink[]>(sb, 'link', 'show', 'master', 'kbr0');
    assert.deepEqual(ports.map((l) => l.ifname).sort(), ['ta-eth0', 'tb-eth0']);
    assert.ok(ports.every((l) => l.flags.includes('UP')));
    assert.deepEqual(cidrs(await ipJson<IpAddr[]>(sb, 'addr', 'show', 'kbr0')), ['10.50.0.1/24', 'fd50::1/64'], 'no fe80:: on kbr0 (ipv6:false)');

    const [eth0] = await ipJson<IpLink[]>(sb, '-n', 'ta', 'link', 'show', 'eth0');
    assert.equal(eth0?.ifindex, 2, 'explicit ifindex');
    assert.deepEqual(cidrs(await ipJson<IpAddr[]>(sb, '-n', 'ta', 'addr', 'show', 'eth0')).slice(0, 2), ['10.50.0.2/24', 'fd50::2/64']);
    assert.deepEqual(cidrs(await ipJson<IpAddr[]>(sb, '-n', 'ta', 'addr', 'show', 'p2p')), ['10.60.0.1/30'], 'no fe80:: on p2p');
    assert.deepEqual(cidrs(await ipJson<IpAddr[]>(sb, '-n', 'tb', 'addr', 'show', 'p2p')), ['10.60.0.2/30'], 'no fe80:: on the peer');
    const [lo] = await ipJson<IpLink[]>(sb, '-n', 'ta', 'link', 'show', 'lo');
    assert.ok(lo?.flags.includes('UP'));
    for (const ns of ['ta', 'tb']) {
      const [p] = await ipJson<IpLink[]>(sb, '-n', ns, 'link', 'show', 'p2p');
      assert.equal(p?.mtu, 1400, `${ns} p2p mtu`);
      assert.ok(p?.flags.includes('UP'), `${ns} p2p up`);
    }

    const ta4 = await ipJson<IpRoute[]>(sb, '-n', 'ta', 'route', 'show', 'default');
    assert.deepEqual(
      ta4.map((r) => [r.gateway, r.dev, r.protocol]),
      [['10.50.0.1', 'eth0', 'static']],
    );
    const tb6 = await ipJson<IpRoute[]>(sb, '-n', 'tb', '-6', 'route', 'show', 'default');
    assert.deepEqual(
      tb6.map((r) => r.gateway),
      ['fd50::1'],
    );
    const tbDev = await ipJson<IpRoute[]>(sb, '-n', 'tb', 'route', 'show', '10.80.0.0/16');
    assert.deepEqual(
      tbDev.map((r) => [r.dev, r.scope, r.protocol]),
      [['eth0', 'link', 'static']],
    );

    const [, solo] = (await drive(sb, [{ open: {} }, { run: [SOLO] }])) as [unknown, OpResult[]];
    assert.deepEqual(solo, [{ ok: true }]);
    const [soloPeer] = await ipJson<{ inet6_addr_gen_mode?: string }[]>(sb, '-d', 'link', 'show', 'ta-solo');
    assert.equal(soloPeer?.inet6_addr_gen_mode, 'none', 'peer settings are sent before run() returns');

    assert.ok(await pings(sb, 'ta', '10.50.0.3'), 'ta → tb over the bridge');
    assert.ok(await pings(sb, 'ta', '10.60.0.2'), 'ta → tb over p2p');
    assert.ok(await pings(sb, 'ta', 'fd50::3'), 'ta → tb over the bridge, IPv6');
    assert.ok(await pings(sb, 'tb', '10.50.0.1'), 'tb → the host bridge');
  }));

test('snapshot() reads back links, masters, aliases, addresses, routes, neighbours and counters', (t) =>
  inSandbox(t, ['ping'], async (sb) => {
    await drive(sb, [{ open: {} }, { run: BUILD }]);
    assert.ok(await pings(sb, 'ta', '10.50.0.3'));
    const [, ta, host, names, gone] = (await drive(sb, [
      { open: {} },
      { snapshot: 'ta', neighbours: true, stats: true },
      { snapshot: H },
      { linkNames: 'tb' },
      { snapshot: 'no-such-ns' },
    ])) as [unknown, NsSnapshot, NsSnapshot, string[], null];

    assert.deepEqual(
      ta.links.map((l) => l.name),
      ['lo', 'eth0', 'p2p'],
    );
    const eth0 = ta.links.find((l) => l.name === 'eth0') as LiveLink;
    const [hostEnd] = await ipJson<IpLink[]>(sb, 'link', 'show', 'ta-eth0');
    assert.equal(eth0.kind, 'veth');
    assert.equal(eth0.up, true);
    assert.equal(eth0.operstate, 'UP');
    assert.equal(eth0.peerIndex, hostEnd?.ifindex);
    assert.match(eth0.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    assert.ok((eth0.stats?.rxPackets ?? 0) > 0 && (eth0.stats?.txPackets ?? 0) > 0, 'counters moved after a ping');
    assert.ok(ta.addrs.some((a) => a.dev === 'eth0' && a.cidr === '10.50.0.2/24' && a.family === 4 && a.scope === 'global'));
    assert.ok(ta.addrs.some((a) => a.dev === 'eth0' && a.cidr === 'fd50::2/64' && a.family === 6));
    assert.ok(ta.addrs.some((a) => a.dev === 'lo' && a.cidr === '127.0.0.1/8' && a.scope === 'host'));
    assert.deepEqual(
      ta.routes.find((r) => r.to === '0.0.0.0/0'),
      { to: '0.0.0.0/0', family: 4, via: '10.50.0.1', dev: 'eth0', protocol: 'static', type: 'unicast', scope: 'global' },
    );
    assert.ok(ta.routes.some((r) => r.to === '10.50.0.0/24' && r.protocol === 'kernel' && r.scope === 'link' && r.src === '10.50.0.2'));
    assert.ok(!ta.routes.some((r) => r.type === 'local'), 'main table only');
    const neigh = ta.neighbours.find((n) => n.address === '10.50.0.3');
    assert.ok(neigh && neigh.dev === 'eth0' && /^[0-9a-f:]{17}$/.test(neigh.mac ?? ''), JSON.stringify(ta.neighbours));

    const port = host.links.find((l) => l.name === 'tb-eth0');
    assert.equal(port?.master, 'kbr0');
    assert.equal(host.links.find((l) => l.name === 'kbr0')?.alias, 'nslab:t:net:lan');
    assert.equal(port?.stats, undefined, 'counters only when asked');
    assert.deepEqual(names, ['eth0', 'lo', 'p2p']);
    assert.equal(gone, null, 'a missing namespace snapshots as undefined');
  }));
