// Resource ids: each constructor's kind reads back, ids of the old journals (the same text) still
// read, and text that is no id has no kind, so removals never guess an order for it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredResources } from '../../../src/plan/resources.js';
import { ID_KINDS, isResourceId, kindOfId, resourceId } from '../../../src/names/resource-id.js';
import { topo } from '../helpers.js';

test("every constructor makes an id of its own kind, in the journal's format", () => {
  const made = {
    netns: resourceId.netns('d-a'),
    attach: resourceId.attach('d-b'),
    link: resourceId.link('@host', 'd-lan'),
    config: resourceId.config('d-a', 'eth0'),
    addr: resourceId.addr('@host', 'd-lan', 'fd00::1/64'),
    route: resourceId.route('d-a', '0.0.0.0/0'),
    sysctl: resourceId.sysctl('d-a', 'net.ipv4.ip_forward'),
    nft: resourceId.nft('@host', 'nslab-d'),
    qdisc: resourceId.qdisc('d-a', 'eth0'),
    fdb: resourceId.fdb('@host', 'd.0nysmq8', '192.0.2.2'),
  };
  assert.deepEqual(Object.keys(made).sort(), [...ID_KINDS].sort());
  for (const [kind, id] of Object.entries(made)) assert.equal(kindOfId(id), kind, id);
  assert.equal(made.addr, 'addr:@host:d-lan:fd00::1/64', 'colons in a field stay part of it');
  assert.equal(made.link, 'link:@host:d-lan');
});

test('text that is no resource id has no kind', () => {
  for (const text of ['', 'netns', 'netns-x', 'bogus:x', ':netns:x', 'NETNS:x', ' link:a:b']) {
    assert.equal(kindOfId(text), undefined, text);
    assert.ok(!isResourceId(text), text);
  }
});

test('every resource a lab wants has an id of a known kind', () => {
  const t = topo(`
name: ids
networks:
  lan: { subnet: 10.9.0.0/24, gateway: 10.9.0.1, nat: true }
nodes:
  r: { forwarding: true, interfaces: { eth0: { network: lan, address: 10.9.0.2/24 }, eth1: { peer: "h:eth0", address: 10.8.0.1/30 } } }
  h: { interfaces: { eth0: { peer: "r:eth1", address: 10.8.0.2/30 } }, routes: [{ to: default, via: 10.8.0.1 }] }
`);
  const kinds = new Set(desiredResources(t).map((r) => kindOfId(r.id)));
  assert.ok(!kinds.has(undefined));
  for (const k of ['netns', 'link', 'config', 'addr', 'route', 'sysctl', 'nft'] as const) assert.ok(kinds.has(k), k);
});
