// `capture`: watch the packets at any point of a lab, with the lab's names: a tcpdump per capture
// point (node interfaces in their namespaces, networks on their bridge in the host namespace),
// merged in time order, printed as lines and/or written as pcapng. The pieces: capture-targets.ts
// (what TARGETs mean), capture-session.ts (running and stopping tcpdump), capture-sink.ts (lines,
// pcapng); packet/ decodes and names (pure).
import { KernelError } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import { HOST_NS, type NsSnapshot } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { labNamer, type Namer } from '../packet/names.js';
import { labJournal } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { registerCaptures } from './capture-registry.js';
import { openSink, type DecodedPacket } from './capture-sink.js';
import { resolveTargets, type CapturePoint } from './capture-targets.js';
import { runSession, startAll, type SessionResult } from './capture-session.js';
import { linuxKernel, systemOf, type KernelFactory, type SystemOption } from './kernel.js';
import { loadLabLazy } from './load-lazy.js';

export type { StopReason } from './capture-session.js';

/** tcpdump's default snapshot length: whole packets. */
const SNAPLEN = 262_144;

/** Options of `capture`. */
export interface CaptureOptions extends SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  /** `node`, `node:iface` or a network (name or bridge). */
  readonly targets: readonly string[];
  /** Write pcapng to this file ("-": stdout) instead of printing lines. */
  readonly write?: string;
  /** Print lines too when writing a file. */
  readonly print?: boolean;
  /** A pcap-filter(7) expression, as for tcpdump. */
  readonly filter?: string;
  /** Stop after this many packets (over all capture points). */
  readonly count?: number;
  /** Stop after this long. */
  readonly durationMs?: number;
  /** Where lines go (default stdout). */
  readonly out?: (line: string) => void;
  /** Where "capturing on ..." goes (default stderr). */
  readonly note?: (text: string) => void;
  /** Stops the capture (default: Ctrl-C, SIGTERM, SIGHUP). */
  readonly signal?: AbortSignal;
  /** Times in UTC instead of local time. */
  readonly utc?: boolean;
  readonly openKernel?: KernelFactory;
  /** Each packet as data (the library); lines are then printed only with `print`. */
  readonly onPacket?: (p: DecodedPacket) => void;
  /** Called once every capture point is capturing, with their labels (after `note`). */
  readonly onReady?: (points: readonly string[]) => void;
}

/** What `capture` returns. */
export interface CaptureResult extends SessionResult {
  readonly lab: string;
  /** The capture points, as lines label them. */
  readonly points: readonly string[];
}

/**
 * Capture until a stop condition. Throws NslabError: exit 2 for an unknown lab, node, interface or
 * network, a bad filter or an unwritable file; exit 1 when a namespace is not there.
 */
export async function capture(opts: CaptureOptions): Promise<CaptureResult> {
  const root = opts.state;
  const { topology } = await loadLabLazy(root, opts.lab);
  const hostNetns = labJournal(root, opts.lab).meta?.hostNetns;
  const points = resolveTargets(topology, opts.targets, hostNetns);
  if (opts.write === '-' && opts.print) throw new NslabError('usage', '--print with -w - would mix text into the pcapng on stdout', 2);
  const names = await liveNames(topology, points, { ...(hostNetns ? { hostNetns } : {}), open: opts.openKernel ?? linuxKernel });
  const sink = openSink({ points, names, snaplen: SNAPLEN, ...pick(opts) });
  try {
    const sys = await systemOf(opts);
    const caps = await startAll(sys, points, opts.filter).catch((e: unknown) => {
      throw startError(e, opts.filter);
    });
    const note = opts.note ?? ((t: string) => void process.stderr.write(`${t}\n`));
    // Known to the lab's state, so that `down` stops them first instead of failing on them.
    const unregister = registerCaptures(
      root,
      sys,
      topology.name,
      caps.map((c) => c.pid),
    );
    const r = await runSession(caps, {
      points,
      sink,
      onReady: () => {
        note(`capturing on ${points.map((p) => p.label).join(', ')} (Ctrl-C to stop)`);
        opts.onReady?.(points.map((p) => p.label));
      },
      ...(opts.count === undefined ? {} : { count: opts.count }),
      ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    }).finally(unregister);
    return { lab: topology.name, points: points.map((p) => p.label), ...r };
  } finally {
    sink.close();
  }
}

function pick(o: CaptureOptions): { write?: string; print?: boolean; out?: (l: string) => void; utc?: boolean; onPacket?: (p: DecodedPacket) => void } {
  return {
    ...(o.onPacket ? { onPacket: o.onPacket } : {}),
    ...(o.write === undefined ? {} : { write: o.write }),
    ...(o.print ? { print: true } : {}),
    ...(o.out ? { out: o.out } : {}),
    ...(o.utc ? { utc: true } : {}),
  };
}

/** The lab's names from its live state; every capture point must exist (else exit 1). */
async function liveNames(t: Topology, points: readonly CapturePoint[], o: { hostNetns?: string; open: KernelFactory }): Promise<Namer> {
  const kernel = await o.open(o.hostNetns ? { hostNetns: o.hostNetns } : {});
  try {
    const nodes = new Map<string, NsSnapshot | undefined>([...t.nodes.values()].map((n) => [n.name, kernel.snapshot(n.netns)]));
    const host = kernel.snapshot(HOST_NS);
    for (const p of points) {
      const snap = p.node === undefined ? host : nodes.get(p.node);
      const where = p.node === undefined ? (o.hostNetns ? `namespace ${o.hostNetns}` : 'the host namespace') : `namespace ${p.netns ?? '?'}`;
      if (!snap) throw new NslabError('no-netns', `${where} is missing: run \`nslab up\` for lab ${t.name} again`, 1);
      if (!snap.links.some((l) => l.name === p.iface)) {
        throw new NslabError('no-link', `${p.label}: interface ${p.iface} is missing in ${where}: run \`nslab up\` for lab ${t.name} again`, 1);
      }
    }
    return labNamer(t, { nodes, host });
  } finally {
    kernel.close();
  }
}

/** tcpdump refusing the filter is bad input (exit 2); anything else stays a KernelError (exit 1). */
function startError(e: unknown, filter: string | undefined): unknown {
  if (e instanceof KernelError && e.op === 'capture.start' && filter !== undefined && /filter|syntax error/i.test(e.message)) {
    const detail = e.message.slice(e.equivalent.length + 2);
    return new NslabError('bad-filter', `-f ${JSON.stringify(filter)}: tcpdump cannot use it: ${detail}`, 2);
  }
  return e;
}
