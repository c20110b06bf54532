// One lab, one writer: up, down and run on a lab hold an exclusive lock on
// <state root>/.lock-<lab> for their whole run. A second command on the same lab waits for it
// (saying who holds it) up to a limit, then fails; other labs are not affected. The lock is a
// flock, so a holder that dies (even by SIGKILL) releases it at once: no stale locks.
// down's background finisher inherits the lock (fd 3, NSLAB_LOCK_FD, read by the CLI and passed
// in as LockWait.inheritedLockFd) and holds it until done.
// Host settings several labs share (ip_forward for NAT) are decided under one more lock,
// <state root>/.lock-@host, held briefly: only whoever holds it may read the other labs' claims and
// act on them, so "am I the last lab out?" has one answer at a time. Order: lab lock, then host lock.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HeldLock } from '../port/locks.js';
import type { System } from '../port/system.js';
import { stateDir, type StateRoot } from '../state/root.js';
import { labPaths, listLabs } from '../state/store.js';
import { NslabError } from '../util/errors.js';

/** How a verb waits for a busy lab. */
export interface LockWait {
  /** Called once when the lab is busy and the verb starts waiting (holder PID if known). */
  readonly onBusy?: (holder: number | undefined) => void;
  /** Longest wait in ms (default 120 s). */
  readonly lockTimeoutMs?: number;
  /** A lock on this lab already held, inherited from the nslab that started this one (its fd); adopted instead of waiting. */
  readonly inheritedLockFd?: number;
}

/** The lock file of a lab. */
export function lockPath(root: StateRoot, lab: string): string {
  return join(root.path, `.lock-${lab}`);
}

/** Run fn holding the lab's lock; waits (polling) while another nslab holds it. */
export async function withLabLock<T>(root: StateRoot, sys: System, lab: string, wait: LockWait, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const lock = await acquire(root, sys, lab, wait);
  try {
    return await fn(lock);
  } finally {
    // A lab that has no state (refused, or never built) keeps no lock file either.
    if (existsSync(labPaths(root, lab).dir)) sys.locks.release(lock);
    else sys.locks.remove(lock);
  }
}

/** The host-wide lock file. `@` is not in a lab name, so no lab's lock (and no `clean` of one) can be it. */
export function hostLockPath(root: StateRoot): string {
  return join(root.path, '.lock-@host');
}

/**
 * Hold the host-wide lock while deciding about (and changing) host settings that labs share.
 * Held for milliseconds; never taken before a lab lock, so the two cannot deadlock.
 */
export async function takeHostLock(root: StateRoot, sys: System, wait: LockWait): Promise<HeldLock> {
  stateDir(root, root.path, true);
  return poll(sys, hostLockPath(root), 'the host settings labs share are', wait);
}

/**
 * Release the host lock; with no lab left on the host (but `leaving`, which is going down) also
 * remove its file, so the state root is as empty as before the first lab.
 */
export function releaseHostLock(root: StateRoot, sys: System, l: HeldLock, leaving?: string): void {
  if (listLabs(root).every((lab) => lab === leaving)) sys.locks.remove(l);
  else sys.locks.release(l);
}

/**
 * After the last lab's state is gone, the host lock file goes too, also when an `up` killed while
 * holding it never recorded a host setting (so its `down` had no reason to take the lock): taken
 * first, so never while another nslab holds it; left when busy or when a lab is still recorded.
 */
export async function tidyHostLock(root: StateRoot, sys: System): Promise<void> {
  if (!existsSync(hostLockPath(root)) || listLabs(root).length > 0) return;
  const l = await takeHostLock(root, sys, { lockTimeoutMs: 2_000 }).catch(() => undefined);
  if (l) releaseHostLock(root, sys, l);
}

async function acquire(root: StateRoot, sys: System, lab: string, wait: LockWait): Promise<HeldLock> {
  // The lock file is the first thing every mutating verb creates: the state root (and every
  // directory above it) is checked here, before anything is written or trusted.
  stateDir(root, root.path, true);
  const path = lockPath(root, lab);
  const inherited = wait.inheritedLockFd;
  if (inherited !== undefined && Number.isSafeInteger(inherited) && inherited > 2) {
    const held = sys.locks.adopt(inherited, path);
    if (held) return held;
  }
  return poll(sys, path, `lab ${lab} is`, wait);
}

async function poll(sys: System, path: string, what: string, wait: LockWait): Promise<HeldLock> {
  const deadline = Date.now() + (wait.lockTimeoutMs ?? 120_000);
  let told = false;
  for (;;) {
    const r = sys.locks.tryLock(path);
    if (!('busy' in r)) return r;
    if (!told) wait.onBusy?.(r.holder);
    told = true;
    if (Date.now() > deadline) {
      throw new NslabError('busy', `${what} busy: another nslab${r.holder ? ` (PID ${r.holder})` : ''} is changing it; try again when it has finished`, 1);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
}
