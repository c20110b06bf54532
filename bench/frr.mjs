#!/usr/bin/env node
// The routing-daemon benchmark, run by hand as root: a ring of N FRR routers (point-to-point links,
// a loopback 10.255.0.I/32 per router), each running zebra and ospfd in its own namespaces with its
// own /etc/frr, /run/frr and /var/tmp/frr (files:), as examples/frr-ospf.yaml does, in a fresh
// sandbox per measurement (../shared/bench/sandbox.sh), so the host is not touched.
// "network" is `up` of the same ring without daemons or files; "daemons" is what the daemons
// (files, holders, start and ready checks) add to it; "converged" is the time after `up` until
// every router has an OSPF route to every other router's loopback.
//   node bench/frr.mjs [--sizes 10,30] [--reps 1]
// NSLAB_BIN=/path/to/bin/nslab measures another build.
// Inside the sandbox it runs itself with --inner N and prints key=value lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { here, needRoot, options, shared } from './lib.mjs';

const nslab = process.env.NSLAB_BIN ?? join(here, '..', 'bin', 'nslab');
const sandbox = join(shared, 'sandbox.sh');
const { args, opt } = options();

const OSPF_IF = ['  ip ospf network point-to-point', '  ip ospf hello-interval 1', '  ip ospf dead-interval 3'];

/** A ring of n routers: link i joins ri:eth0 (10.0.i.1) and r(i+1):eth1 (10.0.i.2). */
function lab(n, daemons) {
  const lines = ['name: fb', 'nodes:'];
  const next = (i) => (i % n) + 1;
  const prev = (i) => ((i + n - 2) % n) + 1;
  for (let i = 1; i <= n; i++) {
    lines.push(`  r${i}:`, '    forwarding: true', '    interfaces:');
    lines.push(`      eth0: { peer: "r${next(i)}:eth1", address: 10.0.${i}.1/24 }`);
    lines.push(`      eth1: { peer: "r${prev(i)}:eth0", address: 10.0.${prev(i)}.2/24 }`);
    if (!daemons) continue;
    const zebra = [`hostname r${i}`, 'interface lo', ` ip address 10.255.0.${i}/32`];
    const ospfd = [
      `hostname r${i}`,
      ...['eth0', 'eth1'].flatMap((e) => [`interface ${e}`, ...OSPF_IF.map((l) => l.slice(1))]),
      'router ospf',
      ` ospf router-id 10.255.0.${i}`,
      ' timers throttle spf 0 50 500',
      ' timers throttle lsa all 0',
      ' timers lsa min-arrival 0',
      ' network 10.0.0.0/8 area 0',
    ];
    lines.push('    isolate: [pid, mount, uts]', '    files:');
    lines.push('      - { path: /run/frr, dir: true, owner: frr }', '      - { path: /var/tmp/frr, dir: true, owner: frr }');
    lines.push(`      - { path: /etc/frr/zebra.conf, content: ${JSON.stringify(`${zebra.join('\n')}\n`)} }`);
    lines.push(`      - { path: /etc/frr/ospfd.conf, content: ${JSON.stringify(`${ospfd.join('\n')}\n`)} }`);
    lines.push('    processes:');
    lines.push(
      '      - { name: zebra, command: [/usr/lib/frr/zebra, -f, /etc/frr/zebra.conf, -i, /run/frr/zebra.pid, -u, frr, -g, frr], ready: { tcp: 2601 } }',
    );
    lines.push(
      '      - { name: ospfd, command: [/usr/lib/frr/ospfd, -f, /etc/frr/ospfd.conf, -i, /run/frr/ospfd.pid, -u, frr, -g, frr], ready: { tcp: 2604 } }',
    );
  }
  return `${lines.join('\n')}\n`;
}

const now = () => performance.now() / 1000;

/** How many routers have an OSPF route to every other router's loopback. */
function convergedRouters(n) {
  let done = 0;
  for (let i = 1; i <= n; i++) {
    const r = spawnSync('ip', ['-n', `fb-r${i}`, 'route', 'show', 'proto', 'ospf'], { encoding: 'utf8' });
    const lo = r.stdout.split('\n').filter((l) => l.startsWith('10.255.0.')).length;
    if (lo === n - 1) done++;
  }
  return done;
}

function inner(n) {
  // The sandbox's /run is a fresh tmpfs; on a host with FRR installed its package made /run/frr.
  // Without it, every node would overlay all of /run (and bind its namespaces' mounts aside and
  // back) to create /run/frr: a cost of the sandbox, not of a real host.
  execFileSync('install', ['-d', '-o', 'frr', '-g', 'frr', '-m', '0755', '/run/frr']);
  const dir = mkdtempSync(join(tmpdir(), 'nslab-frrbench-'));
  try {
    const up = (name, text) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(f, text);
      const t0 = now();
      const r = spawnSync('node', [nslab, 'up', f], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`up ${name} failed: ${r.stderr}`);
      return now() - t0;
    };
    const down = () => {
      const t0 = now();
      const d = spawnSync('node', [nslab, 'down', 'fb', '--wait'], { encoding: 'utf8' });
      if (d.status !== 0) throw new Error(`down failed: ${d.stderr}`);
      return now() - t0;
    };
    const net = up('net', lab(n, false));
    down();
    const all = up('all', lab(n, true));
    const t0 = now();
    let converged = -1;
    while (now() - t0 < 120) {
      if (convergedRouters(n) === n) {
        converged = now() - t0;
        break;
      }
      spawnSync('sleep', ['0.05']);
    }
    const downS = down();
    console.log(`network_s=${net.toFixed(3)}`);
    console.log(`up_s=${all.toFixed(3)}`);
    console.log(`daemons_s=${(all - net).toFixed(3)}`);
    console.log(`converged_s=${converged.toFixed(3)}`);
    console.log(`down_s=${downS.toFixed(3)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args[0] === '--inner') {
  inner(Number(args[1]));
  process.exit(0);
}

needRoot();
if (!existsSync('/usr/lib/frr/zebra') || !existsSync('/usr/lib/frr/ospfd')) {
  console.error('needs FRR (apt-get install frr)');
  process.exit(2);
}
const sizes = opt('--sizes', '10,30').split(',').map(Number);
const reps = Number(opt('--reps', 1));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const keys = ['network_s', 'up_s', 'daemons_s', 'converged_s', 'down_s'];
const rows = [];
for (const n of sizes) {
  const got = Object.fromEntries(keys.map((k) => [k, []]));
  for (let r = 0; r < reps; r++) {
    const out = execFileSync(sandbox, ['node', fileURLToPath(import.meta.url), '--inner', String(n)], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const [k, v] = line.split('=');
      if (k in got) got[k].push(Number(v));
    }
  }
  rows.push([n, 2 * n, ...keys.map((k) => median(got[k]).toFixed(3))]);
}
const head = ['routers', 'daemons', 'network s', 'up s', 'daemons s', 'converged s', 'down s'];
console.log(
  `a ring of FRR routers (zebra + ospfd each, isolate: pid, mount, uts); converged: after up, until every router has every loopback (-1: not within 120 s); median of ${reps}`,
);
console.log(head.map((h) => h.padStart(13)).join(''));
for (const r of rows) console.log(r.map((c) => String(c).padStart(13)).join(''));
