// Packet capture through tcpdump (Debian's, well kept; nslab has no capture engine of its own):
// one tcpdump per capture point, started inside the point's network namespace the way
// `ip netns exec` does, writing the pcap stream to a pipe nslab reads (-w - -U --immediate-mode:
// every packet at once). Children are tracked and signalled by PID only, and never outlive nslab:
// stopped with SIGTERM (tcpdump flushes and exits), SIGKILLed when nslab exits, and, should nslab
// itself be SIGKILLed, killed by the kernel: setpriv sets PR_SET_PDEATHSIG before exec'ing
// tcpdump, and `-Z root` keeps tcpdump from changing its user, which would clear that setting.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { netnsPath, validNetnsName } from './netns.js';
import { KernelError } from '../port/kernel.js';
import { NslabError } from '../util/errors.js';
import { needsProgram } from '../ops/missing.js';
import { findCommand } from './proc.js';
import type { CaptureSpec, CaptureEnd } from '../port/capture.js';
export type { CaptureSpec, CaptureEnd } from '../port/capture.js';

/**
 * Whether this process is in a user namespace whose setgroups(2) is denied (rootless mode's, made
 * with --map-root-user): tcpdump as uid 0 then fails with "Couldn't change to 'root'", whatever -Z.
 */
function setgroupsDenied(): boolean {
  try {
    return readFileSync('/proc/self/setgroups', 'utf8').trim() === 'deny';
  } catch {
    return false;
  }
}

/** A running tcpdump. */
export interface Capture {
  readonly pid: number;
  /** The pcap stream. */
  readonly stdout: Readable;
  /** Resolves once tcpdump listens; rejects (KernelError op capture.start) when it fails to start. */
  readonly ready: Promise<void>;
  /** Resolves once tcpdump has exited and its output has been read to the end. */
  readonly ended: Promise<CaptureEnd>;
  /** The command a human would type for this capture. */
  readonly equivalent: string;
  /** Ask it to stop (SIGTERM: it flushes what it has, then exits). */
  stop(): void;
  /** Kill it (SIGKILL). */
  kill(): void;
}

const START_TIMEOUT_MS = 10_000;
const running = new Set<ChildProcess>();
let exitHook = false;

/**
 * Start tcpdump on one capture point. Throws NslabError when tcpdump (or setpriv, ip) is not
 * installed, KernelError (ENOENT) when the namespace does not exist.
 * `ip netns exec NETNS tcpdump -i IFACE -w - -U --immediate-mode [FILTER]`
 */
export function startCapture(spec: CaptureSpec): Capture {
  const tcpdump = [
    'tcpdump',
    '-i',
    spec.iface,
    '-w',
    '-',
    '-U',
    '--immediate-mode',
    '-n',
    '-Z',
    'root',
    ...(spec.filter === undefined ? [] : ['--', spec.filter]),
  ];
  const inNs = spec.netns === undefined ? [] : ['ip', 'netns', 'exec', spec.netns];
  const equivalent = [...inNs, ...tcpdump].map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
  // The programs a capture runs, named with their package when one is missing (before any starts).
  for (const cmd of [...(inNs.length > 0 ? ['ip'] : []), 'setpriv', 'tcpdump']) {
    if (findCommand(cmd) === undefined) throw new NslabError('missing-dependency', needsProgram('capture', cmd), 1);
  }
  if (setgroupsDenied()) {
    throw new NslabError(
      'rootless',
      'capture is not available in rootless mode: tcpdump run as uid 0 always changes its groups, which your user namespace forbids (build the lab as root to capture)',
      1,
    );
  }
  if (spec.netns !== undefined && (!validNetnsName(spec.netns) || !existsSync(netnsPath(spec.netns)))) {
    throw new KernelError('capture.start', 2, 'ENOENT', equivalent, `network namespace "${spec.netns}" does not exist`);
  }
  const argv = [...inNs, 'setpriv', '--pdeathsig', 'KILL', '--', ...tcpdump];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stderr = '';
  let listening = false;
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new KernelError('capture.start', 110, 'ETIMEDOUT', equivalent, `tcpdump did not start listening within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!listening && /listening on /.test(stderr)) {
        listening = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new KernelError('capture.start', 2, 'ENOENT', equivalent, `cannot run it: ${e.message}`));
    });
    child.once('close', () => {
      clearTimeout(timer);
      if (!listening) reject(new KernelError('capture.start', 22, 'EINVAL', equivalent, complaint(stderr) ?? 'tcpdump exited before it listened'));
    });
  });
  ready.catch(() => undefined); // the caller awaits it; a late rejection must not crash nslab
  const ended = new Promise<CaptureEnd>((resolve) => {
    child.once('error', (e) => resolve({ code: null, signal: null, error: e.message }));
    child.once('close', (code, signal) => {
      running.delete(child);
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      const error = code !== 0 && signal === null ? complaint(stderr) : undefined;
      resolve({ code, signal, ...(error ? { error } : {}), ...(dropped ? { dropped: Number(dropped[1]) } : {}) });
    });
  });
  const signal = (sig: NodeJS.Signals): void => {
    // Only while it has not been reaped: afterwards the PID may name another process.
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  };
  return { pid: child.pid ?? -1, stdout: child.stdout, ready, ended, equivalent, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

/** tcpdump's error lines ("tcpdump: ..."), without the banner and statistics. */
function complaint(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^(tcpdump: listening on|\d+ packets? )/.test(l));
  return lines.length > 0 ? lines.map((l) => l.replace(/^tcpdump: /, '')).join('; ') : undefined;
}

/** Remember a child until it is reaped; SIGKILL whatever is left when nslab exits. */
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of running)
      if (c.pid !== undefined && c.exitCode === null && c.signalCode === null) {
        try {
          process.kill(c.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
  });
}
