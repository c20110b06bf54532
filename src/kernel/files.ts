// Per-namespace /etc files nslab owns besides kernel objects: /etc/netns/<netns>/hosts and
// /etc/netns/<netns>/resolv.conf, links to files in the lab's state, which `ip netns exec` (and so
// `nslab exec` and every process nslab starts) bind-mounts over /etc/hosts and /etc/resolv.conf.
// Only our own symlinks are ever replaced or removed, and only in a directory that passes the
// trust checks of safe-fs.ts (a real directory of root's, not writable by others; /etc/netns may
// be a sticky tmpfs in a sandbox): a planted /etc/netns/<netns> symlink is never written through.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { verifyDir, type TrustedTree } from './safe-fs.js';

/** Where iproute2 looks for per-namespace /etc files. */
export const ETC_NETNS = '/etc/netns';

/** Outcome of linking a namespace's hosts file. */
export type LinkOutcome = 'linked' | 'unchanged' | 'foreign';

/** The /etc files nslab gives a namespace. resolv.conf is removed first, so it never outlives hosts (clean finds labs by it). */
export const ETC_FILES = ['resolv.conf', 'hosts'] as const;
export type EtcFile = (typeof ETC_FILES)[number];

/**
 * Make /etc/netns/<netns>/<file> a symlink to `target`. A symlink of ours (into `ownedRoot`) is
 * replaced; anything else already there is left alone and reported as 'foreign'.
 * `mkdir -p /etc/netns/NS && ln -sf TARGET /etc/netns/NS/hosts`
 */
export function linkNetnsHosts(netns: string, target: string, ownedRoot: string, file: EtcFile = 'hosts'): LinkOutcome {
  const t = tree(netns);
  const path = join(t.base, file);
  // Throws (one line) when the directory is not a real one of root's: it is not ours to write in.
  const there = verifyDir(t, t.base);
  const current = there ? readLink(path) : undefined;
  if (current === target) return 'unchanged';
  if (current === null) return 'foreign';
  // Checked just above when it exists; only a new one is made (and then checked).
  if (!there) verifyDir(t, t.base, { create: true, mode: 0o755 });
  if (current !== undefined) {
    if (!current.startsWith(ownedRoot + '/')) return 'foreign';
    fs.unlinkSync(path);
  }
  fs.symlinkSync(target, path);
  return 'linked';
}

/**
 * Remove /etc/netns/<netns>/resolv.conf and /hosts where they are our symlinks (into `ownedRoot`),
 * and the directory if that leaves it empty. `rm /etc/netns/NS/{resolv.conf,hosts} && rmdir /etc/netns/NS`
 */
export function unlinkNetnsHosts(netns: string, ownedRoot: string): void {
  const dir = join(ETC_NETNS, netns);
  // A directory that is not a real one of root's holds nothing of ours: leave it alone.
  try {
    if (!verifyDir(tree(netns), dir)) return;
  } catch {
    return;
  }
  let removed = false;
  for (const file of ETC_FILES) {
    const current = readLink(join(dir, file));
    if (typeof current !== 'string' || !current.startsWith(ownedRoot + '/')) continue;
    fs.unlinkSync(join(dir, file));
    removed = true;
  }
  if (!removed) return;
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty: the user keeps other files there (resolv.conf, ...)
  }
}

/** The directory of a namespace's /etc files, as a tree kept private to root. */
function tree(netns: string): TrustedTree {
  return { base: join(ETC_NETNS, netns), what: 'per-namespace directory' };
}

/** The symlink's target; undefined when nothing is there; null when it is not a symlink. */
function readLink(path: string): string | undefined | null {
  try {
    return fs.readlinkSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EINVAL') return null;
    throw e;
  }
}
