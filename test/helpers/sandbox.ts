// A throwaway sandbox for root tests: its own network namespace (playing the host) and mount
// namespace with private tmpfs on /run and /etc/netns and its own /sys, so named namespaces made
// inside live and die with it. It lives while our pipe to its stdin is open: closing it (stop(),
// or this process dying) ends the sandbox, so nothing leaks onto the real host.
// With NSLAB_E2E_USER=1 the sandbox also has an unprivileged user of its own (sandbox-user.ts):
// nslab then runs as that user, rootless, and checks run where that user's labs live.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { checkTarget, makeUser, type SandboxUser, sandboxUserWanted, userPids } from './sandbox-user.js';

/** Outcome of one command run inside the sandbox. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of Sandbox.run. */
export interface RunOptions {
  /** Kill the command (SIGKILL) after this long; default 30 s. */
  readonly timeoutMs?: number;
  /** Text written to the command's stdin (stdin is closed either way). */
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A running sandbox. */
export interface Sandbox {
  /** PID of the sandbox's init shell, for `nsenter -t PID -n -m`. */
  readonly pid: number;
  /** With NSLAB_E2E_USER=1: the unprivileged user nslab runs as (lab.ts), rootless. */
  readonly user?: SandboxUser;
  /** Run argv (no shell) inside the sandbox's network and mount namespaces. */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** Run `node ARGS...` inside the sandbox (same Node binary as this process). */
  node(args: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /** End the sandbox and everything still running in it. */
  stop(): Promise<void>;
}

const SETUP = [
  'mount -t tmpfs sb-run /run',
  'mount -t tmpfs sb-netns /etc/netns',
  'mount -t sysfs sb-sys /sys',
  'ip link set lo up',
  'echo ready',
  'read x',
].join(' && ');

/** Start a sandbox and wait (at most timeoutMs) until it is ready. */
export async function startSandbox(opts: { readonly timeoutMs?: number } = {}): Promise<Sandbox> {
  // The tmpfs goes over /etc/netns, which must exist on the host (as bench/sandbox.sh does).
  fs.mkdirSync('/etc/netns', { recursive: true });
  const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', 'sh', '-c', SETUP], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  try {
    await waitReady(child, opts.timeoutMs ?? 10_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const pid = child.pid as number;
  const mntNs = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  const user = sandboxUserWanted()
    ? await makeUser(pid, (argv) => runIn(pid, argv)).catch(async (e) => {
        await stop(child, mntNs);
        throw e;
      })
    : undefined;
  // As the user: checks run in the holder's namespaces while it lives (its netns is the lab's host).
  const target = async (): Promise<number> => (user ? await checkTarget(pid, user, (t, argv) => runIn(t, argv)) : pid);
  const sb: Sandbox = {
    pid,
    ...(user ? { user } : {}),
    run: async (argv, o) => {
      if (!user) return runIn(pid, argv, o);
      if (user.isUserCommand(argv)) return runIn(pid, argv, o);
      // nslab run by a test directly (not through lab.ts) runs as the user too.
      if (user.runsNslab(argv)) return runIn(pid, user.wrap(argv), { ...o, env: user.env(o?.env) });
      return runIn(await target(), argv, o);
    },
    node: async (args, o) => sb.run([process.execPath, ...args], o),
    stop: () => stop(child, mntNs, user ? () => userPids(user.uid) : () => []),
  };
  return sb;
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`sandbox not ready after ${timeoutMs} ms: ${err}`)), timeoutMs);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sandbox exited (${code}) before it was ready: ${err}`));
    });
  });
}

function runIn(pid: number, argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('nsenter', ['-t', String(pid), '-n', '-m', '--', ...argv], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    // A command that exits without reading its stdin makes our write fail with EPIPE: harmless.
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/**
 * Close the sandbox's stdin so its shell exits, then SIGKILL (by PID) whatever we started that is
 * still inside its mount namespace: that namespace holds the named netns mounts alive.
 */
async function stop(child: ChildProcess, mntNs: string, more: () => number[] = () => []): Promise<void> {
  // Processes started with `ip netns exec` live in mount namespaces of their own, and can keep a
  // sandbox namespace alive after the sandbox ends: find them by their network namespace too.
  const netNs = readLinkOr(`/proc/${child.pid}/ns/net`);
  const named = child.pid === undefined ? [] : await pidsInNamedNetns(child.pid);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  child.stdin?.end();
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') child.kill('SIGKILL');
  // The sandbox's own user (its uid is this sandbox's alone): its holder and what runs in it.
  for (const pid of new Set([...pidsInMountNs(mntNs), ...pidsWithNs('net', netNs), ...named, ...more()])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** PIDs inside the sandbox's named network namespaces (`ip netns pids`, run inside the sandbox). */
async function pidsInNamedNetns(sandboxPid: number): Promise<number[]> {
  const r = await runIn(sandboxPid, ['sh', '-c', 'for n in $(ip netns list | cut -d" " -f1); do ip netns pids "$n"; done'], { timeoutMs: 5_000 }).catch(
    () => undefined,
  );
  return (r?.stdout ?? '')
    .split('\n')
    .map(Number)
    .filter((n) => Number.isSafeInteger(n) && n > 1 && n !== process.pid);
}

/** PIDs in the namespace of this kind whose link text is `ns` (none when ns is empty). */
function pidsWithNs(kind: 'net', ns: string): number[] {
  if (!ns) return [];
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e) && readLinkOr(`/proc/${e}/ns/${kind}`) === ns)
    .map(Number);
}

function readLinkOr(path: string): string {
  try {
    return fs.readlinkSync(path);
  } catch {
    return '';
  }
}

/** PIDs whose mount namespace is the sandbox's (they were all started inside it, by us). */
function pidsInMountNs(mntNs: string): number[] {
  const out: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/mnt`) === mntNs) out.push(Number(entry));
    } catch {
      // exited meanwhile, or not ours to read
    }
  }
  return out;
}
