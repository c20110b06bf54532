#!/usr/bin/env node
// The verification benchmark (issue 18), run by hand as root: `nslab test --gateways` and
// `nslab test --all` on stars, side by side with the C floor verified by fping in the same run,
// each in a fresh sandbox (../shared/bench/sandbox.sh), so the host is not touched. Rounds
// alternate the methods (the machine's noise hits both); each round builds once and verifies
// --repeats times. Prints medians, the spread, false failures and nslab's ratio to the floor.
//   node bench/verify.mjs [--rounds 3] [--repeats 2] [--gateways 1000] [--all 200] [--no-baseline] [--floor-all-rounds 1]
// --gateways/--all take comma-separated sizes ("" skips the mode). fail: the most failed
// pairs in any one repeat (nslab) or fping runs that reported a host unreachable (the floor).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { baselines, here, median, needRoot, options, shared, tableLines } from './lib.mjs';

const { args, opt } = options();
const sizes = (s) => (s ? s.split(',').map(Number) : []);
const rounds = Number(opt('--rounds', 3));
const repeats = Number(opt('--repeats', 2));
const runs = [...sizes(opt('--gateways', '1000')).map((n) => ['gateways', n]), ...sizes(opt('--all', '200')).map((n) => ['all', n])];
const methods = args.includes('--no-baseline') ? ['nslab'] : ['c', 'nslab'];
const floorAllRounds = Number(opt('--floor-all-rounds', 1));

needRoot();
const bl = baselines();

const results = new Map();
for (let round = 0; round < rounds; round++) {
  for (const [mode, n] of runs) {
    for (const m of methods) {
      // The floor's all-pairs matrix (one fping per host, ARP table overflowing) takes minutes at
      // 200 nodes: once, in the first round, unless --floor-all-rounds says more.
      const floorAll = m === 'c' && mode === 'all';
      if (floorAll && round >= floorAllRounds) continue;
      const key = `${m} ${mode} ${n}`;
      const r = spawnSync(join(shared, 'sandbox.sh'), [join(here, 'verify.sh'), m, mode, String(n), bl, String(floorAll ? 1 : repeats)], {
        encoding: 'utf8',
        timeout: 30 * 60_000,
      });
      const got = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('verify_s='))
        .map((l) =>
          Object.fromEntries(
            l
              .split(' ')
              .map((kv) => kv.split('='))
              .map(([k, v]) => [k, Number(v)]),
          ),
        );
      const skip = /skip=(.*)/.exec(r.stdout)?.[1];
      process.stderr.write(
        `${key} round ${round + 1}: ${skip ?? JSON.stringify(got)}${r.status ? ` (exit ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')})` : ''}\n`,
      );
      if (!results.has(key)) results.set(key, []);
      results.get(key).push(...got);
    }
  }
}

const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '-');
const rows = [['mode', 'N', 'pairs', 'method', 'verify s (min-max)', 'samples', 'max fail', 'x floor']];
for (const [mode, n] of runs) {
  const floor = results.get(`c ${mode} ${n}`) ?? [];
  for (const m of methods) {
    const xs = results.get(`${m} ${mode} ${n}`) ?? [];
    const t = xs.map((x) => x.verify_s);
    const med = t.length ? median(t) : NaN;
    const ratio = floor.length ? med / median(floor.map((x) => x.verify_s)) : NaN;
    rows.push([
      mode,
      String(n),
      String(mode === 'all' ? n * (n - 1) : n),
      m === 'c' ? 'C floor + fping' : m,
      t.length ? `${fmt(med)} (${fmt(Math.min(...t), 2)}-${fmt(Math.max(...t), 2)})` : '-',
      String(t.length),
      t.length ? String(Math.max(...xs.map((x) => x.verify_fail))) : '-',
      m === 'c' ? '1' : fmt(ratio, 2),
    ]);
  }
}
for (const line of tableLines(rows)) console.log(line);
console.log(`\nmedians of ${rounds} round(s) x ${repeats} repeat(s); each round a fresh sandbox per method, methods alternating`);
