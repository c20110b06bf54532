// A traced path (verify/trace.ts hops) drawn on a lab's picture: which vertices and edges each
// leg crosses, and where it stopped. PURE.
import { HOST_NS } from '../port/kernel.js';
import type { Leg } from '../verify/trace.js';
import type { GraphModel } from './model.js';

/** One leg on the picture. */
export interface GraphLeg {
  readonly direction: 'request' | 'reply';
  readonly reached: boolean;
  /** In the order the packet crosses them. */
  readonly vertices: readonly string[];
  readonly edges: readonly string[];
  /** The vertex where the packet stopped, and why. */
  readonly stop?: { readonly vertex: string; readonly message: string };
}

/** The vertex of a trace place: a node name, or "host". */
export function vertexOfPlace(place: string): string {
  return place === 'host' ? 'host' : `node:${place}`;
}

/** A leg's hops as vertices and edges of the picture (a hop out of a bridge crosses its network). */
export function legOnGraph(g: GraphModel, leg: Leg, from: string): GraphLeg {
  const vertices: string[] = [vertexOfPlace(from)];
  const edges: string[] = [];
  const visit = (list: string[], id: string | undefined): void => {
    if (id !== undefined && list[list.length - 1] !== id) list.push(id);
  };
  for (const h of leg.hops) {
    visit(vertices, vertexOfPlace(h.at));
    const out = edgeAt(g, h.at, h.outDev);
    if (out) {
      visit(edges, out.id);
      // Leaving over a network: the packet crosses it on the way to the next holder.
      visit(vertices, out.via);
    }
    if (h.next !== undefined && h.nextDev !== undefined) {
      const inbound = edgeAt(g, h.next, h.nextDev);
      if (inbound) visit(edges, inbound.id);
      visit(vertices, vertexOfPlace(h.next));
    }
  }
  const stop = leg.stop ? { vertex: vertexOfPlace(leg.stop.at), message: leg.stop.message } : undefined;
  return { direction: leg.direction, reached: leg.reached, vertices, edges, ...(stop ? { stop } : {}) };
}

/** The edge a place's device is an end of, and the network vertex it leads into (if any). */
function edgeAt(g: GraphModel, place: string, dev: string): { id: string; via?: string } | undefined {
  const vertex = vertexOfPlace(place);
  for (const e of g.edges) {
    for (const [end, far] of [
      [e.a, e.b],
      [e.b, e.a],
    ] as const) {
      const mine = place === 'host' ? end.ns === HOST_NS && end.dev === dev : end.vertex === vertex && end.dev === dev;
      if (!mine) continue;
      const other = end.vertex === vertex ? far.vertex : end.vertex;
      return { id: e.id, ...(other.startsWith('net:') ? { via: other } : {}) };
    }
  }
  return undefined;
}
