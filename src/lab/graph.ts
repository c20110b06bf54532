// `graph`: a lab's picture drawn from its topology alone (nothing is built or read from the
// kernel), and the same picture of a running lab from its saved copy, for the UI.
import { createHash } from 'node:crypto';
import type { StateRoot } from '../state/root.js';
import { placeGraph } from '../graph/layout.js';
import { graphOf, type GraphModel } from '../graph/model.js';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../graph/render.js';
import { labJournal } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadFile, loadLab } from './load.js';

export type { Edge, EdgeEnd, EdgeKind, GraphModel, Vertex, VertexKind } from '../graph/model.js';
export type { GraphFormat } from '../graph/render.js';
export { GRAPH_FORMATS } from '../graph/render.js';

/** Options of `graph`. */
export interface GraphOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly file: string;
  readonly format: string;
}

/** Draw a topology file as SVG, Mermaid or DOT text. Throws NslabError (exit 2) for a bad file or format. */
export function graph(opts: GraphOptions): string {
  const root = opts.state;
  if (!(GRAPH_FORMATS as readonly string[]).includes(opts.format)) {
    throw new NslabError('usage', `--format wants one of ${GRAPH_FORMATS.join(', ')}, not "${opts.format}"`, 2);
  }
  return renderGraph(graphOf(loadFile(root, opts.file).topology), opts.format as GraphFormat);
}

/** A running lab's picture, with a revision that changes when the lab is brought up from another file. */
export interface LabGraph {
  readonly lab: string;
  readonly hostNetns?: string;
  readonly revision: string;
  readonly model: GraphModel;
  /**
   * Vertex centres from the layered layout of `nslab graph` (so the page and the docs show the
   * same picture); absent for big labs, which the page lays out with a force-directed layout.
   */
  readonly positions?: Readonly<Record<string, { readonly x: number; readonly y: number }>>;
}

/** Labs up to this many vertices get layered positions; a layered star of hundreds is one long row. */
export const LAYERED_MAX_VERTICES = 120;

/** The picture of a lab that is up, from its saved topology copy. */
export function labGraph(root: StateRoot, lab: string): LabGraph {
  const { topology, text } = loadLab(root, lab);
  const hostNetns = labJournal(root, lab).meta?.hostNetns;
  const model = graphOf(topology);
  const positions = model.vertices.length <= LAYERED_MAX_VERTICES ? layered(model) : undefined;
  return { lab, revision: revisionOf(text), model, ...(hostNetns ? { hostNetns } : {}), ...(positions ? { positions } : {}) };
}

/** The layered layout with room between layers for the page's end labels and rate labels. */
function layered(model: GraphModel): Record<string, { x: number; y: number }> {
  const placed = placeGraph(model, { rankSep: 170 });
  return Object.fromEntries(placed.vertices.map((v) => [v.vertex.id, { x: v.x, y: v.y }]));
}

/** A short fingerprint of a lab's saved topology text. */
export function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
