// `nslab graph` from the command line: stdout or -o FILE, and exit 2 for a bad format or file.
// Needs no root: nothing is built.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const repo = join(import.meta.dirname, '..', '..', '..', '..');
// The CLI as compiled with the tests (dist-test/src), so unit tests need no `npm run build`.
const main = join(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const cli = `import('${main}').then((m) => m.main(process.argv.slice(1)))`;
const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
  const r = spawnSync(process.execPath, ['-e', cli, '--', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('nslab graph prints SVG by default, Mermaid or DOT on request, and writes -o FILE', () => {
  const file = join(repo, 'examples', 'routed.yaml');
  const svg = run('graph', file);
  assert.equal(svg.status, 0, svg.stderr);
  assert.match(svg.stdout, /^<svg xmlns/);
  assert.match(run('graph', file, '--format', 'mermaid').stdout, /^---\ntitle: lab routed\n---\nflowchart TB\n/);
  assert.match(run('graph', file, '-f', 'dot').stdout, /^graph "routed" \{/);
  const dir = mkdtempSync(join(tmpdir(), 'nslab-graph-'));
  try {
    const out = join(dir, 'routed.svg');
    const w = run('graph', file, '-o', out);
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, '');
    assert.equal(readFileSync(out, 'utf8'), svg.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nslab graph exits 2 for an unknown format or a file with problems, naming them', () => {
  const bad = run('graph', join(repo, 'examples', 'nat.yaml'), '--format', 'png');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--format wants one of svg, mermaid, dot, not "png"/);
  const missing = run('graph', join(repo, 'examples', 'nope.yaml'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.yaml: cannot read it/);
});
