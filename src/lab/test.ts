// `test`: prove a lab works. Expectations (or, with `all`, every pair of nodes) become probes run
// from inside the namespaces, in waves that fit the kernel's global neighbour table, flushing
// the lab's neighbour entries between waves. A failed probe is a result (exit 1), not an error.
// Entries with `within:` (and every entry, with `wait`) are retried until they hold (converge.ts).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';
import type { Kernel, NeighPin, NsRef } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { NeighLimits } from '../port/host.js';
import type { ProbeOptions, ProbeOutcome, ProbeSpec } from '../port/probe.js';
import type { Expectation, Topology } from '../model/types.js';
import { labJournal, labPaths } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import type { LiveTarget, Outcome, Probe, Report } from '../verify/matrix.js';
import { buildReport, expectationProbes, matrixProbes, gatewayProbes, liveProbes } from '../verify/matrix.js';
import { converge, monotonicClock, type Clock, type WaitProgress } from './converge.js';
import { neighbourNeed, planWaves } from '../verify/waves.js';
import { planPins, type PinPlan } from '../verify/pins.js';
import type { KernelFactory } from './kernel.js';
import { linuxKernel, systemOf, type SystemOption } from './kernel.js';
import { loadFileLazy, loadLabLazy } from './load-lazy.js';
import { looksLikeLabName } from './names.js';
import { noSuchLab } from './no-lab.js';
import { readRuntime } from '../state/runtime.js';
import { runtimeNotes } from './shaping.js';
import { partFor } from './machine.js';

/** Runs probes; the real engine by default (tests inject one). */
export type Prober = (specs: readonly ProbeSpec[], opts: ProbeOptions) => Promise<ProbeOutcome[]>;

/** Options of `test`. */
export interface TestOptions extends SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  /** A lab name, or a topology file of a lab that is up (its expectations are used). */
  readonly target: string;
  /** Probe every ordered pair of nodes instead of the expectations. */
  readonly all?: boolean;
  /** Probe from every node to its networks' gateways instead of the expectations. */
  readonly gateways?: boolean;
  /** Probe these instead of the file's expect: entries (the UI's probe between two nodes). */
  readonly expect?: readonly Expectation[];
  /** Raise net.ipv4.neigh.default.gc_thresh3 for the run instead of probing in waves. */
  readonly raiseNeighLimit?: boolean;
  /**
   * How probes between neighbours on one segment resolve each other: 'learn' (ARP/NDP, as
   * traffic does), 'pin' (permanent entries for the run, verify/pins.ts). Default: 'pin' when the
   * run needs more learned entries than the kernel's shared table has room for, else 'learn'.
   */
  readonly neighbours?: 'learn' | 'pin';
  readonly probe?: ProbeOptions;
  /**
   * `--as MACHINE`: probe only from the nodes this machine built (to every target, those on other
   * machines included). The caller passes the machine's own state root (lab/machine.ts machineState).
   */
  readonly machine?: string;
  readonly openKernel?: KernelFactory;
  readonly prober?: Prober;
  /** Wait up to this long for every entry to hold (an entry's own `within:` is used when shorter). */
  readonly waitMs?: number;
  /** Told after each round that leaves something to wait for. */
  readonly onProgress?: (p: WaitProgress) => void;
  /** Monotonic time and sleeping (tests pass a virtual one). */
  readonly clock?: Clock;
}

/** What `test` found. */
export interface TestResult {
  readonly lab: string;
  /** The machine probed from, with `--as`. */
  readonly machine?: string;
  readonly mode: 'expect' | 'all';
  readonly report: Report;
  readonly waves: number;
  /** Neighbour entries the run needs to learn, the kernel's cap on them, and the entries pinned for the run. */
  readonly neighbours: { readonly need: number; readonly cap: number; readonly capKnown: boolean; readonly pinned: number };
  /** Things the user should know (waves, limits), already worded. */
  readonly notices: readonly string[];
  readonly ms: number;
  /** Probe rounds run (more than 1 when something was waited for). */
  readonly rounds: number;
  /** Whether any entry was retried until a deadline (within:, --wait). */
  readonly waited: boolean;
  /** `all`: addresses found live on the nodes and probed besides the declared ones. */
  readonly live?: readonly { readonly node: string; readonly dev: string; readonly address: string }[];
  /**
   * `sha256:<hex>` of the topology text the run used (the file, or the lab's saved copy): the
   * reports of one lab's machines carry the same one when they were made from the same file.
   */
  readonly digest: string;
}

/** The lab's runtime changes, one line each (none when it has no state). */
function runtimeNotesOf(root: StateRoot, lab: string): string[] {
  try {
    return runtimeNotes(readRuntime(root, lab));
  } catch (e) {
    return [String((e as Error).message)];
  }
}

/** Check a lab. */
export async function test(opts: TestOptions): Promise<TestResult> {
  const root = opts.state;
  const clock = opts.clock ?? monotonicClock;
  const t0 = clock.now();
  const { topology: resolved, text } = await resolveLab(root, opts.target);
  const whole = opts.expect ? { ...resolved, expect: opts.expect } : resolved;
  // From one machine: every target stays known (its addresses), only the sources are this machine's.
  const part = opts.machine === undefined ? undefined : partFor(whole, opts.machine);
  const topology = part ? { ...whole, expect: whole.expect.filter((e) => part.nodes.has(e.from)) } : whole;
  const declared = fromPart(opts.all ? matrixProbes(topology) : opts.gateways ? gatewayProbes(topology) : expectationProbes(topology), part);
  if (declared.length === 0 && opts.gateways) throw new NslabError('no-expectations', `lab ${topology.name} has no network with a gateway`, 2);
  if (declared.length === 0) {
    throw new NslabError(
      'no-expectations',
      opts.all
        ? `lab ${topology.name} has no two nodes with addresses to probe`
        : `lab ${topology.name} has no expect: entries; add some, or run \`nslab test ${opts.target} --all\` for every pair`,
      2,
    );
  }
  const hostNetns = labJournal(root, topology.name).meta?.hostNetns;
  const sys = await systemOf(opts);
  const kernel = await (opts.openKernel ?? linuxKernel)(hostNetns ? { hostNetns } : {});
  try {
    const probes = opts.all ? [...declared, ...liveProbes(topology, liveTargets(kernel, topology), declared.length)] : declared;
    const limits = sys.probe.neighLimits();
    const budget = Math.max(64, Math.floor(limits.cap * 0.75) - limits.entries);
    const notices: string[] = [];
    const needAll = neighbourNeed(topology, probes);
    const mode = opts.neighbours ?? (needAll > budget && !opts.raiseNeighLimit ? 'pin' : 'learn');
    const plan: PinPlan = mode === 'pin' ? planPins(topology, probes, macLookup(kernel)) : { pins: new Map(), pinned: new Set() };
    const learning = probes.filter((p) => !plan.pinned.has(p.id));
    const need = neighbourNeed(topology, learning);
    let waves = [probes];
    let restore: number[] | undefined;
    if (need > budget) {
      restore = opts.raiseNeighLimit ? sys.host.raiseNeighLimit(need + limits.entries + 256) : undefined;
      // Pinned probes need no learned entry: they all go in the first wave, in their order.
      if (!restore) waves = withPinned(probes, plan.pinned, planWaves(topology, learning, budget));
      notices.push(neighbourNotice({ need, limits, waves: waves.length, raised: restore !== undefined, asked: opts.raiseNeighLimit === true }));
    }
    const pinned = pinAll(kernel, plan.pins);
    const pinCount = [...pinned.values()].reduce((n, l) => n + l.length, 0);
    if (plan.pinned.size > 0) notices.push(pinNotice(needAll, limits, plan.pinned.size));
    try {
      const netns = [...(part ?? topology).nodes.values()].map((n) => n.netns);
      const bridges = [...(part ?? topology).networks.values()].map((n) => n.bridge);
      const prober = opts.prober ?? ((specs, o) => sys.probe.run(specs, o));
      const deadlines = deadlinesOf(topology, probes, opts);
      const probe = opts.probe ?? {};
      // Later rounds are the retries: one attempt each, unless asked for more.
      const retryProbe = { ...probe, attempts: probe.attempts ?? 1 };
      const done = await converge({
        probes,
        deadlines,
        clock,
        round: (batch, retry) => {
          const ids = new Set(batch.map((p) => p.id));
          const todo = waves.map((w) => w.filter((p) => ids.has(p.id))).filter((w) => w.length > 0);
          return runWaves({ kernel, waves: todo, netns, bridges, prober, probe: retry ? retryProbe : probe, pinned: plan.pinned });
        },
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
      const built = buildReport(probes, done.outcomes);
      const report = {
        ...built,
        rows: built.rows.map((r, i) => {
          const id = probes[i]!.id;
          const held = done.heldMs.get(id);
          const within = deadlines.get(id);
          return { ...r, ...(held === undefined ? {} : { heldMs: Math.round(held) }), ...(within ? { withinMs: within } : {}) };
        }),
      };
      const live = probes.flatMap((p) =>
        p.liveDev !== undefined && p.dst && p.toNetns ? [{ node: p.to.split(':')[0]!, dev: p.liveDev, address: p.dst }] : [],
      );
      return {
        lab: topology.name,
        ...(opts.machine === undefined ? {} : { machine: opts.machine }),
        mode: opts.all ? 'all' : 'expect',
        report,
        waves: waves.length,
        neighbours: { need, cap: limits.cap, capKnown: limits.capKnown, pinned: pinCount },
        // Links cut or impaired at run time explain failures the file alone does not.
        notices: [...notices, ...runtimeNotesOf(root, topology.name)],
        ms: clock.now() - t0,
        rounds: done.rounds,
        waited: deadlines.size > 0,
        ...(opts.all ? { live: live.filter((l, i) => live.findIndex((m) => m.address === l.address && m.node === l.node) === i) } : {}),
        digest: `sha256:${createHash('sha256').update(text).digest('hex')}`,
      };
    } finally {
      if (restore) sys.host.restoreNeighLimit(restore);
      unpinAll(kernel, pinned);
    }
  } finally {
    kernel.close();
  }
}

/**
 * The probes sent from a machine's own nodes, renumbered; a target on another machine keeps its
 * address but not its namespace (it is not on this host to look into).
 */
function fromPart(probes: readonly Probe[], part: Topology | undefined): Probe[] {
  if (!part) return [...probes];
  return probes
    .filter((p) => part.nodes.has(p.from))
    .map((p, id) => {
      const { toNetns, ...rest } = p;
      return toNetns !== undefined && part.nodes.has(p.to.split(':')[0] ?? '') ? { ...rest, toNetns, id } : { ...rest, id };
    });
}

/** Per probe id, how long it may take to hold: its `within:`, capped by --wait; --wait alone for the rest. */
function deadlinesOf(t: Topology, probes: readonly Probe[], opts: TestOptions): Map<number, number> {
  const out = new Map<number, number>();
  const fromFile = !opts.all && !opts.gateways;
  for (const p of probes) {
    const within = fromFile ? t.expect[p.id]?.withinMs : undefined;
    const ms = within !== undefined && opts.waitMs !== undefined ? Math.min(within, opts.waitMs) : (within ?? opts.waitMs);
    if (ms !== undefined && ms > 0) out.set(p.id, ms);
  }
  return out;
}

/** Every address live on each node's interfaces now, as the kernel's snapshot has them. */
function liveTargets(kernel: Kernel, t: Topology): Map<string, LiveTarget[]> {
  const out = new Map<string, LiveTarget[]>();
  for (const node of t.nodes.values()) {
    const snap = kernel.snapshot(node.netns);
    if (!snap) continue;
    const up = new Set(snap.links.filter((l) => l.up).map((l) => l.name));
    out.set(
      node.name,
      snap.addrs.map((a) => ({ dev: a.dev, cidr: a.cidr, up: up.has(a.dev) })),
    );
  }
  return out;
}

async function resolveLab(root: StateRoot, target: string): Promise<{ topology: Topology; text: string }> {
  const byName = looksLikeLabName(target) && existsSync(labPaths(root, target).journal);
  // A lab name that is neither up nor a file here: say so, rather than "cannot read it (ENOENT)".
  if (!byName && looksLikeLabName(target) && !existsSync(target)) throw noSuchLab(root, target);
  const { topology, text } = byName ? await loadLabLazy(root, target) : await loadFileLazy(root, target);
  if (!existsSync(labPaths(root, topology.name).journal)) {
    throw new NslabError('not-up', `lab ${topology.name} is not up; run \`nslab up ${byName ? 'FILE' : target}\` first`, 2);
  }
  return { topology, text };
}

interface WaveArgs {
  readonly kernel: Kernel;
  readonly waves: readonly Probe[][];
  /** Every namespace of the lab: a probe leaves entries in its source and in its target. */
  readonly netns: readonly string[];
  /** The lab's bridges: probes to the gateways leave entries on them in the host. */
  readonly bridges: readonly string[];
  readonly prober: Prober;
  readonly probe: ProbeOptions;
  /** Probes whose ends are pinned (their specs say so, for the probe engine's pacing). */
  readonly pinned: ReadonlySet<number>;
}

async function runWaves({ kernel, waves, netns, bridges, prober, probe, pinned }: WaveArgs): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  // With several waves, each starts from empty tables: entries learned earlier would otherwise
  // linger (until garbage collection) and overflow the table in the middle of the next wave.
  const flush = (): void => {
    if (waves.length <= 1) return;
    for (const ns of netns) kernel.neighFlush(ns);
    if (bridges.length > 0) kernel.neighFlush(HOST_NS, bridges);
  };
  for (const wave of waves) {
    flush();
    const specs = wave.flatMap((p): ProbeSpec[] =>
      p.dst
        ? [
            {
              id: p.id,
              netns: p.netns,
              dst: p.dst,
              kind: p.kind,
              ...(p.port === undefined ? {} : { port: p.port }),
              ...(pinned.has(p.id) ? { pinned: true } : {}),
            },
          ]
        : [],
    );
    outcomes.push(...(await prober(specs, probe)));
  }
  flush();
  return outcomes;
}

/** The MAC of a device as the kernel reports it now, asked for once per device. */
function macLookup(kernel: Kernel): (ns: NsRef, dev: string) => string | undefined {
  const macs = new Map<string, string | undefined>();
  return (ns, dev) => {
    const key = `${ns}\0${dev}`;
    if (!macs.has(key)) macs.set(key, kernel.linkMacs(ns, [dev])?.get(dev));
    return macs.get(key);
  };
}

/** Add the plan's pins; what was added, per namespace (only that is removed afterwards). */
function pinAll(kernel: Kernel, pins: ReadonlyMap<NsRef, readonly NeighPin[]>): Map<NsRef, NeighPin[]> {
  const added = new Map<NsRef, NeighPin[]>();
  try {
    for (const [ns, list] of pins) {
      const ok = kernel.neighPin(ns, list);
      added.set(
        ns,
        list.filter((_, i) => ok[i]),
      );
    }
  } catch (e) {
    unpinAll(kernel, added);
    throw e;
  }
  return added;
}

/** Remove the run's pins; a namespace that went away meanwhile took its entries with it. */
function unpinAll(kernel: Kernel, added: ReadonlyMap<NsRef, readonly NeighPin[]>): void {
  for (const [ns, list] of added) {
    try {
      kernel.neighUnpin(ns, list);
    } catch {
      // the namespace or its device is gone, and the entries with it
    }
  }
}

/** The first wave gets every pinned probe (they need no room in the table), all in the probes' order. */
function withPinned(probes: readonly Probe[], pinned: ReadonlySet<number>, waves: Probe[][]): Probe[][] {
  if (pinned.size === 0) return waves;
  const first = new Set([...pinned, ...(waves[0] ?? []).map((p) => p.id)]);
  return [probes.filter((p) => first.has(p.id)), ...waves.slice(1)];
}

function pinNotice(need: number, limits: NeighLimits, probes: number): string {
  return `this run would need about ${need} neighbour (ARP) entries, more than the kernel's table shared by all namespaces holds (net.ipv4.neigh.default.gc_thresh3 = ${limits.cap}): ${probes} probes between neighbours on one segment ran with permanent neighbour entries at both ends, added for the run and removed after it; they cross the real data path, but do not exercise ARP`;
}

function neighbourNotice(a: { need: number; limits: NeighLimits; waves: number; raised: boolean; asked: boolean }): string {
  const cap = `${a.limits.cap}${a.limits.capKnown ? '' : ' (the default; it cannot be read from this namespace)'}`;
  const head = `this run needs about ${a.need} neighbour (ARP) entries; the kernel keeps one table for all namespaces, capped by net.ipv4.neigh.default.gc_thresh3 = ${cap}, and ${a.limits.entries} are in use`;
  if (a.raised) return `${head}: raised it for this run (restored afterwards)`;
  const why = a.asked ? ' (--raise-neigh-limit works only in the initial namespace)' : '';
  return `${head}: probing in ${a.waves} waves that fit, flushing the lab's neighbour entries between them${why}. To probe at once, raise it (sysctl -w net.ipv4.neigh.default.gc_thresh3=${a.need * 2}) or pass --raise-neigh-limit`;
}
