// sysctl read and write inside a network namespace: switch the main thread in, use synchronous
// fs calls (they run on the calling thread, so /proc/sys/net shows that namespace), switch back.
// Several keys share one switch. Must not be used for non-namespaced keys by accident: the kernel
// decides which keys are per namespace; writing a global key here changes it for the whole host.
import * as fs from 'node:fs';
import { withNetns } from './netns.js';

/**
 * /proc/sys path of a sysctl key: dots become slashes ("net.ipv4.ip_forward"); a key that already
 * contains slashes is taken as a path, which is how names with dots (a link "eth0.5") are written.
 * Undefined for keys that could escape /proc/sys.
 */
export function sysctlPath(key: string): string | undefined {
  const rel = key.includes('/') ? key : key.replaceAll('.', '/');
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return undefined;
  return `/proc/sys/${rel}`;
}

/** Outcome of writing one key: undefined when it worked, else the Node error. */
export type SysctlWriteResult = NodeJS.ErrnoException | undefined;

/**
 * Read keys inside the namespace `nsFd`; undefined for keys that do not exist.
 * `ip netns exec NS sysctl -n KEY...`
 */
export function sysctlGet(nsFd: number, home: number, keys: readonly string[]): (string | undefined)[] {
  return withNetns(nsFd, home, () => keys.map(readKey));
}

/**
 * Write keys inside the namespace `nsFd`, in order, each independently.
 * `ip netns exec NS sysctl -w KEY=VALUE...`
 */
export function sysctlSet(nsFd: number, home: number, entries: readonly { readonly key: string; readonly value: string }[]): SysctlWriteResult[] {
  return withNetns(nsFd, home, () => entries.map((e) => writeKey(e.key, e.value)));
}

function readKey(key: string): string | undefined {
  const path = sysctlPath(key);
  if (path === undefined) return undefined;
  try {
    return fs.readFileSync(path, 'utf8').trimEnd();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function writeKey(key: string, value: string): SysctlWriteResult {
  const path = sysctlPath(key);
  if (path === undefined) return Object.assign(new Error(`invalid sysctl key "${key}"`), { code: 'EINVAL', errno: -22 });
  try {
    // Open without O_CREAT/O_TRUNC semantics that /proc ignores anyway; one write, like sysctl -w.
    fs.writeFileSync(path, `${value}\n`, { flag: 'r+' });
    return undefined;
  } catch (e) {
    return e as NodeJS.ErrnoException;
  }
}
