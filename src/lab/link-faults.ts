// What is wrong with a running lab's links, per edge of its picture, for `nslab ui`: an end set
// down (or without carrier), link properties in force (declared or `nslab impair`), and which of
// that is a runtime change (`nslab link`, `impair`, `partition`). Read from `show`'s data, so the
// page says what `nslab show` says.
import type { Edge, GraphModel } from '../graph/model.js';
import { labGraph } from './graph.js';
import type { KernelFactory } from './kernel.js';
import { show, type Shown, type ShownIface } from './show.js';
import type { StateRoot } from './config.js';

/** One edge's faults. */
export interface EdgeFault {
  /** An end is set down or has no carrier: nothing crosses the link. */
  readonly down: boolean;
  /** The link is shaped (rate, delay, loss...). */
  readonly impaired: boolean;
  /** Part of it is a runtime change, not the file's. */
  readonly runtime: boolean;
  /** What to write on the edge: "down (runtime)", "rate 10mbit loss 20% (runtime)". */
  readonly label: string;
  /** One line per fact, for the side panel: "h1:eth0 set down (runtime)", "h1:eth0 sends: delay 20ms". */
  readonly details: readonly string[];
}

/** The faults of a lab's edges, by edge id; edges without a fault are left out. */
export type LabFaults = Readonly<Record<string, EdgeFault>>;

/** Options of linkFaults. */
export interface LinkFaultOptions {
  readonly state: StateRoot;
  readonly lab: string;
  readonly openKernel?: KernelFactory;
}

/** A running lab's link faults, read now. */
export async function linkFaults(opts: LinkFaultOptions): Promise<{ lab: string; edges: LabFaults }> {
  const { model } = labGraph(opts.state, opts.lab);
  const shown = await show({ state: opts.state, lab: opts.lab, ...(opts.openKernel ? { openKernel: opts.openKernel } : {}) });
  return { lab: shown.lab, edges: faultsOf(model, shown) };
}

/** The faults of every edge of a picture, from `show`'s data. */
export function faultsOf(model: GraphModel, shown: Shown): LabFaults {
  const ifaces = new Map<string, ShownIface>();
  for (const n of shown.nodes) for (const i of n.interfaces) ifaces.set(`node:${n.name}/${i.name}`, i);
  const out: Record<string, EdgeFault> = {};
  for (const e of model.edges) {
    const f = edgeFault(e, ifaces);
    if (f) out[e.id] = f;
  }
  return out;
}

function edgeFault(e: Edge, ifaces: ReadonlyMap<string, ShownIface>): EdgeFault | undefined {
  const ends = [e.a, e.b].flatMap((end) => {
    const i = end.iface === undefined ? undefined : ifaces.get(`${end.vertex}/${end.iface}`);
    return i ? [{ name: `${end.vertex.replace(/^node:/, '')}:${i.name}`, i }] : [];
  });
  const details: string[] = [];
  let down = false;
  let runtimeDown = false;
  let runtimeImpaired = false;
  const shaping: string[] = [];
  for (const { name, i } of ends) {
    const marks = i.runtime ?? [];
    const rtDown = marks.includes('runtime: down');
    runtimeDown ||= rtDown;
    runtimeImpaired ||= marks.includes('runtime: impaired');
    if (!i.up) {
      down = true;
      details.push(`${name} set down${rtDown ? ' (runtime)' : ''}`);
    } else if (i.state !== 'UP' && i.state !== 'UNKNOWN') {
      down = true;
      details.push(`${name} ${i.state === 'LOWERLAYERDOWN' || i.state === 'DOWN' ? 'has no carrier' : `is ${i.state}`}`);
    }
    if (i.shaping?.out) {
      shaping.push(i.shaping.out);
      details.push(`${name} sends: ${i.shaping.out}`);
    }
    if (i.shaping?.in) {
      shaping.push(i.shaping.in);
      details.push(`${name} receives: ${i.shaping.in}`);
    }
    if (marks.includes('runtime: impaired')) details.push(`${name}: impaired at run time (\`nslab impair ${name} --clear\` returns to the file)`);
  }
  const impaired = shaping.length > 0;
  if (!down && !impaired) return undefined;
  const words = [...new Set(shaping)].join(' / ');
  const label = down ? `down${runtimeDown ? ' (runtime)' : ''}` : `${words}${runtimeImpaired ? ' (runtime)' : ''}`;
  return { down, impaired, runtime: runtimeDown || runtimeImpaired, label, details };
}
