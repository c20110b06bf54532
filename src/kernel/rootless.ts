// Rootless mode's Linux side: the holder (one per user) that keeps a user namespace, a mount
// namespace and the lab's "host" network namespace alive between commands, and running an nslab
// command inside them. The holder is `unshare --user --map-root-user --mount --net` running a
// small shell script that gives the mount namespace a fresh tmpfs on /run (named namespaces in
// /run/netns), a tmpfs on /etc/netns and its own /sys, then sleeps: the role rootlesskit plays for
// rootless Docker. A command joins it with `nsenter --preserve-credentials -U -m -n`: setns(2) into
// a user namespace needs a single-threaded caller, which Node is not, so the command is run again
// (the same argv) by nsenter, as uid 0 of the namespace (the user's own uid, mapped).
//
// Files, all in the user's runtime directory (dir below, 0700): holder.pid ("PID STARTTIME"), read
// back only when /proc/PID is still that process (same start time) and a process of this user's;
// holder.lock, flock'd shared by every command using the holder and exclusive to start or stop it,
// so a command never stops the holder under another one; holder.ready, written by the holder
// when its mounts are made. A holder killed by SIGKILL takes its namespaces with it (nothing
// outside the user namespace ever existed); its pid file is then stale and the next command
// starts a new one.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { NslabError } from '../util/errors.js';
import * as libc from './libc.js';
import { sockaddr } from './probe-wire.js';
import { verifyDir } from './safe-fs.js';

/** The holder's script: $1 is the runtime directory to keep visible, $2 the directory of the ready file. */
const HOLDER_SCRIPT = `set -eu
exec 3<"$1"
# A fresh /run: named namespaces (/run/netns) are this user's only. The runtime directory under it
# is bound back from fd 3 (no-canonicalize: the path itself is hidden by then).
mount -t tmpfs -o mode=755 nslab-run /run
mkdir -p "$1" /run/netns
mount --no-canonicalize --bind /proc/self/fd/3 "$1"
exec 3<&-
if [ -d /etc/netns ]; then
  mount -t tmpfs -o mode=755 nslab-etc-netns /etc/netns
else
  # No /etc/netns on this machine (and /etc is not ours): an overlay on /etc makes one.
  mkdir -p /run/nslab-etc/upper /run/nslab-etc/work
  mount -t overlay -o lowerdir=/etc,upperdir=/run/nslab-etc/upper,workdir=/run/nslab-etc/work nslab-etc /etc
  mkdir -p /etc/netns
fi
mount -t sysfs nslab-sys /sys
ip link set lo up
# The FIFO whose only writer is this process: a reader (the uplink, kernel/uplink.ts) sees its
# end when the holder is gone, however it went.
rm -f "$2/holder.alive"
mkfifo -m 600 "$2/holder.alive"
exec 4<>"$2/holder.alive"
echo $$ > "$2/holder.ready"
exec sleep infinity
`;

/** The rootless files of one user. */
export interface RootlessDirs {
  /** The runtime directory nslab's files go under ($XDG_RUNTIME_DIR, or its fallback). */
  readonly runtime: string;
  /** runtime/nslab: the holder's files and the state root. */
  readonly dir: string;
}

/** A live holder. */
export interface Holder {
  readonly pid: number;
}

/** The start time of a process (field 22 of /proc/PID/stat), or undefined when it is gone (a zombie too). */
export function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A killed holder nobody reaped yet (its parent was the command that started it) is dead.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** The holder recorded in dir, if it is still that process and this user's; undefined otherwise. */
export function liveHolder(dirs: RootlessDirs): Holder | undefined {
  let text: string;
  try {
    text = fs.readFileSync(join(dirs.dir, 'holder.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, start] = text.trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isSafeInteger(pid) || pid <= 1 || start === undefined || processStart(pid) !== start) return undefined;
  try {
    if (fs.statSync(`/proc/${pid}`).uid !== process.getuid?.()) return undefined;
    // Started, but not yet in its own user namespace, or it is some other process reusing the
    // pid with the same start time (cannot happen within one boot): refuse either way.
    if (fs.readlinkSync(`/proc/${pid}/ns/user`) === fs.readlinkSync('/proc/self/ns/user')) return undefined;
  } catch {
    return undefined;
  }
  return { pid };
}

/** Make dir (0700) under the runtime directory, refusing one that is not this user's alone. */
export function ensureDirs(dirs: RootlessDirs): void {
  fs.mkdirSync(dirs.dir, { recursive: true, mode: 0o700 });
  // The path up to it, with real uids: every ancestor root's or ours, none writable by others
  // (unless sticky). Inside, the state tree's checks see the real root as unmapped.
  verifyDir({ base: dirs.dir, what: 'rootless directory' }, dirs.dir, { create: false });
  for (const d of [dirs.runtime, dirs.dir]) {
    const st = fs.lstatSync(d);
    if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
      throw new NslabError('rootless', `${d} must be a directory of yours that nobody else can read (mode 0700); fix it or set XDG_RUNTIME_DIR`, 1);
    }
  }
}

/** A held flock on holder.lock (shared while a command uses the holder). */
export interface HolderLock {
  readonly fd: number;
}

export function lockShared(dirs: RootlessDirs): HolderLock {
  const fd = fs.openSync(join(dirs.dir, 'holder.lock'), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600);
  libc.flock(fd, LOCK_SH);
  return { fd };
}

/** Try to turn the shared lock exclusive now; false when another command holds it too. */
export function tryExclusive(l: HolderLock): boolean {
  try {
    libc.flock(l.fd, libc.LOCK_EX | libc.LOCK_NB);
    return true;
  } catch (e) {
    if (e instanceof libc.SysError && e.code === 'EAGAIN') return false;
    throw e;
  }
}

/** Back to shared (after starting the holder). */
export function backToShared(l: HolderLock): void {
  libc.flock(l.fd, LOCK_SH);
}

export function unlock(l: HolderLock): void {
  fs.closeSync(l.fd);
}

const LOCK_SH = 1;
const READY_MS = 10_000;

/** Whether a program is on PATH. */
function onPath(program: string): boolean {
  return (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && fs.existsSync(join(d, program)));
}

/** Start a holder (the caller holds the lock exclusively) and wait until its mounts are made. */
export async function startHolder(dirs: RootlessDirs): Promise<Holder> {
  for (const p of ['unshare', 'nsenter', 'setpriv', 'sleep', 'ip']) {
    if (!onPath(p)) throw new NslabError('missing-dependency', `rootless mode needs ${p} (util-linux, coreutils, iproute2): install it`, 1);
  }
  const ready = join(dirs.dir, 'holder.ready');
  fs.rmSync(ready, { force: true });
  const errPath = join(dirs.dir, 'holder.err');
  const err = fs.openSync(errPath, 'w', 0o600);
  const child = spawn(
    'unshare',
    ['--user', '--map-root-user', '--mount', '--net', '--propagation', 'private', '--', 'sh', '-c', HOLDER_SCRIPT, 'nslab-holder', dirs.runtime, dirs.dir],
    {
      detached: true,
      stdio: ['ignore', 'ignore', err],
    },
  );
  fs.closeSync(err);
  child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new NslabError('rootless', 'cannot start the rootless holder (unshare did not start)', 1);
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (fs.existsSync(ready)) {
      const start = processStart(pid);
      if (start === undefined) break;
      fs.writeFileSync(join(dirs.dir, 'holder.pid.tmp'), `${pid} ${start}\n`, { mode: 0o600 });
      fs.renameSync(join(dirs.dir, 'holder.pid.tmp'), join(dirs.dir, 'holder.pid'));
      fs.rmSync(errPath, { force: true });
      return { pid };
    }
    if (child.exitCode !== null || processStart(pid) === undefined) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
  const why = fs.readFileSync(errPath, 'utf8').trim().split('\n').pop() ?? '';
  throw new NslabError(
    'rootless',
    `cannot start the rootless holder${why ? `: ${why}` : ' (it did not become ready in 10 s)'}; run \`nslab doctor\` to see whether this machine allows unprivileged user namespaces`,
    1,
  );
}

/** Stop a holder (the caller holds the lock exclusively): its namespaces go with it. */
export function stopHolder(dirs: RootlessDirs, h: Holder): void {
  try {
    process.kill(h.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  fs.rmSync(join(dirs.dir, 'holder.pid'), { force: true });
  // The uplink (kernel/uplink.ts) ends by itself: the holder was its FIFO's only writer.
  for (const f of ['holder.ready', 'holder.alive', 'uplink.pid', 'uplink.sock']) fs.rmSync(join(dirs.dir, f), { force: true });
}

/** Whether the state root holds any lab (a directory with a journal), read as the user. */
export function anyLabState(stateRoot: string): boolean {
  try {
    return fs.readdirSync(stateRoot, { withFileTypes: true }).some((d) => d.isDirectory() && fs.existsSync(join(stateRoot, d.name, 'journal.jsonl')));
  } catch {
    return false;
  }
}

/**
 * Run `node BIN ARGV` inside the holder's namespaces, stdio inherited; resolves to its exit status
 * (128+N when killed by signal N). SIGINT, SIGTERM and SIGHUP are passed on to it. SIGKILL cannot
 * be: the inner command gets it from the kernel instead when this process dies (setpriv's
 * PR_SET_PDEATHSIG, kept by nsenter and by its exec of node: entering a user namespace of our own
 * uid is no change of credentials that clears it). Without it, the command a user kills would
 * leave the one inside running, and holding the lab's lock, as an orphan.
 */
export function runInHolder(h: Holder, argv: readonly string[], env: NodeJS.ProcessEnv, passFd?: number): Promise<number> {
  const script = process.argv[1] ?? '';
  // Entering a mount namespace moves the cwd to its root: --wd keeps ours (relative file names).
  const child = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'KILL',
      '--',
      'nsenter',
      '--preserve-credentials',
      '-t',
      String(h.pid),
      '-U',
      '-m',
      '-n',
      `--wd=${process.cwd()}`,
      '--',
      process.execPath,
      ...process.execArgv,
      script,
      ...argv,
    ],
    {
      // passFd becomes the child's fd 3 (nsenter keeps it open across its exec).
      stdio: passFd === undefined ? 'inherit' : ['inherit', 'inherit', 'inherit', passFd],
      env: passFd === undefined ? env : { ...env, NSLAB_UI_FD: '3' },
    },
  );
  const forward = (sig: NodeJS.Signals) => () => {
    try {
      child.kill(sig);
    } catch {
      // gone
    }
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((s) => [s, forward(s)] as const);
  for (const [s, f] of handlers) process.on(s, f);
  return new Promise((resolve) => {
    child.on('error', () => resolve(127));
    child.on('exit', (code, signal) => {
      for (const [s, f] of handlers) process.off(s, f);
      resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 1));
    });
  });
}

const AF_INET = 2;
const SOCK_STREAM_CLOEXEC = 1 | 0o2000000;
const SOL_SOCKET = 1;
const SO_REUSEADDR = 2;

/**
 * A TCP socket listening on 127.0.0.1:port in this process's (the user's) network namespace, for
 * `nslab ui` run in the holder: a socket keeps the namespace it was made in. Made with libc, not
 * Node's net, so this process never accepts on it itself. Throws SysError (EADDRINUSE, ...).
 */
export function listenLoopback(port: number): number {
  const fd = libc.socket(AF_INET, SOCK_STREAM_CLOEXEC, 0);
  try {
    libc.setsockoptInt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    libc.bind(fd, sockaddr('127.0.0.1', port));
    libc.listen(fd, 64);
    return fd;
  } catch (e) {
    libc.close(fd);
    throw e;
  }
}

/** Close an fd listenLoopback made. */
export function closeFd(fd: number): void {
  libc.close(fd);
}

/** The lowest port an unprivileged user may bind in this network namespace (1024 when unreadable). */
export function unprivilegedPortStart(): number {
  try {
    const n = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 1024;
  } catch {
    return 1024;
  }
}

/** A program's path on PATH, or undefined. */
export function findProgram(program: string): string | undefined {
  for (const d of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    if (d && fs.existsSync(join(d, program))) return join(d, program);
  }
  return undefined;
}
