// Reading process logs without ever holding one whole: the last lines of a log by a seek to its
// end (up's failure message), a log and its rotated files streamed in bounded chunks (`nslab
// logs`), and a follower that reads what is appended, across rotations (`nslab logs -f`). Every
// open is O_NOFOLLOW: a symlink planted in the log directory is not read through.
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** How much of a log is read at once, and the most a tail looks back. */
export const CHUNK = 64 * 1024;

/** Where text goes; a promise makes the reader wait (a slow terminal or pipe). */
export type Sink = (text: string) => void | Promise<void>;

function openRead(path: string): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The last `n` lines of one file, reading at most `maxBytes` from its end. */
function lastLinesOf(path: string, n: number, maxBytes: number): string[] {
  const fd = openRead(path);
  if (fd === undefined) return [];
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    const got = readSync(fd, buf, 0, len, size - len);
    const lines = buf.subarray(0, got).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    // Started mid-file: the first line is a fragment, shown (cut) only when it is needed.
    if (len < size && lines.length > n) lines.shift();
    return lines.slice(-n);
  } finally {
    closeSync(fd);
  }
}

/**
 * The last `n` lines of a log (looking into <log>.1 when the log was just rotated), reading at
 * most `maxBytes` of each file; long lines are cut to what was read.
 */
export function tailLines(path: string, n: number, maxBytes = CHUNK): string[] {
  const cur = lastLinesOf(path, n, maxBytes);
  if (cur.length >= n) return cur;
  return [...lastLinesOf(`${path}.1`, n - cur.length, maxBytes), ...cur];
}

/** The rotated files of a log that exist, oldest first (keep is at most 20). */
export function existingRotations(path: string): string[] {
  const out: string[] = [];
  for (let i = 20; i >= 1; i--) if (existsSync(`${path}.${i}`)) out.push(`${path}.${i}`);
  return out;
}

/** A file followed from an offset, reopened when the log is rotated under it. */
export class LogFollower {
  private fd: number | undefined;
  private ino = 0;
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');

  /** `chase`: follow the name to a new file once rotated (`logs -f`), or stay with the file opened. */
  constructor(
    readonly path: string,
    private readonly chase = true,
  ) {}

  /** Open now (the file's identity is fixed from here); false when there is none. */
  openNow(): boolean {
    return this.fd !== undefined || this.open();
  }

  /** The inode of the open file. */
  get inode(): number | undefined {
    return this.fd === undefined ? undefined : this.ino;
  }

  /** Write what was appended since the last call (everything, the first time), chunk by chunk. */
  async drain(write: Sink): Promise<void> {
    if (this.fd === undefined && !this.open()) return;
    await this.readRest(write);
    if (!this.chase) return;
    // Rotated (a new file has the name) or removed: finish the old one, then start on the new.
    const now = statIno(this.path);
    if (now !== this.ino) {
      await this.readRest(write);
      closeSync(this.fd!);
      this.fd = undefined;
      if (now !== undefined && this.open()) await this.readRest(write);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): boolean {
    this.fd = openRead(this.path);
    if (this.fd === undefined) return false;
    this.ino = fstatSync(this.fd).ino;
    this.offset = 0;
    return true;
  }

  private async readRest(write: Sink): Promise<void> {
    const fd = this.fd!;
    const size = fstatSync(fd).size;
    if (size < this.offset) this.offset = 0; // truncated: start over
    const buf = Buffer.allocUnsafe(CHUNK);
    while (this.offset < size) {
      const got = readSync(fd, buf, 0, Math.min(CHUNK, size - this.offset), this.offset);
      if (got === 0) break;
      this.offset += got;
      const text = this.decoder.write(buf.subarray(0, got));
      if (text !== '') await write(text);
    }
  }
}

function statIno(path: string): number | undefined {
  try {
    return lstatSync(path).ino;
  } catch {
    return undefined;
  }
}

/** Stream a whole file in bounded chunks. */
export async function streamFile(path: string, write: Sink): Promise<void> {
  await streamLog([path], write);
}

/**
 * Stream files (a log's rotated files, oldest first, then the log) in bounded chunks. All are
 * opened first and a file met twice is read once: a log being rotated meanwhile (by a process
 * writing flat out, every millisecond) is then printed as it was, neither chased nor repeated.
 */
export async function streamLog(paths: readonly string[], write: Sink): Promise<void> {
  const files = paths.map((p) => new LogFollower(p, false));
  try {
    const seen = new Set<number>();
    const open = files.filter((f) => f.openNow() && !seen.has(f.inode!) && seen.add(f.inode!));
    for (const f of open) await f.drain(write);
  } finally {
    for (const f of files) f.close();
  }
}

/** A small file's text, never read through a symlink (keeper.json). */
export function readTextNoFollow(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
