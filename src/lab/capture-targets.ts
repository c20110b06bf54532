// What `capture` TARGETs mean: `node` (each of its interfaces), `node:iface`, or a network (its
// bridge in the host namespace, given by network name or bridge name). Unknown names are bad
// input (exit 2) with the names that exist; a name that is both a node and a network is refused
// rather than guessed.
import type { Node, Topology } from '../model/types.js';
import { NslabError } from '../util/errors.js';

/** One place to capture on, and how lines name it. */
export interface CapturePoint {
  /** `node:iface`, or the network's name. */
  readonly label: string;
  /** The node it belongs to; absent for a network (the host namespace). */
  readonly node?: string;
  /** The named namespace to enter; absent means nslab's own (the root namespace playing the host). */
  readonly netns?: string;
  readonly iface: string;
  /** Longer text for the pcapng interface description. */
  readonly description: string;
}

/** The capture points of TARGETs, in the order given, each once. */
export function resolveTargets(t: Topology, targets: readonly string[], hostNetns?: string): CapturePoint[] {
  if (targets.length === 0) throw new NslabError('usage', 'name at least one node, node:iface or network to capture on', 2);
  const points = new Map<string, CapturePoint>();
  for (const target of targets) for (const p of resolveOne(t, target, hostNetns)) if (!points.has(p.label)) points.set(p.label, p);
  return [...points.values()];
}

function resolveOne(t: Topology, target: string, hostNetns: string | undefined): CapturePoint[] {
  const colon = target.indexOf(':');
  if (colon >= 0) {
    const node = nodeOf(t, target.slice(0, colon));
    const iface = target.slice(colon + 1);
    if (!node.interfaces.has(iface)) {
      throw new NslabError(
        'no-iface',
        `node ${node.name} of lab ${t.name} has no interface ${iface} (interfaces: ${[...node.interfaces.keys()].join(', ') || 'none'})`,
        2,
      );
    }
    return [nodePoint(t, node.name, iface)];
  }
  const node = t.nodes.get(target);
  const net = t.networks.get(target) ?? [...t.networks.values()].find((n) => n.bridge === target);
  if (node && net) {
    throw new NslabError(
      'ambiguous',
      `${target} is both a node and a network of lab ${t.name}: write ${target}:IFACE for the node's interfaces, or the bridge name ${net.bridge} for the network`,
      2,
    );
  }
  if (net) {
    const where = hostNetns ? `namespace ${hostNetns}` : 'the host namespace';
    return [
      {
        label: net.name,
        iface: net.bridge,
        ...(hostNetns ? { netns: hostNetns } : {}),
        description: `network ${net.name}: bridge ${net.bridge} in ${where} (lab ${t.name})`,
      },
    ];
  }
  if (!node) return unknownNode(t, target);
  if (node.interfaces.size === 0) throw new NslabError('no-iface', `node ${node.name} of lab ${t.name} has no interfaces to capture on`, 2);
  return [...node.interfaces.keys()].map((iface) => nodePoint(t, node.name, iface));
}

function nodeOf(t: Topology, name: string): Node {
  return t.nodes.get(name) ?? unknownNode(t, name);
}

function unknownNode(t: Topology, name: string): never {
  const nets = [...t.networks.keys()];
  throw new NslabError(
    'no-node',
    `lab ${t.name} has no node ${name} (nodes: ${[...t.nodes.keys()].join(', ') || 'none'}${nets.length > 0 ? `; networks: ${nets.join(', ')}` : ''})`,
    2,
  );
}

function nodePoint(t: Topology, node: string, iface: string): CapturePoint {
  const netns = t.nodes.get(node)!.netns;
  return { label: `${node}:${iface}`, node, netns, iface, description: `interface ${iface} of node ${node} (namespace ${netns}, lab ${t.name})` };
}
