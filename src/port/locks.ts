// The locks port: one exclusive lock per lab (and one for the host settings labs share), on a
// file in the state root. A holder that dies releases its lock at once: no stale locks.

/** A held lock: its fd (handed to down's finisher) and file. */
export interface HeldLock {
  readonly fd: number;
  readonly path: string;
}

export interface Locks {
  /** Take the lock on `path` (created if missing) without blocking; the holder's PID when it is busy. */
  tryLock(path: string): HeldLock | { readonly busy: true; readonly holder?: number };
  /** Adopt a lock inherited as fd `fd`, if it is a lock on `path`. */
  adopt(fd: number, path: string): HeldLock | undefined;
  /** Release (a child that inherited it keeps it). */
  release(l: HeldLock): void;
  /** Remove the lock file while holding it, and release. */
  remove(l: HeldLock): void;
  /** Whether someone holds the lock on `path` now (probed, released at once). */
  held(path: string): boolean;
}
