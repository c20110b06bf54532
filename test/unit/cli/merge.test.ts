// `nslab merge`, run as a process (it reads files only: no root, no kernel): the table of `nslab
// test` with a MACHINE column and a line per machine, --json, exit 0 when everything holds and 1
// when a row fails, and one `nslab: FILE: ...` line with exit 2 for every file it cannot use.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderMerged } from '../../../src/cli/commands/merge.js';
import { mergeReportFiles } from '../../../src/lab/merge.js';

const MAIN = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const REPO = join(import.meta.dirname, '..', '..', '..', '..');
const A = join(REPO, 'examples', 'reports', 'node-a.json');
const B = join(REPO, 'examples', 'reports', 'node-b.json');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(MAIN)}).then((m) => m.main(${JSON.stringify(args)}))`], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d));
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-merge-'));
  try {
    await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the bundled reports merge into the table of nslab test, with each row and a line per machine; exit 0', async () => {
  const r = await cli(['merge', A, B]);
  assert.equal(r.stderr, '');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^MACHINE\s+FROM\s+TO\s+PROBE\s+EXPECTED\s+GOT\s+RESULT\s+RTT\/REASON$/m);
  assert.match(r.stdout, /^node-a\s+h1\s+h2 \(10\.77\.0\.2\)\s+icmp\s+reach\s+reached\s+ok\s+0\.61 ms$/m);
  assert.match(r.stdout, /^node-b\s+h2\s+h1 \(10\.77\.0\.1\)\s+icmp/m);
  assert.match(r.stdout, /^machine node-a \(.*node-a\.json\): 1\/1 hold, 0 do not \(214 ms\)$/m);
  assert.match(r.stdout, /^machine node-b \(.*node-b\.json\): 1\/1 hold, 0 do not \(236 ms\)$/m);
  assert.match(r.stdout, /\nlab span: 2\/2 hold, 0 do not \(236 ms\)\n$/);
});

test("--json prints the merged report; a failing row makes the exit status 1; the machines' notes go to stderr", async () => {
  await withDir(async (dir) => {
    const bad = JSON.parse(readFileSync(B, 'utf8')) as { notices: string[]; report: { rows: Array<Record<string, unknown>> } };
    Object.assign(bad.report.rows[0]!, { ok: false, got: 'blocked', reason: 'no reply' });
    bad.notices = ['link h2:eth0 is down at run time'];
    delete bad.report.rows[0]!['rttMs'];
    writeFileSync(join(dir, 'b.json'), JSON.stringify(bad));
    const r = await cli(['merge', '--json', A, join(dir, 'b.json')]);
    assert.equal(r.code, 1, r.stderr);
    const m = JSON.parse(r.stdout) as { ok: boolean; report: { passed: number; failed: number; rows: Array<{ machine: string }> } };
    assert.deepEqual([m.ok, m.report.passed, m.report.failed], [false, 1, 1]);
    assert.deepEqual(
      m.report.rows.map((x) => x.machine),
      ['node-a', 'node-b'],
    );
    const text = await cli(['merge', A, join(dir, 'b.json')]);
    assert.equal(text.code, 1);
    assert.equal(text.stderr, 'note: node-b: link h2:eth0 is down at run time\n', 'notes on stderr, as nslab test writes them');
    assert.match(text.stdout, /^node-b\s+h2\s+.*FAIL\s+no reply$/m);
    assert.match(text.stdout, /^machine node-b .*: 0\/1 hold, 1 do not/m);
  });
});

test('a file it cannot use is one line naming it, exit 2: missing, a directory, empty, not JSON, not a report', async () => {
  await withDir(async (dir) => {
    writeFileSync(join(dir, 'empty.json'), '');
    writeFileSync(join(dir, 'text.json'), 'PING h2 (10.77.0.2)');
    writeFileSync(join(dir, 'lab.json'), JSON.stringify({ name: 'span', nodes: {} }));
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /missing\.json: cannot read it \(ENOENT\)$/],
      [dir, /: not a regular file; give the file a report was saved in$/],
      [join(dir, 'empty.json'), /empty\.json: not a report of `nslab test --json` \(the file is empty\); make each with/],
      [join(dir, 'text.json'), /text\.json: not a report of `nslab test --json` \(not JSON: /],
      [join(dir, 'lab.json'), /lab\.json: not a report of `nslab test --json` \(lab: /],
    ];
    for (const [file, why] of cases) {
      const r = await cli(['merge', A, file]);
      assert.equal(r.code, 2, `${file}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^nslab: .*\n$/);
      assert.match(r.stderr.trimEnd(), why);
    }
  });
});

test('the same machine twice, or another lab, is refused with exit 2', async () => {
  await withDir(async (dir) => {
    const other = JSON.parse(readFileSync(B, 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...other, lab: 'nat' }));
    const twice = await cli(['merge', A, B, A]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /are both reports of machine node-a: give each machine's report once\n$/);
    const lab = await cli(['merge', A, join(dir, 'other.json')]);
    assert.equal(lab.code, 2);
    assert.match(lab.stderr, /other\.json is a report of lab nat, .*node-a\.json of lab span: merge the reports of one lab only\n$/);
  });
});

test('merged --all reports render as the grid of nslab test --all, the machine lines before the summary', () => {
  const m = mergeReportFiles([A, B]);
  const text = renderMerged({ ...m, mode: 'all' }).replace(/\u001b\[[0-9;]*m/g, '');
  const lines = text.split('\n');
  assert.match(lines[0]!, /^FROM \\ TO\s+h1\s+h2$/);
  assert.match(lines.at(-3)!, /^machine node-a /);
  assert.match(lines.at(-1)!, /^lab span: 2\/2 hold/);
});
