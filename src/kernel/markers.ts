// Read-only scans of the filesystem markers that prove nslab ownership without a journal, for
// `nslab clean`: the symlinks in /run/netns (a lab's point into its group dir), the group dirs
// below /run/nslab-netns, the /etc/netns/<ns>/hosts symlinks, and whether a lock file is held.
// Nothing here changes anything (a lock taken to test it is released at once).
import * as fs from 'node:fs';
import { join } from 'node:path';
import { ETC_NETNS } from './files.js';
import { releaseLock, tryLock } from './lock.js';
import { GROUP_DIR, NETNS_DIR } from './netns.js';

/** The symlinks in /run/netns, with their targets (plain files, nslab's or not, are not listed). */
export function netnsSymlinks(): Array<{ name: string; target: string }> {
  return entries(NETNS_DIR)
    .filter((d) => d.isSymbolicLink())
    .flatMap((d) => {
      const target = readLink(join(NETNS_DIR, d.name));
      return target === undefined ? [] : [{ name: d.name, target }];
    });
}

/** The group dirs below /run/nslab-netns and the files (mount points) in each. */
export function groupDirs(): Array<{ group: string; members: string[] }> {
  return entries(GROUP_DIR)
    .filter((d) => d.isDirectory())
    .map((d) => ({ group: d.name, members: entries(join(GROUP_DIR, d.name)).map((m) => m.name) }));
}

/** The /etc/netns/<netns>/hosts (else resolv.conf) files that are symlinks, with their targets: one per namespace. */
export function hostsSymlinks(): Array<{ netns: string; target: string }> {
  return entries(ETC_NETNS)
    .filter((d) => d.isDirectory())
    .flatMap((d) => {
      const target = readLink(join(ETC_NETNS, d.name, 'hosts')) ?? readLink(join(ETC_NETNS, d.name, 'resolv.conf'));
      return target === undefined ? [] : [{ netns: d.name, target }];
    });
}

/** Whether someone holds the lock on `path` now (probed with a non-blocking flock, released at once). */
export function lockHeld(path: string): boolean {
  if (!fs.existsSync(path)) return false;
  const r = tryLock(path);
  if ('busy' in r) return true;
  releaseLock(r);
  return false;
}

function entries(dir: string): fs.Dirent[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function readLink(path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined;
  }
}
