// Waiting for links the kernel has just brought up. A veth that comes up drops what it is given
// until the kernel's link watcher activates it (usually within a few ms, up to about a second
// later), so `up` and the runtime link verb wait for their links before they return.
import type { Kernel, NsRef } from '../port/kernel.js';

/**
 * Wait (bounded) until each named link that is set up is operationally up, asking for them by
 * name (a snapshot of a host with a thousand links would cost ~30 ms a look): first at once,
 * then at growing intervals. Links not found, or set down, are not waited for.
 */
export async function waitLinksActive(kernel: Kernel, links: ReadonlyMap<NsRef, Iterable<string>>, timeoutMs: number): Promise<void> {
  const watched = new Map([...links].map(([ns, names]) => [ns, [...names]] as const));
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 20)) {
    for (const [ns, names] of watched) {
      const pending = kernel.links(ns, names)?.filter((l) => l.up && l.operstate !== 'UP') ?? [];
      if (pending.length === 0) watched.delete(ns);
      else
        watched.set(
          ns,
          pending.map((l) => l.name),
        );
    }
    if (watched.size === 0 || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, wait));
  }
}
