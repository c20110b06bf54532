// `down`: remove exactly what the lab's journal owns, with the lab name alone (no file needed),
// holding the lab's lock. The namespaces go first, all at once; the kernel then frees their veths
// in the background (about 1 ms a bridge port). The lab's bridges go after that (a few ports:
// at once, apply/teardown.ts), so the kernel does not release each port synchronously: when
// it takes longer than a short budget, down hands the rest (wait, delete the bridges, remove the
// state) to a detached `nslab down --wait` that inherits the lock, and returns. So a later command
// on the lab waits for the finisher, and `--wait` gives the old fully synchronous behaviour.
import { existsSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFailure, type StepFailure } from '../apply/errors.js';
import { finishTeardown, teardown, waitGone } from '../apply/teardown.js';
import type { HeldLock } from '../port/locks.js';
import type { System } from '../port/system.js';
import type { Kernel } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { Owned, OwnedRecord } from '../plan/live.js';
import { opNs } from '../ops/scope.js';
import { JournalWriter, replay } from '../state/journal.js';
import { newerJournalError, parseJournal } from '../state/records.js';
import { openStateFile, readStateFile } from '../state/root.js';
import { labJournal, labPaths, listLabs, removeLabState } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { phase } from '../util/timing.js';
import type { KernelFactory, SystemOption } from './kernel.js';
import { linuxKernel, systemOf } from './kernel.js';
import { withdrawHosts } from './hosts.js';
import { releaseHostSettings, withoutHostSettings } from './shared-host.js';
import { looksLikeLabName } from './names.js';
import { releaseHostLock, takeHostLock, tidyHostLock, withLabLock, type LockWait } from './lock.js';
import { quickLabName } from './model-cache.js';
import { readTopologyFile } from './read-file.js';
import { stopLabProcesses } from './processes.js';
import { stopLabKeeper } from './log-keeper.js';
import { stopLabCaptures } from './capture-registry.js';
import { markedLeftovers } from './clean.js';
import { nftNamespaces } from './preflight.js';
import { LIBNFTABLES } from '../ops/missing.js';

/** Options of `down`. */
export interface DownOptions extends LockWait, SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  /** A lab name, or a topology file (its `name:` is used). */
  readonly target: string;
  readonly openKernel?: KernelFactory;
  /** How long to wait for the kernel's background cleanup, in ms (default 10 s; 0 = don't wait). */
  readonly waitMs?: number;
  /**
   * Finish in the background (a detached finisher holding the lab's lock) when the kernel needs
   * longer than this many ms to free the bridge ports. Undefined: always wait (the library's
   * default; the CLI passes a budget unless --wait).
   */
  readonly backgroundAfterMs?: number;
  /** Take the lab down even when one of its namespaces plays host for another lab (--host-netns). */
  readonly force?: boolean;
}

/** What `down` did. */
export interface DownResult {
  readonly lab: string;
  /** False when there was nothing to remove. */
  readonly wasUp: boolean;
  readonly removed: number;
  /** Host links left alone because something else now owns their name. */
  readonly skipped: readonly string[];
  /** The lab's --host-netns when it was gone: its host-side objects went with it, the rest was removed. */
  readonly hostGone?: string;
  /** PID of the background finisher still removing the bridges, if down handed over. */
  readonly finisher?: number;
  readonly ms: number;
}

/** Tear a lab down. */
export async function down(opts: DownOptions): Promise<DownResult> {
  const root = opts.state;
  const t0 = performance.now();
  phase('startup');
  const lab = labNameOf(root, opts.target);
  const sys = await systemOf(opts);
  return withLabLock(root, sys, lab, opts, (lock) => downLocked(root, sys, lab, opts, lock, t0));
}

async function downLocked(root: StateRoot, sys: System, lab: string, opts: DownOptions, lock: HeldLock, t0: number): Promise<DownResult> {
  const paths = labPaths(root, lab);
  // Read through the checked lab directory (state/root.ts): a forged journal is never acted on.
  const text = readStateFile(root, paths.journal)?.toString('utf8');
  if (text === undefined) {
    // A state dir without a journal: an up killed before its first journal write, which had
    // created nothing yet (everything is journaled before it is made). Nothing else to undo.
    removeLabState(root, lab);
    await tidyHostLock(root, sys);
    return { lab, wasUp: false, removed: 0, skipped: [], ms: performance.now() - t0 };
  }
  // One parse, the one clean and up use too (state/records.ts): validated records, never a cast.
  const parsed = parseJournal(text);
  if (parsed.health === 'newer') throw newerJournalError(paths.journal, parsed.version ?? 0);
  if (parsed.health !== 'ok' && (await unreadableJournal(root, sys, lab, paths.journal, parsed.health, opts))) {
    return { lab, wasUp: false, removed: 0, skipped: [], ms: performance.now() - t0 };
  }
  const state = replay(parsed.records);
  if (!opts.force) refuseIfHosting(root, lab, state.owned);
  const hostNetns = state.meta?.hostNetns;
  // The namespace that played host is gone (it was another lab's node, taken down with --force,
  // or deleted by hand): its bridges, host ends, tables and settings went with it. Remove the rest;
  // nothing is done "in the host", which would now be the namespace we run in (hostGoneOwned).
  const hostGone = hostNetns !== undefined && !sys.host.netnsExists(hostNetns) ? hostNetns : undefined;
  const owned = hostGone === undefined ? state.owned : hostGoneOwned(state.owned);
  const kernel = await (opts.openKernel ?? linuxKernel)(hostNetns && !hostGone ? { hostNetns } : {});
  const gone = hostGone === undefined ? {} : { hostGone };
  try {
    needNftIfOwned(lab, owned, kernel);
    refuseRenamedBridges(lab, owned, kernel);
    // Processes first: they keep the namespaces alive. Recorded by PID and start time, so a
    // reused PID is never signalled, also when the `up` that started them was killed. The lab's
    // own captures too: a tcpdump in a node holds its namespace and veth.
    await stopLabCaptures(root, sys, lab);
    await stopLabProcesses(root, sys, lab, state);
    // Then their log keeper: it reads what they wrote last, and they can no longer get SIGPIPE.
    await stopLabKeeper(root, sys, lab, state);
    phase('processes');
    // Remember the namespaces' identities: once deleted they have no name, and a process still
    // inside one keeps it (and its veths) alive; then we can say which process it is.
    const inodes = ownedNetns(owned).flatMap((n) => sys.proc.netnsInode(n) ?? []);
    phase('journal+inodes');
    // Hosts files first, while the journal still names the namespaces they belong to: a down
    // killed after the namespaces are dropped from the journal would otherwise leave them behind.
    withdrawHosts(root, kernel, [...ownedNetns(owned), ...adoptedNetns(owned)]);
    phase('hosts files');
    const writer = new JournalWriter(root, paths.journal);
    try {
      const outcome = teardown({ lab, owned: withoutHostSettings(owned), kernel, journal: writer, deferBridges: true });
      phase('teardown');
      failIf(lab, paths.journal, outcome.failures);
      const settings = await releaseShared(root, sys, { lab, hostNetns, owned, kernel, journal: writer }, opts);
      failIf(lab, paths.journal, settings.failures);
      // Usually done within a few hundred ms; if not, a process holding a namespace is the likely
      // cause, and worth saying at once rather than after the full wait.
      const budget = opts.backgroundAfterMs ?? 300;
      // The kernel frees about one bridge port a millisecond: no use waiting when it has more.
      const hopeless = opts.backgroundAfterMs !== undefined && outcome.deferred.length > 0 && outcome.pending.length > budget;
      const soon = !hopeless && (await waitGone(kernel, outcome.pending, Math.min(budget, opts.waitMs ?? budget)));
      if (!soon && !hopeless && sys.proc.scanNetns(new Set(inodes)).byNetns.size > 0) throw stillInUse(sys, lab, inodes);
      if (!soon && opts.backgroundAfterMs !== undefined && outcome.deferred.length > 0) {
        const finisher = handOver(root, sys, lab, lock);
        if (finisher !== undefined)
          return { lab, wasUp: true, ...gone, removed: outcome.done + settings.done, skipped: outcome.skipped, finisher, ms: performance.now() - t0 };
      }
      if (!soon && !(await waitGone(kernel, outcome.pending, opts.waitMs ?? 10_000))) throw stillInUse(sys, lab, inodes);
      phase('wait gone');
      const rest = finishTeardown(kernel, writer, outcome.deferred);
      failIf(lab, paths.journal, rest.failures);
      phase('bridges');
      writer.close();
      removeLabState(root, lab);
      await tidyHostLock(root, sys);
      phase('state');
      return { lab, wasUp: true, ...gone, removed: outcome.done + settings.done + rest.done, skipped: outcome.skipped, ms: performance.now() - t0 };
    } finally {
      writer.close();
    }
  } finally {
    kernel.close();
  }
}

/** Release the lab's host settings under the host lock (lab/shared-host.ts: who is last out). */
async function releaseShared(
  root: StateRoot,
  sys: System,
  a: Parameters<typeof releaseHostSettings>[0],
  wait: LockWait,
): Promise<ReturnType<typeof releaseHostSettings>> {
  if (withoutHostSettings(a.owned).size === a.owned.size) return { done: 0, failures: [] };
  const host = await takeHostLock(root, sys, wait);
  try {
    return releaseHostSettings(a);
  } finally {
    releaseHostLock(root, sys, host, a.lab);
  }
}

/**
 * An empty or damaged journal cannot say what the lab owns: taking down what it still lists would
 * report success and leave the rest (and removing the state would lose the lab for good). When
 * the lab's markers show nothing of it on the host (an up killed right after opening the
 * journal), the state is all there is: true, it was removed. Else refuse and point to `clean`,
 * which finds the lab by its markers.
 */
async function unreadableJournal(root: StateRoot, sys: System, lab: string, journal: string, health: string, opts: DownOptions): Promise<boolean> {
  const left = await markedLeftovers(root, lab, opts.openKernel, sys);
  const objects =
    left === undefined
      ? 0
      : left.netns.length + left.links.length + left.nftTables.length + left.hosts.length + left.processes.length + (left.groupDir ? 1 : 0);
  if (objects === 0) {
    removeLabState(root, lab);
    await tidyHostLock(root, sys);
    return true;
  }
  throw new NslabError(
    'journal-damaged',
    `lab ${lab}: its journal ${journal} is ${health}, so down cannot tell what the lab owns; nothing was changed. Run \`nslab clean\` to find the lab by its markers (${objects} object(s)) and \`nslab clean --yes\` to remove it`,
    1,
  );
}

/**
 * A bridge of the lab renamed by hand: down deletes host links by their journaled name, and would
 * report success while leaving it. Its marker alias (the one the journal recorded) finds it; it
 * is not deleted under another name (a marker alone can be forged: issue 13 item 7), so down
 * stops before changing anything and says how to finish.
 */
function refuseRenamedBridges(lab: string, owned: Owned, kernel: Kernel): void {
  const marked = [...owned.values()].flatMap((r) =>
    r.op.op === 'link.create' && r.op.kind === 'bridge' && r.op.ns === HOST_NS && r.op.alias !== undefined ? [r.op] : [],
  );
  if (marked.length === 0) return;
  // The bridges asked for by name first: the usual answer (all there) costs one request, where a
  // listing of a host with a thousand host ends costs ~100 ms before the teardown can start.
  const present = new Set(
    (
      kernel.links(
        HOST_NS,
        marked.map((op) => op.name),
      ) ?? []
    ).map((l) => l.name),
  );
  if (marked.every((op) => present.has(op.name))) return;
  const links = kernel.snapshot(HOST_NS, { linksOnly: true })?.links ?? [];
  const names = new Set(links.map((l) => l.name));
  for (const op of marked) {
    if (names.has(op.name)) continue;
    const now = links.find((l) => l.alias === op.alias);
    if (now) {
      throw new NslabError(
        'down-failed',
        `lab ${lab}: its bridge ${op.name} (marked "${op.alias}") is now named ${now.name}; rename it back (\`ip link set ${now.name} name ${op.name}\`) and run \`nslab down ${lab}\` again; nothing was changed`,
        1,
      );
    }
  }
}

/**
 * A lab whose journal owns nftables tables cannot be taken down without libnftables (say, it was
 * removed since up): refuse before anything changes rather than stop half way.
 */
function needNftIfOwned(lab: string, owned: Owned, kernel: Kernel): void {
  if (nftNamespaces(owned).size > 0 && kernel.nftMissing() !== undefined) {
    throw new NslabError(
      'missing-dependency',
      `lab ${lab}: removing its nftables tables (NAT, firewall, published ports) needs ${LIBNFTABLES}; nothing was changed`,
      1,
    );
  }
}

function failIf(lab: string, journal: string, failures: readonly StepFailure[]): void {
  if (failures.length === 0) return;
  throw new NslabError(
    'down-failed',
    `lab ${lab}: could not remove everything:\n${failures.map((f) => `  ${describeFailure(f)}`).join('\n')}\nThe journal (${journal}) still lists what is left; run \`nslab down ${lab}\` again once the cause is fixed.`,
    1,
  );
}

/**
 * Start `nslab down LAB --wait` detached, holding our lock (inherited fd), to finish once the
 * kernel has freed the bridge ports. Undefined when it could not be started (then we wait).
 */
function handOver(root: StateRoot, sys: System, lab: string, lock: HeldLock): number | undefined {
  const bin = fileURLToPath(new URL('../../bin/nslab', import.meta.url));
  if (!existsSync(bin)) return undefined;
  // Never through a symlink: the log lives in the lab's (checked) state directory.
  const log = openStateFile(root, join(labPaths(root, lab).dir, 'down.log'), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT);
  try {
    // The finisher is this CLI again: it gets the lock as fd 3 and the state root this call used.
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    return sys.processes.background({
      argv: [process.execPath, bin, 'down', lab, '--wait'],
      output: log,
      passFd: lock.fd,
      env: { ...env, NSLAB_LOCK_FD: '3', NSLAB_STATE_DIR: root.path },
    })?.pid;
  } finally {
    sys.pipes.close(log);
  }
}

/**
 * Refuse to take down a lab one of whose namespaces is the --host-netns of another lab: that
 * lab's bridges and host ends live in it and would go too (--force does it anyway).
 */
function refuseIfHosting(root: StateRoot, lab: string, owned: Owned): void {
  const mine = new Set([...ownedNetns(owned), ...adoptedNetns(owned)]);
  const dependents = listLabs(root)
    .filter((l) => l !== lab)
    .flatMap((other) => {
      const ns = labJournal(root, other).meta?.hostNetns;
      return ns !== undefined && mine.has(ns) ? [`${other} (--host-netns ${ns})`] : [];
    });
  if (dependents.length === 0) return;
  const first = dependents[0]!.split(' ')[0];
  throw new NslabError(
    'hosts-lab',
    `lab ${lab} plays host for lab ${dependents.join(', lab ')}: its bridges and host ends live in ${lab}'s namespace; take it down first (\`nslab down ${first}\`), or pass --force; nothing was changed`,
    1,
  );
}

/**
 * What is left to remove once the lab's host namespace is gone: its own namespaces and what lives
 * in them. Everything homed in the host (bridges, host ends, addresses, routes, tables, settings)
 * went with that namespace, as did the veths with a host end.
 */
function hostGoneOwned(owned: Owned): Map<string, OwnedRecord> {
  return new Map(
    [...owned].filter(([, r]) => {
      if (r.op.op === 'netns.create' || r.op.op === 'netns.attach') return true;
      if (r.op.op === 'link.create' && r.op.kind === 'veth' && r.op.peer.ns === HOST_NS) return false;
      return opNs(r.op) !== HOST_NS;
    }),
  );
}

function ownedNetns(owned: Owned): string[] {
  return [...owned.values()].flatMap((r) => (r.op.op === 'netns.create' ? [r.op.name] : []));
}

/** Namespaces adopted with `netns_of`: only their names are removed, the processes keep them. */
function adoptedNetns(owned: Owned): string[] {
  return [...owned.values()].flatMap((r) => (r.op.op === 'netns.attach' ? [r.op.name] : []));
}

/** Why host interfaces linger: processes still inside the deleted namespaces, if any. */
function stillInUse(sys: System, lab: string, inodes: readonly number[]): NslabError {
  const holders = [...sys.proc.scanNetns(new Set(inodes)).byNetns.values()].flat();
  const who = holders
    .slice(0, 5)
    .map((p) => `${p.pid} (${p.command.slice(0, 40)})`)
    .join(', ');
  const why =
    holders.length > 0
      ? `processes still run inside its namespaces and keep them alive: ${who}${holders.length > 5 ? ', ...' : ''}; stop them (kill PID)`
      : 'the kernel is still removing its host interfaces';
  return new NslabError('down-busy', `lab ${lab}: ${why}, then run \`nslab down ${lab}\` again`, 1);
}

/**
 * A lab name given directly, or read from the `name:` line of a topology file. Like a CNI DEL,
 * down is idempotent: a lab that is not up (never was, or already down) is nothing to do, exit 0,
 * so cleanup scripts and a second down succeed; the CLI names a close lab that is up, so a typo
 * still shows.
 */
export function labNameOf(root: StateRoot, target: string): string {
  if (looksLikeLabName(target) && (existsSync(labPaths(root, target).dir) || !existsSync(target))) return target;
  if (!existsSync(target)) throw new NslabError('no-lab', `${target} is neither a lab on this host (see \`nslab ls\`) nor a readable topology file`, 2);
  const bytes = readTopologyFile(target);
  const name = quickLabName(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1'));
  if (name === undefined)
    throw new NslabError('no-lab', `${target}: no valid \`name:\` line, so the lab to take down is unknown; pass the lab name instead`, 2);
  return name;
}
