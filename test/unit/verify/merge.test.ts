// Merging the machines' reports of one lab: rows kept with their machine, totals recomputed from
// the rows, reports without `machine` named by their file, and every refusal (not a report, a
// merged report, another lab, another file, another kind of run, a machine twice) with its code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNslabError } from '../../../src/util/errors.js';
import type { ReportRow } from '../../../src/verify/matrix.js';
import { machineOfFile, mergeReports, type ReportInput } from '../../../src/verify/merge.js';

const row = (o: Partial<ReportRow>): ReportRow => ({
  from: 'h1',
  to: 'h2',
  dst: '10.9.0.2',
  probe: 'icmp',
  expected: 'reach',
  got: 'reached',
  ok: true,
  loss: 0,
  rttMs: 0.4,
  ...o,
});

/** A report as `nslab test --json` prints it (its totals as given, so a lie can be planted). */
function report(rows: ReportRow[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const passed = rows.filter((r) => r.ok).length;
  return {
    lab: 'span',
    mode: 'expect',
    report: { rows, passed, failed: rows.length - passed },
    waves: 1,
    neighbours: { need: 2, cap: 1024, capKnown: true, pinned: 0 },
    notices: [],
    ms: 812,
    rounds: 1,
    waited: false,
    ...extra,
  };
}

const a = (extra: Record<string, unknown> = {}): ReportInput => ({ file: 'out/a.json', value: report([row({})], { machine: 'node-a', ...extra }) });
const b = (extra: Record<string, unknown> = {}): ReportInput => ({
  file: 'out/b.json',
  value: report([row({ from: 'h2', to: 'h1', dst: '10.9.0.1' }), row({ from: 'h2', to: 'h3', ok: false, got: 'blocked', reason: 'no reply' })], {
    machine: 'node-b',
    ms: 1500,
    ...extra,
  }),
});

/** The NslabError `f` throws: its code, exit status and message. */
function refusal(f: () => unknown): { code: string; status: number; message: string } {
  try {
    f();
  } catch (e) {
    assert.ok(isNslabError(e), `not an NslabError: ${String(e)}`);
    return { code: e.code, status: e.exitStatus, message: e.message };
  }
  assert.fail('it did not throw');
}

test('every row is kept with the machine it was probed from, and the totals are counted again from the rows', () => {
  const m = mergeReports([a(), b()]);
  assert.equal(m.lab, 'span');
  assert.deepEqual(
    m.report.rows.map((r) => `${r.machine} ${r.from}>${r.to} ${r.ok}`),
    ['node-a h1>h2 true', 'node-b h2>h1 true', 'node-b h2>h3 false'],
  );
  assert.deepEqual([m.report.passed, m.report.failed, m.ok], [2, 1, false]);
  assert.deepEqual(
    m.machines.map((x) => [x.machine, x.file, x.namedBy, x.passed, x.failed, x.ms]),
    [
      ['node-a', 'out/a.json', 'machine', 1, 0, 812],
      ['node-b', 'out/b.json', 'machine', 1, 1, 1500],
    ],
  );
  assert.equal(m.ms, 1500, 'the machines ran at once: the longest run');
  assert.equal(mergeReports([a()]).ok, true);
});

test("a report's own totals are not trusted", () => {
  const lying = report([row({ ok: false, got: 'blocked' })], { machine: 'x' });
  (lying['report'] as { passed: number; failed: number }).passed = 1;
  (lying['report'] as { passed: number; failed: number }).failed = 0;
  const m = mergeReports([{ file: 'x.json', value: lying }]);
  assert.deepEqual([m.report.passed, m.report.failed, m.ok], [0, 1, false]);
});

test('a report without a machine field is named by its file name; its notices are prefixed with that name', () => {
  const m = mergeReports([
    { file: '/tmp/r/worker-1.json', value: report([row({})], { notices: ['link h1:eth0 is cut at run time'] }) },
    { file: 'worker-2.JSON', value: report([row({ from: 'h2' })]) },
  ]);
  assert.deepEqual(
    m.machines.map((x) => [x.machine, x.namedBy]),
    [
      ['worker-1', 'file'],
      ['worker-2', 'file'],
    ],
  );
  assert.deepEqual(m.notices, ['worker-1: link h1:eth0 is cut at run time']);
  assert.equal(machineOfFile('report'), 'report');
  assert.equal(machineOfFile('.json'), '.json');
});

test('unknown fields are kept (a newer nslab may add some), in the rows too', () => {
  const m = mergeReports([{ file: 'a.json', value: report([{ ...row({}), hops: 3 } as ReportRow], { machine: 'a', extra: true }) }]);
  assert.equal((m.report.rows[0] as unknown as { hops: number }).hops, 3);
});

test('what is not one machine report is refused as bad input, naming the file and the first problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    [null, /x\.json: not a report of `nslab test --json` \(.*\); make each with `nslab test FILE --as MACHINE --json > MACHINE\.json`/],
    [[1, 2], /x\.json: not a report/],
    [{ lab: 'span' }, /x\.json: not a report .*\(mode: /],
    [report([row({ ok: 'yes' as unknown as boolean })]), /report\.rows\.0\.ok: /],
    [report([row({ from: 'h1\u001b[2J' })]), /report\.rows\.0\.from: holds control characters/],
    [report([row({})], { machine: '' }), /machine: /],
    [report([row({})], { mode: 'sometimes' }), /mode: /],
  ];
  for (const [value, why] of cases) {
    const r = refusal(() => mergeReports([{ file: 'x.json', value }]));
    assert.deepEqual([r.code, r.status], ['bad-report', 2], r.message);
    assert.match(r.message, why);
  }
  const merged = refusal(() => mergeReports([{ file: 'all.json', value: mergeReports([a(), b()]) }]));
  assert.equal(merged.code, 'bad-report');
  assert.match(merged.message, /^all\.json: a merged report, not one machine's; merge the machines' own reports/);
});

test('reports of different labs, topology files or kinds of run are refused, saying what to do', () => {
  const lab = refusal(() => mergeReports([a(), b({ lab: 'other' })]));
  assert.deepEqual([lab.code, lab.status], ['reports-differ', 2]);
  assert.equal(lab.message, 'out/b.json is a report of lab other, out/a.json of lab span: merge the reports of one lab only');
  const file = refusal(() => mergeReports([a({ digest: 'sha256:1111111111111111' }), b({ digest: 'sha256:2222222222222222' })]));
  assert.equal(file.code, 'reports-differ');
  assert.match(file.message, /made from different topology files \(digest sha256:111111111111… and sha256:222222222222…\): give every machine the same file/);
  const mode = refusal(() => mergeReports([a(), b({ mode: 'all' })]));
  assert.equal(mode.code, 'reports-differ');
  assert.match(mode.message, /out\/a\.json probed the expect: entries .*, out\/b\.json every pair of nodes \(--all\): run the same nslab test/);
});

test('a digest is compared only when both reports have one; the merged report keeps it', () => {
  assert.equal(mergeReports([a({ digest: 'd1' }), b()]).digest, 'd1');
  assert.equal(mergeReports([a({ digest: 'd1' }), b({ digest: 'd1' })]).ok, false);
  assert.equal(mergeReports([a(), b()]).digest, undefined);
});

test('a machine reported twice is refused: its rows would count twice', () => {
  const twice = refusal(() => mergeReports([a(), b(), { ...a(), file: 'copy/a.json' }]));
  assert.deepEqual([twice.code, twice.status], ['machine-twice', 2]);
  assert.equal(twice.message, "out/a.json and copy/a.json are both reports of machine node-a: give each machine's report once");
  const byName = refusal(() =>
    mergeReports([
      { file: 'x/report.json', value: report([row({})]) },
      { file: 'y/report.json', value: report([row({})]) },
    ]),
  );
  assert.equal(byName.code, 'machine-twice');
  assert.match(byName.message, /named by their file names: they have no machine field; rename one, or make them with --as/);
});

test('nothing to merge is a usage error', () => {
  assert.deepEqual(refusal(() => mergeReports([])).code, 'usage');
});
