#!/usr/bin/env node
// The processes benchmark, run by hand as root: `up` of N routers on one network, each running two
// long-lived daemons that are ready once they accept TCP connections (a listener on 2601, then one
// on 2604 that starts after the first is ready, as a routing daemon starts after its manager), in
// a fresh sandbox per measurement (../shared/bench/sandbox.sh), so the host is not touched.
// "network" is `up` of the same routers without processes (and without isolation); "processes" is
// what the daemons (and with --isolate, the namespaces they run in) add to it.
//   node bench/processes.mjs [--sizes 10,30] [--reps 3] [--isolate]
// NSLAB_BIN=/path/to/bin/nslab measures another build (an older commit, for a before/after table).
// --isolate: the routers declare `isolate: [pid, mount, uts]` (one namespace holder per router).
// Inside the sandbox it runs itself with --inner N ISOLATE and prints key=value lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { here, needRoot, options, shared } from './lib.mjs';

const nslab = process.env.NSLAB_BIN ?? join(here, '..', 'bin', 'nslab');
const sandbox = join(shared, 'sandbox.sh');
const { args, opt } = options();

/** A listener that accepts and closes connections (stands for a daemon's vty port). */
function listener(port) {
  return `[socat, "TCP-LISTEN:${port},fork,reuseaddr", "SYSTEM:true"]`;
}

function lab(n, isolate, processes) {
  const lines = ['name: pb', 'networks:', '  lan: { subnet: 10.60.0.0/16 }', 'nodes:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  r${i}:`);
    if (isolate) lines.push('    isolate: [pid, mount, uts]');
    lines.push('    interfaces: { eth0: { network: lan } }');
    if (!processes) continue;
    lines.push('    processes:');
    lines.push(`      - { name: zebra, command: ${listener(2601)}, ready: { tcp: 2601 } }`);
    lines.push(`      - { name: ospfd, command: ${listener(2604)}, ready: { tcp: 2604 } }`);
  }
  return `${lines.join('\n')}\n`;
}

const now = () => performance.now() / 1000;

function inner(n, isolate) {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-pbench-'));
  try {
    const run = (name, text) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, text);
      const t0 = now();
      const r = spawnSync('node', [nslab, 'up', f], { encoding: 'utf8' });
      const s = now() - t0;
      if (r.status !== 0) throw new Error(`up ${name} failed: ${r.stderr}`);
      return s;
    };
    const net = run('net', lab(n, false, false));
    spawnSync('node', [nslab, 'down', 'pb', '--wait'], { encoding: 'utf8' });
    const all = run('all', lab(n, isolate, true));
    const t0 = now();
    const d = spawnSync('node', [nslab, 'down', 'pb', '--wait'], { encoding: 'utf8' });
    const down = now() - t0;
    if (d.status !== 0) throw new Error(`down failed: ${d.stderr}`);
    console.log(`network_s=${net.toFixed(3)}`);
    console.log(`up_s=${all.toFixed(3)}`);
    console.log(`processes_s=${(all - net).toFixed(3)}`);
    console.log(`down_s=${down.toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--inner') {
  inner(Number(args[1]), args[2] === '1');
  process.exit(0);
}

needRoot();
execFileSync('which', ['socat']);
const sizes = opt('--sizes', '10,30').split(',').map(Number);
const reps = Number(opt('--reps', 3));
const isolate = args.includes('--isolate');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const n of sizes) {
  const got = { network_s: [], up_s: [], processes_s: [], down_s: [] };
  for (let r = 0; r < reps; r++) {
    const out = execFileSync(sandbox, ['node', fileURLToPath(import.meta.url), '--inner', String(n), isolate ? '1' : '0'], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const [k, v] = line.split('=');
      if (k in got) got[k].push(Number(v));
    }
  }
  rows.push([n, 2 * n, ...['network_s', 'up_s', 'processes_s', 'down_s'].map((k) => median(got[k]).toFixed(3))]);
}
const head = ['routers', 'processes', 'network s', 'up s', 'processes s', 'down s'];
console.log(`isolate: ${isolate ? 'pid, mount, uts' : 'none'}; median of ${reps}`);
console.log(head.map((h) => h.padStart(12)).join(''));
for (const r of rows) console.log(r.map((c) => String(c).padStart(12)).join(''));
