// `clean`: find what labs left behind that `down` cannot remove (no state, or a journal that is
// missing, empty or damaged), by the ownership markers the kernel and filesystem keep themselves
// (plan/leftovers.ts), and remove it. Removal holds each lab's lock and scans that lab again
// first, so a lab that a running `up` completes meanwhile is left alone, and every object is
// checked for its marker right before it goes: nothing without an nslab marker is ever touched.
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import { HOST_NS, type Kernel } from '../port/kernel.js';
import { NFT_FAMILY } from '../nft/render.js';
import { findLeftovers, type LabLeftovers, type Observed } from '../plan/leftovers.js';
import { JournalWriter } from '../state/journal.js';
import { findState, lockFiles, stateDirs, type FoundState } from '../state/scan.js';
import { labJournal, labPaths, removeLabState, stateRootTag } from '../state/store.js';
import { GROUP_DIR, labOfAlias, labOfNftTable, markerHead, netnsGroup } from '../names/markers.js';
import { isLabName } from '../names/rules.js';
import { isNslabError, NslabError } from '../util/errors.js';
import { linuxKernel, systemOf, type KernelFactory, type SystemOption } from './kernel.js';
import { lockPath, withLabLock, type LockWait } from './lock.js';
import { stopRecords } from './processes.js';
import { stopLabKeeper } from './log-keeper.js';

export type { LabLeftovers } from '../plan/leftovers.js';
export { describeLeftovers } from '../plan/leftovers.js';

/** Options of `clean`. */
export interface CleanOptions extends LockWait, SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly openKernel?: KernelFactory;
  /** Grace between SIGTERM and SIGKILL for leftover processes (ms). */
  readonly graceMs?: number;
}

/** What removing one lab's leftovers did. */
export interface CleanOutcome {
  readonly lab: string;
  /** What was found (again, under the lab's lock) and removed; undefined when nothing was left by then. */
  readonly removed?: LabLeftovers;
  /** Why removal stopped, if it did. */
  readonly error?: string;
}

/** The paths shown for a lab's state, lock and namespace mounts. */
export function leftoverPaths(root: StateRoot, lab: string): { state: string; lock: string; group: string } {
  return { state: labPaths(root, lab).dir, lock: lockPath(root, lab), group: `${GROUP_DIR}/${netnsGroup(lab, stateRootTag(root))}` };
}

/** Scan the host (read-only) for leftovers, grouped by lab. */
export async function scanLeftovers(opts: CleanOptions): Promise<LabLeftovers[]> {
  const root = opts.state;
  const sys = await systemOf(opts);
  const kernel = await (opts.openKernel ?? linuxKernel)({});
  try {
    return findLeftovers(observe(root, sys, kernel), GROUP_DIR);
  } finally {
    kernel.close();
  }
}

/** Remove the leftovers of these labs, one lab at a time under its lock. */
export async function removeLeftovers(labs: readonly string[], opts: CleanOptions): Promise<CleanOutcome[]> {
  const root = opts.state;
  const sys = await systemOf(opts);
  const kernel = await (opts.openKernel ?? linuxKernel)({});
  try {
    const out: CleanOutcome[] = [];
    for (const lab of labs) {
      try {
        out.push(
          await withLabLock(root, sys, lab, opts, async (lock) => {
            // Again, under the lock: what the first scan saw may have changed (an up finished).
            const now = findLeftovers(observe(root, sys, kernel, lab), GROUP_DIR).find((l) => l.lab === lab);
            if (now === undefined) return { lab };
            await removeLab(root, sys, kernel, now, opts);
            if (now.stateDir || now.lockFile) sys.locks.remove(lock);
            return { lab, removed: now };
          }),
        );
      } catch (e) {
        if (!isNslabError(e)) throw e;
        out.push({ lab, error: e.message });
      }
    }
    return out;
  } finally {
    kernel.close();
  }
}

/**
 * What the markers on the host show of one lab whose lock the caller holds (down asks this of a
 * lab whose journal does not read), or undefined when they show nothing.
 */
export async function markedLeftovers(root: StateRoot, lab: string, openKernel?: KernelFactory, system?: System): Promise<LabLeftovers | undefined> {
  const sys = await systemOf(system ? { system } : {});
  const kernel = await (openKernel ?? linuxKernel)({});
  try {
    return findLeftovers(observe(root, sys, kernel, lab), GROUP_DIR).find((l) => l.lab === lab);
  } finally {
    kernel.close();
  }
}

/** Everything with an nslab marker on the host, plus the state root's contents. `mine`: a lab whose lock we hold. */
function observe(root: StateRoot, sys: System, kernel: Kernel, mine?: string): Observed {
  const states = new Map<string, FoundState>();
  for (const lab of stateDirs(root)) {
    const s = isLabName(lab) ? findState(root, lab) : undefined;
    if (s) states.set(lab, { ...s, ...hostGoneOf(root, sys, lab, s) });
  }
  const locks = lockFiles(root)
    .filter(isLabName)
    .map((lab) => ({ lab, held: lab !== mine && sys.locks.held(lockPath(root, lab)) }));
  const owner = stateRootTag(root);
  const hostLinks = (kernel.snapshot(HOST_NS)?.links ?? []).map((l) => ({ name: l.name, ...(l.alias === undefined ? {} : { alias: l.alias }) }));
  // A table counts as a lab's only with both marks: its name and its comment. Without libnftables
  // the tables cannot be listed (and nslab could not have made any): the other marks still count.
  const nftTables =
    kernel.nftMissing() !== undefined
      ? []
      : (kernel.nftTables(HOST_NS) ?? [])
          .filter((t) => t.family === NFT_FAMILY && labOfNftTable(t.name) !== undefined)
          .filter((t) => (kernel.nftList(HOST_NS, t.name) ?? '').includes(`comment "${markerHead(labOfNftTable(t.name)!, owner)}"`))
          .map((t) => t.name);
  return {
    stateRoot: root.path,
    owner,
    states,
    locks,
    netnsLinks: sys.host.markers.netnsSymlinks(),
    groups: sys.host.markers.groupDirs(),
    hostLinks,
    nftTables,
    hostsLinks: sys.host.markers.hostsSymlinks(),
  };
}

/** The --host-netns of a lab with a readable journal, when that namespace no longer exists. */
function hostGoneOf(root: StateRoot, sys: System, lab: string, s: FoundState): { hostGone?: string } {
  const ns = s.journal === 'ok' ? labJournal(root, lab).meta?.hostNetns : undefined;
  return ns !== undefined && !sys.host.netnsExists(ns) ? { hostGone: ns } : {};
}

/** Remove one lab's leftovers, processes first (they keep namespaces alive), state last. */
async function removeLab(root: StateRoot, sys: System, kernel: Kernel, l: LabLeftovers, opts: CleanOptions): Promise<void> {
  const lab = l.lab;
  // A newer nslab's journal is not read (its records may mean what this one cannot know): the
  // processes and log keeper it records are left to that version; marked objects go all the same.
  if (findState(root, lab)?.journal !== 'newer') {
    if (l.processes.length > 0) await stopProcesses(root, sys, lab, opts.graceMs);
    await stopLabKeeper(root, sys, lab);
  }
  for (const ns of l.hosts) kernel.hostsUnlink(ns, root.path);
  if (l.kind === 'strays') {
    // Strays of a lab down still owns: only these names go, its group stays.
    failOn(lab, kernel.run(l.netns.map((name) => ({ op: 'netns.delete' as const, name, group: netnsGroup(lab, stateRootTag(root)) }))), l.netns);
  } else if (l.groupDir || l.netns.length > 0) {
    // One lazy umount of the group's tmpfs detaches every namespace of the lab; then the names.
    sys.host.deleteGroup(netnsGroup(lab, stateRootTag(root)), l.netns);
  }
  deleteLinks(root, kernel, lab, l.links);
  failOn(lab, kernel.run(l.nftTables.map((table) => ({ op: 'nft.delete' as const, ns: HOST_NS, table }))), l.nftTables);
  if (l.stateDir) removeLabState(root, lab);
}

/** Stop the processes a leftover journal records (by PID and start time: a reused PID is never signalled). */
async function stopProcesses(root: StateRoot, sys: System, lab: string, graceMs?: number): Promise<void> {
  const recs = [...labJournal(root, lab).procs.values()];
  if (recs.length === 0) return;
  const writer = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    await stopRecords(sys, recs, writer, graceMs);
  } finally {
    writer.close();
  }
}

/** Delete host links by name, each only if its alias still names this lab right before. */
function deleteLinks(root: StateRoot, kernel: Kernel, lab: string, names: readonly string[]): void {
  if (names.length === 0) return;
  const now = new Map((kernel.snapshot(HOST_NS)?.links ?? []).map((x) => [x.name, x.alias]));
  const ours = names.filter((n) => now.has(n) && labOfAlias(now.get(n), stateRootTag(root)) === lab);
  const results = kernel.run(ours.map((name) => ({ op: 'link.delete' as const, ns: HOST_NS, name })));
  // ENODEV: a veth end that went with its namespace meanwhile.
  failOn(
    lab,
    results.map((r) => (r.ok || r.code === 'ENODEV' ? { ok: true as const } : r)),
    ours,
  );
}

function failOn(lab: string, results: ReturnType<Kernel['run']>, what: readonly string[]): void {
  const bad = results.flatMap((r, i) => (r.ok ? [] : [`${what[i]}: ${r.code} ${r.message}`]));
  if (bad.length > 0) throw new NslabError('clean-failed', `lab ${lab}: could not remove ${bad.join('; ')}`, 1);
}
