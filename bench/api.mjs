#!/usr/bin/env node
// The library's speed, run by hand as root, in one Node process inside a throwaway sandbox
// (../shared/bench/sandbox.sh, so the host is not touched), side by side with the C floor
// (../shared/bench/baselines/netbl.c: raw rtnetlink, the kernel's own cost) in the same run:
//  1. start and stop a 10-node star through the API (in this host's namespace, then with a
//     private host namespace) against the C floor's build plus teardown of the same star
//     (target: at most 2x), each until the kernel has freed the veths;
//  2. start a 1000-node star and add one node at a time with `lab.apply` (target: under 50 ms;
//     the C floor's cost of one host at N=1000 is shown beside it). The first few adds after the
//     big build cost more (the new code paths are not compiled yet, and the kernel's cost of an
//     add varies most then): every add is printed, with the median of all and of the first five.
// Prints each time, the medians and the ratios.
//   node bench/api.mjs [--reps 7] [--big 1000] [--adds 15]
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselines, here, median, needRoot, options, shared, tableLines } from './lib.mjs';

const { num, args } = options();
const reps = num('--reps', 7);
const big = num('--big', 1000);
const addCount = num('--adds', 15);

if (process.env.NSLAB_BENCH_SANDBOXED !== '1') {
  needRoot();
  const r = spawnSync(join(shared, 'sandbox.sh'), [process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, NSLAB_BENCH_SANDBOXED: '1' },
  });
  process.exit(r.status ?? 1);
}

// The C floor, built from the shared baselines in a scratch copy.
const bl = baselines();

const { Lab } = await import(join(here, '..', 'dist', 'index.js'));
const ms = (t0) => performance.now() - t0;
const fmt = (x) => `${x.toFixed(1)} ms`;
const list = (xs) => xs.map((x) => x.toFixed(1)).join(', ');

/** Wait (bounded, 10 s) until no link whose name starts with `prefix` is left in this namespace. */
async function gone(prefix) {
  for (let i = 0; i < 1000; i++) {
    if (!readdirSync('/sys/class/net').some((n) => n.startsWith(prefix))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`links ${prefix}* still there after 10 s`);
}

/** The C floor's build and teardown of an n-host star, each until done (teardown: until the veths are gone). */
async function floor(n) {
  let t0 = performance.now();
  execFileSync(join(bl, 'netbl'), ['build', String(n)], { stdio: 'ignore' });
  const build = ms(t0);
  t0 = performance.now();
  execFileSync(join(bl, 'netbl'), ['teardown', String(n)], { stdio: 'ignore' });
  await gone('blv');
  return { build, teardown: ms(t0) };
}

/** A star: one network, n nodes on it (addresses allocated from the subnet). */
function star(n, name) {
  const nodes = {};
  for (let i = 1; i <= n; i++) nodes[`n${i}`] = { interfaces: { eth0: { network: 'lan' } } };
  return { name, networks: { lan: { subnet: '10.0.0.0/16', gateway: '10.0.0.1' } }, nodes };
}

const rows = [];
// 1. Ten nodes: the floor, then the API in this host's namespace and with a private host, interleaved per rep.
const runs = { c: [], api: [], private: [] };
for (let i = 0; i < reps; i++) {
  const f = await floor(10);
  runs.c.push({ start: f.build, stop: f.teardown });
  for (const hostNetns of [undefined, 'private']) {
    let t0 = performance.now();
    const lab = await Lab.start(star(10, 'bench10'), { ...(hostNetns ? { hostNetns } : {}), stopOnExit: false });
    const start = ms(t0);
    t0 = performance.now();
    await lab.stop();
    // stop() returns once the kernel has freed the lab's links (the library's down waits).
    await gone('bench10-');
    runs[hostNetns ? 'private' : 'api'].push({ start, stop: ms(t0) });
  }
}
const total = (r) => r.start + r.stop;
const cTotal = median(runs.c.map(total));
for (const [key, what] of [
  ['c', 'C floor: build + teardown, 10 hosts'],
  ['api', 'API: Lab.start + stop, 10 nodes'],
  ['private', 'API, private host namespace'],
]) {
  const r = runs[key];
  console.log(`${what}: start ${list(r.map((x) => x.start))}; stop ${list(r.map((x) => x.stop))} ms`);
  const t = median(r.map(total));
  rows.push([what, fmt(median(r.map((x) => x.start))), fmt(median(r.map((x) => x.stop))), fmt(t), key === 'c' ? '1.00' : (t / cTotal).toFixed(2)]);
}

// 2. One node at a time into a big lab.
const f = await floor(big);
let t0 = performance.now();
const topo = star(big, 'bench1k');
const lab = await Lab.start(topo, { stopOnExit: false });
const bigStart = ms(t0);
try {
  const adds = [];
  let nodes = { ...topo.nodes };
  for (let i = 1; i <= addCount; i++) {
    nodes = { ...nodes, [`x${i}`]: { interfaces: { eth0: { network: 'lan' } } } };
    t0 = performance.now();
    const r = await lab.apply({ ...topo, nodes });
    adds.push(ms(t0));
    if (r.nodes !== big + i) throw new Error(`apply: ${r.nodes} nodes, expected ${big + i}`);
  }
  console.log(`${big} nodes: add one node with lab.apply: ${list(adds)} ms`);
  rows.push([`API: start ${big} nodes (C floor ${fmt(f.build)})`, fmt(bigStart), '', '', (bigStart / f.build).toFixed(2)]);
  rows.push([`API: lab.apply adding 1 node to ${big}, median of ${adds.length} (target < 50 ms)`, fmt(median(adds)), '', '', '']);
  rows.push([`API: the same, median of the first 5 adds`, fmt(median(adds.slice(0, 5))), '', '', '']);
  rows.push([`C floor: cost of one host at N=${big} (build / N)`, fmt(f.build / big), '', '', '']);
} finally {
  t0 = performance.now();
  await lab.stop();
  rows.push([`API: stop ${big + addCount} nodes (C floor teardown ${fmt(f.teardown)})`, '', fmt(ms(t0)), '', '']);
}

const head = ['what', 'start', 'stop', 'start+stop', 'x C'];
console.log(`\nmedians of ${reps} (adds: of ${addCount}), in one process, side by side with the C floor in the same sandbox`);
for (const line of tableLines([head, ...rows])) console.log(line);
