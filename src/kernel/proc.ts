// Running a command inside a named network namespace the way `ip netns exec` does (with the
// namespace's /etc/netns files), stdio inherited, exit status handed back. Never through a shell.
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errnoOf } from './errors.js';
import { netnsPath, validNetnsName } from './netns.js';
import { NslabError } from '../util/errors.js';
import { needsProgram } from '../ops/missing.js';
import { KernelError } from '../port/kernel.js';
import type { CapturedExit, ExitStatus } from '../port/processes.js';
export type { ExitStatus } from '../port/processes.js';

/**
 * Run argv in the named namespace with inherited stdio and resolve to its exit status.
 * Rejects with KernelError when the namespace does not exist (op netns.enter, ENOENT) or the
 * command cannot be found (op exec, ENOENT). The child runs under `ip netns exec`, which also
 * bind-mounts /etc/netns/NAME/* over /etc (node names resolve through the lab's hosts file) and
 * remounts /sys: that needs a private mount namespace, which a multi-threaded Node process cannot
 * unshare for itself. argv is passed as is, never through a shell.
 * `ip netns exec NETNS ARGV...`
 */
export function execInNetns(opts: { netns: string; argv: string[] }): Promise<ExitStatus> {
  const [cmd] = opts.argv;
  const equivalent = `ip netns exec ${opts.netns} ${opts.argv.join(' ')}`;
  if (cmd === undefined) return Promise.reject(new KernelError('exec', 22, 'EINVAL', equivalent, 'no command given'));
  if (!validNetnsName(opts.netns) || !existsSync(netnsPath(opts.netns))) {
    return Promise.reject(new KernelError('netns.enter', 2, 'ENOENT', equivalent, `network namespace "${opts.netns}" does not exist`));
  }
  if (findCommand('ip') === undefined) return Promise.reject(new NslabError('missing-dependency', needsProgram('exec', 'ip'), 1));
  if (findCommand(cmd) === undefined) return Promise.reject(new KernelError('exec', 2, 'ENOENT', equivalent, `command not found: ${cmd}`));
  const child = spawn('ip', ['netns', 'exec', opts.netns, ...opts.argv], { stdio: 'inherit' });
  // Ctrl-C reaches the whole foreground process group: the command decides, nslab waits for it.
  const ignore = (): void => {};
  process.on('SIGINT', ignore);
  return new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', (e) => {
      const en = errnoOf(e);
      reject(en ? new KernelError('exec', en.errno, en.code, equivalent, `cannot run ip (iproute2): ${e.message}`) : e);
    });
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).finally(() => process.off('SIGINT', ignore));
}

/** What execInNetnsCapture keeps of each stream by default. */
const MAX_CAPTURE = 64 * 1024 * 1024;

/**
 * execInNetns with the output captured instead of inherited: stdin is `input` (or empty), stdout and
 * stderr are collected (each up to maxBytes), and the command is killed after timeoutMs. Rejects
 * as execInNetns does.
 */
export function execInNetnsCapture(opts: {
  netns: string;
  argv: string[];
  input?: string | Uint8Array;
  timeoutMs?: number;
  maxBytes?: number;
  env?: Readonly<Record<string, string>>;
  cwd?: string;
}): Promise<CapturedExit> {
  const [cmd] = opts.argv;
  const equivalent = `ip netns exec ${opts.netns} ${opts.argv.join(' ')}`;
  if (cmd === undefined) return Promise.reject(new KernelError('exec', 22, 'EINVAL', equivalent, 'no command given'));
  if (!validNetnsName(opts.netns) || !existsSync(netnsPath(opts.netns))) {
    return Promise.reject(new KernelError('netns.enter', 2, 'ENOENT', equivalent, `network namespace "${opts.netns}" does not exist`));
  }
  if (findCommand('ip') === undefined) return Promise.reject(new NslabError('missing-dependency', needsProgram('exec', 'ip'), 1));
  if (findCommand(cmd, undefined, opts.cwd) === undefined) return Promise.reject(new KernelError('exec', 2, 'ENOENT', equivalent, `command not found: ${cmd}`));
  const max = opts.maxBytes ?? MAX_CAPTURE;
  const child = spawn('ip', ['netns', 'exec', opts.netns, ...opts.argv], {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const size = { out: 0, err: 0 };
  let truncated = false;
  let timedOut = false;
  const keep = (into: Buffer[], which: 'out' | 'err') => (b: Buffer) => {
    const room = max - size[which];
    if (room <= 0) {
      truncated = true;
      return;
    }
    if (b.length > room) truncated = true;
    const part = b.length > room ? b.subarray(0, room) : b;
    into.push(part);
    size[which] += part.length;
  };
  child.stdout.on('data', keep(out, 'out'));
  child.stderr.on('data', keep(err, 'err'));
  // A command that does not read its input closes the pipe early: that is not an error.
  child.stdin.on('error', () => {});
  child.stdin.end(opts.input ?? '');
  const timer =
    opts.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs);
  return new Promise<CapturedExit>((resolve, reject) => {
    child.once('error', (e) => {
      const en = errnoOf(e);
      reject(en ? new KernelError('exec', en.errno, en.code, equivalent, `cannot run ip (iproute2): ${e.message}`) : e);
    });
    // 'close': the streams are drained too, not only the process gone.
    child.once('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err), truncated, timedOut }));
  }).finally(() => clearTimeout(timer));
}

/**
 * The path a command name resolves to through PATH (or itself when it has a slash, relative to
 * `cwd` if given), if executable. `path` stands for the PATH the command will run with.
 */
export function findCommand(cmd: string, path = process.env['PATH'] ?? '/usr/bin:/bin', cwd?: string): string | undefined {
  const candidates = cmd.includes('/') ? [cwd === undefined ? cmd : resolve(cwd, cmd)] : path.split(':').map((d) => join(d || '.', cmd));
  return candidates.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}
