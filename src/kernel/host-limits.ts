// What this host allows a lab, read from procfs and sysfs: open files of this process, memory
// available (and room left in our cgroup), CPUs the kernel allocates per-CPU data for, the
// network namespace limit, and the neighbour table. Read-only; a value that cannot be read is
// left out rather than guessed (the check then skips it).
import { existsSync, readFileSync, readdirSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { cpus } from 'node:os';
import { neighLimits } from './neigh-limits.js';
import type { HostLimits, StateFs } from '../port/host.js';
export type { HostLimits, StateFs } from '../port/host.js';

const TMPFS_MAGIC = 0x01021994;

/** statfs of `path`, or of its nearest existing parent (the state root may not exist yet). */
export function stateFs(path: string): StateFs | undefined {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = statfsSync(p);
    return { path, availKb: Math.floor((s.bavail * s.bsize) / 1024), tmpfs: s.type === TMPFS_MAGIC };
  } catch {
    return undefined;
  }
}

/**
 * Read the host's limits (cheap: a handful of small procfs reads). `fdsInUse`: the fds counted
 * earlier (openFdCount), when counting now would include fds the lab's own build already holds.
 */
export function hostLimits(fdsInUse?: number, statePath?: string): HostLimits {
  const mem = memory();
  const fs = statePath === undefined ? undefined : stateFs(statePath);
  const maxNs = readInt('/proc/sys/user/max_net_namespaces');
  const files = openFiles(fdsInUse);
  return {
    ...(files ? { openFiles: files } : {}),
    ...(mem ? { memAvailableKb: mem.kb, memSource: mem.source } : {}),
    cpus: possibleCpus(),
    ...(maxNs === undefined ? {} : { maxNetNamespaces: maxNs }),
    neigh: neighLimits(),
    ...(fs ? { stateFs: fs } : {}),
  };
}

/** `ulimit -n` (soft and hard, from /proc/self/limits) and the fds in use: open now, unless counted earlier. */
function openFiles(fdsInUse = openFdCount()): HostLimits['openFiles'] {
  const row = readText('/proc/self/limits')
    ?.split('\n')
    .find((l) => l.startsWith('Max open files'));
  const m = row && /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(row);
  if (!m) return undefined;
  const num = (s: string): number => (s === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(s));
  return { soft: num(m[1]!), hard: num(m[2]!), inUse: fdsInUse };
}

/** The fds this process has open now (0 without /proc/self/fd: the margin covers the usual few). */
export function openFdCount(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return 0;
  }
}

/** MemAvailable, capped by what our cgroup (v2) may still use when it has a limit. */
function memory(): { kb: number; source: 'MemAvailable' | 'cgroup memory.max' } | undefined {
  const avail = /^MemAvailable:\s+(\d+) kB$/m.exec(readText('/proc/meminfo') ?? '');
  const kb = avail ? Number(avail[1]) : undefined;
  const cg = cgroupRoomKb();
  if (cg !== undefined && (kb === undefined || cg < kb)) return { kb: cg, source: 'cgroup memory.max' };
  return kb === undefined ? undefined : { kb, source: 'MemAvailable' };
}

function cgroupRoomKb(): number | undefined {
  const path = /^0::(\/.*)$/m.exec(readText('/proc/self/cgroup') ?? '')?.[1];
  if (path === undefined) return undefined;
  const dir = `/sys/fs/cgroup${path === '/' ? '' : path}`;
  const max = readText(`${dir}/memory.max`)?.trim();
  const current = readInt(`${dir}/memory.current`);
  if (max === undefined || max === 'max' || current === undefined || !/^\d+$/.test(max)) return undefined;
  return Math.max(0, Math.floor((Number(max) - current) / 1024));
}

/** CPUs in /sys/devices/system/cpu/possible ("0-3,8-11"), else the online count. */
function possibleCpus(): number {
  const text = readText('/sys/devices/system/cpu/possible')?.trim();
  if (text && /^[\d,-]+$/.test(text)) {
    return text.split(',').reduce((n, r) => {
      const [a, b] = r.split('-').map(Number);
      return n + (b === undefined ? 1 : b - a! + 1);
    }, 0);
  }
  return Math.max(1, cpus().length);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readInt(path: string): number | undefined {
  const t = readText(path)?.trim();
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}
