// Schema behaviour beyond the golden files: did-you-mean and synonyms, missing keys pointing
// at their mapping, and the JSON Schema export.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';
import { topologyJsonSchema } from '../../../src/topology/schema-json.js';

const lines = (text: string): string[] => loadTopology(text, 'f.yaml').issues.map(formatIssue);

const ROWS: ReadonlyArray<[string, string, string]> = [
  ['a typo', 'networks:\n  lan: { subnett: 10.0.0.0/24 }', "f.yaml:4:10: unknown key 'subnett' in network 'lan' (did you mean 'subnet'?)"],
  [
    'an iproute2 word',
    'nodes:\n  a: { interfaces: { e: { host: true } }, routes: [ { to: default, gw: 10.0.0.1 } ] }',
    "unknown key 'gw' in route #1 of node 'a' (did you mean 'via'?)",
  ],
  ['a docker word', 'networks:\n  lan: { subnets: 10.0.0.0/24 }', "(did you mean 'subnet'?)"],
  ['a word with no near key', 'networks:\n  lan: { subnet: 10.0.0.0/24, colour: red }', "f.yaml:4:31: unknown key 'colour' in network 'lan'"],
];

for (const [what, body, expected] of ROWS) {
  test(`an unknown key from ${what} is reported at the key`, () => {
    const text = `name: t\n${body.includes('nodes:') ? '' : 'nodes: {}\n'}${body}\n`;
    const got = lines(text);
    assert.ok(
      got.some((l) => l.includes(expected)),
      got.join('\n'),
    );
  });
}

test('a misspelt required key is one problem (the typo), not two', () => {
  const got = lines('name: t\nnodes: {}\nnetworks:\n  lan: { subnett: 10.0.0.0/24 }\n');
  assert.deepEqual(got, ["f.yaml:4:10: unknown key 'subnett' in network 'lan' (did you mean 'subnet'?)"]);
});

test('a missing required key points at the mapping that lacks it', () => {
  assert.deepEqual(lines('name: t\nnodes: {}\nnetworks:\n  lan:\n    gateway: 10.0.0.1\n'), ["f.yaml:5:5: network 'lan' is missing required key 'subnet'"]);
});

test('every problem of the file is reported, across all its parts', () => {
  const got = lines(
    'name: T\nnetworks:\n  lan: { subnet: 10.0.0.0/24, nat: 1 }\nnodes:\n  a: { interfaces: { eth0: { network: lna } } }\n  b: { forwarding: 1 }\nexpect:\n  - { from: c, to: a }\n',
  );
  assert.equal(got.length, 5, got.join('\n'));
});

test('the JSON Schema lists the v1 keys for editors', () => {
  const s = topologyJsonSchema() as { properties: Record<string, unknown>; required: string[]; additionalProperties: boolean };
  assert.deepEqual(Object.keys(s.properties), ['name', 'networks', 'nodes', 'expect', 'machines']);
  assert.deepEqual(s.required, ['name', 'nodes']);
  assert.equal(s.additionalProperties, false);
  assert.match(JSON.stringify(s), /"host_address"/);
});
