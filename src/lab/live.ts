// The live view behind `nslab ui`: every running lab (or one) as its picture plus live state,
// sampled on demand. It keeps one kernel handle per host namespace open between samples and
// re-reads a lab's saved topology only when it changed. Read-only: dumps links, changes nothing.
import type { Kernel } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import { HOST_NS } from '../port/kernel.js';
import { graphOf, type GraphModel } from '../graph/model.js';
import { liveGraph, type IfaceSample, type LabSample, type LiveGraph } from '../graph/live.js';
import { labJournal, listLabs, loadTopologyCopy } from '../state/store.js';
import { isNslabError } from '../util/errors.js';
import { revisionOf } from './graph.js';
import type { KernelFactory } from './kernel.js';
import { linuxKernel } from './kernel.js';
import { fromText } from './load.js';

export type { EdgeState, EndState, LiveGraph } from '../graph/live.js';

/** A lab the view shows: its revision changes when it is brought up from a different file. */
export interface LiveLab {
  readonly lab: string;
  readonly revision: string;
  readonly hostNetns?: string;
  /** Why the lab cannot be shown (its saved copy no longer parses, its host namespace is gone). */
  readonly error?: string;
}

/** One sample of every lab in view. */
export interface LiveTick {
  readonly labs: readonly LiveLab[];
  readonly live: Readonly<Record<string, LiveGraph>>;
  /** How long the sample took, in ms (the caller spaces samples by it). */
  readonly ms: number;
}

/** Options of openLiveView. */
export interface LiveViewOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  /** Only this lab; every lab with state when absent. */
  readonly lab?: string;
  readonly openKernel?: KernelFactory;
}

interface Known {
  readonly revision: string;
  readonly model: GraphModel;
  readonly hostNetns?: string;
  prev?: LabSample;
}

/** A live view: call tick() for each sample, close() when done. */
export interface LiveView {
  tick(): Promise<LiveTick>;
  close(): void;
}

/** Open a live view of the labs on this host. */
export function openLiveView(opts: LiveViewOptions): LiveView {
  const root = opts.state;
  const known = new Map<string, Known>();
  const kernels = new Map<string, Kernel>();
  const kernelFor = async (hostNetns: string | undefined): Promise<Kernel> => {
    const key = hostNetns ?? '';
    let k = kernels.get(key);
    if (!k) {
      k = await (opts.openKernel ?? linuxKernel)(hostNetns ? { hostNetns } : {});
      kernels.set(key, k);
    }
    return k;
  };
  return {
    async tick() {
      const t0 = performance.now();
      const labs: LiveLab[] = [];
      const live: Record<string, LiveGraph> = {};
      const names = opts.lab === undefined ? listLabs(root) : [opts.lab];
      for (const name of names) {
        const k = refresh(root, known, name);
        if (!k || 'error' in k) {
          if (k) labs.push(k.error);
          continue;
        }
        try {
          const sample = sampleLab(await kernelFor(k.hostNetns), k.model);
          live[name] = liveGraph(k.model, sample, k.prev);
          k.prev = sample;
          labs.push({ lab: name, revision: k.revision, ...(k.hostNetns ? { hostNetns: k.hostNetns } : {}) });
        } catch (e) {
          if (!isNslabError(e)) throw e;
          labs.push({ lab: name, revision: k.revision, error: e.message });
        }
      }
      for (const name of known.keys()) if (!names.includes(name)) known.delete(name);
      return { labs, live, ms: performance.now() - t0 };
    },
    close() {
      for (const k of kernels.values()) k.close();
      kernels.clear();
    },
  };
}

/** The lab's model, re-read when its saved copy changed; undefined when the lab has no copy. */
function refresh(root: StateRoot, known: Map<string, Known>, lab: string): Known | { error: LiveLab } | undefined {
  const text = loadTopologyCopy(root, lab);
  if (text === undefined) {
    known.delete(lab);
    return undefined;
  }
  const revision = revisionOf(text);
  const old = known.get(lab);
  if (old?.revision === revision) return old;
  try {
    const hostNetns = labJournal(root, lab).meta?.hostNetns;
    const k: Known = { revision, model: graphOf(fromText(root, text, `${lab} (saved copy)`).topology), ...(hostNetns ? { hostNetns } : {}) };
    known.set(lab, k);
    return k;
  } catch (e) {
    if (!isNslabError(e)) throw e;
    return { error: { lab, revision, error: e.message } };
  }
}

/** Links and counters of every namespace the picture mentions (a missing namespace is left out). */
function sampleLab(kernel: Kernel, model: GraphModel): LabSample {
  const spaces = new Set<string>([HOST_NS, ...model.edges.flatMap((e) => [e.a.ns, e.b.ns])]);
  for (const v of model.vertices) if (v.kind === 'node' && v.kernelName) spaces.add(v.kernelName);
  const ifaces = new Map<string, Map<string, IfaceSample>>();
  for (const ns of spaces) {
    const snap = kernel.snapshot(ns, { stats: true });
    if (!snap) continue;
    ifaces.set(ns, new Map(snap.links.map((l) => [l.name, { up: l.up, operstate: l.operstate, ...(l.stats ? { stats: l.stats } : {}) }])));
  }
  return { t: performance.now(), ifaces };
}
