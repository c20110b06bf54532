// The editor's view and nslab's agree: every example is valid for a real JSON Schema validator
// (Ajv, draft-07 as the YAML language server) with the checked-in schema, and is loaded by the
// loader `nslab validate` runs; each file of fixtures/editor-bad is refused by both, the schema
// at the path named on its first line, nslab with the message on its second.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import { parse } from 'yaml';
import { formatIssue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';
import { FIXTURES } from './fixture-files.js';

const ROOT = join(FIXTURES, '..', '..', '..', '..');
const EXAMPLES = join(ROOT, 'examples');
const BAD = join(FIXTURES, 'editor-bad');
const MODELINE = '# yaml-language-server: $schema=../schema/nslab.schema.json';

// strict: Ajv refuses a schema with unknown keywords or ambiguous types instead of ignoring them.
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(join(ROOT, 'schema', 'nslab.schema.json'), 'utf8')) as object);

/** The schema's errors for a YAML text (empty when valid). */
function schemaErrors(text: string): ErrorObject[] {
  return validate(parse(text)) ? [] : [...(validate.errors ?? [])];
}

const yamlFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();

test('there are examples and bad files to check', () => {
  assert.ok(yamlFiles(EXAMPLES).length >= 10);
  assert.ok(yamlFiles(BAD).length >= 30);
});

for (const f of yamlFiles(EXAMPLES)) {
  test(`examples/${f}: names the schema on its first line, is valid for the schema and for nslab`, () => {
    const text = readFileSync(join(EXAMPLES, f), 'utf8');
    assert.equal(text.split('\n')[0], MODELINE);
    assert.deepEqual(schemaErrors(text), []);
    const r = loadTopology(text, f);
    assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  });
}

for (const f of yamlFiles(BAD)) {
  test(`editor-bad/${f}: refused by the schema and by nslab`, () => {
    const text = readFileSync(join(BAD, f), 'utf8');
    const [pathLine = '', messageLine = ''] = text.split('\n');
    const where = /^# schema: (\S*)$/.exec(pathLine)?.[1] ?? '';
    const message = /^# nslab: (.+)$/.exec(messageLine)?.[1];
    assert.ok(message, `${f}: the first two lines must be "# schema: PATH" and "# nslab: MESSAGE"`);
    const errors = schemaErrors(text);
    assert.ok(errors.length > 0, `${f}: the schema accepts it`);
    assert.ok(
      errors.some((e) => e.instancePath === where),
      `${f}: no schema error at '${where}': ${errors.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`,
    );
    const r = loadTopology(text, f);
    assert.equal(r.topology, undefined, `${f}: nslab accepts it`);
    const errs = r.issues.filter((i) => i.severity === 'error').map(formatIssue);
    assert.ok(
      errs.some((l) => l.includes(message)),
      `${f}: nslab's errors do not say "${message}":\n${errs.join('\n')}`,
    );
  });
}

test('x- keys with anchors are valid for the schema and for nslab', () => {
  const text = 'x-lan: &lan { network: lan }\nname: t\nnetworks: { lan: { subnet: 10.0.0.0/24 } }\nnodes:\n  a: { interfaces: { eth0: *lan } }\n';
  assert.deepEqual(schemaErrors(text), []);
  assert.ok(loadTopology(text, 'f.yaml').topology);
});
