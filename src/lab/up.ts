// `up`: parse -> resolve -> read live state -> plan -> apply through the journal.
// Idempotent: an unchanged file against a complete lab plans zero steps and touches nothing.
import { existsSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';
import { resolve as resolvePath } from 'node:path';
import { applySteps } from '../apply/apply.js';
import { hostEndsOfDeletedNs, waitGone } from '../apply/teardown.js';
import { waitLinksActive } from '../apply/settle.js';
import { StepError } from '../apply/errors.js';
import type { Kernel } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { System } from '../port/system.js';
import { readLive } from '../live/snapshot.js';
import type { Topology } from '../model/types.js';
import { resourceId } from '../names/resource-id.js';
import { planLab } from '../plan/diff.js';
import { desiredResources, liveQueryOf } from '../plan/resources.js';
import type { PlanStep } from '../plan/steps.js';
import { describeOp } from '../plan/steps.js';
import { JournalWriter } from '../state/journal.js';
import { JOURNAL_VERSION } from '../state/records.js';
import { ensureLabDir, labJournal, labPaths, saveTopologyCopy } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { phase } from '../util/timing.js';
import type { KernelFactory, NetemCheck, SystemOption } from './kernel.js';
import { NO_CHANGES, withRuntime } from '../model/impair.js';
import { readRuntime, writeRuntime } from '../state/runtime.js';
import { nftLossUses, runtimeNotes, shapingSupport } from './shaping.js';
import { linuxKernel, systemOf } from './kernel.js';
import { publishHosts, withdrawHosts } from './hosts.js';
import { publishResolv } from './resolv.js';
import { hostSettingsOfOtherLabs, wantsHostSettings } from './shared-host.js';
import type { Loaded } from './load.js';
import { loadBytesLazy } from './load-lazy.js';
import { readTopologyFile } from './read-file.js';
import { capacityWarnings } from './capacity.js';
import { NETSTACK_PACKAGE, preflight } from './preflight.js';
import { recordUplinkWants } from './uplink.js';
import { releaseHostLock, takeHostLock, withLabLock, type LockWait } from './lock.js';
import type { HeldLock } from '../port/locks.js';
import { keepModel, quickLabName } from './model-cache.js';
import type { NetnsPool } from '../port/host.js';
import { markConverged, trustFor, warmTrust } from './trust.js';
import { warmHostTrust } from '../plan/trust.js';
import type { WarmLab } from './warm.js';
import { isLabName } from '../names/rules.js';
import { startProcesses } from './processes.js';
import { checkClashes } from './clashes.js';
import type { ProcessesResult } from './processes.js';
import { partFor, placementLines } from './machine.js';

/** Options of `up`. */
export interface UpOptions extends LockWait, SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly file: string;
  /** The file's text when the caller has it (the library: YAML text or an object); `file` then only names it in issues and places `files:` sources. */
  readonly text?: string;
  readonly hostNetns?: string;
  /** Plan only: return the steps without touching anything. */
  readonly dryRun?: boolean;
  /** Read every namespace, also those the journal vouches for (plan/trust.ts). */
  readonly full?: boolean;
  readonly openKernel?: KernelFactory;
  /** Aborted on Ctrl-C: up stops after the current kernel batch and says how to finish or undo. */
  readonly signal?: AbortSignal;
  /** Called just before up starts changing the host (an interrupt before that changed nothing). */
  readonly onChanging?: () => void;
  /** Drop the runtime changes (`nslab link`, `impair`, `partition`): back to what the file says. */
  readonly reset?: boolean;
  /** Whether the kernel has sch_netem (default: asked of this host). */
  readonly netemMissing?: NetemCheck;
  /** The topology as a plain value (the library's objects), its name set; `file` then only names it. */
  readonly value?: object;
  /** What the last up of this lab in this process may lend the next (lab/warm.ts): the library's handle, --watch. */
  readonly warm?: WarmLab;
  /** Built rootless (the CLI inside the user's namespace): what it cannot have is refused (lab/preflight.ts); portStart is the lowest port the user may open. */
  readonly rootless?: { readonly portStart: number };
  /**
   * `--as MACHINE`: build only this machine's part of a lab spread over machines (lab/machine.ts).
   * The caller passes the machine's own state root (machineState) as `state`.
   */
  readonly machine?: string;
}

/** What `up` did. */
export interface UpResult {
  readonly lab: string;
  readonly nodes: number;
  readonly networks: number;
  /** Steps applied (or, with dryRun, that would be). */
  readonly steps: readonly PlanStep[];
  /** The same steps as the iproute2/sysctl commands a human would type. */
  readonly commands: readonly string[];
  readonly unchanged: number;
  readonly warnings: readonly string[];
  /** Processes started, stopped (no longer declared or changed) and left running (absent with dryRun). */
  readonly processes?: ProcessesResult;
  /** Where each node is built, machine by machine, for a lab spread over machines. */
  readonly placement?: readonly string[];
  readonly ms: number;
}

/**
 * A node with `netns_of: PID` needs that process running when its namespace is first adopted, and
 * in a namespace of its own: adopting the host's namespace would wire (and at down, unwire) the host.
 */
function checkAdopted(sys: System, t: Topology, owned: { has(id: string): boolean }, hostNetns: string | undefined): void {
  let host: number | undefined | null = null;
  for (const n of t.nodes.values()) {
    if (n.netnsOf === undefined || owned.has(resourceId.attach(n.netns))) continue;
    if (!sys.proc.exists(n.netnsOf)) {
      throw new NslabError('no-process', `node ${n.name}: netns_of: ${n.netnsOf}: no such process, so there is no network namespace to adopt`, 1);
    }
    if (host === null) host = hostNetns === undefined ? sys.proc.ownNetns() : sys.proc.netnsInode(hostNetns);
    if (host !== undefined && sys.proc.netnsOfPid(n.netnsOf) === host) {
      throw new NslabError(
        'host-netns',
        `node ${n.name}: netns_of: ${n.netnsOf}: that process runs in the host's own network namespace, which nslab never adopts; start it in a namespace of its own (for example with \`unshare --net\`)`,
        1,
      );
    }
  }
}

/** Build (or converge) the lab described by a file. */
export async function up(opts: UpOptions): Promise<UpResult> {
  const root = opts.state;
  const t0 = performance.now();
  phase('startup');
  const sys = await systemOf(opts);
  const bytes = opts.value !== undefined ? undefined : opts.text === undefined ? readTopologyFile(opts.file) : new TextEncoder().encode(opts.text);
  // Counted before the pool exists: its fds are the lab's namespaces, which the open-files check
  // counts by themselves, and counting them as well (as many as the worker made so far) would make
  // the check's answer depend on a race.
  const fdsAtStart = sys.host.openFdCount();
  // A new big lab: its namespaces are made in a worker thread while the file is checked.
  // One machine's part (--as) gets its pool once its share of the nodes is known: a pool for the
  // whole file would make (and then delete) the other machines' namespaces too.
  let pool = opts.dryRun || opts.openKernel || opts.machine !== undefined ? undefined : poolFor(root, sys, bytes ? textShape(bytes) : valueShape(opts.value));
  let loaded: Loaded;
  try {
    loaded = bytes
      ? await loadBytesLazy(root, bytes, opts.file, opts.warm?.memo)
      : (await import('./load.js')).loadValue(root, opts.value as object, opts.file, opts.warm?.memo);
  } catch (e) {
    pool?.dispose();
    throw e;
  }
  const { topology } = loaded;
  phase(loaded.cached ? 'load (cached)' : 'load+validate');
  if (opts.machine !== undefined && !opts.dryRun && !opts.openKernel) {
    const nodes = [...(topology.placement ?? [])].filter(([, m]) => m === opts.machine).length;
    pool = poolFor(root, sys, { lab: topology.name, nodes: () => nodes });
  }
  // A dry run changes nothing, so it needs no lock.
  if (opts.dryRun) return upLocked(sys, opts, loaded, t0, fdsAtStart);
  try {
    return await withLabLock(root, sys, topology.name, opts, () => upLocked(sys, opts, loaded, t0, fdsAtStart, pool));
  } finally {
    pool?.dispose();
  }
}

/** A lab's name, and how to count its nodes (only a lab not up yet is counted: a change to a big one is not). */
interface Shape {
  readonly lab?: string | undefined;
  readonly nodes: () => number;
}

/** A file's lab name and node count, counted roughly (by their interfaces), without parsing it. */
function textShape(bytes: Uint8Array): Shape {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return { lab: quickLabName(text), nodes: () => text.split('interfaces').length - 1 };
}

/** The same of a plain value. */
function valueShape(value: unknown): Shape {
  const v = value as { name?: unknown; nodes?: unknown } | undefined;
  const nodes = (): number => (typeof v?.nodes === 'object' && v.nodes !== null ? Object.keys(v.nodes).length : 0);
  return { lab: typeof v?.name === 'string' ? v.name : undefined, nodes };
}

/** Worth a pool: a lab that is not up yet and has many nodes. */
function poolFor(root: StateRoot, sys: System, shape: Shape): NetnsPool | undefined {
  if (shape.lab === undefined || !isLabName(shape.lab) || existsSync(labPaths(root, shape.lab).journal)) return undefined;
  const nodes = shape.nodes();
  return nodes >= POOL_MIN ? sys.host.netnsPool(Math.min(nodes, POOL_MAX)) : undefined;
}

/** Below this many nodes a worker thread costs more than it saves; above the cap, the rest are made inline. */
const POOL_MIN = 50;
const POOL_MAX = 4096;

async function upLocked(sys: System, opts: UpOptions, loaded: Loaded, t0: number, fdsAtStart: number, pool?: NetnsPool): Promise<UpResult> {
  const root = opts.state;
  const { text, warnings } = loaded;
  const lab = loaded.topology.name;
  const journal = opts.warm ? opts.warm.journal(lab) : labJournal(root, lab);
  // Runtime changes stay in force unless --reset; what the kernel cannot do is refused here, before any change.
  const runtime = opts.reset ? NO_CHANGES : readRuntime(root, lab);
  const topology = withRuntime(opts.machine === undefined ? loaded.topology : partFor(loaded.topology, opts.machine), runtime);
  const support = await shapingSupport(topology, opts.netemMissing);
  const kept = runtimeNotes(runtime).map((n) => `kept (\`up --reset\` returns to the file): ${n}`);
  const recorded = journal.meta?.hostNetns;
  if (journal.meta && recorded !== opts.hostNetns) {
    throw new NslabError(
      'host-mismatch',
      `lab ${lab} is already up ${recorded ? `with --host-netns ${recorded}` : 'in the root namespace'}; run \`nslab down ${lab}\` first, or pass the same --host-netns`,
      2,
    );
  }
  if (!opts.dryRun) checkAdopted(sys, topology, journal.owned, opts.hostNetns);
  const kernel = await (opts.openKernel ?? linuxKernel)({ ...(opts.hostNetns ? { hostNetns: opts.hostNetns } : {}), ...(pool ? { netnsPool: pool } : {}) });
  try {
    // One listing of /run/netns (a stat per name: ~4 ms for 1000), the kernel's, for the checks
    // and the live read; taken again there only while a pool makes namespaces in a worker. A
    // long-lived process whose last up no one followed knows the lab's own are there if listed.
    const named = kernel.netnsList(opts.warm?.untouched() ? (name) => journal.owned.has(resourceId.netns(name)) : undefined);
    checkClashes(sys, topology, journal.owned, named);
    // Before anything changes: a lab bigger than the host allows is refused (exit 1) or warned about.
    const capacity = capacityWarnings(root, sys, topology, { ...(opts.dryRun ? { dryRun: true } : {}), fdsAtStart, named });
    phase('journal+open');
    const fileModel = topology === loaded.topology && !support.netem;
    const desired = (fileModel ? loaded.desired : undefined) ?? desiredResources(topology, support);
    phase('desired');
    // What the host lacks (libnftables, a process's command) is refused here, before any change.
    const pre = preflight(topology, kernel, journal.owned, {
      ...(opts.dryRun ? { dryRun: true } : {}),
      findCommand: sys.processes.findCommand,
      nftUses: nftLossUses(topology, support),
      ...(opts.rootless ? { rootless: { portStart: opts.rootless.portStart, netstack: sys.processes.findCommand(NETSTACK_PACKAGE) } } : {}),
    });
    const warmPrev = opts.full || opts.reset ? undefined : opts.warm?.previous(journal);
    const trust =
      opts.full || opts.reset ? undefined : warmPrev ? warmTrust(journal, desired, warmPrev) : trustFor(root, lab, journal, desired, loaded.key, support);
    const hostPart = warmPrev ? warmHostTrust({ desired, previous: warmPrev, owned: journal.owned }) : undefined;
    const query = liveQueryOf(topology, journal.owned, desired);
    // A lab that changes host settings reads the other labs' claims and makes its own under the
    // host lock (lab/shared-host.ts), until its journal records them: else a lab going down
    // meanwhile would not see this one and restore the setting from under it.
    let host: HeldLock | undefined = !opts.dryRun && wantsHostSettings(desired) ? await takeHostLock(root, sys, opts) : undefined;
    const dropHost = (): void => {
      if (host) releaseHostLock(root, sys, host);
      host = undefined;
    };
    try {
      const live = readLive(kernel, {
        ...query,
        ...(pre.skipNft ? { tables: [] } : {}),
        sharedPrev: hostSettingsOfOtherLabs(root, lab, opts.hostNetns),
        ...(trust ? { trust } : {}),
        ...(hostPart ? { hostPart } : {}),
        ...(pool ? {} : { netns: named }),
      });
      phase('read live');
      const plan = planLab({ topology, live, owned: journal.owned, desired });
      phase('plan');
      if (plan.conflicts.length > 0) {
        throw new NslabError(
          'conflict',
          `lab ${lab} cannot be built: objects nslab did not create are in the way:\n${plan.conflicts.map((c) => `  ${c}`).join('\n')}`,
          1,
        );
      }
      const commands = plan.steps.map((s) => describeOp(s.op));
      // A node the file dropped: its namespace goes with the plan, and the kernel frees its veths
      // in the background; their host ends are waited for below, so that up (and a library's
      // apply) returns with the host as the file says, and a down right after leaves nothing.
      const freed = hostEndsOfDeletedNs(journal.owned, plan.steps);
      const result = {
        lab,
        nodes: topology.nodes.size,
        networks: topology.networks.size,
        steps: plan.steps,
        commands,
        unchanged: plan.unchanged,
        warnings: [...warnings, ...capacity, ...pre.warnings, ...kept],
        ...(loaded.topology.placement ? { placement: placementLines(loaded.topology) } : {}),
      };
      if (opts.dryRun) return { ...result, ms: performance.now() - t0 };
      opts.onChanging?.();
      if (plan.steps.length > 0) {
        apply({
          root,
          kernel,
          topology,
          text,
          steps: plan.steps,
          meta: !journal.meta,
          file: opts.file,
          ...(opts.hostNetns ? { hostNetns: opts.hostNetns } : {}),
        });
      }
      if (opts.reset) writeRuntime(root, lab, NO_CHANGES);
      // What the uplink must serve, read by the command outside once this one is done.
      if (opts.rootless && existsSync(labPaths(root, lab).dir)) recordUplinkWants(root, topology);
      phase('apply');
      dropHost();
      await stopIfInterrupted(opts, lab, 'the namespaces, links and firewall rules are all built, but not the hosts files and processes');
      // A node the file no longer has takes its names with it: its namespace went with the plan,
      // and its /etc/netns links would otherwise outlive it (down unlinks only what the lab owns).
      withdrawHosts(
        root,
        kernel,
        plan.steps.flatMap(({ op }) => (op.op === 'netns.delete' || op.op === 'netns.detach' ? [op.name] : [])),
      );
      // Before the processes start: they see the files their `ip netns exec` bind-mounts then.
      const hostWarnings = [
        ...publishHosts(root, kernel, topology, live.trusted),
        ...publishResolv(root, kernel, topology, opts.warm ? { trusted: live.trusted ?? new Set(), linked: opts.warm.resolv } : undefined),
      ];
      phase('hosts files');
      if (plan.steps.length > 0) await settle(kernel, topology, plan.steps);
      if (freed.length > 0) await waitGone(kernel, freed, 2000);
      phase('settle');
      await stopIfInterrupted(opts, lab, 'the network is complete, but its processes are not started');
      const processes = await startProcesses(root, sys, topology, opts.warm?.journal(lab));
      phase('processes');
      // The next up of the same text (and every exec, show, test of the lab) skips the parse.
      if (loaded.key !== undefined && existsSync(labPaths(root, lab).dir)) {
        const key = loaded.key;
        if (!loaded.cached || !loaded.desired) {
          // A long-lived process writes the file when idle (it has the model in memory).
          keepModel(root, lab, key, loaded.topology, warnings, fileModel ? desired : undefined, opts.warm ? (w) => opts.warm?.later(w) : undefined);
        }
        const changed = plan.steps.length > 0 || processes.started.length > 0 || processes.stopped.length > 0 || processes.keeperRestarted === true;
        markConverged(root, lab, journal, key, changed);
        if (fileModel) opts.warm?.converged(key, desired);
        opts.warm?.settled(lab);
      }
      return { ...result, warnings: [...result.warnings, ...hostWarnings], processes, ms: performance.now() - t0 };
    } finally {
      dropHost();
    }
  } finally {
    kernel.close();
  }
}

/**
 * Let a pending SIGINT/SIGTERM be seen (the kernel batches run synchronously, so a signal waits
 * for the current one), then stop if one came, saying what state the lab is in.
 */
async function stopIfInterrupted(opts: UpOptions, lab: string, state: string): Promise<void> {
  if (!opts.signal) return;
  await new Promise((r) => setImmediate(r));
  if (!opts.signal.aborted) return;
  throw new NslabError(
    'interrupted',
    `lab ${lab}: interrupted; ${state}. Everything built so far is recorded in the lab's journal: run \`nslab up ${opts.file}\` to finish the lab, or \`nslab down ${lab}\` to remove it`,
    130,
  );
}

interface ApplyArgs {
  readonly root: StateRoot;
  readonly kernel: Kernel;
  readonly topology: Topology;
  readonly text: string;
  readonly steps: readonly PlanStep[];
  readonly meta: boolean;
  readonly file: string;
  readonly hostNetns?: string;
}

function apply(a: ApplyArgs): void {
  const root = a.root;
  const lab = a.topology.name;
  const paths = ensureLabDir(root, lab);
  saveTopologyCopy(root, lab, a.text);
  const writer = new JournalWriter(root, paths.journal);
  try {
    if (a.meta) {
      writer.append([{ t: 'meta', v: JOURNAL_VERSION, lab, file: resolvePath(a.file), ...(a.hostNetns ? { hostNetns: a.hostNetns } : {}) }]);
    }
    // Removals are idempotent here as in teardown: a host end seen while planning may be freed by
    // the kernel (its namespace was deleted) before the delete arrives; gone is what we wanted.
    const outcome = applySteps({ steps: a.steps, kernel: a.kernel, journal: writer, goneIsDone: true });
    if (outcome.failures.length > 0) throw new StepError(outcome.failures, outcome.done, paths.journal, lab);
  } finally {
    writer.close();
  }
}

/**
 * Wait (bounded) until the kernel has activated the links this up created or brought up. A veth
 * that just came up drops what it is given until the kernel's link watcher runs (usually within
 * a few ms, up to about a second later), so an immediate ping can lose its first ARP request; `up`
 * returns when the lab works. Only those links are asked for, by name (a snapshot of a host with a
 * thousand links would cost ~30 ms a look), first at once, then at growing intervals.
 */
async function settle(kernel: Kernel, t: Topology, steps: readonly PlanStep[], timeoutMs = 2000): Promise<void> {
  const touched = new Set<string>();
  for (const { op } of steps) {
    if (op.op === 'link.create' && op.kind === 'veth') touched.add(`${op.ns}/${op.name}`).add(`${op.peer.ns}/${op.peer.name}`);
    else if (op.op === 'link.set' && op.up === true) touched.add(`${op.ns}/${op.name}`);
  }
  const watched = new Map<string, Set<string>>();
  const watch = (ns: string, name: string): void => {
    if (touched.has(`${ns}/${name}`)) watched.set(ns, (watched.get(ns) ?? new Set()).add(name));
  };
  const cut = (e: { node: string; iface: string }): boolean => t.nodes.get(e.node)?.interfaces.get(e.iface)?.down === true;
  for (const l of t.links) {
    // A link cut on purpose (up: false, nslab link, a partition) has no carrier to wait for.
    if (l.kind !== 'p2p') {
      if (!cut(l.end)) watch(HOST_NS, l.hostEnd);
    } else if (!cut(l.a) && !cut(l.b)) watch(t.nodes.get(l.a.node)?.netns ?? '', l.a.iface);
  }
  await waitLinksActive(kernel, watched, timeoutMs);
}
