// How `nslab test` shows waiting: the HELD AFTER column and "not within" reasons, the live
// addresses --all found, the progress line (redrawn on a terminal, throttled lines elsewhere),
// and --wait's duration syntax.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMatrix, renderTable, waitOf, waitProgress } from '../../../src/cli/commands/test.js';
import type { TestResult } from '../../../src/lab/test.js';
import type { ReportRow } from '../../../src/verify/matrix.js';

const plain = (s: string): string => s.replace(/\u001b\[[0-9;]*[mK]/g, '');

function result(rows: ReportRow[], extra: Partial<TestResult> = {}): TestResult {
  const passed = rows.filter((r) => r.ok).length;
  return {
    lab: 'cv',
    mode: 'expect',
    report: { rows, passed, failed: rows.length - passed },
    waves: 1,
    neighbours: { need: 4, cap: 1024, capKnown: true, pinned: 0 },
    notices: [],
    ms: 2345,
    rounds: 5,
    waited: true,
    digest: 'sha256:0',
    ...extra,
  };
}

const row = (o: Partial<ReportRow>): ReportRow => ({
  from: 'a',
  to: 'b',
  dst: '10.0.0.2',
  probe: 'icmp',
  expected: 'reach',
  got: 'reached',
  ok: true,
  loss: 0,
  ...o,
});

test('a run that waited has a HELD AFTER column; a row that never held says it did not within its time', () => {
  const text = plain(
    renderTable(
      result([
        row({ heldMs: 1620, withinMs: 10_000, rttMs: 0.12 }),
        row({ to: 'c', dst: '10.0.0.3', ok: false, got: 'blocked', reason: 'network unreachable', withinMs: 2000 }),
      ]),
    ),
  );
  assert.match(text, /HELD AFTER/);
  assert.match(text, /^a\s+b \(10\.0\.0\.2\)\s+icmp\s+reach\s+reached\s+ok\s+1\.62 s\s+0\.12 ms$/m);
  assert.match(text, /FAIL\s+-\s+network unreachable \(not within 2s\)$/m);
  assert.match(text, /1\/2 hold, 1 do not \(2\.35 s, 5 rounds\)/);
});

test('a run that did not wait looks as before: no HELD AFTER column, no rounds', () => {
  const text = plain(renderTable(result([row({ heldMs: 3, rttMs: 0.1 })], { waited: false, rounds: 1 })));
  assert.doesNotMatch(text, /HELD AFTER|rounds/);
});

test('--all: targets found live on the nodes are listed apart from the grid, with who reaches them', () => {
  const rows = [
    row({ from: 'a', to: 'b' }),
    row({ from: 'b', to: 'a', dst: '10.0.0.1' }),
    row({ from: 'a', to: 'b:lo', dst: '10.255.0.1', live: { dev: 'lo' } }),
    row({ from: 'c', to: 'b:lo', dst: '10.255.0.1', live: { dev: 'lo' }, ok: false, got: 'blocked', reason: 'timeout' }),
  ];
  const text = plain(renderMatrix(result(rows, { mode: 'all', waited: false, rounds: 1 })));
  assert.doesNotMatch(text.split('\n')[0]!, /b:lo/, 'not a column of the grid');
  assert.match(text, /live addresses \(found on the nodes, not in the file\):\n {2}b:lo 10\.255\.0\.1: ✓ from a; X from c/);
});

test('progress: redrawn in place on a terminal at most every 250 ms and wiped at the end', () => {
  const out: string[] = [];
  let t = 0;
  const p = waitProgress({ isTTY: true, write: (s) => out.push(s) }, () => t);
  p.update({ holding: 3, total: 5, ms: 2100, round: 2 });
  t = 100;
  p.update({ holding: 4, total: 5, ms: 2200, round: 3 });
  t = 400;
  p.update({ holding: 4, total: 5, ms: 2500, round: 4 });
  p.end();
  assert.deepEqual(out.map(plain), ['\rwaiting: 3/5 hold (2.1 s)', '\rwaiting: 4/5 hold (2.5 s)', '\r']);
});

test('progress: plain lines at most every 2 s when stderr is not a terminal, nothing to wipe', () => {
  const out: string[] = [];
  let t = 0;
  const p = waitProgress({ write: (s) => out.push(s) }, () => t);
  for (t = 0; t <= 5000; t += 500) p.update({ holding: 1, total: 2, ms: t, round: 1 });
  p.end();
  assert.deepEqual(out, ['waiting: 1/2 hold (0.0 s)\n', 'waiting: 1/2 hold (2.0 s)\n', 'waiting: 1/2 hold (4.0 s)\n']);
});

test('--wait takes the file format durations, up to an hour; anything else is a usage error', () => {
  assert.equal(waitOf('10s'), 10_000);
  assert.equal(waitOf('500ms'), 500);
  assert.equal(waitOf('2m'), 120_000);
  assert.equal(waitOf('1.5'), 1500);
  for (const bad of ['0', '-1s', '2h', 'soon', '']) assert.throws(() => waitOf(bad), /--wait wants a duration/);
});
