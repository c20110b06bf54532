// schema/nslab.schema.json, the editor schema: it is what the generator writes from the zod
// schemas (so it cannot drift from the parser), it is draft-07 with an $id, and every field an
// editor can complete carries a description.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SCHEMA_ID, topologyJsonSchema } from '../../../src/topology/schema-json.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const checkedIn = (): string => readFileSync(join(ROOT, 'schema', 'nslab.schema.json'), 'utf8');

type Json = { [k: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

test('the checked-in schema is what `npm run schema` generates from the zod source', () => {
  // The same text scripts/gen-schema.mjs writes; on a difference, name the first line that differs.
  const want = `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`.split('\n');
  const got = checkedIn().split('\n');
  const i = want.findIndex((line, n) => line !== got[n]);
  const at = i < 0 && got.length !== want.length ? want.length : i;
  assert.equal(
    at,
    -1,
    `schema/nslab.schema.json is stale from line ${at + 1} (has ${JSON.stringify(got[at]?.slice(0, 120))}, generated ${JSON.stringify(want[at]?.slice(0, 120))}): run \`npm run schema\` and commit it`,
  );
});

test('the schema is draft-07 with an $id and a title, as the YAML language server wants', () => {
  const s = topologyJsonSchema();
  assert.equal(s['$schema'], 'http://json-schema.org/draft-07/schema#');
  assert.equal(s['$id'], SCHEMA_ID);
  assert.equal(typeof s['title'], 'string');
  assert.equal(typeof s['description'], 'string');
});

/** Every schema a field or a mapping's value is described by, with its path. */
function fields(s: unknown, path: string, out: Array<[string, Json]>): Array<[string, Json]> {
  if (Array.isArray(s)) s.forEach((x, i) => fields(x, `${path}[${i}]`, out));
  if (!isObject(s)) return out;
  if (isObject(s['properties'])) {
    for (const [k, v] of Object.entries(s['properties'])) if (isObject(v)) out.push([`${path}.${k}`, v]);
  }
  if (isObject(s['additionalProperties'])) out.push([`${path}.*`, s['additionalProperties']]);
  if (isObject(s['patternProperties'])) {
    for (const [k, v] of Object.entries(s['patternProperties'])) if (isObject(v)) out.push([`${path}.${k}`, v]);
  }
  if (isObject(s['definitions'])) {
    for (const [k, v] of Object.entries(s['definitions'])) if (isObject(v)) out.push([`#${k}`, v]);
  }
  for (const [k, v] of Object.entries(s)) if (typeof v === 'object') fields(v, `${path}/${k}`, out);
  return out;
}

test('every property at every depth, every mapping value and every definition has a description', () => {
  const all = fields(topologyJsonSchema(), '', []);
  // The walk must reach the deep parts (firewall matches, process readiness), or it proves little.
  for (const deep of ['.dport', '.command', '.ready', '.tcp', '.host_address', '.established', '.address']) {
    assert.ok(
      all.some(([p]) => p.endsWith(deep)),
      `the walk never reached ${deep}`,
    );
  }
  assert.ok(all.length > 90, `only ${all.length} fields found`);
  const missing = all.filter(([, v]) => typeof v['description'] !== 'string' || v['description'] === '').map(([p]) => p);
  assert.deepEqual(missing, []);
});

test('a field without a description is found by the walk', () => {
  const s = { properties: { a: { description: 'x', properties: { b: { type: 'string' } } } } };
  const missing = fields(s, '', [])
    .filter(([, v]) => typeof v['description'] !== 'string')
    .map(([p]) => p);
  assert.deepEqual(missing, ['/properties/a.b']);
});
