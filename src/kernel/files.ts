// Per-namespace /etc files nslab owns besides kernel objects: /etc/netns/<netns>/hosts, a link to
// the lab's hosts file, which `ip netns exec` (and so `nslab exec`) bind-mounts over /etc/hosts.
// Only our own symlinks are ever replaced or removed.
import * as fs from 'node:fs';
import { join } from 'node:path';

/** Where iproute2 looks for per-namespace /etc files. */
export const ETC_NETNS = '/etc/netns';

/** Outcome of linking a namespace's hosts file. */
export type LinkOutcome = 'linked' | 'unchanged' | 'foreign';

/**
 * Make /etc/netns/<netns>/hosts a symlink to `target`. A symlink of ours (into `ownedRoot`) is
 * replaced; anything else already there is left alone and reported as 'foreign'.
 * `mkdir -p /etc/netns/NS && ln -sf TARGET /etc/netns/NS/hosts`
 */
export function linkNetnsHosts(netns: string, target: string, ownedRoot: string): LinkOutcome {
  const dir = join(ETC_NETNS, netns);
  const path = join(dir, 'hosts');
  const current = readLink(path);
  if (current === target) return 'unchanged';
  if (current === null) return 'foreign';
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (current !== undefined) {
    if (!current.startsWith(ownedRoot + '/')) return 'foreign';
    fs.unlinkSync(path);
  }
  fs.symlinkSync(target, path);
  return 'linked';
}

/**
 * Remove /etc/netns/<netns>/hosts if it is our symlink (into `ownedRoot`), and the directory if
 * that leaves it empty. `rm /etc/netns/NS/hosts && rmdir /etc/netns/NS`
 */
export function unlinkNetnsHosts(netns: string, ownedRoot: string): void {
  const dir = join(ETC_NETNS, netns);
  const current = readLink(join(dir, 'hosts'));
  if (typeof current !== 'string' || !current.startsWith(ownedRoot + '/')) return;
  fs.unlinkSync(join(dir, 'hosts'));
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty: the user keeps other files there (resolv.conf, ...)
  }
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
