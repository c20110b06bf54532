// The processes port on Linux: a node's process runs under `ip netns exec` (which also
// bind-mounts the node's hosts and resolv.conf), inside `unshare` (the node's first process: new
// pid/mount/uts namespaces) or `nsenter` (later ones join the first's), detached in its own
// session. Identity is PID plus start time from /proc, so a recycled PID is never signalled.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BackgroundSpec, Isolation, LaunchSpec, Launched, ProcId, Processes, Signal } from '../port/processes.js';
import { execInNetns, execInNetnsCapture, findCommand } from './proc.js';
import { childrenOf, groupMembers, sameProcess, startTimeOf } from './procfs.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What launchArgv needs of a process. */
export type LaunchShape = Pick<LaunchSpec, 'isolate' | 'hostname' | 'user' | 'command' | 'join'>;

/**
 * The argv that runs a process of a node (after `ip netns exec NETNS`): the first one creates the
 * node's extra namespaces (`unshare`, and sets the hostname), later ones join the first's
 * (`nsenter -t FIRST`), so all of a node's processes share one pid/mount/uts namespace. Then the
 * user, then the command.
 */
export function launchArgv(s: LaunchShape): string[] {
  const iso = s.isolate;
  const asUser = s.user === undefined ? [] : ['runuser', '-u', s.user, '--'];
  const inner = [...asUser, ...s.command];
  if (!iso.pid && !iso.mount && !iso.uts) return inner;
  if (s.join !== undefined) return ['nsenter', '-t', String(s.join), ...enterFlags(iso), '--', ...inner];
  const flags = [
    ...(iso.pid ? ['--pid', '--fork', '--kill-child', ...(iso.mount ? ['--mount-proc'] : [])] : []),
    ...(iso.mount ? ['--mount'] : []),
    ...(iso.uts ? ['--uts'] : []),
  ];
  // The user's words are positional parameters of the shell, never part of its script.
  const withHost = iso.uts ? ['sh', '-c', 'hostname "$0" && exec "$@"', s.hostname, ...inner] : inner;
  return ['unshare', ...flags, '--', ...withHost];
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
