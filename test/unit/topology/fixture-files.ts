// Test helpers for the topology fixtures: where they are, loading them, golden comparison.
// Test code only may read files; the code under test is pure.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../../../src/model/types.js';
import { formatIssue } from '../../../src/topology/issues.js';
import type { Issue } from '../../../src/topology/issues.js';
import { loadTopology } from '../../../src/model/load.js';

/** The fixtures directory in the source tree (tests run from dist-test/). */
export const FIXTURES = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'unit', 'topology', 'fixtures');

/** `*.yaml` names (without extension) in fixtures/<kind>. */
export function fixtureNames(kind: 'valid' | 'invalid'): string[] {
  return readdirSync(join(FIXTURES, kind))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Load fixtures/<kind>/<name>.yaml with the file reported as `<name>.yaml`. */
export function loadFixture(kind: 'valid' | 'invalid', name: string): { topology?: Topology; issues: Issue[] } {
  return loadTopology(readFileSync(join(FIXTURES, kind, `${name}.yaml`), 'utf8'), `${name}.yaml`);
}

/** A fixture that must load; fails the test with its issues otherwise. */
export function validFixture(name: string): Topology {
  const r = loadFixture('valid', name);
  assert.ok(r.topology, r.issues.map(formatIssue).join('\n'));
  return r.topology;
}

/** Compare formatted issues with <name>.expected.txt (absent = no issues). NSLAB_UPDATE_GOLDEN=1 rewrites it. */
export function assertGolden(kind: 'valid' | 'invalid', name: string, issues: readonly Issue[]): void {
  const file = join(FIXTURES, kind, `${name}.expected.txt`);
  const actual = issues.map(formatIssue).join('\n') + (issues.length > 0 ? '\n' : '');
  if (process.env['NSLAB_UPDATE_GOLDEN'] === '1') {
    if (actual !== '' || existsSync(file)) writeFileSync(file, actual);
    return;
  }
  const expected = existsSync(file) ? readFileSync(file, 'utf8') : '';
  assert.equal(actual, expected, `${kind}/${name}: issues differ from ${name}.expected.txt`);
}
