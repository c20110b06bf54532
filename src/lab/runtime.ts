// The runtime verbs: `nslab link` (cut or restore a link), `impair` (shape a link now), `partition`
// (cut every link between two groups of nodes) and `heal` (undo every partition). Each records
// the change in the lab's runtime file (state/runtime.ts), lays the changes over the lab's model
// (model/impair.ts) and applies the difference through the same planner as `up`, restricted to
// link state: links set up or down, root qdiscs, and the nodes' nft tables (loss without netem).
// `up` keeps the changes, `up --reset` returns to the file, `down` removes them with the lab.
import type { StateRoot } from '../state/root.js';
import { applySteps } from '../apply/apply.js';
import { waitLinksActive } from '../apply/settle.js';
import { StepError } from '../apply/errors.js';
import { readLive } from '../live/snapshot.js';
import type { LinkShape, Topology } from '../model/types.js';
import { type RuntimeChanges, type RuntimePartition, splitEnd, withRuntime } from '../model/impair.js';
import { planLab } from '../plan/diff.js';
import { desiredResources, liveQueryOf } from '../plan/resources.js';
import { describeOp, type PlanStep } from '../plan/steps.js';
import { JournalWriter } from '../state/journal.js';
import { readRuntime, writeRuntime } from '../state/runtime.js';
import { labJournal, labPaths } from '../state/store.js';
import { isEmptyShape, type Parsed, parseDuration, parseLimit, parsePercent, parseRate } from '../topology/impair-units.js';
import { shapeProblems } from '../topology/parse-impair.js';
import { didYouMean } from '../topology/text.js';
import { NslabError } from '../util/errors.js';
import type { KernelFactory, NetemCheck, SystemOption } from './kernel.js';
import { linuxKernel, systemOf } from './kernel.js';
import { loadLabLazy } from './load-lazy.js';
import { type LockWait, withLabLock } from './lock.js';
import { runtimeNotes, shapingSupport } from './shaping.js';

/** What every runtime verb takes. */
export interface RuntimeOptions extends LockWait, SystemOption {
  /** The state root, as the edge chose it. */
  readonly state: StateRoot;
  readonly lab: string;
  readonly openKernel?: KernelFactory;
  /** Whether the kernel has sch_netem (default: asked of this host). */
  readonly netemMissing?: NetemCheck;
}

/** What a runtime verb did. */
export interface RuntimeResult {
  readonly lab: string;
  /** The kernel operations applied, as commands. */
  readonly commands: readonly string[];
  /** Every runtime change now in force, one line each. */
  readonly notes: readonly string[];
}

/** Options of `linkState`: `nslab link LAB NODE:IFACE down|up`. */
export interface LinkStateOptions extends RuntimeOptions {
  /** "NODE:IFACE": the end set down (its far end then has no carrier) or up again. */
  readonly end: string;
  readonly up: boolean;
}

/**
 * Cut a link (`up: false`: the given end is set down, so the far end loses its carrier, as when a
 * cable is pulled) or restore it. Restoring also lifts a partition's cut of that end.
 */
export async function linkState(opts: LinkStateOptions): Promise<RuntimeResult> {
  return change(opts, (t, c) => {
    const end = checkEnd(t, opts.end);
    const down = c.down.filter((e) => e !== end);
    if (!opts.up) return { ...c, down: [...down, end] };
    const partitions = c.partitions.map((p) => ({ ...p, cut: p.cut.filter((e) => e !== end) }));
    return { ...c, down, partitions };
  });
}

/** Options of `impair`. */
export interface ImpairOptions extends RuntimeOptions {
  /** "NODE:IFACE". */
  readonly end: string;
  /** The shape to put in force (values as parsed by topology/impair-units.ts); ignored with clear. */
  readonly shape?: LinkShape;
  /** Only what this end sends; default both directions. */
  readonly egressOnly?: boolean;
  /** Back to the file's properties for this link. */
  readonly clear?: boolean;
}

/**
 * Put a shape in force on a link now, instead of the file's (both directions, or this end's
 * egress only); `clear` returns the link to the file's properties.
 */
export async function impair(opts: ImpairOptions): Promise<RuntimeResult> {
  return change(opts, (t, c) => {
    const end = checkEnd(t, opts.end);
    const rest = c.impair.filter((r) => r.end !== end);
    if (opts.clear) return { ...c, impair: rest };
    if (isEmptyShape(opts.shape))
      throw new NslabError(
        'usage',
        'impair needs at least one of --rate, --delay, --jitter, --loss, --corrupt, --duplicate, --reorder, --limit (or --clear)',
        2,
      );
    return { ...c, impair: [...rest, { end, shape: opts.shape ?? {}, egressOnly: opts.egressOnly === true }] };
  });
}

/** Options of `partition`. */
export interface PartitionOptions extends RuntimeOptions {
  readonly a: readonly string[];
  readonly b: readonly string[];
}

/**
 * Cut every link between two groups of nodes: a point-to-point link between them is cut at its
 * group-B end; on a network with members of both groups, the group-B members' interfaces on it are
 * cut (which also cuts them off from that network's other members).
 */
export async function partition(opts: PartitionOptions): Promise<RuntimeResult> {
  return change(opts, (t, c) => {
    const a = checkGroup(t, opts.a, 'first');
    const b = checkGroup(t, opts.b, 'second');
    const both = a.filter((n) => b.includes(n));
    if (both.length > 0) throw new NslabError('usage', `node ${both.join(', ')} is in both groups of the partition`, 2);
    const p: RuntimePartition = { a, b, cut: cutsBetween(t, new Set(a), new Set(b)) };
    return { ...c, partitions: [...c.partitions, p] };
  });
}

/** Undo every partition (links cut by `nslab link` stay cut). */
export async function heal(opts: RuntimeOptions): Promise<RuntimeResult> {
  return change(opts, (_t, c) => ({ ...c, partitions: [] }));
}

/** The ends to set down so that no link joins group A and group B directly (see partition). */
export function cutsBetween(t: Topology, a: ReadonlySet<string>, b: ReadonlySet<string>): string[] {
  const cut: string[] = [];
  const members = new Map<string, string[]>();
  for (const l of t.links) {
    if (l.kind === 'p2p') {
      if (a.has(l.a.node) && b.has(l.b.node)) cut.push(`${l.b.node}:${l.b.iface}`);
      else if (b.has(l.a.node) && a.has(l.b.node)) cut.push(`${l.a.node}:${l.a.iface}`);
    } else if (l.kind === 'bridged') {
      members.set(l.network, [...(members.get(l.network) ?? []), `${l.end.node}:${l.end.iface}`]);
    }
  }
  for (const ends of members.values()) {
    const nodeOf = (e: string): string => splitEnd(e)[0];
    if (ends.some((e) => a.has(nodeOf(e))) && ends.some((e) => b.has(nodeOf(e)))) cut.push(...ends.filter((e) => b.has(nodeOf(e))));
  }
  return [...new Set(cut)];
}

function checkEnd(t: Topology, end: string): string {
  const [node, iface] = splitEnd(end);
  const n = t.nodes.get(node);
  if (!n || iface === '') {
    throw new NslabError('no-node', `${end}: lab ${t.name} has no node ${node}${didYouMean(node, t.nodes.keys())} (give NODE:IFACE)`, 2);
  }
  if (!n.interfaces.has(iface)) throw new NslabError('no-iface', `${end}: node ${node} has no interface ${iface}${didYouMean(iface, n.interfaces.keys())}`, 2);
  return `${node}:${iface}`;
}

function checkGroup(t: Topology, names: readonly string[], which: string): string[] {
  const out = [...new Set(names.flatMap((n) => n.split(/[\s,]+/)).filter((n) => n !== ''))];
  if (out.length === 0) throw new NslabError('usage', `the ${which} group of the partition names no node`, 2);
  for (const n of out) if (!t.nodes.has(n)) throw new NslabError('no-node', `lab ${t.name} has no node ${n}${didYouMean(n, t.nodes.keys())}`, 2);
  return out;
}

/** Only these operations are a runtime change's business: the rest of the lab stays as it is. */
const LINK_STATE_OPS = new Set(['link.set', 'qdisc.replace', 'qdisc.delete', 'nft.load']);

async function change(opts: RuntimeOptions, edit: (t: Topology, c: RuntimeChanges) => RuntimeChanges): Promise<RuntimeResult> {
  const root = opts.state;
  const sys = await systemOf(opts);
  const { topology } = await loadLabLazy(root, opts.lab);
  const lab = topology.name;
  return withLabLock(root, sys, lab, opts, async () => {
    const journal = labJournal(root, lab);
    if (!journal.meta) throw new NslabError('not-up', `lab ${lab} is not up (run \`nslab up\` first)`, 2);
    const before = readRuntime(root, lab);
    const after = edit(topology, before);
    const view = withRuntime(topology, after);
    const support = await shapingSupport(view, opts.netemMissing);
    const desired = desiredResources(view, support);
    const hostNetns = journal.meta.hostNetns;
    const kernel = await (opts.openKernel ?? linuxKernel)(hostNetns ? { hostNetns } : {});
    try {
      const live = readLive(kernel, liveQueryOf(view, journal.owned, desired));
      const plan = planLab({ topology: view, live, owned: journal.owned, desired });
      const steps = plan.steps.filter((s) => LINK_STATE_OPS.has(s.op.op));
      if (steps.length > 0) applyRuntime(root, lab, kernel, steps);
      await freshAfterUp(kernel, view, steps);
      writeRuntime(root, lab, after);
      return { lab, commands: steps.map((s) => describeOp(s.op)), notes: runtimeNotes(after) };
    } finally {
      kernel.close();
    }
  });
}

/**
 * Links just set up: wait (bounded) until the kernel has activated them, then drop the neighbour
 * entries learned on them meanwhile. A veth that comes up drops what it is given until the
 * kernel's link watcher runs, but its routes are back at once: a packet sent in between (a probe,
 * a scenario's traffic) makes an ARP entry whose request is lost, and the next request goes out
 * only a second later (retrans_time), so the link stayed dead for a second after `link up` in
 * about one run in eight. Entries made after the link is active resolve at once.
 */
async function freshAfterUp(kernel: import('../port/kernel.js').Kernel, t: Topology, steps: readonly PlanStep[], timeoutMs = 1000): Promise<void> {
  const set = steps.flatMap(({ op }) => (op.op === 'link.set' && op.up === true ? [`${op.ns}/${op.name}`] : []));
  if (set.length === 0) return;
  const ends = new Map<string, string[]>();
  const add = (ns: string, name: string): void => void ends.set(ns, [...(ends.get(ns) ?? []), name]);
  for (const end of new Set(set)) {
    const at = end.lastIndexOf('/');
    add(end.slice(0, at), end.slice(at + 1));
  }
  // The far end of a point-to-point link comes up with it (its carrier), and answers through it:
  // it is waited for and flushed too.
  const netns = (node: string): string => t.nodes.get(node)?.netns ?? '';
  for (const l of t.links) {
    if (l.kind !== 'p2p') continue;
    if (set.includes(`${netns(l.a.node)}/${l.a.iface}`)) add(netns(l.b.node), l.b.iface);
    if (set.includes(`${netns(l.b.node)}/${l.b.iface}`)) add(netns(l.a.node), l.a.iface);
  }
  await waitLinksActive(kernel, ends, timeoutMs);
  for (const [ns, names] of ends) kernel.neighFlush(ns, names);
}

function applyRuntime(root: StateRoot, lab: string, kernel: import('../port/kernel.js').Kernel, steps: readonly PlanStep[]): void {
  const path = labPaths(root, lab).journal;
  const writer = new JournalWriter(root, path);
  try {
    const outcome = applySteps({ steps, kernel, journal: writer, goneIsDone: true });
    if (outcome.failures.length > 0) throw new StepError(outcome.failures, outcome.done, path, lab);
  } finally {
    writer.close();
  }
}

/** The flags of `nslab impair`, as given. */
export interface ShapeFlags {
  readonly rate?: string;
  readonly delay?: string;
  readonly jitter?: string;
  readonly loss?: string;
  readonly corrupt?: string;
  readonly duplicate?: string;
  readonly reorder?: string;
  readonly limit?: string;
}

/** Flags -> a shape, with the file's syntax and checks; a bad value is exit 2 naming the flag. */
export function shapeFromFlags(f: ShapeFlags): LinkShape {
  const out: Record<string, number> = {};
  const take = (flag: keyof ShapeFlags, field: keyof LinkShape, parse: (v: unknown) => Parsed<number>): void => {
    const v = f[flag];
    if (v === undefined) return;
    const p = parse(v);
    if (!p.ok) throw new NslabError('usage', `--${flag} ${v}: ${p.problem}`, 2);
    out[field] = p.value;
  };
  take('rate', 'rate', parseRate);
  take('delay', 'delayUs', parseDuration);
  take('jitter', 'jitterUs', parseDuration);
  take('loss', 'lossPct', parsePercent);
  take('corrupt', 'corruptPct', parsePercent);
  take('duplicate', 'duplicatePct', parsePercent);
  take('reorder', 'reorderPct', parsePercent);
  take('limit', 'limit', parseLimit);
  const problems = shapeProblems(out);
  if (problems.length > 0) throw new NslabError('usage', `--${problems[0]!.replace(/:/, '')}`, 2);
  return out;
}
