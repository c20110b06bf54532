// A log file that never grows past its cap: written by the log keeper (lab/log-keeper-main.ts),
// it is rotated (<log> → <log>.1 → … → <log>.KEEP, the oldest dropped) when the next bytes would
// push it past maxBytes; a chunk bigger than the room left is split there, so no file ever holds
// more than maxBytes. Files are opened with O_NOFOLLOW, new ones with O_EXCL: a planted symlink
// in the log directory makes a write fail instead of landing elsewhere.
import { closeSync, constants, fstatSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { LogCap } from '../model/log-cap.js';

const { O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = constants;

/** The rotated files of a log, newest first: <log>.1 … <log>.keep. */
export function rotatedPaths(path: string, keep: number): string[] {
  return Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`);
}

/** An open, capped log file. */
export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(
    readonly path: string,
    private cap: LogCap,
  ) {
    // An existing log (a keeper restarted, or nslab before caps) is appended to, and rotated at
    // once when it is already over the cap.
    this.fd = openLog(path);
    this.size = fstatSync(this.fd).size;
    if (this.size >= cap.maxBytes) this.rotate();
  }

  /** New limits (a later `up` changed `log:`), applied from the next write. */
  setCap(cap: LogCap): void {
    this.cap = cap;
  }

  /** Append bytes, rotating as often as the cap requires. */
  write(buf: Buffer): void {
    let off = 0;
    while (off < buf.length) {
      const room = this.cap.maxBytes - this.size;
      if (room <= 0) {
        this.rotate();
        continue;
      }
      const n = Math.min(room, buf.length - off);
      const wrote = writeSync(this.fd, buf, off, n);
      off += wrote;
      this.size += wrote;
    }
  }

  /** Shift the rotated files by one, dropping the oldest, and start an empty log. */
  rotate(): void {
    closeSync(this.fd);
    const old = rotatedPaths(this.path, this.cap.keep);
    if (old.length === 0) rmSync(this.path, { force: true });
    else {
      // Oldest first, so that each rename lands on a name just vacated (rename replaces a file
      // or a planted symlink itself, never what a symlink points to).
      for (let i = old.length - 1; i > 0; i--) renameQuiet(old[i - 1]!, old[i]!);
      renameQuiet(this.path, old[0]!);
    }
    // Beyond keep (it was lowered): no longer ours to keep.
    rmSync(`${this.path}.${this.cap.keep + 1}`, { force: true });
    this.fd = openLog(this.path);
    this.size = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Open for appending: the existing file (never through a symlink), or a new one of our own. */
function openLog(path: string): number {
  try {
    return openSync(path, O_WRONLY | O_APPEND | O_NOFOLLOW, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  }
}

function renameQuiet(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
