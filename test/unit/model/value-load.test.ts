// A topology given as a plain value (the library's objects) is checked without YAML, and a long-lived
// process reuses what it checked before (node parses, resolved nodes, their resources): each must
// give exactly what the long way gives.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { loadTopology, loadTopologyValue } from '../../../src/model/load.js';
import { desiredResources } from '../../../src/plan/resources.js';
import { ParseMemo } from '../../../src/topology/memo.js';
import { toYamlText } from '../../../src/topology/source.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', '..', 'examples');

test('every example as a plain value loads to the same resources as its YAML text', () => {
  let compared = 0;
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.yaml'))) {
    const text = readFileSync(join(EXAMPLES, f), 'utf8');
    const long = loadTopology(text, f);
    const value = parse(text) as object;
    const short = loadTopologyValue(value, f);
    if (long.issues.length > 0) {
      // A value with any issue (a warning too) takes the long way, for the issues' places.
      assert.equal(short, undefined, f);
      continue;
    }
    assert.ok(short && long.topology, f);
    assert.deepEqual(desiredResources(short), desiredResources(long.topology), f);
    assert.deepEqual([...short.nodes.keys()], [...long.topology.nodes.keys()], f);
    compared++;
  }
  assert.ok(compared >= 5, `only ${compared} examples compared`);
});

test('values YAML would spell otherwise take the long way', () => {
  const base = { name: 'v', networks: { lan: { subnet: '10.0.0.0/24' } }, nodes: { a: { interfaces: { eth0: { network: 'lan' } } } } };
  assert.ok(loadTopologyValue(base, 'v'));
  for (const odd of [{ when: new Date(0) }, { m: new Map() }, { n: Number.NaN }, { list: [1, undefined] }, { big: 1n }]) {
    assert.equal(loadTopologyValue({ ...base, 'x-odd': odd }, 'v'), undefined, JSON.stringify(Object.keys(odd)));
  }
  // And the long way says what is wrong, at a line of the value's YAML text.
  const bad = { ...base, nodes: { a: { interfaces: { eth0: { network: 'nowhere' } } } } };
  assert.equal(loadTopologyValue(bad, 'v'), undefined);
  assert.match(
    loadTopology(toYamlText(bad), 'v')
      .issues.map((i) => `${i.line}: ${i.message}`)
      .join('\n'),
    /^\d+: .*nowhere/m,
  );
});

function star(n: number, gateway = '10.0.0.1'): { name: string; networks: object; nodes: Record<string, object> } {
  const nodes: Record<string, object> = {};
  for (let i = 1; i <= n; i++) nodes[`n${i}`] = { interfaces: { eth0: { network: 'lan' } } };
  return { name: 'm', networks: { lan: { subnet: '10.0.0.0/24', gateway } }, nodes };
}

test('a memo gives what checking afresh gives, reusing only unchanged nodes', () => {
  const memo = new ParseMemo();
  const v1 = star(5);
  const t1 = loadTopologyValue(v1, 'm', undefined, undefined, memo);
  assert.ok(t1);
  // One node added, one changed: the rest are the very same resolved nodes and resources.
  const v2 = { ...v1, nodes: { ...v1.nodes, n2: { interfaces: { eth0: { network: 'lan', mtu: 1400 } } }, n6: v1.nodes['n1']! } };
  const t2 = loadTopologyValue(v2, 'm', undefined, undefined, memo);
  const fresh = loadTopologyValue(v2, 'm');
  assert.ok(t2 && fresh);
  assert.deepEqual(desiredResources(t2), desiredResources(fresh));
  assert.equal(t2.nodes.get('n3'), t1.nodes.get('n3'), 'an unchanged node is reused');
  assert.notEqual(t2.nodes.get('n2'), t1.nodes.get('n2'), 'a changed node is not');
  const r1 = desiredResources(t1);
  const r2 = desiredResources(t2);
  const op = (rs: typeof r1, id: string) => rs.find((r) => r.id === id)?.op;
  assert.equal(op(r2, 'netns:m-n3'), op(r1, 'netns:m-n3'), 'so are its resources');
  // A change outside the nodes (the gateway) reaches every node, although their parses are reused.
  const t3 = loadTopologyValue(star(5, '10.0.0.254'), 'm', undefined, undefined, memo);
  assert.ok(t3);
  assert.equal(t3.nodes.get('n3')?.routes.find((r) => r.implied)?.via, '10.0.0.254');
  assert.deepEqual(desiredResources(t3), desiredResources(loadTopologyValue(star(5, '10.0.0.254'), 'm')!));
});

test('a node with a problem is never remembered: its issues come back every time', () => {
  const memo = new ParseMemo();
  const text = 'name: m\nnodes:\n  a:\n    interfaces:\n      eth0: { network: lan, mtu: nine }\nnetworks:\n  lan: { subnet: 10.0.0.0/24 }\n';
  const first = loadTopology(text, 'm', undefined, undefined, memo).issues.map((i) => i.message);
  assert.ok(first.length > 0);
  assert.deepEqual(
    loadTopology(text, 'm', undefined, undefined, memo).issues.map((i) => i.message),
    first,
  );
});

test('a memo keys nodes by their place too: a node moved to other lines reports issues there', () => {
  const memo = new ParseMemo();
  const node = '  b:\n    interfaces:\n      eth0: { network: lan }\n';
  const head = 'name: m\nnetworks:\n  lan: { subnet: 10.0.0.0/24 }\nnodes:\n';
  const a = loadTopology(`${head}${node}`, 'm', undefined, undefined, memo);
  const moved = loadTopology(`${head}  a:\n    interfaces:\n      eth0: { network: lan }\n${node}`, 'm', undefined, undefined, memo);
  assert.ok(a.topology && moved.topology);
  assert.equal(moved.topology.nodes.get('b')?.span.line, 8);
  assert.equal(a.topology.nodes.get('b')?.span.line, 5);
});

test('a node object passed again is reused only while it holds the same value (changed in place: checked again)', () => {
  const memo = new ParseMemo();
  const v = star(3);
  const t1 = loadTopologyValue(v, 'm', undefined, undefined, memo);
  assert.ok(t1);
  // The same objects again: the very same resolved nodes.
  const t2 = loadTopologyValue({ ...v, nodes: { ...v.nodes } }, 'm', undefined, undefined, memo);
  assert.equal(t2?.nodes.get('n2'), t1.nodes.get('n2'));
  // A node changed in place: its new value counts, as checking afresh would see it.
  const n2 = v.nodes['n2'] as { interfaces: { eth0: Record<string, unknown> } };
  n2.interfaces.eth0['mtu'] = 1400;
  const t3 = loadTopologyValue(v, 'm', undefined, undefined, memo);
  assert.equal(t3?.nodes.get('n2')?.interfaces.get('eth0')?.mtu, 1400);
  assert.deepEqual(desiredResources(t3!), desiredResources(loadTopologyValue(structuredClone(v), 'm')!));
  // And a change that makes it invalid is found (the value then takes the long way).
  n2.interfaces.eth0['mtu'] = 'nine';
  assert.equal(loadTopologyValue(v, 'm', undefined, undefined, memo), undefined);
  n2.interfaces.eth0['network'] = 'lan';
  delete n2.interfaces.eth0['mtu'];
  n2.interfaces.eth0['extra'] = undefined;
  assert.equal(loadTopologyValue(v, 'm', undefined, undefined, memo)?.nodes.get('n2')?.interfaces.get('eth0')?.mtu, undefined);
});
