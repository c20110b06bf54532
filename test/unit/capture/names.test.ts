// The names capture lines use: from the topology (addresses, gateways, host ends) and the live
// state (MACs, link-local addresses), plus broadcast and well-known multicast.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NsSnapshot } from '../../../src/port/kernel.js';
import { labNamer } from '../../../src/packet/names.js';
import { MIXED, topo } from '../helpers.js';

const snap = (links: Array<[string, string]>, addrs: Array<[string, string]> = []): NsSnapshot => ({
  links: links.map(([name, mac], index) => ({ index, name, mac, up: true, operstate: 'UP', mtu: 1500 })),
  addrs: addrs.map(([dev, cidr]) => ({ dev, cidr, family: cidr.includes(':') ? 6 : 4, scope: 'global' })),
  routes: [],
  neighbours: [],
});

test('MACs name the node:iface or bridge that owns them; addresses the node, gateway or host end', () => {
  const t = topo(MIXED);
  const bridge = t.networks.get('lan')!.bridge;
  const hostEnd = t.links.find((l) => l.kind === 'host')!;
  assert.equal(hostEnd.kind, 'host');
  const live = {
    nodes: new Map<string, NsSnapshot | undefined>([
      [
        'web',
        snap(
          [
            ['lo', '00:00:00:00:00:00'],
            ['eth0', '02:00:00:00:00:01'],
          ],
          [['eth0', 'fe80::1/64']],
        ),
      ],
      [
        'r1',
        snap(
          [
            ['eth0', '02:00:00:00:00:02'],
            ['eth1', '02:00:00:00:00:03'],
          ],
          [['eth1', 'fe80::3/64']],
        ),
      ],
      ['h2', undefined],
    ]),
    host: snap([
      [bridge, '02:00:00:00:00:99'],
      [hostEnd.kind === 'host' ? hostEnd.hostEnd : '', '02:00:00:00:00:77'],
    ]),
  };
  const n = labNamer(t, live);
  assert.equal(n.mac('02:00:00:00:00:01'), 'web:eth0');
  assert.equal(n.mac('02:00:00:00:00:03'), 'r1:eth1');
  assert.equal(n.mac('02:00:00:00:00:99'), 'lan gateway');
  assert.equal(n.mac('02:00:00:00:00:77'), `host:${hostEnd.kind === 'host' ? hostEnd.hostEnd : ''}`);
  assert.equal(n.mac('00:00:00:00:00:00'), undefined, 'lo has no name');
  assert.equal(n.mac('02:00:00:00:00:55'), undefined);
  assert.equal(n.ip('172.20.0.11'), 'web', 'a node with one interface is named by the node');
  assert.equal(n.ip('10.0.0.1'), 'r1:eth1', 'a node with several by node:iface');
  assert.equal(n.ip('10.0.0.2'), 'h2', 'from the topology, even with the namespace gone');
  assert.equal(n.ip('fe80::1'), 'web', 'link-local addresses from the live state');
  assert.equal(n.ip('fe80::3'), 'r1:eth1');
  assert.equal(n.ip('172.20.0.10'), 'lan gateway');
  assert.equal(n.ip('172.30.0.1'), `host:${hostEnd.kind === 'host' ? hostEnd.hostEnd : ''}`);
  assert.equal(n.ip('172.20.255.255'), 'lan broadcast');
  assert.equal(n.ip('192.0.2.1'), undefined);
});

test('broadcast and multicast have names of their own', () => {
  const n = labNamer(topo(MIXED), { nodes: new Map(), host: undefined });
  assert.equal(n.mac('ff:ff:ff:ff:ff:ff'), 'broadcast');
  assert.equal(n.mac('33:33:00:00:00:16'), 'ipv6 multicast');
  assert.equal(n.mac('01:00:5e:00:00:fb'), 'ipv4 multicast');
  assert.equal(n.ip('255.255.255.255'), 'broadcast');
  assert.equal(n.ip('ff02::1'), 'all-nodes');
  assert.equal(n.ip('ff02::1:ff00:b'), 'solicited-node');
  assert.equal(n.ip('224.0.0.251'), 'multicast');
});
