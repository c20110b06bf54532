// Interface `masquerade: true` in the plan: the node's table is loaded when the node has a
// firewall or masquerade, and changing masquerade re-renders (reloads) it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredResources } from '../../../src/plan/resources.js';
import { topo } from '../helpers.js';

const lab = (masq: string, fw = ''): string => `name: m
nodes:
  nat:
    forwarding: true
${fw}    interfaces:
      eth0: { peer: "h1:eth0", address: 198.51.100.1/24 }
      eth1: { peer: "inet:eth0", address: 203.0.113.1/24${masq} }
  h1:
    interfaces:
      eth0: { peer: "nat:eth0", address: 198.51.100.2/24 }
  inet:
    interfaces:
      eth0: { peer: "nat:eth1", address: 203.0.113.2/24 }
`;

const scripts = (text: string): Map<string, string> =>
  new Map(desiredResources(topo(text)).flatMap((r) => (r.op.op === 'nft.load' ? [[String(r.op.ns), r.op.script] as const] : [])));

test('a node with masquerade and no firewall gets its table, with the masquerade rule; others get none', () => {
  const s = scripts(lab(', masquerade: true'));
  assert.deepEqual([...s.keys()], ['m-nat']);
  assert.match(s.get('m-nat')!, /oifname "eth1" masquerade comment "nslab:m:masquerade:eth1"/);
  assert.deepEqual([...scripts(lab('')).keys()], [], 'no firewall, no masquerade: no table');
});

test('turning masquerade on or off changes the node table script (a firewall keeps it loaded)', () => {
  const fw = '    firewall: { forward: { policy: accept } }\n';
  const on = scripts(lab(', masquerade: true', fw)).get('m-nat')!;
  const off = scripts(lab('', fw)).get('m-nat')!;
  assert.notEqual(on, off);
  assert.doesNotMatch(off, /masquerade/);
  assert.match(on, /chain postrouting/);
});
