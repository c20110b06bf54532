// The lab's hosts file: every node's addresses under its name, so that `ping db` works from
// `web` (ip netns exec, and nslab exec, bind-mount /etc/netns/<netns>/hosts over /etc/hosts).
// Pure text from the model; kernel/files.ts writes it and links it into /etc/netns.
import type { Topology } from '../model/types.js';

/**
 * hosts(5) text for a lab. A node's name goes on its first address of each family (interface
 * order), and every address also gets `<iface>.<node>`, so `ping eth1.r1` picks one interface.
 */
export function renderHosts(t: Topology): string {
  const lines = [
    `# nslab lab ${t.name}: node names. Written by nslab up, removed by nslab down.`,
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
  ];
  for (const node of t.nodes.values()) {
    const named = new Set<string>();
    for (const iface of node.interfaces.values()) {
      for (const cidr of iface.addresses) {
        const address = cidr.split('/')[0]!;
        const family = address.includes(':') ? '6' : '4';
        const names = named.has(family) ? [] : [node.name];
        named.add(family);
        lines.push(`${address}\t${[...names, `${iface.name}.${node.name}`].join(' ')}`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
