// The namespace side of probing: checking that source namespaces exist, enabling ping sockets in
// them, and creating a batch of sockets inside one namespace with a single switch in and out.
// Writes net.ipv4.ping_group_range only inside lab namespaces, never in the namespace this
// process runs in (notes/kernel.md "Probing from inside a namespace without spawning").
import * as fs from 'node:fs';
import { SysError } from './libc.js';
import { openNetns, withNetns } from './netns.js';
import { sysctlGet, sysctlSet } from './sysctl.js';

/** Every group may open ping sockets (covers IPv6 ping sockets too). */
const ALL_GROUPS = 2147483647;

let pingGroups: string | undefined;

/**
 * The range to write: every group this user namespace maps, from 0. In the first namespace that
 * is "0 2147483647"; in a rootless user namespace only gid 0 is mapped, and the kernel refuses
 * (EINVAL) a range whose ends are not mapped, so it is "0 0" there.
 */
export function pingGroupRange(gidMap: string): string {
  for (const line of gidMap.split('\n')) {
    const [inside, , count] = line.trim().split(/\s+/).map(Number);
    if (inside === 0 && count !== undefined && count > 0) return `0 ${Math.min(count - 1, ALL_GROUPS)}`;
  }
  return `0 ${ALL_GROUPS}`;
}

function pingGroupsHere(): string {
  if (pingGroups === undefined) {
    let map = '';
    try {
      map = fs.readFileSync('/proc/self/gid_map', 'utf8');
    } catch {
      // no /proc: the first namespace's range
    }
    pingGroups = pingGroupRange(map);
  }
  return pingGroups;
}
const PING_KEY = 'net.ipv4.ping_group_range';

/** The outcome of preparing one source namespace. */
export type NetnsState = 'ready' | 'missing' | 'home';

/**
 * Check each namespace exists and is not the one this process runs in ("home": probing from it
 * would mean changing the user's own network's sysctls). Ping sockets are allowed later, only in
 * a namespace whose ping socket is refused (allowPingIn): every /proc/sys/net file of every
 * namespace hangs in one dentry hash chain per name, so each access costs time linear in the
 * number of namespaces (measured: 0.1 ms a namespace at 1000, 1.4 ms at 5000), and checking every
 * source on every run made test --gateways on 5000 hosts quadratic.
 */
export function prepareNamespaces(names: ReadonlySet<string>, home: number): Map<string, NetnsState> {
  const homeId = nsIdentity(home);
  const out = new Map<string, NetnsState>();
  for (const name of names) {
    const fd = tryOpen(name);
    if (fd === undefined) {
      out.set(name, 'missing');
      continue;
    }
    try {
      out.set(name, nsIdentity(fd) === homeId ? 'home' : 'ready');
    } finally {
      fs.closeSync(fd);
    }
  }
  return out;
}

/**
 * Allow ping sockets in a namespace whose ping socket was refused (EACCES); false when it cannot
 * be done (gone, or the write failed: the probes then fail with "ping sockets not permitted").
 * Never called for the home namespace (prepareNamespaces keeps probes from starting there).
 * `ip netns exec NS sysctl -w net.ipv4.ping_group_range="0 2147483647"` (the groups this user namespace maps)
 */
export function allowPingIn(name: string, home: number): boolean {
  const fd = tryOpen(name);
  if (fd === undefined) return false;
  try {
    const [now] = sysctlGet(fd, home, [PING_KEY]);
    const groups = pingGroupsHere();
    if (now?.split(/\s+/).join(' ') === groups) return true;
    const [err] = sysctlSet(fd, home, [{ key: PING_KEY, value: groups }]);
    // Not fatal: the ICMP probes then fail with "ping sockets not permitted", which says why.
    if (err) process.emitWarning(`nslab: cannot set ${PING_KEY}: ${err.message}`);
    return !err;
  } finally {
    fs.closeSync(fd);
  }
}

/** Device and inode of a namespace fd: equal for two fds of the same namespace. */
function nsIdentity(fd: number): string {
  const st = fs.fstatSync(fd);
  return `${st.dev}:${st.ino}`;
}

/** An fd for the namespace, or undefined when it does not exist (any other error is thrown). */
export function tryOpen(name: string): number | undefined {
  try {
    return openNetns(name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'EINVAL') return undefined;
    throw e;
  }
}

/**
 * Run make() once per item with the thread inside namespace `name` (one switch for the batch),
 * returning each item's fd or its SysError. undefined when the namespace does not exist.
 */
export function createInNetns<T>(name: string, home: number, items: readonly T[], make: (item: T) => number): (number | SysError)[] | undefined {
  const fd = tryOpen(name);
  if (fd === undefined) return undefined;
  const made: (number | SysError)[] = [];
  try {
    withNetns(fd, home, () => {
      for (const item of items) made.push(makeOne(item, make));
    });
    return made;
  } catch (e) {
    // A bug, not a system call error: do not leak the sockets made so far.
    for (const m of made) if (typeof m === 'number') fs.closeSync(m);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

function makeOne<T>(item: T, make: (item: T) => number): number | SysError {
  try {
    return make(item);
  } catch (e) {
    if (e instanceof SysError) return e;
    throw e;
  }
}
