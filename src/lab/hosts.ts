// Node names inside a lab: the lab's hosts file (state directory) linked into every node's
// /etc/netns/<netns>/ on up, unlinked on down. Derived from the namespaces the lab owns, so a
// crash at any point leaves nothing that down cannot find.
import type { Kernel } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import type { Topology } from '../model/types.js';
import { renderHosts } from '../plan/hosts.js';
import { saveHostsFile } from '../state/store.js';

/**
 * Write the hosts file and link it for every node (but those in `linked`, namespaces known to
 * have their link: plan/trust.ts); returns warnings for files not ours.
 */
export function publishHosts(root: StateRoot, kernel: Kernel, t: Topology, linked: ReadonlySet<string> = new Set()): string[] {
  const target = saveHostsFile(root, t.name, renderHosts(t));
  const warnings: string[] = [];
  for (const node of t.nodes.values()) {
    if (linked.has(node.netns)) continue;
    if (kernel.hostsLink(node.netns, target, root.path) === 'foreign') {
      warnings.push(`/etc/netns/${node.netns}/hosts exists and is not nslab's: left alone, so node names do not resolve in ${node.name}`);
    }
  }
  return warnings;
}

/** Remove the hosts links of these namespaces (only links into nslab's state). */
export function withdrawHosts(root: StateRoot, kernel: Kernel, netns: Iterable<string>): void {
  for (const ns of netns) kernel.hostsUnlink(ns, root.path);
}
