// Rootless mode's way out: slirp4netns, a user-mode network stack, attached to the holder's
// network namespace (the lab's host) with a tap device `nslab-uplink` on 100.127.255.0/24 (shared
// address space, RFC 6598: no lab is likely to use it), default route and all. It runs in the
// user's own network namespace, so what leaves the labs (masqueraded by the labs' nat: tables on
// the holder's host) leaves as ordinary sockets of the user's; published ports are its host
// forwards (its API socket), to the uplink address, where the labs' DNAT rules take them on.
// It ends by itself when the holder does: its exit fd reads the holder's FIFO (holder.alive),
// whose only writer is the holder. Files, in the rootless directory: uplink.pid ("PID START
// HOLDER"), uplink.sock (its API).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { NslabError } from '../util/errors.js';
import type { Holder, RootlessDirs } from './rootless.js';
import { processStart } from './rootless.js';

/** The uplink's tap device in the holder's network namespace. */
export const UPLINK_DEV = 'nslab-uplink';
/** Its network: the stack is .2, DNS .3, the holder's host .100. */
export const UPLINK_CIDR = '100.127.255.0/24';

/** A host forward: the user's port, forwarded to the same port of the holder's host. */
export interface HostForward {
  readonly proto: 'tcp' | 'udp';
  readonly port: number;
}

/** A running uplink. */
export interface Uplink {
  readonly pid: number;
  /** The holder it serves. */
  readonly holder: number;
}

const READY_MS = 5_000;

/** The uplink recorded in dir, if it is still that process and serves holder h. */
export function liveUplink(dirs: RootlessDirs, h: Holder | undefined): Uplink | undefined {
  let text: string;
  try {
    text = fs.readFileSync(join(dirs.dir, 'uplink.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const [pid, start, holder] = text.trim().split(' ').map(Number);
  if (!pid || !holder || processStart(pid) !== String(start)) return undefined;
  if (h !== undefined && h.pid !== holder) return undefined;
  return { pid, holder };
}

/** Stop the recorded uplink (whichever holder it served), by its PID once checked. */
export function stopUplink(dirs: RootlessDirs): void {
  const u = liveUplink(dirs, undefined);
  if (u) {
    try {
      process.kill(u.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  fs.rmSync(join(dirs.dir, 'uplink.pid'), { force: true });
  fs.rmSync(join(dirs.dir, 'uplink.sock'), { force: true });
}

/** Start slirp4netns on the holder's network namespace; resolves once its network is configured. */
export async function startUplink(dirs: RootlessDirs, h: Holder, program: string): Promise<Uplink> {
  stopUplink(dirs);
  const sock = join(dirs.dir, 'uplink.sock');
  // The read end of the holder's FIFO: end of file when the holder is gone.
  const alive = fs.openSync(join(dirs.dir, 'holder.alive'), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const errPath = join(dirs.dir, 'uplink.err');
  const err = fs.openSync(errPath, 'w', 0o600);
  const child = spawn(
    program,
    [
      '--configure',
      '--mtu=65520',
      '--disable-host-loopback',
      `--cidr=${UPLINK_CIDR}`,
      `--api-socket=${sock}`,
      '--ready-fd=3',
      '--exit-fd=4',
      `--userns-path=/proc/${h.pid}/ns/user`,
      '--netns-type=path',
      `/proc/${h.pid}/ns/net`,
      UPLINK_DEV,
    ],
    { detached: true, stdio: ['ignore', 'ignore', err, 'pipe', alive] },
  );
  fs.closeSync(alive);
  fs.closeSync(err);
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), READY_MS);
    child.stdio[3]?.once('data', () => {
      clearTimeout(timer);
      resolve(true);
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  const ok = await ready;
  (child.stdio[3] as net.Socket | null)?.destroy();
  child.unref();
  const pid = child.pid;
  const start = pid === undefined ? undefined : processStart(pid);
  if (!ok || pid === undefined || start === undefined) {
    if (pid !== undefined) child.kill('SIGKILL');
    const why = fs.readFileSync(errPath, 'utf8').trim().split('\n').pop() ?? '';
    throw new NslabError('rootless', `cannot start ${program} for the labs' way out${why ? `: ${why}` : ''}`, 1);
  }
  fs.rmSync(errPath, { force: true });
  fs.writeFileSync(join(dirs.dir, 'uplink.pid'), `${pid} ${start} ${h.pid}\n`, { mode: 0o600 });
  return { pid, holder: h.pid };
}

/** One request to the uplink's API socket (one JSON object each way). */
function api(dirs: RootlessDirs, request: object): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = net.connect(join(dirs.dir, 'uplink.sock'));
    let out = '';
    const timer = setTimeout(() => s.destroy(new Error('no answer in 3 s')), 3_000);
    s.on('connect', () => s.end(JSON.stringify(request)));
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as Record<string, unknown>);
      } catch {
        reject(new Error(`unreadable answer: ${out}`));
      }
    });
  });
}

interface ListedForward {
  readonly id: number;
  readonly proto: string;
  readonly host_port: number;
}

/**
 * Make the uplink's host forwards exactly `want`: the ones no lab wants any more are removed, the
 * missing ones added. A port the user cannot open (taken) is one line naming it.
 */
export async function setForwards(dirs: RootlessDirs, want: readonly HostForward[]): Promise<void> {
  const listed = await api(dirs, { execute: 'list_hostfwd' });
  // slirp4netns 1.x answers this one without the "return" wrapper of the others.
  const have = ((listed['return'] as { entries?: ListedForward[] } | undefined) ?? (listed as { entries?: ListedForward[] })).entries ?? [];
  const key = (proto: string, port: number): string => `${proto}/${port}`;
  const wanted = new Set(want.map((w) => key(w.proto, w.port)));
  for (const e of have) if (!wanted.has(key(e.proto, e.host_port))) await api(dirs, { execute: 'remove_hostfwd', arguments: { id: e.id } });
  const present = new Set(have.map((e) => key(e.proto, e.host_port)));
  for (const w of want) {
    if (present.has(key(w.proto, w.port))) continue;
    const r = await api(dirs, { execute: 'add_hostfwd', arguments: { proto: w.proto, host_addr: '0.0.0.0', host_port: w.port, guest_port: w.port } });
    if (r['error'] !== undefined) {
      const desc = (r['error'] as { desc?: string }).desc ?? JSON.stringify(r['error']);
      throw new NslabError('listen-failed', `cannot open port ${w.port}/${w.proto} on your network for a published port (${desc}): is it taken?`, 1);
    }
  }
}
