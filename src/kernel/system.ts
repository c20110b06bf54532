// The System port on Linux: processes and /proc, flock locks, host limits and markers, FIFOs,
// probes and capture, each the module of kernel/ that does it. Loaded lazily by lab/system.ts,
// so `--help` and the pure verbs never load koffi.
import { closeSync, constants, existsSync, lstatSync, openSync, readFileSync } from 'node:fs';
import type { System } from '../port/system.js';
import { startCapture } from './capture.js';
import { hostLimits, openFdCount } from './host-limits.js';
import { mkfifo, pipeUnread, setBlocking } from './libc.js';
import { adoptLock, releaseLock, removeLock, tryLock } from './lock.js';
import { groupDirs, hostsSymlinks, lockHeld, netnsSymlinks } from './markers.js';
import { neighLimits, raiseNeighLimit, restoreNeighLimit } from './neigh-limits.js';
import { deleteGroup, listNetns, netnsGroupOf, netnsPath } from './netns.js';
import { startNetnsPool } from './netns-pool.js';
import { runProbes } from './probe.js';
import { linuxProcesses } from './processes.js';
import { inspectProcess, namedNetns, netnsInode, netnsOfPid, ownNetns, scanNetns } from './procfs.js';

const { O_NONBLOCK, O_NOFOLLOW, O_WRONLY } = constants;

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** The real system. */
export const linuxSystem: System = {
  processes: linuxProcesses,
  proc: {
    netnsOfPid,
    exists: (pid) => existsSync(`/proc/${pid}/ns/net`),
    ownNetns,
    netnsInode,
    namedNetns,
    scanNetns,
    inspect: inspectProcess,
  },
  locks: { tryLock, adopt: adoptLock, release: releaseLock, remove: removeLock, held: lockHeld },
  host: {
    limits: (fds, statePath) => hostLimits(fds, statePath),
    openFdCount,
    netnsList: () => listNetns(),
    netnsExists: (name) => existsSync(netnsPath(name)),
    netnsGroupOf,
    deleteGroup,
    markers: { netnsSymlinks, groupDirs, hostsSymlinks },
    raiseNeighLimit,
    restoreNeighLimit,
    netnsPool: startNetnsPool,
  },
  pipes: {
    make(path) {
      try {
        mkfifo(path, 0o600);
        return 'made';
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
        return lstatSync(path).isFIFO() ? 'exists' : 'not-fifo';
      }
    },
    openWriter(path) {
      try {
        // Succeeds only once a reader has the FIFO open; a blocking open would hang.
        const fd = openSync(path, O_WRONLY | O_NONBLOCK | O_NOFOLLOW);
        setBlocking(fd);
        return fd;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENXIO') return undefined;
        throw e;
      }
    },
    unread: pipeUnread,
    close: closeSync,
  },
  probe: { run: runProbes, neighLimits },
  capture: { start: startCapture, isCapture: (pid) => comm(pid) === 'tcpdump' },
};
