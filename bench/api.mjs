#!/usr/bin/env node
// The library's speed, run by hand as root: inside a throwaway sandbox (../shared/bench/sandbox.sh,
// so the host is not touched), in one Node process, (1) start and stop a 10-node lab through the
// API (in this host's namespace, then with a private host namespace), and (2) start a 1000-node
// lab and add one node at a time to it with `lab.apply` (target: under 50 ms per added node).
// Prints each time and the medians.
//   node bench/api.mjs [--reps 5] [--big 1000]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const reps = opt('--reps', 5);
const big = opt('--big', 1000);

if (process.env.NSLAB_BENCH_SANDBOXED !== '1') {
  if (process.getuid?.() !== 0) {
    console.error('run as root (the benchmark builds namespaces inside a sandbox)');
    process.exit(2);
  }
  const sandbox = join(here, '..', '..', 'shared', 'bench', 'sandbox.sh');
  const r = spawnSync(sandbox, [process.execPath, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    env: { ...process.env, NSLAB_BENCH_SANDBOXED: '1' },
  });
  process.exit(r.status ?? 1);
}

const { Lab } = await import(join(here, '..', 'dist', 'index.js'));
const ms = (t0) => performance.now() - t0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (x) => `${x.toFixed(1)} ms`;

/** A star: one network, n nodes on it (addresses allocated from the subnet). */
function star(n, name) {
  const nodes = {};
  for (let i = 1; i <= n; i++) nodes[`n${i}`] = { interfaces: { eth0: { network: 'lan' } } };
  return { name, networks: { lan: { subnet: '10.0.0.0/16', gateway: '10.0.0.1' } }, nodes };
}

for (const hostNetns of [undefined, 'private']) {
  const starts = [];
  const stops = [];
  for (let i = 0; i < reps; i++) {
    let t0 = performance.now();
    const lab = await Lab.start(star(10, 'bench10'), { ...(hostNetns ? { hostNetns } : {}), stopOnExit: false });
    starts.push(ms(t0));
    t0 = performance.now();
    await lab.stop();
    stops.push(ms(t0));
  }
  const what = hostNetns ? '10 nodes, private host' : '10 nodes';
  console.log(`${what}: start ${starts.map(fmt).join(', ')} (median ${fmt(median(starts))}); stop ${stops.map(fmt).join(', ')} (median ${fmt(median(stops))})`);
}

let t0 = performance.now();
const topo = star(big, 'bench1k');
const lab = await Lab.start(topo, { stopOnExit: false });
console.log(`${big} nodes: start ${fmt(ms(t0))}`);
try {
  const adds = [];
  let nodes = { ...topo.nodes };
  for (let i = 1; i <= reps; i++) {
    nodes = { ...nodes, [`x${i}`]: { interfaces: { eth0: { network: 'lan' } } } };
    t0 = performance.now();
    const r = await lab.apply({ ...topo, nodes });
    adds.push(ms(t0));
    if (r.nodes !== big + i) throw new Error(`apply: ${r.nodes} nodes, expected ${big + i}`);
  }
  console.log(`${big} nodes: add one node with lab.apply: ${adds.map(fmt).join(', ')} (median ${fmt(median(adds))}; target < 50 ms)`);
} finally {
  t0 = performance.now();
  await lab.stop();
  console.log(`${big + reps} nodes: stop ${fmt(ms(t0))}`);
}
