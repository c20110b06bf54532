#!/usr/bin/env node
// The multi-machine benchmark (issue 20), run by hand as root: the same star of N hosts built on
// one machine (`nslab up`) and over two simulated machines (two namespaces on an underlay bridge,
// `nslab up --as m1|m2 --host-netns m1|m2` at the same time, as two real machines would), each
// measurement in a fresh sandbox (../shared/bench/sandbox.sh), so the host is not touched. After
// the two parts are up, a first probe across the tunnel (`test --as m1 --attempts 1`) must pass.
// Prints the medians and the ratios of the two-machine builds to the single one (the goal: <= 1.3):
// both parts at once on this host (sharing its cores and kernel), and each part alone (the longer).
//   node bench/multihost.mjs [--reps 3] [--sizes 100,1000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { here, median, needRoot, options, shared } from './lib.mjs';

const { opt } = options();
const reps = Number(opt('--reps', 3));
const sizes = opt('--sizes', '100,1000').split(',').map(Number);
const nslab = join(here, '..', 'bin', 'nslab');

needRoot();
const dir = mkdtempSync(join(tmpdir(), 'nslab-mh-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A star of n hosts on one network; with machines, spread by nslab's placement over m1 and m2. */
function star(n, machines) {
  const lines = ['name: mhb'];
  if (machines) lines.push('machines:', '  m1: { address: 192.0.2.1 }', '  m2: { address: 192.0.2.2 }');
  lines.push('networks:', '  lan: { subnet: 10.77.0.0/16, gateway: 10.77.0.1 }', 'nodes:');
  for (let i = 1; i <= n; i++) lines.push(`  h${i}: { interfaces: { eth0: { network: lan } } }`);
  // One probe from each machine's first node to the other's last: the first probe after up.
  lines.push('expect:', '  - { from: h1, to: h' + n + ' }', '  - { from: h' + n + ', to: h1 }');
  return lines.join('\n') + '\n';
}

// One measurement per sandbox, after a pause: the previous sandbox's namespaces are still being
// freed by the kernel in the background for seconds, which slows whatever is built next.
const SCRIPT = `set -eu
ms() { date +%s%N | cut -c1-13; }
mode=$1; single=$2; multi=$3; nslab=$4
sleep 5
down() { for i in 1 2 3; do $nslab down "$@" --wait >/dev/null 2>&1 && return; sleep 2; done; }
if [ "$mode" = single ]; then
  t0=$(ms); $nslab up "$single" >/dev/null; echo "single_ms=$(( $(ms) - t0 ))"; down "$single"; exit 0
fi
ip link add under type bridge; ip link set under up
for i in 1 2; do
  ip netns add m$i; ip link add u$i type veth peer name eth0 netns m$i
  ip link set u$i master under up; ip -n m$i addr add 192.0.2.$i/24 dev eth0
  ip -n m$i link set eth0 up; ip -n m$i link set lo up
done
if [ "$mode" = alone ]; then
  # Each part alone, one after the other: what each of two real machines (own cores, own kernel) spends.
  for m in m1 m2; do t0=$(ms); $nslab up "$multi" --as $m --host-netns $m >/dev/null; echo "alone_$m=$(( $(ms) - t0 ))"; done
else
  t0=$(ms)
  $nslab up "$multi" --as m1 --host-netns m1 >/dev/null & $nslab up "$multi" --as m2 --host-netns m2 >/dev/null & wait
  echo "multi_ms=$(( $(ms) - t0 ))"
  if $nslab test "$multi" --as m1 --attempts 1 >/dev/null && $nslab test "$multi" --as m2 --attempts 1 >/dev/null; then echo first_probe=1; else echo first_probe=0; fi
fi
down "$multi" --as m1; down "$multi" --as m2
`;

/** One measurement (mode single, multi or alone) in a fresh sandbox: key=value numbers. */
function measure(n, mode) {
  const single = join(dir, `single-${n}.yaml`);
  const multi = join(dir, `multi-${n}.yaml`);
  const script = join(dir, 'round.sh');
  writeFileSync(single, star(n, false));
  writeFileSync(multi, star(n, true));
  writeFileSync(script, SCRIPT);
  const r = spawnSync(join(shared, 'sandbox.sh'), ['bash', script, mode, single, multi, nslab], { encoding: 'utf8', timeout: 20 * 60_000 });
  const out = Object.fromEntries(
    r.stdout
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => l.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ') };
  return out;
}

const rows = [];
for (const n of sizes) {
  const runs = [];
  for (let i = 0; i < reps; i++) {
    // The order turns each round, so that no mode always follows another's teardown.
    const modes = ['single', 'multi', 'alone'];
    const round = {};
    for (const mode of [...modes.slice(i % 3), ...modes.slice(0, i % 3)]) {
      const m = measure(n, mode);
      if (m.error) {
        console.error(`N=${n} ${mode}: ${m.error}`);
        process.exit(1);
      }
      Object.assign(round, m);
    }
    runs.push(round);
  }
  const med = (k) => median(runs.map((r) => r[k]));
  const alone = median(runs.map((r) => Math.max(r.alone_m1, r.alone_m2)));
  rows.push({ n, single: med('single_ms'), multi: med('multi_ms'), alone, probe: runs.every((r) => r.first_probe === 1) });
}
const pad = (s, w) => String(s).padStart(w);
console.log(
  `${'N'.padStart(6)} ${pad('one machine', 12)} ${pad('2 parts at once', 16)} ${pad('ratio', 6)} ${pad('slower part alone', 18)} ${pad('ratio', 6)}  first probe`,
);
for (const r of rows) {
  const ratio = (x) => (x / r.single).toFixed(2);
  console.log(
    `${pad(r.n, 6)} ${pad(`${r.single} ms`, 12)} ${pad(`${r.multi} ms`, 16)} ${pad(ratio(r.multi), 6)} ${pad(`${r.alone} ms`, 18)} ${pad(ratio(r.alone), 6)}  ${r.probe ? 'ok' : 'FAILED'}`,
  );
}
console.log(`medians of ${reps} run(s). "2 parts at once": both machines' ups at the same time on this one host, which`);
console.log('shares its cores and its kernel (one rtnl lock) between them; "slower part alone": the longer of the two');
console.log('parts built one after the other, what two real machines building at once would each take.');
