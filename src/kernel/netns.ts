// Named network namespaces as `ip netns add/delete` make them (a bind mount of the namespace,
// named /run/netns/NAME), and the one primitive for running code inside one: withNetns.
// Switching namespaces acts on the calling thread only, so every switch wraps synchronous code
// and always switches back (notes/kernel.md "Namespaces"); nothing here may await while switched.
//
// Grouped namespaces (a lab's): the bind mount lives in a per-lab tmpfs, GROUP_DIR/<group>/NAME,
// and /run/netns/NAME is a symlink to it. Every iproute2 verb opens, stats or unmounts the path
// through the symlink, so `ip netns exec/list/identify/delete` work unchanged; but the whole lab
// detaches with ONE umount of the tmpfs (5 ms for 1000 namespaces) instead of one umount each
// (1 ms each while the kernel is busy freeing the previous ones: 1 s for 1000). The symlink's
// target also says, from the filesystem alone, which lab a name belongs to.
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { GROUP_DIR } from '../names/markers.js';
import * as libc from './libc.js';
import { SysError } from './libc.js';

/** Where named namespaces live. Always /run/netns, as iproute2 (tests use a private tmpfs /run). */
export const NETNS_DIR = '/run/netns';

/** Where grouped namespaces are mounted: one tmpfs per group (lab) below it. */
export { GROUP_DIR };

/** Path of a named namespace (for a grouped one, the symlink to its mount point). */
export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** The mount point of a grouped namespace. */
export function groupPath(group: string, name: string): string {
  return `${GROUP_DIR}/${group}/${name}`;
}

/** Whether a name can be a file in /run/netns (no slash, NUL, "." or ".."). */
export function validNetnsName(name: string): boolean {
  return name.length > 0 && name.length < 256 && !/[/\0]/.test(name) && name !== '.' && name !== '..';
}

/** An fd for the namespace the calling thread is in now (kept to switch back and place peers). */
export function openCurrentNetns(): number {
  return fs.openSync('/proc/thread-self/ns/net', 'r');
}

/** An fd for a named namespace (ENOENT when it does not exist). */
export function openNetns(name: string): number {
  if (!validNetnsName(name)) throw new SysError('open', 22, 'EINVAL');
  return fs.openSync(netnsPath(name), 'r');
}

/**
 * Run fn with the calling thread inside the namespace `fd`, then switch back to `home`, also when
 * fn throws. If switching back fails the process cannot safely continue (every later socket and
 * spawn would land in the wrong namespace), so it aborts. fn must not return a promise: an await
 * inside would resume after the switch back, in the wrong namespace (checked at run time).
 * `nsenter --net=FILE -- ...` for one synchronous block.
 */
export function withNetns<T>(fd: number, home: number, fn: () => T): T {
  libc.setns(fd, libc.CLONE_NEWNET);
  try {
    const r = fn();
    if (r !== null && typeof (r as { then?: unknown })?.then === 'function') {
      throw new Error('withNetns: the callback returned a promise; namespace switches must be synchronous');
    }
    return r;
  } finally {
    switchBack(home);
  }
}

function switchBack(home: number): void {
  try {
    libc.setns(home, libc.CLONE_NEWNET);
  } catch (e) {
    process.stderr.write(`nslab: cannot return to the original network namespace (${String(e)}); aborting\n`);
    process.abort();
  }
}

let dirReady = false;

/** mkdir /run/netns and make it a shared mount, binding it to itself first if it is not a mount. */
function ensureNetnsDir(): void {
  if (dirReady) return;
  fs.mkdirSync(NETNS_DIR, { recursive: true, mode: 0o755 });
  try {
    libc.mount('', NETNS_DIR, 'none', libc.MS_SHARED | libc.MS_REC);
  } catch (e) {
    // EINVAL: not a mount point yet. Shared, so a mount made here shows up in every mount namespace
    // that shares /run (ip netns exec's private ones included) and detaches everywhere on delete.
    if (!(e instanceof SysError) || e.code !== 'EINVAL') throw e;
    libc.mount(NETNS_DIR, NETNS_DIR, 'none', libc.MS_BIND | libc.MS_REC);
    libc.mount('', NETNS_DIR, 'none', libc.MS_SHARED | libc.MS_REC);
  }
  dirReady = true;
}

const groupsReady = new Set<string>();

/**
 * The group's tmpfs, mounted (shared, like /run/netns, so the mounts below it reach mount
 * namespaces that share /run and detach from them too) unless it already is.
 */
function ensureGroupDir(group: string): void {
  if (groupsReady.has(group)) return;
  const dir = `${GROUP_DIR}/${group}`;
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const parent = fs.statSync(GROUP_DIR);
  if (fs.statSync(dir).dev === parent.dev) {
    libc.mount('nslab-netns', dir, 'tmpfs', 0, 'mode=0755,size=1m');
    libc.mount('', dir, 'none', libc.MS_SHARED);
  }
  groupsReady.add(group);
}

/**
 * Create the named namespace NAME and run `inside` in it before returning to `home` (the place to
 * open that namespace's netlink socket). EEXIST when the name is taken. On any failure the mount
 * point is removed again. With a group, the name is claimed first (the symlink) so that a taken
 * name leaves nothing behind. `premade`: the fd of an empty namespace to name instead of making
 * one (the caller closes it). `ip netns add NAME`
 */
export function createNetns<T>(name: string, home: number, inside: () => T, group?: string, premade?: number): T {
  if (!validNetnsName(name) || (group !== undefined && !validNetnsName(group))) throw new SysError('open', 22, 'EINVAL');
  ensureNetnsDir();
  const link = netnsPath(name);
  let path = link;
  if (group === undefined) {
    fs.closeSync(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0));
  } else {
    ensureGroupDir(group);
    path = groupPath(group, name);
    // A symlink of ours left dangling by an interrupted teardown is re-used; any other file is taken.
    if (linksTo(link, path) && !isMountPoint(path)) fs.unlinkSync(link);
    fs.symlinkSync(path, link);
    try {
      fs.closeSync(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0));
    } catch (e) {
      tryQuietly(() => fs.unlinkSync(link));
      throw e;
    }
  }
  let mounted = false;
  try {
    // A namespace made ahead (netns-pool.ts) is entered; otherwise a new one is made here.
    if (premade !== undefined) libc.setns(premade, libc.CLONE_NEWNET);
    else libc.unshare(libc.CLONE_NEWNET);
    try {
      libc.mount('/proc/thread-self/ns/net', path, 'none', libc.MS_BIND);
      mounted = true;
      return inside();
    } finally {
      switchBack(home);
    }
  } catch (e) {
    if (mounted) tryQuietly(() => libc.umount2(path, libc.MNT_DETACH));
    tryQuietly(() => fs.unlinkSync(path));
    if (path !== link) tryQuietly(() => fs.unlinkSync(link));
    throw e;
  }
}

/**
 * Name the network namespace of process `pid` NAME (bind-mount /proc/PID/ns/net on
 * /run/netns/NAME). EEXIST when the name is taken, ESRCH when there is no such process. The
 * namespace stays the process's: detaching the name later (deleteNetns) does not end it.
 * `ip netns attach NAME PID`
 */
export function attachNetns(name: string, pid: number): void {
  if (!validNetnsName(name) || !Number.isSafeInteger(pid) || pid <= 0) throw new SysError('open', 22, 'EINVAL');
  const src = `/proc/${pid}/ns/net`;
  if (!fs.existsSync(src)) throw new SysError('open', 3, 'ESRCH');
  ensureNetnsDir();
  const path = netnsPath(name);
  fs.closeSync(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0));
  try {
    libc.mount(src, path, 'none', libc.MS_BIND);
  } catch (e) {
    tryQuietly(() => fs.unlinkSync(path));
    throw e;
  }
}

/**
 * Delete the named namespace: detach its mount and remove the file. The kernel frees the
 * namespace (and the veths in it, and their peers) once nothing else holds it, in the background.
 * Throws ENOENT when it does not exist; the caller decides whether that counts as done.
 * `ip netns delete NAME`
 */
export function deleteNetns(name: string, group?: string): void {
  if (!validNetnsName(name) || (group !== undefined && !validNetnsName(group))) throw new SysError('umount2', 22, 'EINVAL');
  const link = netnsPath(name);
  if (group !== undefined) {
    const path = groupPath(group, name);
    const linked = linksTo(link, path);
    const exists = fs.existsSync(path);
    if (!linked && !exists) throw new SysError('umount2', 2, 'ENOENT');
    if (exists) detachFile(path);
    // Only our own symlink goes: a name re-used by someone else since is theirs.
    if (linked) fs.unlinkSync(link);
    // The group's last namespace: its tmpfs goes too, else it stays behind as a leftover for clean.
    if (groupMembers(group).length === 0) deleteGroup(group, []);
    return;
  }
  detachFile(link);
}

/** Unmount (lazily) and remove a namespace's mount point. */
function detachFile(path: string): void {
  try {
    libc.umount2(path, libc.MNT_DETACH);
  } catch (e) {
    // EINVAL: a file that is not a mount point (a half-made namespace): still remove it.
    if (!(e instanceof SysError) || e.code !== 'EINVAL') throw e;
  }
  fs.unlinkSync(path);
}

/**
 * Delete every namespace of a group at once: one lazy umount of the group's tmpfs detaches all
 * the bind mounts below it, then the names (symlinks into the group) are removed. `names` are the
 * names to unlink; a symlink that no longer points into the group is left alone.
 */
export function deleteGroup(group: string, names: readonly string[]): void {
  if (!validNetnsName(group)) throw new SysError('umount2', 22, 'EINVAL');
  const dir = `${GROUP_DIR}/${group}`;
  try {
    libc.umount2(dir, libc.MNT_DETACH);
  } catch (e) {
    // EINVAL: not mounted (already detached by an earlier, interrupted down); ENOENT: no directory.
    if (!(e instanceof SysError) || (e.code !== 'EINVAL' && e.code !== 'ENOENT')) throw e;
  }
  for (const name of names) {
    if (validNetnsName(name) && linksTo(netnsPath(name), groupPath(group, name))) tryQuietly(() => fs.unlinkSync(netnsPath(name)));
  }
  // Plain files left in the directory (a namespace never mounted, if the tmpfs was not) go too.
  tryQuietly(() => fs.rmSync(dir, { recursive: true, force: true }));
  groupsReady.delete(group);
}

/** Names of the files (mount points) in a group's directory; empty when there is none. */
export function groupMembers(group: string): string[] {
  try {
    return validNetnsName(group) ? fs.readdirSync(`${GROUP_DIR}/${group}`) : [];
  } catch {
    return [];
  }
}

/** Whether something (a namespace) is mounted on path: it then lives on another device than its directory. */
function isMountPoint(path: string): boolean {
  const dir = fs.statSync(dirname(path), { throwIfNoEntry: false })?.dev;
  const dev = fs.statSync(path, { throwIfNoEntry: false })?.dev;
  return dev !== undefined && dev !== dir;
}

/** A symlink's target ('' when it cannot be read). */
function readLinkOr(link: string): string {
  try {
    return fs.readlinkSync(link);
  } catch {
    return '';
  }
}

/** Whether `link` is a symlink to exactly `target`. */
function linksTo(link: string, target: string): boolean {
  try {
    return fs.readlinkSync(link) === target;
  } catch {
    return false;
  }
}

/**
 * Names of the namespaces under /run/netns (none when the directory does not exist). A symlink
 * whose mount point is gone (a teardown interrupted between the umount and the unlink) or not
 * mounted yet (a create interrupted before the mount) names no namespace and is left out.
 */
export function listNetns(vouched?: (name: string) => boolean): string[] {
  // A mounted namespace file is on nsfs (one device for every namespace): one stat through the
  // symlink says so, where reading the link and comparing with its directory took two calls per
  // name (a lab of 1000 nodes is listed at least twice per up).
  const nsfs = fs.statSync('/proc/self/ns/net').dev;
  try {
    return fs
      .readdirSync(NETNS_DIR, { withFileTypes: true })
      .filter((d) => !d.isSymbolicLink() || vouched?.(d.name) === true || fs.statSync(netnsPath(d.name), { throwIfNoEntry: false })?.dev === nsfs)
      .map((d) => d.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

function tryQuietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // best-effort cleanup after an earlier error, which is the one reported
  }
}

/**
 * The lab group a named namespace belongs to: its /run/netns symlink points into
 * GROUP_DIR/<group>/ (a lab's namespaces); undefined for a plain `ip netns add` one.
 */
export function netnsGroupOf(name: string): string | undefined {
  const target = readLinkOr(netnsPath(name));
  const prefix = `${GROUP_DIR}/`;
  return target.startsWith(prefix) ? target.slice(prefix.length).split('/')[0] || undefined : undefined;
}
