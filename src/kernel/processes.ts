// The processes port on Linux: a node's process runs under `ip netns exec` (which also
// bind-mounts the node's hosts and resolv.conf); in an isolated node, inside `nsenter`, joining the
// namespaces of the node's holder (a shell that waits for ever, started inside `unshare` with new
// pid/mount/uts namespaces), detached in its own session. Identity is PID plus start time from /proc, so a recycled PID is never signalled.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BackgroundSpec, Held, HoldSpec, Isolation, LaunchSpec, Launched, ProcId, Processes, RunResult, RunSpec, Signal } from '../port/processes.js';
import { execInNetns, execInNetnsCapture, findCommand } from './proc.js';
import { childrenOf, groupMembers, sameProcess, startTimeOf } from './procfs.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What launchArgv needs of a process. */
export type LaunchShape = Pick<LaunchSpec, 'isolate' | 'user' | 'command' | 'join'>;

/**
 * The argv that runs a process of a node (after `ip netns exec NETNS`): in an isolated node it
 * joins the namespaces of the node's holder (`nsenter -t HOLDER`), so all of a node's processes
 * share one pid/mount/uts namespace that outlives each of them. Then the user, then the command.
 */
export function launchArgv(s: LaunchShape): string[] {
  const iso = s.isolate;
  const asUser = s.user === undefined ? [] : ['runuser', '-u', s.user, '--'];
  const inner = [...asUser, ...s.command];
  if (!iso.pid && !iso.mount && !iso.uts) return inner;
  if (s.join === undefined) throw new Error("an isolated node runs its processes in its holder's namespaces: join is required");
  return ['nsenter', '-t', String(s.join), ...enterFlags(iso), '--', ...inner];
}

/**
 * What the holder runs: set the hostname, say it is ready, then wait for ever, reaping whatever
 * child exits (as PID 1 it inherits the node's orphans: a daemon that forks into the background
 * is one) and exiting on SIGTERM (PID 1 of a pid namespace ignores signals it has no handler for).
 * The shell's `wait` reaps any child, not only its own jobs.
 */
export const HOLDER_SCRIPT =
  '[ -z "$1" ] || hostname "$1" || exit 1; trap \'kill $! 2>/dev/null; exit 0\' TERM INT HUP; echo ready; exec >/dev/null 2>&1 </dev/null; while :; do sleep 2147483647 & wait; done';

/** The argv of a node's namespace holder (after `ip netns exec NETNS`): new namespaces, private mount propagation, the script. */
export function holderArgv(s: Pick<LaunchSpec, 'isolate' | 'hostname'>): string[] {
  const iso = s.isolate;
  const flags = [
    ...(iso.pid ? ['--pid', '--fork', '--kill-child', ...(iso.mount ? ['--mount-proc'] : [])] : []),
    // Private: nothing mounted in the node propagates back to the host (unshare's default, said anyway).
    ...(iso.mount ? ['--mount', '--propagation', 'private'] : []),
    ...(iso.uts ? ['--uts'] : []),
  ];
  return ['unshare', ...flags, '--', 'sh', '-c', HOLDER_SCRIPT, 'nslab-holder', iso.uts ? s.hostname : ''];
}

function enterFlags(iso: Isolation): string[] {
  return [...(iso.pid ? ['--pid'] : []), ...(iso.mount ? ['--mount'] : []), ...(iso.uts ? ['--uts'] : [])];
}

/** The argv prefix that enters an isolated node's pid/mount/uts namespaces through `join` (inside its netns). */
function enterArgv(iso: Isolation, join: number | undefined): string[] {
  if ((!iso.pid && !iso.mount && !iso.uts) || join === undefined) return [];
  return ['nsenter', '-t', String(join), ...enterFlags(iso), '--'];
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The child of the `unshare` parent (bounded wait), with its start time. */
async function innerPid(outer: ProcId, gone: () => boolean): Promise<ProcId | undefined> {
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && !gone() && sameProcess(outer.pid, outer.start)) {
    // Until ip has exec'd unshare (or nsenter) and that has forked, the outer PID has no child yet.
    const comm = commOf(outer.pid);
    const kid = comm === 'unshare' || comm === 'nsenter' ? childrenOf(outer.pid)[0] : undefined;
    const start = kid === undefined ? undefined : startTimeOf(kid);
    if (kid !== undefined && start !== undefined) return { pid: kid, start };
    await sleep(10);
  }
  return undefined;
}

function launch(spec: LaunchSpec): Launched {
  let exited: string | undefined;
  const argv = ['netns', 'exec', spec.netns, ...launchArgv(spec)];
  const child = spawn('ip', argv, {
    stdio: ['ignore', spec.output, spec.output],
    detached: true,
    env: { ...spec.env },
    ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
  });
  child.once('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with status ${code}`;
  });
  child.once('error', (e) => {
    exited = `could not start: ${e.message}`;
  });
  child.unref();
  const start = child.pid === undefined ? undefined : startTimeOf(child.pid);
  const outer = child.pid === undefined || start === undefined ? undefined : { pid: child.pid, start };
  return {
    spawned: child.pid !== undefined,
    outer,
    exited: () => exited,
    leader: async () => (outer === undefined ? undefined : spec.isolate.pid ? innerPid(outer, () => exited !== undefined) : outer),
  };
}

/** How long a holder may take to set its namespaces up. */
const HOLD_MS = 5_000;

async function hold(spec: HoldSpec, spawned?: (outer: ProcId) => void): Promise<Held> {
  const child = spawn('ip', ['netns', 'exec', spec.netns, ...holderArgv(spec)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  let out = '';
  let err = '';
  let exited: string | undefined;
  const said = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), HOLD_MS);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready\n')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString();
    });
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exited with status ${code}`;
      clearTimeout(timer);
      resolve(false);
    });
    child.once('error', (e) => {
      exited = `could not start: ${e.message}`;
      clearTimeout(timer);
      resolve(false);
    });
  });
  const start = child.pid === undefined ? undefined : startTimeOf(child.pid);
  const outer = child.pid === undefined || start === undefined ? undefined : { pid: child.pid, start };
  if (outer) spawned?.(outer);
  const ok = await said;
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  const why = (w: string): string => `${w}${err.trim() ? `: ${err.trim()}` : ''}`;
  if (!ok || outer === undefined) return { outer, holder: undefined, why: why(exited ?? `did not set its namespaces up within ${HOLD_MS / 1000} s`) };
  // With pid isolation the holder is unshare's child (PID 1 of the new namespace); else unshare exec'd it.
  const holder = spec.isolate.pid ? await innerPid(outer, () => exited !== undefined) : outer;
  return holder === undefined ? { outer, holder, why: why(exited ?? 'its namespaces did not appear') } : { outer, holder };
}

/** The most of a command's output run() keeps (its end). */
const RUN_TAIL = 64 * 1024;

function run(spec: RunSpec): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('ip', ['netns', 'exec', spec.netns, ...launchArgv(spec)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...spec.env } });
    const keep = (b: Buffer): void => {
      output += b.toString();
      if (output.length > 2 * RUN_TAIL) output = output.slice(-RUN_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Its own process group: on timeout, what it started goes with it.
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) kill(-child.pid, 'SIGKILL');
    }, spec.timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, output, error: e.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, timedOut, output: output.slice(-RUN_TAIL) });
    });
  });
}

function background(spec: BackgroundSpec): ProcId | undefined {
  const [cmd, ...args] = spec.argv;
  if (cmd === undefined) return undefined;
  const stdio = spec.passFd === undefined ? (['ignore', spec.output, spec.output] as const) : (['ignore', spec.output, spec.output, spec.passFd] as const);
  const child = spawn(cmd, args, { detached: true, stdio: [...stdio], env: { ...spec.env }, ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }) });
  child.on('error', () => {});
  child.unref();
  const start = child.pid === undefined ? undefined : startTimeOf(child.pid);
  return child.pid === undefined || start === undefined ? undefined : { pid: child.pid, start };
}

function groupAlive(leader: ProcId): boolean {
  if (sameProcess(leader.pid, leader.start)) return true;
  // A PID now naming another process means the group is not ours to judge (a recycled PID). The
  // leader's own zombie (same start time, not yet reaped) does not: its children may still run.
  const start = startTimeOf(leader.pid);
  if (start !== undefined && start !== leader.start) return false;
  return groupMembers(leader.pid).length > 0;
}

function kill(pid: number, sig: Signal): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone between the check and the signal
  }
}

/** The Linux processes port. */
export const linuxProcesses: Processes = {
  launch,
  hold,
  run,
  background,
  check(a) {
    // Entered like `nslab exec` does: through `ip netns exec`, so the check sees the node's hosts
    // and resolv.conf also when its mount namespace is not isolated.
    const r = spawnSync('ip', ['netns', 'exec', a.netns, ...enterArgv(a.isolate, a.join), ...a.command], { stdio: 'ignore', timeout: a.timeoutMs });
    return r.status === 0;
  },
  exec: (a) => execInNetns({ netns: a.netns, argv: [...enterArgv(a.isolate, a.join), ...a.argv] }),
  execCapture: ({ isolate, join, argv, ...rest }) => execInNetnsCapture({ ...rest, argv: [...enterArgv(isolate, join), ...argv] }),
  startTime: startTimeOf,
  alive: (id) => sameProcess(id.pid, id.start),
  signal(id, sig) {
    if (!sameProcess(id.pid, id.start)) return false;
    kill(id.pid, sig);
    return true;
  },
  groupAlive,
  signalGroup(leader, sig) {
    if (groupAlive(leader)) kill(-leader.pid, sig);
  },
  findCommand,
};
