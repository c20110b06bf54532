#!/usr/bin/env node
// The speed benchmark (issues 6 and 18), run by hand as root: builds, verifies and tears down
// stars of N = 10, 100, 1000, 5000 hosts (nslab puts at most 1000 hosts on a bridge) and the other
// shapes with nslab and, in the same run, the baselines of ../shared/bench (the C floor and
// `ip -batch`; Mininet when installed and --mininet is given), each measurement in a fresh sandbox
// (../shared/bench/sandbox.sh), so the host is not touched. Prints medians (and the spread),
// nslab's ratio to the C floor, the cost per host and how it grows, and writes the picture
// (docs/scale.svg: build time against N, log-log) and the table it came from (docs/scale.md).
//   node bench/scale.mjs [--reps 3] [--sizes 10,100,1000,5000] [--shapes] [--mininet] [--quick]
//                        [--before DIR] [--batch-max 1000] [--svg docs/scale.svg] [--md docs/scale.md]
// --quick: N=10 once, nslab and C only, nothing written (what CI could run to keep this working).
// --before DIR: also measure the nslab of another checkout (built), as "nslab (before)".
// --batch-max: largest N for `ip -batch` (1000 takes ~20 s; 5000 would take minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { multiBridgeFloor } from './floor-bridges.mjs';
import { baselines, here, median, needRoot, options, shared, tableLines } from './lib.mjs';
import { logLogSvg } from './svg.mjs';

const { args, opt } = options();
const quick = args.includes('--quick');
const reps = Number(opt('--reps', quick ? 1 : 3));
const sizes = opt('--sizes', quick ? '10' : '10,100,1000,5000')
  .split(',')
  .map(Number);
const before = opt('--before', undefined);
const batchMax = Number(opt('--batch-max', 1000));
const methods = quick ? ['c', 'nslab'] : ['c', 'batch', ...(args.includes('--mininet') ? ['mininet'] : []), ...(before ? ['nslab (before)'] : []), 'nslab'];
const svgPath = opt('--svg', quick ? undefined : join(here, '..', 'docs', 'scale.svg'));
const mdPath = opt('--md', quick ? undefined : join(here, '..', 'docs', 'scale.md'));

needRoot();
// The baselines' scripts write logs next to themselves: work on a copy; build the C floor, and
// above 1000 hosts the floor that needs more than one bridge (floor-bridges.mjs).
const bl = baselines({
  build: (dir) => {
    writeFileSync(join(dir, 'netbl-multi.c'), multiBridgeFloor(readFileSync(join(dir, 'netbl.c'), 'utf8')));
    execFileSync('gcc', ['-O2', '-o', join(dir, 'netbl-multi'), join(dir, 'netbl-multi.c')]);
  },
});

/** One scenario in a fresh sandbox; returns its key=value lines as numbers. */
function measure(method, shape, n) {
  const env = method === 'nslab (before)' ? { ...process.env, NSLAB: join(before, 'bin', 'nslab') } : process.env;
  const m = method === 'nslab (before)' ? 'nslab' : method;
  const r = spawnSync(join(shared, 'sandbox.sh'), [join(here, 'scenario.sh'), m, shape, String(n), bl], { encoding: 'utf8', timeout: 15 * 60_000, env });
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
      if (m === 'batch' && n > batchMax) continue;
      const key = `${m} ${shape} ${n}`;
      const got = measure(m, shape, n);
      process.stderr.write(`${key} rep ${rep + 1}: ${JSON.stringify(got)}\n`);
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(got);
    }
  }
}

const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const ok = (key) => (results.get(key) ?? []).map((r) => (r.error || r.skip ? undefined : r));
const stat = (key, field) => {
  const xs = ok(key)
    .map((r) => r?.[field])
    .filter(Number.isFinite);
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
};
/** Median of the per-rep ratios a/b: each rep measured both back to back, so load drift cancels. */
const pairedRatio = (keyA, keyB, field) => {
  const a = ok(keyA);
  const b = ok(keyB);
  const rs = a.map((r, i) => r?.[field] / b[i]?.[field]).filter(Number.isFinite);
  return { med: median(rs), min: Math.min(...rs), max: Math.max(...rs), n: rs.length };
};
/** Worst verify of the runs: hosts that failed, or "err" when a run's check gave no report (-1). */
const failCell = (key) => {
  const xs = ok(key)
    .map((r) => r?.verify_fail)
    .filter(Number.isFinite);
  if (xs.length === 0) return '-';
  return xs.includes(-1) ? `err ${xs.filter((x) => x === -1).length}/${xs.length}` : String(Math.max(...xs));
};
const cell = (s) => (s.n ? `${fmt(s.med)}${s.n > 1 ? ` (${fmt(s.min, 2)}-${fmt(s.max, 2)})` : ''}` : '-');
const rows = [['method', 'shape', 'N', 'build s', 'x C', 'verify s', 'fail', 'down s', 'gone s', 'unchanged s', 'add 1 s', 'peak RSS MB']];
for (const [shape, n] of runs) {
  for (const m of methods) {
    const key = `${m} ${shape} ${n}`;
    if (!results.has(key)) continue;
    const errs = results.get(key).filter((r) => r.error || r.skip);
    if (errs.length === results.get(key).length) {
      rows.push([m, shape, String(n), errs[0].error ? `error: ${errs[0].error}` : `skipped: ${errs[0].skip}`]);
      continue;
    }
    const b = stat(key, 'build_s');
    let ratio = shape === 'star' ? cell(pairedRatio(key, `c star ${n}`, 'build_s')) : '-';
    if (shape !== 'star') {
      // Per-object cost against the C floor's (its 1000-host star; objects as nslab counts them).
      const cs = stat('c star 1000', 'build_s');
      const objs = stat('nslab star 1000', 'objects');
      const mine = stat(key, 'objects');
      ratio = cs.n && objs.n ? fmt(b.med / mine.med / (cs.med / objs.med), 2) : '-';
    }
    rows.push([
      m,
      shape,
      String(n),
      cell(b),
      m === 'c' ? '1' : ratio,
      cell(stat(key, 'verify_s')),
      failCell(key),
      cell(stat(key, 'down_s')),
      cell(stat(key, 'gone_s')),
      cell(stat(key, 'unchanged_s')),
      cell(stat(key, 'add1_s')),
      fmt(stat(key, 'rss_kb').med / 1024, 0),
    ]);
  }
}

const lines = [...tableLines(rows), ''];
lines.push(
  `medians of ${reps} run(s), (min-max) in brackets; x C: the median of each run's build time over the C floor's measured just before it (other shapes: cost per object over the floor's at N=1000); gone s: from the start of the teardown until no veth is left; build CPU: user + system time of the build process (the C floor and nslab alike; the kernel's background work is not in it); fail: hosts a verify found unreachable in its worst run, err: runs whose check gave no report`,
);

// How cost grows: milliseconds per host of each star, and the largest N's over 1000's.
const stars = sizes.filter((n) => methods.some((m) => stat(`${m} star ${n}`, 'build_s').n > 0));
const perHost = [
  ['method', 'per host ms', ...stars.map(String), ...(stars.includes(1000) && stars.some((n) => n > 1000) ? [`x ${Math.max(...stars)}/1000`] : [])],
];
for (const m of methods) {
  for (const [field, what] of [
    ['build_s', 'build'],
    ['cpu_s', 'build CPU'],
    ['verify_s', 'verify'],
    ['gone_s', 'teardown'],
  ]) {
    const per = stars.map((n) => stat(`${m} star ${n}`, field).med / n);
    if (per.every((v) => !Number.isFinite(v))) continue;
    const big = Math.max(...stars);
    const growth = perHost[0].length > stars.length + 2 ? [fmt(per[stars.indexOf(big)] / per[stars.indexOf(1000)], 2)] : [];
    perHost.push([m, what, ...per.map((v) => fmt(v * 1000, 2)), ...growth]);
  }
}
if (stars.length > 1) lines.push('', ...tableLines(perHost));
for (const l of lines) console.log(l);
if (!existsSync('/usr/bin/mn') && !quick) console.log('Mininet not installed (apt-get install -y mininet fping) — not compared');

// The picture: build (solid) and teardown (dashed) time against N, every method, log-log.
if (svgPath && stars.length > 1) {
  const series = [];
  for (const [field, what, dashed] of [
    ['build_s', 'build', false],
    ['gone_s', 'teardown', true],
  ]) {
    for (const m of methods) {
      const points = stars.map((n) => [n, stat(`${m} star ${n}`, field).med]).filter(([, y]) => Number.isFinite(y) && y > 0);
      if (points.length > 0) series.push({ name: `${m} ${what}`, points, dashed, color: methods.indexOf(m) });
    }
  }
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  writeFileSync(
    svgPath,
    logLogSvg({
      title: 'Star of N hosts: build and teardown time',
      xLabel: 'hosts (N)',
      yLabel: 'seconds (median)',
      series,
      note: `bench/scale.mjs, ${when} UTC, medians of ${reps}; at most 1000 hosts a bridge (ip -batch: one bridge)`,
    }),
  );
  console.log(`\nwrote ${svgPath}`);
}
if (mdPath && stars.length > 1) {
  const head = `# Scale: the table behind scale.svg\n\nWritten by \`node bench/scale.mjs ${args.join(' ')}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (${os.cpus().length} cores, kernel ${os.release()}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end).\n\n`;
  writeFileSync(mdPath, `${head}\`\`\`\n${lines.join('\n')}\n\`\`\`\n`);
  console.log(`wrote ${mdPath}`);
}
