// E2E helpers: run the real CLI (bin/nslab) and iproute2 inside a throwaway sandbox that plays
// the host, so nothing here touches the real host. Assertions use `ip`/`ping`, not nslab's code.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Sandbox } from '../helpers/sandbox.js';
import { ipJson } from '../helpers/checks.js';
export { ipJson, pings, withSandbox } from '../helpers/checks.js';

const repo = join(import.meta.dirname, '..', '..', '..');
export const BIN = join(repo, 'bin', 'nslab');
export const EXAMPLES = join(repo, 'examples');
export const FIXTURES = join(repo, 'test', 'e2e', 'fixtures');

/** Run nslab inside the sandbox (as the sandbox's unprivileged user, rootless, when it has one). */
export function nslab(sb: Sandbox, ...args: string[]): ReturnType<Sandbox['run']> {
  if (sb.user) return sb.run(sb.user.wrap([process.execPath, BIN, ...args]), { timeoutMs: 60_000, env: sb.user.env() });
  return sb.run(['node', BIN, ...args], { timeoutMs: 60_000 });
}

/** Whether this run of the suite is rootless (NSLAB_E2E_USER=1): nslab runs as an unprivileged user. */
export const ROOTLESS = process.env['NSLAB_E2E_USER'] === '1';

/**
 * A test about the real host (root's own namespaces, foreign objects in it, --host-netns, ...):
 * in the rootless run it skips, saying why.
 */
export function rootOnly<T extends { skip(m: string): void }>(why: string, fn: (t: T) => Promise<void>): (t: T) => Promise<void> {
  return async (t) => {
    if (ROOTLESS) t.skip(`root only: ${why}`);
    else await fn(t);
  };
}

/** Run nslab and require exit status 0. */
export async function nslabOk(sb: Sandbox, ...args: string[]): Promise<string> {
  const r = await nslab(sb, ...args);
  assert.equal(r.code, 0, `nslab ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** What the sandbox host has, to compare before up and after down. */
export async function hostState(sb: Sandbox): Promise<{ netns: string; links: string[] }> {
  const ns = await sb.run(['ip', 'netns', 'list']);
  const links = await ipJson<Array<{ ifname: string; ifindex: number }>>(sb, 'link', 'show');
  return { netns: ns.stdout, links: links.map((l) => `${l.ifindex}:${l.ifname}`) };
}

/** Assert that addresses exist on a device in a namespace (checked with ip, not nslab). */
export async function assertAddrs(sb: Sandbox, ns: string | undefined, dev: string, cidrs: string[]): Promise<void> {
  const args = [...(ns ? ['-n', ns] : []), 'addr', 'show', 'dev', dev];
  const info = await ipJson<Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>>(sb, ...args);
  const have = (info[0]?.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`);
  for (const c of cidrs) assert.ok(have.includes(c), `${dev} in ${ns ?? 'host'} lacks ${c} (has ${have.join(' ')})`);
}

/** The host-side interface carrying an nslab ownership alias (found with ip, by its marker). */
export async function hostEnd(sb: Sandbox, alias: string): Promise<string> {
  const links = await ipJson<Array<{ ifname: string; ifalias?: string }>>(sb, 'link', 'show');
  // A rootless lab's state root is not /run/nslab: its markers carry the root's tag (nslab@TAG:...).
  const l = links.find((x) => x.ifalias === alias || x.ifalias?.replace(/^nslab@[^:]+:/, 'nslab:') === alias);
  assert.ok(l, `no host link with alias ${alias}`);
  return l.ifname;
}

/** Run an nslab verb with --json; exit 0 or 1 (a result) is required, the parsed output returned. */
export async function nslabJson<T>(sb: Sandbox, ...args: string[]): Promise<{ code: number | null; value: T }> {
  const r = await nslab(sb, ...args, '--json');
  assert.ok(r.code === 0 || r.code === 1, `nslab ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { code: r.code, value: JSON.parse(r.stdout) as T };
}

/** A topology file in a fresh temporary directory; `done()` removes it. */
export function labFile(text: string): { path: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'nslab-e2e-'));
  const path = join(dir, 'lab.yaml');
  writeFileSync(path, text, { mode: 0o644 });
  // Readable by the sandbox's unprivileged user too, when the suite runs rootless.
  chmodSync(dir, 0o755);
  return { path, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A process as the lab journal records it. */
export interface RecordedProcess {
  node: string;
  name: string;
  pid: number;
  start: number;
  adhoc?: boolean;
  outer?: { pid: number };
}

/** The processes the lab's journal records as running (read inside the sandbox). */
export async function recordedProcesses(sb: Sandbox, lab: string): Promise<RecordedProcess[]> {
  const r = await sb.run(['cat', `/run/nslab/${lab}/journal.jsonl`]);
  const procs = new Map<number, RecordedProcess>();
  for (const line of r.stdout.split('\n')) {
    if (!line.trim()) continue;
    const rec = JSON.parse(line) as { t: string } & RecordedProcess;
    if (rec.t === 'proc') procs.set(rec.pid, rec);
    if (rec.t === 'proc-gone') procs.delete(rec.pid);
  }
  return [...procs.values()];
}

/** Whether PID names a live process (a zombie waiting for its reaper counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) [ZX] /s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** SIGKILL processes this test started, by PID (already gone is fine). */
export function killByPid(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Wait (bounded, 5 s) until something listens on a TCP port inside a namespace. */
export async function waitListening(sb: Sandbox, netns: string, port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ss = await sb.run(['ip', 'netns', 'exec', netns, 'ss', '-ltnH', `sport = :${port}`]);
    if (ss.stdout.trim()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`nothing listens on ${netns} port ${port}`);
}

/**
 * Everything nslab could leave behind in the sandbox, as text to compare: namespaces, host links
 * (names and aliases), the nft ruleset, nslab's files under `files` and the namespace mounts.
 * Processes are checked by PID. Without nsids (assigned lazily) and operstate (a new bridge goes
 * from UNKNOWN to UP on its own).
 */
export async function leftoverSnapshot(
  sb: Sandbox,
  files: readonly string[] = ['/run/nslab', '/run/netns', '/run/nslab-netns', '/etc/netns'],
  o: { readonly mounts?: boolean } = {},
): Promise<string> {
  const netns = (await sb.run(['ip', 'netns', 'list'])).stdout.replace(/ \(id: \d+\)/g, '');
  const links = (await sb.run(['ip', '-o', 'link', 'show'])).stdout
    .split('\n')
    .filter(Boolean)
    .map((l) =>
      l
        .replace(/^\d+: /, '')
        .replace(/ state \S+/, '')
        .replace(/ link\/\S+ .*?(alias|$)/, ' $1'),
    )
    .sort();
  const nft = (await sb.run(['nft', 'list', 'ruleset'])).stdout;
  const found = (await sb.run(['sh', '-c', `find ${files.join(' ')} -mindepth 1 2>/dev/null | sort; true`])).stdout;
  // /run/netns itself stays a shared mount once a namespace was named (as `ip netns add` leaves it).
  if (o.mounts === false) return [`netns:\n${netns}`, `links:\n${links.join('\n')}`, `nft:\n${nft}`, `files:\n${found}`].join('\n');
  const mounts = (await sb.run(['sh', '-c', 'grep -E "/run/(netns|nslab-netns)" /proc/self/mountinfo | cut -d" " -f5 | sort; true'])).stdout;
  return [`netns:\n${netns}`, `links:\n${links.join('\n')}`, `nft:\n${nft}`, `files:\n${found}`, `mounts:\n${mounts}`].join('\n');
}

/** The leftover snapshot becomes `want` within 5 s (the kernel frees veths in the background). */
export async function settlesTo(sb: Sandbox, want: string, what: string, files?: readonly string[], o: { readonly mounts?: boolean } = {}): Promise<void> {
  let now = '';
  for (let i = 0; i < 50; i++) {
    now = await leftoverSnapshot(sb, files, o);
    if (now === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(now, want, `${what}: the sandbox differs from before the lab`);
}
