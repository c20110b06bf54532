// `probePair`: one reachability check between two nodes of a running lab, for the UI. The check is
// `nslab test`'s engine (an ad-hoc expectation), and the path is `nslab trace`'s walk, laid on
// the lab's picture so the page can draw where the packet went and where it stopped.
import { legOnGraph, type GraphLeg } from '../graph/path.js';
import type { StateRoot } from '../state/root.js';
import type { Expectation } from '../model/types.js';
import type { ReportRow } from '../verify/matrix.js';
import { labGraph } from './graph.js';
import type { KernelFactory } from './kernel.js';
import { test, type Prober } from './test.js';
import { trace, type TraceResult } from './trace.js';

export type { GraphLeg } from '../graph/path.js';
export type { ReportRow } from '../verify/matrix.js';

/** What is probed: a ping, or a TCP connect / UDP datagram to a port. */
export type ProbeKind = Expectation['probe'];

/** Options of `probePair`. */
export interface PairProbeOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  readonly from: string;
  /** A node, `node:iface`, or an address. */
  readonly to: string;
  readonly probe?: ProbeKind;
  readonly openKernel?: KernelFactory;
  readonly prober?: Prober;
}

/** What `probePair` found: the test row, and the traced path on the picture. */
export interface PairProbeResult {
  readonly lab: string;
  readonly from: string;
  readonly to: string;
  readonly row: ReportRow;
  readonly trace: TraceResult;
  /** The request, then the reply when the request arrived. */
  readonly path: readonly GraphLeg[];
}

/**
 * Probe from one node to a target (reach expected) and trace the path.
 * Throws NslabError: exit 2 for an unknown node or target, 1 when the lab is not up.
 */
export async function probePair(opts: PairProbeOptions): Promise<PairProbeResult> {
  const root = opts.state;
  const kind = opts.probe ?? { kind: 'icmp' };
  const common = { state: root, ...(opts.openKernel ? { openKernel: opts.openKernel } : {}) };
  // The trace checks the names first (exit 2 for an unknown node), before anything is sent.
  const tr = await trace({ lab: opts.lab, from: opts.from, to: opts.to, probe: kind, ...common });
  const expect: Expectation = { from: opts.from, to: opts.to, reach: true, probe: kind, span: { line: 0, col: 0 } };
  const r = await test({ target: opts.lab, expect: [expect], ...common, ...(opts.prober ? { prober: opts.prober } : {}) });
  const { model } = labGraph(root, opts.lab);
  const path = [tr.request, ...(tr.reply ? [tr.reply] : [])].map((leg) => legOnGraph(model, leg, leg.direction === 'request' ? opts.from : placeOfArrival(tr)));
  return { lab: opts.lab, from: opts.from, to: opts.to, row: r.report.rows[0]!, trace: tr, path };
}

/** Where the reply starts: where the request arrived. */
function placeOfArrival(tr: TraceResult): string {
  return tr.request.at ?? tr.to.split(':')[0] ?? tr.to;
}
