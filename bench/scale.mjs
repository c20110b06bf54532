#!/usr/bin/env node
// The speed benchmark (issue 6), run by hand as root: builds, verifies and tears down stars of
// N = 10, 100, 1000 hosts and the other shapes with nslab and, in the same run, the baselines of
// ../shared/bench (the C floor and `ip -batch`; Mininet when installed and --mininet is given),
// each measurement in a fresh sandbox (../shared/bench/sandbox.sh), so the host is not touched.
// Prints medians (and the spread) and nslab's ratio to the C floor.
//   node bench/scale.mjs [--reps 3] [--sizes 10,100,1000] [--shapes] [--mininet] [--quick]
// --quick: N=10 once, nslab and C only (what CI could run to keep this working).
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = join(here, '..', '..', 'shared', 'bench');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick');
const reps = Number(opt('--reps', quick ? 1 : 3));
const sizes = opt('--sizes', quick ? '10' : '10,100,1000')
  .split(',')
  .map(Number);
const methods = quick ? ['c', 'nslab'] : ['c', 'batch', ...(args.includes('--mininet') ? ['mininet'] : []), 'nslab'];

if (process.getuid?.() !== 0) {
  console.error('run as root (the benchmark builds namespaces inside a sandbox)');
  process.exit(2);
}

// The baselines' scripts write logs next to themselves: work on a copy; build the C floor.
const bl = mkdtempSync(join(tmpdir(), 'nslab-bl-'));
process.on('exit', () => rmSync(bl, { recursive: true, force: true }));
cpSync(join(shared, 'baselines'), bl, { recursive: true });
execFileSync('chmod', ['-R', 'u+w', bl]);
try {
  execFileSync('gcc', ['-O2', '-o', join(bl, 'netbl'), join(bl, 'netbl.c')]);
} catch {
  console.error('cannot build the C floor (gcc missing?): apt-get install -y gcc');
  process.exit(2);
}

/** One scenario in a fresh sandbox; returns its key=value lines as numbers. */
function measure(method, shape, n) {
  const r = spawnSync(join(shared, 'sandbox.sh'), [join(here, 'scenario.sh'), method, shape, String(n), bl], { encoding: 'utf8', timeout: 15 * 60_000 });
  const out = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('=')),
  );
  if (out.skip) return { skip: out.skip };
  if (r.status !== 0 || out.build_s === undefined) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ') };
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(v)]));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
};
const results = new Map();
const runs = [
  ...sizes.map((n) => ['star', n]),
  ...(args.includes('--shapes')
    ? [
        ['star10', 1000],
        ['chain', 200],
      ]
    : []),
];
for (let rep = 0; rep < reps; rep++) {
  for (const [shape, n] of runs) {
    for (const m of methods) {
      if (shape !== 'star' && m !== 'nslab') continue;
      if (m === 'mininet' && n > 100 && !args.includes('--mininet-big')) continue;
      const key = `${m} ${shape} ${n}`;
      const got = measure(m, shape, n);
      process.stderr.write(`${key} rep ${rep + 1}: ${JSON.stringify(got)}\n`);
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(got);
    }
  }
}

const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const stat = (key, field) => {
  const xs = (results.get(key) ?? []).map((r) => r[field]).filter(Number.isFinite);
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
};
const cell = (s) => (s.n ? `${fmt(s.med)}${s.n > 1 ? ` (${fmt(s.min, 2)}-${fmt(s.max, 2)})` : ''}` : '-');
const rows = [['method', 'shape', 'N', 'build s', 'x C', 'verify s', 'fail', 'down s', 'gone s', 'unchanged s', 'add 1 s', 'peak RSS MB']];
for (const [shape, n] of runs) {
  const c = stat(`c star ${n}`, 'build_s');
  for (const m of methods) {
    const key = `${m} ${shape} ${n}`;
    if (!results.has(key)) continue;
    const errs = results.get(key).filter((r) => r.error || r.skip);
    if (errs.length === results.get(key).length) {
      rows.push([m, shape, String(n), errs[0].error ? `error: ${errs[0].error}` : `skipped: ${errs[0].skip}`]);
      continue;
    }
    const b = stat(key, 'build_s');
    let ratio = shape === 'star' && c.n ? b.med / c.med : NaN;
    if (shape !== 'star') {
      // Per-object cost against the C floor's (its 1000-host star; objects as nslab counts them).
      const cs = stat('c star 1000', 'build_s');
      const objs = stat('nslab star 1000', 'objects');
      const mine = stat(key, 'objects');
      ratio = cs.n && objs.n ? b.med / mine.med / (cs.med / objs.med) : NaN;
    }
    rows.push([
      m,
      shape,
      String(n),
      cell(b),
      m === 'c' ? '1' : fmt(ratio, 2),
      cell(stat(key, 'verify_s')),
      String(stat(key, 'verify_fail').max ?? '-'),
      cell(stat(key, 'down_s')),
      cell(stat(key, 'gone_s')),
      cell(stat(key, 'unchanged_s')),
      cell(stat(key, 'add1_s')),
      fmt(stat(key, 'rss_kb').med / 1024, 0),
    ]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const r of rows)
  console.log(
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
console.log(
  `\nmedians of ${reps} run(s), (min-max) in brackets; x C: build time over the C floor's in this run (other shapes: cost per object over the floor's at N=1000)`,
);
if (!existsSync('/usr/bin/mn') && !quick) console.log('Mininet not installed (apt-get install -y mininet fping) — not compared');
