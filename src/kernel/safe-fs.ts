// Trust checks for the directories nslab writes in as root (the state root and every level below
// it; /etc/netns/<ns>), and the no-follow file operations used inside them. A directory another
// user controls lets them plant symlinks (root then writes through them) or forged journals (root
// then kills and deletes what they name); every file nslab touches there goes through here.
//
// The rule, as OpenSSH's StrictModes and sudo check (statProblem is its pure part):
// - The *base* (the state root, /etc/netns/<ns>) and every directory below it that nslab uses
//   must be a real directory (lstat: never a symlink), owned by us (root: by root; another user:
//   by them or root) and writable by nobody else. Then only we add, rename or remove entries in
//   it: nothing in it was planted, and it cannot be swapped.
// - Every *ancestor* from / down to the base's parent must be owned by root or us, and writable by
//   no one else unless sticky (/tmp, a sandbox's tmpfs /run): in a sticky directory others may add
//   names but not rename or remove ours, and the base in it must be ours by the rule above (we
//   create it when missing, with mkdir, so a name someone else took first fails the owner check).
// - A symlink among the ancestors (/var/run -> /run) is followed only when owned by root or us;
//   its target is checked the same way.
// - Files are opened with O_NOFOLLOW (a planted symlink is refused, never followed) and must be
//   regular files owned by us; temporaries are created with O_CREAT|O_EXCL, then renamed.
// Node has no openat: directories are checked (lstat) right before each use instead, which is
// enough because a checked directory can only be changed by us or root afterwards.
import * as fs from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { NslabError } from '../util/errors.js';

/** What the rule needs of an lstat. */
export interface StatFacts {
  readonly uid: number;
  readonly mode: number;
  readonly kind: 'dir' | 'file' | 'symlink' | 'other';
}

/** Where in a checked path a stat was taken. */
export type Level = 'ancestor' | 'private' | 'file';

/** A tree nslab keeps private: its base directory and what to call it in a refusal. */
export interface TrustedTree {
  readonly base: string;
  /** e.g. "state directory". */
  readonly what: string;
}

const WHY = 'a directory another user controls could plant files nslab would trust';
const S_ISVTX = 0o1000;
const OTHERS_WRITE = 0o022;
const MAX_LINKS = 40;

/**
 * Why a stat is not acceptable at this level of a path, or undefined when it is (the pure rule;
 * `me` is the effective uid).
 */
export function statProblem(st: StatFacts, level: Level, me: number, unmapped?: number): string | undefined {
  if (level === 'private' && st.kind === 'symlink') return 'is a symbolic link';
  if (level === 'file' && st.kind === 'symlink') return 'is a symbolic link';
  if (level !== 'file' && st.kind !== 'dir' && st.kind !== 'symlink') return 'is not a directory';
  if (level === 'file' && st.kind !== 'file') return 'is not a regular file';
  // In a user namespace (rootless mode) the real root is unmapped and shows as the overflow uid:
  // an ancestor of its (/, /tmp) is as trusted as root's. The outer nslab checked the same path
  // with real uids before it entered (kernel/rootless.ts).
  const rootsOwn = level === 'ancestor' && unmapped !== undefined && st.uid === unmapped;
  if (st.uid !== 0 && st.uid !== me && !rootsOwn) return `is owned by uid ${st.uid}, not ${me === 0 ? 'root' : `uid ${me} or root`}`;
  if (st.kind === 'symlink') return undefined; // an ancestor link of ours: its target is checked too
  const sticky = (st.mode & S_ISVTX) !== 0;
  if ((st.mode & OTHERS_WRITE) !== 0 && !(level === 'ancestor' && sticky)) {
    return `is writable by ${(st.mode & 0o002) !== 0 ? 'any user' : 'its group'} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')})`;
  }
  return undefined;
}

/** The facts of an fs.Stats. */
export function facts(st: fs.Stats): StatFacts {
  const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  return { uid: st.uid, mode: st.mode, kind };
}

function me(): number {
  return process.geteuid?.() ?? 0;
}

let overflow: number | null | undefined;

/** The uid unmapped owners show as, when this process is in a user namespace other than the first; else undefined. */
function unmappedUid(): number | undefined {
  if (overflow === undefined) {
    try {
      const identity = /^\s*0\s+0\s+4294967295\s*$/.test(fs.readFileSync('/proc/self/uid_map', 'utf8'));
      overflow = identity ? null : Number(fs.readFileSync('/proc/sys/kernel/overflowuid', 'utf8'));
    } catch {
      overflow = null;
    }
  }
  return overflow ?? undefined;
}

function refuse(tree: TrustedTree, path: string, why: string): NslabError {
  const where = path === tree.base ? '' : `${path} `;
  return new NslabError('unsafe-state', `refusing ${tree.what} ${tree.base}: ${where}${why} (${WHY})`, 1);
}

function lstatOrUndefined(path: string): fs.Stats | undefined {
  return fs.lstatSync(path, { throwIfNoEntry: false });
}

/**
 * Check the ancestors of a path from / down (creating missing ones when asked); returns the path
 * with its ancestor symlinks resolved, or undefined when a level is missing.
 */
function checkAncestors(tree: TrustedTree, path: string, create: boolean, depth: number): string | undefined {
  if (depth > MAX_LINKS) throw refuse(tree, path, 'has too many levels of symbolic links');
  let cur: string = sep;
  judge(tree, cur, fs.lstatSync(cur), 'ancestor');
  for (const part of path.split(sep).filter(Boolean)) {
    const next = join(cur, part);
    let st = lstatOrUndefined(next);
    if (st === undefined) {
      if (!create) return undefined;
      mkdirOwn(next, 0o755);
      st = fs.lstatSync(next);
    }
    judge(tree, next, st, 'ancestor');
    if (st.isSymbolicLink()) {
      const real = checkAncestors(tree, resolve(cur, fs.readlinkSync(next)), create, depth + 1);
      if (real === undefined) return undefined;
      cur = real;
    } else cur = next;
  }
  return cur;
}

/**
 * Ancestors found good in this synchronous run of code, by path: cleared at the next turn of the
 * event loop, so the answer never outlives the loop that asked. A loop over a big lab's nodes
 * (/etc/netns/<ns> for each of 1000, twice: hosts and resolv.conf) checked /, /etc and /etc/netns
 * again for every one, ~0.3 s of lstats at N=1000; no other code of ours runs meanwhile, so
 * checking them once is as good: a good ancestor is owned by root or us and writable by no one
 * else (or sticky), so only root or we could change it in between, as between a check and its use.
 */
const goodAncestors = new Map<string, string>();

function ancestorsOnce(tree: TrustedTree, path: string, create: boolean): string | undefined {
  const known = goodAncestors.get(path);
  if (known !== undefined) return known;
  const real = checkAncestors(tree, path, create, 0);
  if (real === undefined) return undefined;
  if (goodAncestors.size === 0) setImmediate(() => goodAncestors.clear());
  goodAncestors.set(path, real);
  return real;
}

function judge(tree: TrustedTree, path: string, st: fs.Stats, level: Level): void {
  const why = statProblem(facts(st), level, me(), unmappedUid());
  if (why !== undefined) throw refuse(tree, path, why);
}

/**
 * mkdir (not recursive), then the exact mode (a umask of 002 would leave it group-writable, and
 * then refused); a name taken meanwhile is left as it is: the caller's lstat judges it.
 */
function mkdirOwn(path: string, mode: number): void {
  try {
    fs.mkdirSync(path, { mode });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return;
  }
  fs.chmodSync(path, mode);
}

/**
 * Check `dir` (the tree's base or a directory below it) and every level above it by the rule;
 * with `create`, make missing levels (private ones mode 0700). Returns false when a level is
 * missing (and not created); throws a one-line NslabError (exit 1) when one is not trustworthy.
 */
export function verifyDir(tree: TrustedTree, dir: string, opts: { readonly create?: boolean; readonly mode?: number } = {}): boolean {
  const base = tree.base;
  if (!isAbsolute(base)) throw new Error(`internal: ${tree.what} ${base} is not absolute`);
  if (dir !== base && !dir.startsWith(base + sep)) throw new Error(`internal: ${dir} is not inside ${base}`);
  const create = opts.create ?? false;
  if (ancestorsOnce(tree, dirname(base), create) === undefined) return false;
  const levels = [base, ...dir.slice(base.length).split(sep).filter(Boolean)];
  let cur = '';
  for (const part of levels) {
    cur = cur === '' ? part : join(cur, part);
    let st = lstatOrUndefined(cur);
    if (st === undefined) {
      if (!create) return false;
      mkdirOwn(cur, opts.mode ?? 0o700);
      st = fs.lstatSync(cur);
    }
    judge(tree, cur, st, 'private');
  }
  return true;
}

/**
 * Open a file without following a symlink and check it is a regular file owned by us (its
 * directory must be checked already: verifyDir, or openInTree). `mkdir`-free: the file only.
 */
export function openNoFollow(path: string, flags: number, mode = 0o600, tree?: TrustedTree): number {
  let fd: number;
  try {
    fd = fs.openSync(path, flags | fs.constants.O_NOFOLLOW, mode);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ELOOP: the last component is a symlink. A planted one is refused, never followed.
    if (code === 'ELOOP') throw refusal(tree, path, 'is a symbolic link');
    throw e;
  }
  const why = statProblem(facts(fs.fstatSync(fd)), 'file', me());
  if (why !== undefined) {
    fs.closeSync(fd);
    throw refusal(tree, path, why);
  }
  return fd;
}

function refusal(tree: TrustedTree | undefined, path: string, why: string): NslabError {
  return tree ? refuse(tree, path, why) : new NslabError('unsafe-state', `refusing ${path}: ${why} (${WHY})`, 1);
}

/** Check the file's directory (verifyDir), then openNoFollow. */
export function openInTree(tree: TrustedTree, path: string, flags: number, mode = 0o600): number {
  if (!verifyDir(tree, dirname(path))) throw Object.assign(new Error(`ENOENT: no such directory, open '${path}'`), { code: 'ENOENT', path });
  return openNoFollow(path, flags, mode, tree);
}

/** A file's contents, or undefined when it (or its directory) does not exist. */
export function readInTree(tree: TrustedTree, path: string): Buffer | undefined {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO in its place must not hang us (it is refused after the fstat).
    fd = openInTree(tree, path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replace a file atomically: write `<path>.tmp` (created with O_EXCL after removing a stale one;
 * unlink never follows a symlink) and rename it over the file.
 */
export function writeAtomic(tree: TrustedTree, path: string, data: string | Uint8Array, mode: number): void {
  const tmp = `${path}.tmp`;
  if (!verifyDir(tree, dirname(path))) throw Object.assign(new Error(`ENOENT: no such directory, open '${tmp}'`), { code: 'ENOENT', path: tmp });
  try {
    fs.unlinkSync(tmp);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const fd = openNoFollow(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, mode, tree);
  try {
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path);
}

/** Overwrite a file in place (same inode: it may be bind-mounted), never through a symlink. */
export function writeInPlace(tree: TrustedTree, path: string, data: string, mode: number): void {
  const fd = openInTree(tree, path, fs.constants.O_WRONLY | fs.constants.O_CREAT, mode);
  try {
    fs.ftruncateSync(fd, 0);
    fs.writeSync(fd, data, 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** Remove a file or directory tree below the base (its parent checked first; rm never follows links inside). */
export function removeInTree(tree: TrustedTree, path: string): void {
  if (path === tree.base || !verifyDir(tree, dirname(path))) return;
  fs.rmSync(path, { recursive: true, force: true });
}

/** The entries of a checked directory; [] when it does not exist. */
export function listInTree(tree: TrustedTree, dir: string): fs.Dirent[] {
  if (!verifyDir(tree, dir)) return [];
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    // Removed between the check and the read (another lab's down finishing): nothing in it.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
