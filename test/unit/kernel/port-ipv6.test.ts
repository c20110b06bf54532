// Which links get IPv6 switched off before they join a bridge: only bridge ports the plan marked
// ipv6:false, by path (a link name may hold dots), never a link that joins no bridge.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portIpv6Off } from '../../../src/kernel/port-ipv6.js';
import type { RtnlOp } from '../../../src/netlink/requests.js';
import { HOST_NS } from '../../../src/port/kernel.js';

test('only bridge ports marked ipv6:false get disable_ipv6, keyed by path', () => {
  const ops: RtnlOp[] = [
    { op: 'link.set', ns: HOST_NS, name: 'lab-h1.eth0', master: 'lab-n0', ipv6: false, up: true },
    { op: 'link.set', ns: HOST_NS, name: 'lab-h2-eth0', master: 'lab-n0', up: true },
    { op: 'link.set', ns: HOST_NS, name: 'lab-h3-eth0', ipv6: false, up: true },
    { op: 'link.create', kind: 'bridge', ns: HOST_NS, name: 'lab-n1', ipv6: false, up: true },
  ];
  assert.deepEqual(portIpv6Off(ops), [{ key: 'net/ipv6/conf/lab-h1.eth0/disable_ipv6', value: '1' }]);
});
