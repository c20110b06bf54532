#!/usr/bin/env node
// The small-lab benchmark (issue 18), run by hand as root: what a user waits for on a small lab,
// side by side in one run with what the same work costs without nslab:
//   - `nslab --version` against `node -e 0` (Node's own start, the floor of any nslab command);
//   - `nslab up` and `down` of examples/bridge.yaml against bench/bridge-batch.sh (the same
//     objects with `ip -batch`), and of a 10-host star against ../shared/bench/baselines/batch.sh.
// Every measurement runs in a fresh sandbox (../shared/bench/sandbox.sh, bench/small.sh inside),
// the methods interleaved and their order reversed every other round, so drift on a shared
// machine hits both sides alike. Prints medians, the spread, and the ratios the issue sets.
//   node bench/small.mjs [--reps 7] [--gap-ms 300] [--keep-env]
// NODE_EXTRA_CA_CERTS is removed from the environment unless --keep-env: when set, every Node
// process reads and parses that certificate file at start (~45 ms here), which no nslab command
// needs and ip does not pay; the footnote says which way the run went.
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { baselines, here, needRoot, options, shared, tableLines } from './lib.mjs';

const { num: opt, has } = options();
const reps = opt('--reps', 7);
const gapMs = opt('--gap-ms', 300);
const keepEnv = has('--keep-env');
const env = { ...process.env };
if (!keepEnv) delete env.NODE_EXTRA_CA_CERTS;

needRoot();
// The baselines' scripts write logs next to themselves: work on a copy (no C floor needed here).
const bl = baselines({ prefix: 'nslab-small-', floor: false });

/** One sandboxed run of bench/small.sh; its key=value lines, several values per key kept in order. */
function measure(argv) {
  const r = spawnSync(join(shared, 'sandbox.sh'), [join(here, 'small.sh'), ...argv], { encoding: 'utf8', timeout: 120_000, env });
  if (r.status !== 0) throw new Error(`small.sh ${argv.join(' ')}: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  const out = {};
  for (const line of r.stdout.split('\n')) {
    const [k, v] = line.split('=');
    if (v !== undefined) out[k] = [...(out[k] ?? []), Number(v)];
  }
  return out;
}
// Let the kernel finish tearing down the last sandbox's namespaces (it does so in the background
// and slows whatever comes next) before the next measurement starts.
const pause = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, gapMs);

const samples = new Map();
const add = (key, xs) => samples.set(key, [...(samples.get(key) ?? []), ...(xs ?? [])]);
const jobs = [
  ['start', ['start', '3']],
  ['batch bridge', ['batch', 'bridge', bl]],
  ['nslab bridge', ['nslab', 'bridge', bl]],
  ['batch star10', ['batch', 'star10', bl]],
  ['nslab star10', ['nslab', 'star10', bl]],
];
const load0 = loadavg()[0];
for (let round = 0; round <= reps; round++) {
  // Round 0 warms the page cache and is not counted.
  for (const [key, argv] of round % 2 ? jobs : [...jobs].reverse()) {
    const got = measure(argv);
    pause();
    if (round === 0) continue;
    for (const cpu of ['', '_cpu']) {
      if (key === 'start') {
        add(`node -e 0${cpu}`, got[`node0_s${cpu}`]);
        add(`nslab --version${cpu}`, got[`version_s${cpu}`]);
      } else {
        add(`${key} up${cpu}`, got[`up_s${cpu}`]);
        add(`${key} down${cpu}`, got[`down_s${cpu}`]);
      }
    }
  }
  process.stderr.write(`round ${round}/${reps} done\n`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const st = (key) => {
  const xs = samples.get(key) ?? [];
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length };
};
const ms = (x) => (x * 1000).toFixed(1);
const cell = (s) => `${ms(s.med)} (${ms(s.min)}-${ms(s.max)})`;
const rows = [['what', 'nslab ms', 'baseline ms', 'nslab / baseline', 'nslab CPU ms', 'baseline CPU ms', 'CPU ratio', 'target']];
// One row: nslab's and the baseline's elapsed and CPU times; `diff` shows a difference, not a ratio.
const row = (what, n, b, diff, target) => {
  const [x, y, xc, yc] = [st(n), st(b), st(`${n}_cpu`), st(`${b}_cpu`)];
  const cmp = (p, q) => (diff ? `+${ms(p.med - q.med)} ms` : `${(p.med / q.med).toFixed(2)}x`);
  rows.push([what, cell(x), cell(y), cmp(x, y), cell(xc), cell(yc), cmp(xc, yc), target]);
};
row('start: nslab --version vs node -e 0', 'nslab --version', 'node -e 0', true, '+20 ms');
for (const lab of ['bridge', 'star10']) {
  for (const verb of ['up', 'down']) {
    row(`${lab === 'bridge' ? 'examples/bridge.yaml' : '10-host star'} ${verb}`, `nslab ${lab} ${verb}`, `batch ${lab} ${verb}`, false, '1.5x');
  }
}
const node0 = st('node -e 0');
for (const line of tableLines(rows)) console.log(line);
console.log(
  `\nmedians of ${reps} rounds (start: ${node0.n} samples each), (min-max) in brackets; CPU: user + system time of all the processes a command ran; baseline: node -e 0, or the same lab with ip -batch` +
    ` (bench/bridge-batch.sh, ../shared/bench/baselines/batch.sh); load average ${load0.toFixed(2)} -> ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores` +
    `; NODE_EXTRA_CA_CERTS ${env.NODE_EXTRA_CA_CERTS ? 'set (--keep-env)' : process.env.NODE_EXTRA_CA_CERTS ? 'removed' : 'not set'}`,
);
