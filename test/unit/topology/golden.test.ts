// Golden tests: every fixture file against its expected FILE:LINE:COL lines. Valid fixtures
// must load (warnings allowed, listed in NAME.expected.txt); invalid ones must not.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatIssue, hasErrors } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';
import { FIXTURES, assertGolden, fixtureNames, loadFixture } from './fixture-files.js';

for (const name of fixtureNames('valid')) {
  test(`valid fixture ${name} loads with exactly the expected warnings`, () => {
    const r = loadFixture('valid', name);
    assert.equal(hasErrors(r.issues), false);
    assert.ok(r.topology);
    assertGolden('valid', name, r.issues);
  });
}

for (const name of fixtureNames('invalid')) {
  test(`invalid fixture ${name} gives exactly the expected issues and no topology`, () => {
    const r = loadFixture('invalid', name);
    assert.equal(r.topology, undefined);
    assert.ok(hasErrors(r.issues));
    assertGolden('invalid', name, r.issues);
  });
}

test('the same file always gives the same issues and the same topology', () => {
  for (const kind of ['valid', 'invalid'] as const) {
    for (const name of fixtureNames(kind)) assert.deepEqual(loadFixture(kind, name), loadFixture(kind, name), `${kind}/${name}`);
  }
});

const ROOT = join(FIXTURES, '..', '..', '..', '..');

test('every bundled example loads without errors', () => {
  const dir = join(ROOT, 'examples');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const r = loadTopology(readFileSync(join(dir, f), 'utf8'), f);
    assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  }
});

test('every broken end-to-end fixture gives FILE:LINE:COL errors and no topology', () => {
  const dir = join(ROOT, 'test', 'e2e', 'fixtures', 'broken');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
    const r = loadTopology(readFileSync(join(dir, f), 'utf8'), f);
    assert.equal(r.topology, undefined, f);
    assert.ok(
      r.issues.some((i) => i.severity === 'error'),
      f,
    );
    for (const i of r.issues) assert.match(formatIssue(i), new RegExp(`^${f.replace('.', '\\.')}:\\d+:\\d+: `));
  }
});
