// Fault injection (issue 7): `nslab up` and `nslab down` of a lab with NAT, a published port, a
// node firewall and a running process are killed with SIGKILL at seeded random moments. After
// each kill, `down NAME` must leave the sandbox exactly as before (namespaces, links, the nft
// ruleset, processes, files under the state and namespace dirs), and an `up` after the kill must
// converge (a second up changes nothing, every node reaches its gateways).
// NSLAB_FAULT_NODES (default 30), NSLAB_FAULT_KILLS (default 4), NSLAB_FAULT_SEED (default random,
// printed) size and replay a run; the full run is NSLAB_FAULT_NODES=100 NSLAB_FAULT_KILLS=20.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'node:test';
import type { Sandbox } from '../helpers/sandbox.js';
import { rng } from '../helpers/fuzz-inputs.js';
import { BIN, labFile, nslab, withSandbox } from './lab.js';

const NODES = Number(process.env['NSLAB_FAULT_NODES'] ?? 30);
const KILLS = Number(process.env['NSLAB_FAULT_KILLS'] ?? 4);
const SEED = Number(process.env['NSLAB_FAULT_SEED'] ?? Math.floor(Math.random() * 2 ** 31));

function topology(n: number): string {
  const lines = [
    'name: fault',
    'networks:',
    '  lan: { subnet: 10.91.0.0/16, gateway: 10.91.0.1, nat: true }',
    '  dmz: { subnet: 10.92.0.0/24, gateway: 10.92.0.1 }',
    'nodes:',
    '  web:',
    '    interfaces: { eth0: { network: dmz, address: 10.92.0.10/24 } }',
    '    firewall: { input: { policy: drop, allow: [ { proto: icmp }, { proto: tcp, dport: 8080 } ] } }',
    '    publish: ["8080:8080/tcp"]',
    '  idle:',
    '    interfaces: { eth0: { network: dmz } }',
    '    processes:',
    '      - { name: idle, command: [sleep, "1000"] }',
  ];
  for (let i = 1; i <= Math.max(1, n - 2); i++) lines.push(`  h${i}: { interfaces: { eth0: { network: lan } } }`);
  return lines.join('\n') + '\n';
}

/** Everything nslab could leave behind in the sandbox, as one comparable text. */
async function snapshot(sb: Sandbox): Promise<string> {
  const netns = (await sb.run(['ip', 'netns', 'list'])).stdout;
  // Without ifindex: only names, kinds and aliases matter (indexes grow with every lab).
  const links = (await sb.run(['ip', '-o', 'link', 'show'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\d+: /, '').replace(/ link\/\S+ .*?(alias|$)/, ' $1'))
    .sort();
  const nft = (await sb.run(['nft', 'list', 'ruleset'])).stdout;
  const files = (await sb.run(['sh', '-c', 'find /run/nslab /run/netns /run/nslab-netns /etc/netns -mindepth 1 2>/dev/null | sort; true'])).stdout;
  const mounts = (await sb.run(['sh', '-c', 'grep -E "/run/(netns|nslab-netns)" /proc/self/mountinfo | cut -d" " -f5 | sort; true'])).stdout;
  return [
    `netns:\n${netns}`,
    `links:\n${links.join('\n')}`,
    `nft:\n${nft}`,
    `files:\n${files}`,
    `mounts:\n${mounts}`,
    `processes:\n${processesIn(sb).join('\n')}`,
  ].join('\n');
}

/** Commands of the processes in the sandbox's mount namespace besides its own shell. */
function processesIn(sb: Sandbox): string[] {
  const mnt = fs.readlinkSync(`/proc/${sb.pid}/ns/mnt`);
  const out: string[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === sb.pid) continue;
    try {
      if (fs.readlinkSync(`/proc/${e}/ns/mnt`) !== mnt) continue;
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      if (/^\d+ \(.*\) [ZX] /s.test(stat)) continue;
      out.push(`${e} ${fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()}`);
    } catch {
      // exited meanwhile
    }
  }
  return out.sort();
}

/** Start nslab ARGS in the sandbox and send it SIGKILL (or sig) after delayMs (unless it ended before). */
function killAfter(
  sb: Sandbox,
  args: string[],
  delayMs: number,
  sig: NodeJS.Signals = 'SIGKILL',
): Promise<{ killed: boolean; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // nsenter execs the command (no fork without -p), so the child's PID is nslab's own.
    const child = spawn('nsenter', ['-t', String(sb.pid), '-n', '-m', '--', process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.exitCode === null && child.signalCode === null;
      if (killed) child.kill(sig);
    }, delayMs);
    const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ killed: killed && (sig !== 'SIGKILL' || signal === 'SIGKILL'), code, out });
    });
  });
}

async function ok(sb: Sandbox, what: string, ...args: string[]): Promise<string> {
  const r = await nslab(sb, ...args);
  assert.equal(r.code, 0, `${what}: nslab ${args.join(' ')} exited ${r.code} (seed ${SEED})\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** down by name, waiting for the kernel and any background finisher; then no process of ours is left. */
async function downAndCompare(sb: Sandbox, baseline: string, what: string): Promise<void> {
  await ok(sb, what, 'down', 'fault', '--wait');
  let now = '';
  for (let i = 0; i < 50; i++) {
    now = await snapshot(sb);
    if (now === baseline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(now, baseline, `${what}: the sandbox differs from before the lab (seed ${SEED})`);
}

test(`SIGKILL during up and down leaves nothing that down cannot remove; up converges (${NODES} nodes, ${KILLS} kills)`, { timeout: 30 * 60_000 }, (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const f = labFile(topology(NODES));
    const random = rng(SEED);
    process.stdout.write(`# fault injection: seed ${SEED} (NSLAB_FAULT_SEED=${SEED} to replay), ${NODES} nodes, ${KILLS} kills\n`);
    let survived = 0;
    let tried = 0;
    try {
      // A first full cycle: its timings bound the kill moments, and the state after it is the baseline.
      let t0 = Date.now();
      await ok(sb, 'first up', 'up', f.path);
      const upMs = Date.now() - t0;
      t0 = Date.now();
      await ok(sb, 'first down', 'down', 'fault', '--wait');
      const downMs = Date.now() - t0;
      const baseline = await snapshot(sb);
      process.stdout.write(`# up ${upMs} ms, down ${downMs} ms\n`);
      for (let i = 0; i < KILLS; i++) {
        const mode = (['up-down', 'up-converge', 'down'] as const)[i % 3] ?? 'up-down';
        tried++;
        if (mode === 'down') {
          await ok(sb, `kill ${i}: up`, 'up', f.path);
          const delay = Math.floor(random() * downMs * 1.2);
          const r = await killAfter(sb, ['down', 'fault'], delay);
          process.stdout.write(`# kill ${i}: down after ${delay} ms: ${r.killed ? 'killed' : `finished first (${r.code})`}\n`);
          await downAndCompare(sb, baseline, `kill ${i} (down at ${delay} ms)`);
        } else {
          const delay = Math.floor(random() * upMs * 1.2);
          const r = await killAfter(sb, ['up', f.path], delay);
          process.stdout.write(
            `# kill ${i}: up after ${delay} ms, then ${mode === 'up-down' ? 'down' : 'up again'}: ${r.killed ? 'killed' : `finished first (${r.code})`}\n`,
          );
          if (!r.killed) assert.equal(r.code, 0, `kill ${i}: up failed (seed ${SEED}): ${r.out}`);
          const what = `kill ${i} (up at ${delay} ms)`;
          if (mode === 'up-converge') {
            await ok(sb, `${what}: up after the kill`, 'up', f.path);
            const again = JSON.parse(await ok(sb, `${what}: second up`, 'up', f.path, '--json')) as { changes: number };
            assert.equal(again.changes, 0, `${what}: the second up still changed ${again.changes} object(s) (seed ${SEED})`);
            await ok(sb, `${what}: test --gateways`, 'test', 'fault', '--gateways');
          }
          await downAndCompare(sb, baseline, what);
        }
        survived++;
      }
    } finally {
      process.stdout.write(`# fault injection: ${survived}/${tried} kills survived (seed ${SEED})\n`);
      await nslab(sb, 'down', 'fault', '--wait');
      f.done();
    }
  }),
);

test('Ctrl-C during up stops cleanly, says what state the lab is in, and up or down finishes from there', { timeout: 5 * 60_000 }, (t) =>
  withSandbox(t, ['nft', 'libnftables'], async (sb) => {
    const f = labFile(topology(Math.min(NODES, 60)));
    const random = rng(SEED + 1);
    try {
      const t0 = Date.now();
      await ok(sb, 'first up', 'up', f.path);
      const upMs = Date.now() - t0;
      await ok(sb, 'first down', 'down', 'fault', '--wait');
      const baseline = await snapshot(sb);
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const delay = i === 0 ? 150 : Math.floor(upMs * (0.2 + random() * 0.6));
        const r = await killAfter(sb, ['up', f.path], delay, 'SIGINT');
        process.stdout.write(`# SIGINT ${i} after ${delay} ms: exit ${r.code}: ${r.out.trim().split('\n').pop() ?? ''}\n`);
        // null: the signal came before nslab was far enough to handle it (the default action ended it).
        assert.ok(r.code === 0 || r.code === 130 || r.code === null, `SIGINT at ${delay} ms: exit ${r.code} (seed ${SEED}): ${r.out}`);
        if (r.code === 130) {
          assert.match(r.out, /interrupted/);
          if (/nothing was changed/.test(r.out)) seen.add('before');
          else {
            assert.ok(r.out.includes(`run \`nslab up ${f.path}\` to finish the lab, or \`nslab down fault\` to remove it`), r.out);
            seen.add('during');
          }
        }
        if (i % 2 === 0) {
          await ok(sb, 'up after Ctrl-C', 'up', f.path);
          await ok(sb, 'test after Ctrl-C', 'test', 'fault', '--gateways');
        }
        await downAndCompare(sb, baseline, `SIGINT ${i} at ${delay} ms`);
      }
      process.stdout.write(`# SIGINT outcomes seen: ${[...seen].join(', ') || 'none (all finished first)'}\n`);
    } finally {
      await nslab(sb, 'down', 'fault', '--wait');
      f.done();
    }
  }),
);
