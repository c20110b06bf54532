// An exclusive advisory lock on a file (flock(2)), for one lab's mutating verbs. The kernel drops
// a flock when the last fd on it closes, also when its holder dies, so a lock is never stale:
// a killed nslab's lock is free at once. The fd can be handed to a child process (inherited), which
// then holds the same lock after the parent exits (down's background finisher does this). The last
// command of a lab (down) removes the file while holding it; lockers check they locked the file
// that is still there. The file is never opened through a symlink (the caller checks its directory).
import * as fs from 'node:fs';
import * as libc from './libc.js';
import { SysError } from './libc.js';
import { openNoFollow } from './safe-fs.js';
import type { HeldLock } from '../port/locks.js';
export type { HeldLock } from '../port/locks.js';

/**
 * Try to take the lock on `path` (created if missing) without blocking. Returns the held lock, or
 * the PID written by the holder when someone else holds it.
 */
export function tryLock(path: string): HeldLock | { readonly busy: true; readonly holder?: number } {
  const fd = openNoFollow(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
  try {
    libc.flock(fd, libc.LOCK_EX | libc.LOCK_NB);
  } catch (e) {
    fs.closeSync(fd);
    if (e instanceof SysError && e.code === 'EAGAIN') return { busy: true, ...holderOf(path) };
    throw e;
  }
  // The holder may have removed the file (removeLock) between our open and our flock: then the
  // lock we got is on a file nobody else will ever lock. Start over on the current file.
  if (!samePath(fd, path)) {
    fs.closeSync(fd);
    return tryLock(path);
  }
  fs.ftruncateSync(fd, 0);
  fs.writeSync(fd, `${process.pid}\n`, 0);
  return { fd, path };
}

/** Remove the lock file while holding the lock (a waiter then retries on a new file), and release. */
export function removeLock(l: HeldLock): void {
  try {
    if (samePath(l.fd, l.path)) fs.unlinkSync(l.path);
  } catch {
    // gone already
  }
  releaseLock(l);
}

function samePath(fd: number, path: string): boolean {
  try {
    const a = fs.fstatSync(fd);
    const b = fs.lstatSync(path);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

/** Adopt a lock inherited as fd `fd` (checks that it is a lock on `path` this process holds). */
export function adoptLock(fd: number, path: string): HeldLock | undefined {
  try {
    if (!samePath(fd, path)) return undefined;
    // Same open file description as the parent's: taking it again succeeds at once.
    libc.flock(fd, libc.LOCK_EX | libc.LOCK_NB);
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, `${process.pid}\n`, 0);
    return { fd, path };
  } catch {
    return undefined;
  }
}

/** Release a lock (closing its fd; a child that inherited it keeps it). */
export function releaseLock(l: HeldLock): void {
  try {
    fs.closeSync(l.fd);
  } catch {
    // already closed
  }
}

function holderOf(path: string): { holder?: number } {
  try {
    const fd = openNoFollow(path, fs.constants.O_RDONLY);
    let text: string;
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
    const pid = Number.parseInt(text, 10);
    return Number.isSafeInteger(pid) && pid > 0 ? { holder: pid } : {};
  } catch {
    return {};
  }
}
