// The picture of a lab as a graph: vertices (the host, networks, nodes) and edges (veth pairs,
// and the host's own address on a network), each end labelled with its interface and addresses.
// PURE: built from the resolved topology alone, so `nslab graph` draws a file without building
// it, and the UI lays the same model over live counters (graph/live.ts).
import { HOST_NS } from '../port/kernel.js';
import type { Link, Node, Topology } from '../model/types.js';
import { assertNever } from '../util/assert-never.js';

/** What a vertex stands for. */
export type VertexKind = 'host' | 'network' | 'node';

/** One box of the picture. */
export interface Vertex {
  /** Unique within the lab: "host", "net:NAME", "node:NAME". */
  readonly id: string;
  readonly kind: VertexKind;
  readonly name: string;
  /** Short facts drawn under the name: subnet, "NAT", "router", "container". */
  readonly notes: readonly string[];
  /** Node: its namespace; network: its bridge (in the host namespace). */
  readonly kernelName?: string;
  /** A node whose processes get their own pid/mount/uts namespaces, or an adopted one. */
  readonly container?: boolean;
  /** A node with forwarding on. */
  readonly router?: boolean;
}

/** One end of an edge: where it plugs in, and which kernel interface carries it. */
export interface EdgeEnd {
  readonly vertex: string;
  /** The interface as the file names it (node ends), or the kernel name (host ends). */
  readonly iface?: string;
  readonly addresses: readonly string[];
  /** Namespace and device whose counters measure this end: a node netns or HOST_NS. */
  readonly ns: string;
  readonly dev: string;
}

/** What an edge stands for. */
export type EdgeKind = 'bridged' | 'p2p' | 'host' | 'gateway';

/** One line of the picture. `a` is the end whose counters say what the edge carries. */
export interface Edge {
  readonly id: string;
  readonly kind: EdgeKind;
  readonly a: EdgeEnd;
  readonly b: EdgeEnd;
  /** Drawn on the line itself ("NAT" on a gateway edge). */
  readonly label?: string;
}

/** The whole picture of one lab. */
export interface GraphModel {
  readonly lab: string;
  readonly vertices: readonly Vertex[];
  readonly edges: readonly Edge[];
}

/** The picture of a resolved topology: networks first, then nodes, then the host if it takes part. */
export function graphOf(t: Topology): GraphModel {
  const edges = [...gatewayEdges(t), ...t.links.map((l) => linkEdge(t, l))];
  const hostUsed = edges.some((e) => e.a.vertex === 'host' || e.b.vertex === 'host');
  const networks = [...t.networks.values()].map(
    (n): Vertex => ({
      id: `net:${n.name}`,
      kind: 'network',
      name: n.name,
      kernelName: n.bridge,
      notes: [...n.subnets, ...(n.nat ? ['NAT'] : []), ...tunnelNote(t, n.name, n.vni)],
    }),
  );
  const nodes = [...t.nodes.values()].map((n) => machineNote(t, nodeVertex(n)));
  const host: Vertex[] = hostUsed ? [{ id: 'host', kind: 'host', name: 'host', notes: [] }] : [];
  return { lab: t.name, vertices: [...host, ...networks, ...nodes], edges };
}

/** A lab over machines: a node says which machine builds it. */
function machineNote(t: Topology, v: Vertex): Vertex {
  const m = t.placement?.get(v.name);
  return m === undefined ? v : { ...v, notes: [...v.notes, `on ${m}`] };
}

/** A network whose nodes are on several machines is a VXLAN tunnel between them: "vxlan 42: m1 m2". */
function tunnelNote(t: Topology, network: string, vni: number | undefined): string[] {
  if (!t.placement || vni === undefined) return [];
  const on = new Set(t.links.flatMap((l) => (l.kind === 'bridged' && l.network === network ? [t.placement?.get(l.end.node) ?? ''] : [])));
  const machines = [...(t.machines?.keys() ?? [])].filter((m) => on.has(m));
  return machines.length > 1 ? [`vxlan ${vni}: ${machines.join(' ')}`] : [];
}

function nodeVertex(n: Node): Vertex {
  const container = n.isolate.size > 0 || n.netnsOf !== undefined;
  const notes = [
    ...(n.forwarding ? ['router'] : []),
    ...(n.netnsOf !== undefined ? [`netns of PID ${n.netnsOf}`] : n.isolate.size > 0 ? [`container (${[...n.isolate].join(', ')})`] : []),
  ];
  return {
    id: `node:${n.name}`,
    kind: 'node',
    name: n.name,
    kernelName: n.netns,
    notes,
    ...(container ? { container } : {}),
    ...(n.forwarding ? { router: true } : {}),
  };
}

/** The host's address on a network: the gateway addresses live on the bridge itself. */
function gatewayEdges(t: Topology): Edge[] {
  return [...t.networks.values()]
    .filter((n) => n.gateways.length > 0)
    .map((n) => ({
      id: `gw:${n.name}`,
      kind: 'gateway',
      a: { vertex: `net:${n.name}`, addresses: n.gateways, ns: HOST_NS, dev: n.bridge },
      b: { vertex: 'host', addresses: [], ns: HOST_NS, dev: n.bridge },
      ...(n.nat ? { label: 'NAT' } : {}),
    }));
}

function linkEdge(t: Topology, l: Link): Edge {
  switch (l.kind) {
    case 'bridged':
      return { id: `link:${l.id}`, kind: 'bridged', a: nodeEnd(t, l.end), b: { vertex: `net:${l.network}`, addresses: [], ns: HOST_NS, dev: l.hostEnd } };
    case 'p2p':
      return { id: `link:${l.id}`, kind: 'p2p', a: nodeEnd(t, l.a), b: nodeEnd(t, l.b) };
    case 'host':
      return {
        id: `link:${l.id}`,
        kind: 'host',
        a: nodeEnd(t, l.end),
        b: { vertex: 'host', iface: l.hostEnd, addresses: l.hostAddresses, ns: HOST_NS, dev: l.hostEnd },
      };
    default:
      return assertNever(l);
  }
}

function nodeEnd(t: Topology, e: { readonly node: string; readonly iface: string }): EdgeEnd {
  const node = t.nodes.get(e.node);
  return {
    vertex: `node:${e.node}`,
    iface: e.iface,
    addresses: node?.interfaces.get(e.iface)?.addresses ?? [],
    ns: node?.netns ?? `${t.name}-${e.node}`,
    dev: e.iface,
  };
}

/** "eth0 10.0.0.1/24" (the interface, then its addresses), or just the addresses. */
export function endText(e: EdgeEnd): string {
  return [e.iface, ...e.addresses].filter((x) => x !== undefined && x !== '').join(' ');
}
