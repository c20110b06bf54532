// The processes a lab runs in its nodes: started by `up` after the network is ready (every node at
// once, a node's own in declaration order, detached so they outlive nslab), recorded in the journal
// with their /proc start times, waited for until ready, and stopped by `down` (SIGTERM, then
// SIGKILL after a grace period), by PID and only while the PID still names the process that was
// started. An isolated node's namespaces are made and held by a holder (a minimal process, started
// before the node's processes and stopped after them, journaled like them); its processes, `exec`
// and `run` join them, so they outlive any one process and exist in a node that runs none.
import { existsSync } from 'node:fs';
import type { Isolation, ProcId } from '../port/processes.js';
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import { logCapOf } from '../model/log-cap.js';
import type { Node, ProcessSpec, Topology } from '../model/types.js';
import { isProcessName, processNameOf } from '../names/rules.js';
import { JournalWriter } from '../state/journal.js';
import type { JournalState, ProcRecord } from '../state/journal.js';
import { HOLDER_NAME } from '../state/records.js';
import { tailLines } from '../state/log-read.js';
import { labJournal, labPaths, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadLabLazy } from './load-lazy.js';
import { systemOf } from './kernel.js';
import { flushed, openPreparedOutput, openProcessOutput, prepareOutputs, reviveKeeper } from './log-keeper.js';
import { filesKey, placeFiles, runSteps, type SetupNode, stepKey } from './node-setup.js';

const DEFAULT_READY_MS = 10_000;
/**
 * Without a ready check, a process that is still running this long after it was started counts as
 * started. Not waited per process: the next one starts at once, and one window after the last
 * start covers every process of the wave.
 */
const SETTLE_MS = 300;
const GRACE_MS = 2_000;
/** How often a ready check is tried again. */
const READY_POLL_MS = 50;
/** The most of one log line a failure message quotes. */
const TAIL_LINE = 300;

/** What starting the lab's processes did. */
export interface ProcessesResult {
  readonly started: readonly string[];
  readonly stopped: readonly string[];
  readonly unchanged: number;
  /** Their log keeper had died and was started again. */
  readonly keeperRestarted?: true;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The namespaces a node's processes get besides its network namespace. */
/** The namespaces an isolated node's processes (and `exec` into it) get besides its netns. */
export function isolationOf(node: Node): Isolation {
  return { pid: node.isolate.has('pid'), mount: node.isolate.has('mount'), uts: node.isolate.has('uts') };
}

function setupNodeOf(node: Node): SetupNode {
  return { name: node.name, netns: node.netns, isolate: isolationOf(node) };
}

/**
 * Key of a node's namespace holder: a second `up` makes the node's namespaces again (and so places
 * its files again and restarts its processes) when this changed.
 */
export function holderKey(node: Node): string {
  const files = node.files;
  return JSON.stringify({
    isolate: [...node.isolate].sort(),
    hostname: node.hostname ?? null,
    netns: node.netns,
    ...(files.length > 0 ? { files: filesKey(files) } : {}),
  });
}

/**
 * Key of a declaration: a second `up` restarts a process only when this changed. Not its `log:`
 * caps: the keeper applies new ones to the running process's pipe.
 */
function specKey(node: Node, p: ProcessSpec): string {
  const { span: _, log: _log, ...rest } = p;
  return JSON.stringify({ ...rest, isolate: [...node.isolate].sort(), hostname: node.hostname ?? null, netns: node.netns });
}

function alive(sys: System, r: ProcRecord): boolean {
  return sys.processes.alive(r);
}

/** What `up` does in one node. */
interface NodeWork {
  readonly node: Node;
  /** The running holder kept (isolated nodes); undefined: a new one is started first. */
  readonly holder: ProcRecord | undefined;
  /** The declared processes to start, in declaration order. */
  readonly start: readonly ProcessSpec[];
  /** Keys of the node's setup steps that ran (journal). */
  readonly done: ReadonlySet<string>;
}

/** Start what the topology declares and is not running; stop what runs but is no longer declared or changed. */
export async function startProcesses(root: StateRoot, sys: System, t: Topology, journal?: JournalState): Promise<ProcessesResult> {
  const lab = t.name;
  const paths = labPaths(root, lab);
  const state = journal ?? labJournal(root, lab);
  const isolated = [...t.nodes.values()].some((n) => n.isolate.size > 0);
  const declared = [...t.nodes.values()].reduce((k, n) => k + n.processes.length, 0);
  const steps = [...t.nodes.values()].some((n) => n.exec.length > 0);
  if (declared === 0 && !isolated && !steps && state.procs.size === 0) return { started: [], stopped: [], unchanged: 0 };
  const writer = new JournalWriter(root, paths.journal);
  try {
    const recs = [...state.procs.values()];
    const stop = new Set<ProcRecord>();
    const work: NodeWork[] = [];
    let unchanged = 0;
    for (const r of recs) if (!t.nodes.has(r.node)) stop.add(r);
    for (const n of t.nodes.values()) {
      const mine = recs.filter((r) => r.node === n.name);
      const holders = mine.filter((r) => r.holder);
      let holder: ProcRecord | undefined;
      if (n.isolate.size > 0) holder = holders.find((h) => h.spec === holderKey(n) && alive(sys, h));
      for (const h of holders) if (h !== holder) stop.add(h);
      // New namespaces: whatever ran in the old ones goes with them (ad-hoc processes too).
      const fresh = n.isolate.size > 0 ? holder === undefined : holders.length > 0;
      const start: ProcessSpec[] = [];
      for (const r of mine) {
        if (r.holder) continue;
        // Ad-hoc processes (`nslab run`) are not declared: they neither keep nor restart anything.
        if (fresh || (!r.adhoc && !n.processes.some((p) => p.name === r.name && r.spec === specKey(n, p)))) stop.add(r);
      }
      for (const p of n.processes) {
        const r = mine.find((x) => !x.holder && !x.adhoc && x.name === p.name && x.spec === specKey(n, p));
        if (!fresh && r !== undefined && alive(sys, r)) unchanged++;
        else {
          if (r !== undefined) stop.add(r);
          start.push(p);
        }
      }
      const done = state.steps.get(n.name) ?? new Set<string>();
      const newHolder = n.isolate.size > 0 && holder === undefined;
      const steps = n.exec.some((st) => newHolder || !done.has(stepKey(st, holder)));
      if (start.length > 0 || newHolder || steps) work.push({ node: n, holder, start, done });
    }
    const stopped = (await stopRecords(sys, [...stop], writer)).filter((r) => !r.holder).map((r) => `${r.node}.${r.name}`);
    // Every output at once: one keeper.json write, one word to the keeper.
    prepareOutputs({ lab, writer, sys, outputs: work.flatMap((w) => w.start.map((p) => ({ node: w.node.name, proc: p.name, cap: logCapOf(p) }))) });
    const wave: Settling[] = [];
    // Every node at once; within a node, declaration order (the next one starts once this one is ready).
    const done = await Promise.allSettled(work.map((w) => startNode({ sys, lab, writer, wave }, w)));
    // The processes without a ready check: one settle window after the last of them started.
    const settled = await settle(sys, lab, writer, wave);
    const started = done.flatMap((d) => (d.status === 'fulfilled' ? d.value : []));
    const failures = [...done.flatMap((d) => (d.status === 'rejected' ? [d.reason as unknown] : [])), ...settled];
    if (failures.length > 0) throw combined(failures);
    // Processes left running whose keeper died get a new one (their writes would get SIGPIPE).
    const revived = unchanged > 0 && reviveKeeper(root, sys, lab, writer);
    return { started, stopped, unchanged, ...(revived ? { keeperRestarted: true as const } : {}) };
  } finally {
    writer.close();
  }
}

/** One error for the failures of a wave: the first in full, the others named. */
function combined(failures: readonly unknown[]): unknown {
  const [first, ...rest] = failures;
  if (rest.length === 0 || !(first instanceof NslabError)) return first;
  const others = rest.map((e) => (e instanceof Error ? e.message.split(';')[0]!.split(' (')[0]! : String(e)));
  return new NslabError(first.code, `${first.message}\nalso failed (${rest.length}): ${others.join('; ')}`, first.exitStatus);
}

interface Wave {
  readonly sys: System;
  readonly lab: string;
  readonly writer: JournalWriter;
  /** Processes without a ready check, checked once the wave's settle window is over. */
  readonly wave: Settling[];
}

/** A process without a ready check, started and not yet known to keep running. */
interface Settling {
  readonly node: Node;
  readonly p: ProcessSpec;
  readonly rec: ProcRecord | undefined;
  readonly exited: () => string | undefined;
  readonly fd: number;
  readonly at: number;
  readonly adhoc?: boolean;
}

/** Start a node's holder (when needed), then its processes in order; the names started. */
async function startNode(w: Wave, work: NodeWork): Promise<string[]> {
  const { node } = work;
  let holder = work.holder;
  if (node.isolate.size > 0 && holder === undefined) {
    holder = await startHolder(w.sys, node, w.writer);
    try {
      await placeFiles(w.writer.root, w.sys, w.lab, setupNodeOf(node), node.files, holder.pid);
    } catch (e) {
      // Namespaces without their files are not the node: the next up makes them again.
      await stopRecords(w.sys, [holder], w.writer);
      w.writer.append([{ t: 'proc-failed', node: node.name, name: HOLDER_NAME, why: 'its files could not be placed' }]);
      throw e;
    }
  }
  const join = holder?.pid;
  const ran = (key: string): void => w.writer.append([{ t: 'step', node: node.name, key }]);
  await runSteps(w.sys, setupNodeOf(node), node.exec, 'before-processes', holder, work.done, ran);
  const started: string[] = [];
  for (const p of work.start) {
    await startOne({ sys: w.sys, lab: w.lab, node, p, key: specKey(node, p), writer: w.writer, join, wave: w.wave });
    started.push(`${node.name}.${p.name}`);
  }
  await runSteps(w.sys, setupNodeOf(node), node.exec, 'after-processes', holder, work.done, ran);
  return started;
}

/** Make an isolated node's namespaces: start its holder, journaled before it can be lost. */
async function startHolder(sys: System, node: Node, writer: JournalWriter): Promise<ProcRecord> {
  const base = { node: node.name, name: HOLDER_NAME, spec: holderKey(node), holder: true } as const;
  let outer: ProcId | undefined;
  const held = await sys.processes.hold({ netns: node.netns, isolate: isolationOf(node), hostname: node.hostname ?? node.name }, (o) => {
    outer = o;
    writer.append([{ t: 'proc', ...base, pid: o.pid, start: o.start }]);
  });
  outer ??= held.outer;
  const h = held.holder;
  if (h === undefined) {
    if (outer) await stopRecords(sys, [{ ...base, pid: outer.pid, start: outer.start }], writer);
    writer.append([{ t: 'proc-failed', node: node.name, name: HOLDER_NAME, why: held.why ?? 'did not come up' }]);
    throw new NslabError(
      'process-failed',
      `node ${node.name}: could not make its namespaces (isolate: [${[...node.isolate].join(', ')}]): the namespace holder ${held.why ?? 'did not come up'}`,
      1,
    );
  }
  const rec: ProcRecord = { ...base, pid: h.pid, start: h.start, ...(outer && outer.pid !== h.pid ? { outer } : {}) };
  if (outer && outer.pid !== h.pid) writer.append([{ t: 'proc-gone', pid: outer.pid }]);
  if (!outer || outer.pid !== h.pid) writer.append([{ t: 'proc', ...rec }]);
  return rec;
}

interface StartArgs {
  readonly sys: System;
  readonly lab: string;
  readonly node: Node;
  readonly p: ProcessSpec;
  readonly key: string;
  readonly writer: JournalWriter;
  /** The node's holder, whose namespaces the process joins (isolated nodes). */
  readonly join: number | undefined;
  /** Started by `nslab run`. */
  readonly adhoc?: boolean;
  /** Where a process without a ready check goes to be checked after the settle window; without, it is waited for here. */
  readonly wave?: Settling[];
}

/** Start one process; resolves to the PID that stands for it (inside its pid namespace's parent view when isolated). */
async function startOne(a: StartArgs): Promise<number | undefined> {
  const root = a.writer.root;
  const { sys, lab, node, p, key, writer } = a;
  if (p.cwd !== undefined && !existsSync(p.cwd)) throw new NslabError('process-failed', `process ${node.name}.${p.name}: cwd ${p.cwd} does not exist`, 1);
  // Output goes through a pipe to the lab's log keeper, which caps the log file (log-keeper.ts).
  const fd = a.wave
    ? await openPreparedOutput({ lab, node: node.name, proc: p.name, writer, sys })
    : await openProcessOutput({ lab, node: node.name, proc: p.name, cap: logCapOf(p), writer, sys });
  let handedOver = false;
  try {
    const env = { PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...(p.env ?? {}) };
    const child = sys.processes.launch({
      netns: node.netns,
      isolate: isolationOf(node),
      hostname: node.hostname ?? node.name,
      ...(a.join === undefined ? {} : { join: a.join }),
      ...(p.user === undefined ? {} : { user: p.user }),
      command: p.command,
      env,
      ...(p.cwd === undefined ? {} : { cwd: p.cwd }),
      output: fd,
    });
    const exited = child.exited;
    if (!child.spawned) throw failure(root, lab, node, p, 'could not be started (no PID)');
    const outer = child.outer;
    let rec: ProcRecord | undefined;
    if (outer !== undefined) {
      rec = { node: node.name, name: p.name, pid: outer.pid, start: outer.start, spec: key, ...(a.adhoc ? { adhoc: true } : {}) };
      if (node.isolate.has('pid')) {
        // The outer PID is `nsenter`; the process in the node's pid namespace is its child. Record
        // the outer one at once (so it is never lost), then the inner one once it appears.
        writer.append([{ t: 'proc', ...rec }]);
        const inner = await child.leader();
        if (inner) {
          writer.append([
            { t: 'proc-gone', pid: outer.pid },
            { t: 'proc', ...rec, pid: inner.pid, start: inner.start, outer: { pid: outer.pid, start: outer.start } },
          ]);
          rec = { ...rec, pid: inner.pid, start: inner.start, outer: { pid: outer.pid, start: outer.start } };
        }
      } else {
        writer.append([{ t: 'proc', ...rec }]);
      }
    }
    if (!p.ready && a.wave) {
      a.wave.push({ node, p, rec, exited, fd, at: Date.now(), ...(a.adhoc ? { adhoc: true } : {}) });
      handedOver = true;
      return rec?.pid;
    }
    const why = await waitReady(sys, node, p, rec, exited, a.join);
    if (why === undefined) return rec?.pid;
    throw await notStarted(sys, lab, writer, { node, p, rec, exited, fd, at: 0, ...(a.adhoc ? { adhoc: true } : {}) }, why + holderGone(sys, a.join));
  } finally {
    if (!handedOver) sys.pipes.close(fd);
  }
}

/**
 * A process that is not ready (or gone): stop what is left of it, so that it no longer counts as
 * running (`ls` says partial) and the next `up` starts it again and waits for it again; the error
 * that says why, with its log's tail.
 */
async function notStarted(sys: System, lab: string, writer: JournalWriter, s: Settling, why: string): Promise<NslabError> {
  const running = s.rec !== undefined && s.exited() === undefined;
  if (s.rec) await stopRecords(sys, [s.rec], writer);
  if (!s.adhoc) writer.append([{ t: 'proc-failed', node: s.node.name, name: s.p.name, why }]);
  await flushed(sys, s.fd);
  return failure(writer.root, lab, s.node, s.p, `${why}${running ? '; stopped it' : ''}`);
}

/** What to add to why a process failed when its node's holder is gone (its namespaces with it). */
function holderGone(sys: System, join: number | undefined): string {
  if (join === undefined || sys.processes.startTime(join) !== undefined) return '';
  return `; the node's namespace holder (PID ${join}) is gone, and every process in its namespaces with it`;
}

/** Wait out the settle window of a wave's processes without a ready check; the failures of those that did not keep running. */
async function settle(sys: System, lab: string, writer: JournalWriter, wave: readonly Settling[]): Promise<NslabError[]> {
  if (wave.length === 0) return [];
  try {
    const last = Math.max(...wave.map((s) => s.at));
    await sleep(Math.max(0, last + SETTLE_MS - Date.now()));
    const out: NslabError[] = [];
    for (const s of wave) {
      if (s.exited() === undefined && s.rec !== undefined && alive(sys, s.rec)) continue;
      out.push(await notStarted(sys, lab, writer, s, s.exited() ?? 'exited at once'));
    }
    return out;
  } finally {
    for (const s of wave) sys.pipes.close(s.fd);
  }
}

/** Options of `nslab run`. */
export interface RunOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  readonly node: string;
  /** Process name (default: the command's base name, made unique in the node). */
  readonly name?: string;
  readonly command: readonly string[];
  readonly system?: System;
}

/**
 * `nslab run`: start an ad-hoc long-running process in a node, exactly as `up` starts a declared
 * one (same launch, log file and journal record; `down` stops it). Joins the namespaces of the
 * node's holder when it is isolated. Resolves to its name and the PID that stands for it.
 */
export async function runAdhoc(o: RunOptions): Promise<{ name: string; pid: number | undefined; log: string }> {
  const root = o.state;
  const { topology } = await loadLabLazy(root, o.lab);
  const node = topology.nodes.get(o.node);
  if (!node) throw new NslabError('no-node', `lab ${o.lab} has no node ${o.node} (nodes: ${[...topology.nodes.keys()].join(', ')})`, 2);
  if (o.command.length === 0) throw new NslabError('usage', 'nothing to run: give a command after --', 2);
  const state = labJournal(root, o.lab);
  const taken = new Set([...node.processes.map((p) => p.name), ...[...state.procs.values()].filter((r) => r.node === node.name).map((r) => r.name)]);
  let name = o.name;
  if (name !== undefined) {
    if (!isProcessName(name))
      throw new NslabError('usage', `--name ${name}: process names are 1 to 32 characters of a-z, 0-9, - and _, starting with a letter`, 2);
    if (taken.has(name)) throw new NslabError('usage', `node ${node.name} already has a process named ${name}`, 2);
  } else {
    const base = (processNameOf(o.command[0] ?? '') || 'run').slice(0, 28);
    name = base;
    for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  }
  const p: ProcessSpec = { name, command: [...o.command], span: { line: 0, col: 0 } };
  const sys = await systemOf(o);
  const join = node.isolate.size > 0 ? requireHolder(root, sys, o.lab, node) : undefined;
  const writer = new JournalWriter(root, labPaths(root, o.lab).journal);
  try {
    const pid = await startOne({ sys, lab: o.lab, node, p, key: `run:${specKey(node, p)}`, writer, join, adhoc: true });
    return { name, pid, log: logPath(root, o.lab, node.name, name) };
  } finally {
    writer.close();
  }
}

/** Wait until the process is ready (or, without a check, still running after a moment); why not, when it is not. */
async function waitReady(
  sys: System,
  node: Node,
  p: ProcessSpec,
  rec: ProcRecord | undefined,
  exited: () => string | undefined,
  join: number | undefined,
): Promise<string | undefined> {
  const running = (): boolean => exited() === undefined && rec !== undefined && alive(sys, rec);
  if (!p.ready) {
    await sleep(SETTLE_MS);
    return running() ? undefined : (exited() ?? 'exited at once');
  }
  const timeout = p.readyTimeoutMs ?? DEFAULT_READY_MS;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (!running()) return `${exited() ?? 'exited'} before it was ready (${describeReady(p)})`;
    if (await isReady(sys, node, p, join)) return undefined;
    if (Date.now() > deadline)
      return `was not ready after ${timeout / 1000} s (${describeReady(p)}: ${p.ready && 'tcp' in p.ready ? 'nothing accepted a connection' : 'it never succeeded'})`;
    await sleep(READY_POLL_MS);
  }
}

/** The ready check as written in the file. */
function describeReady(p: ProcessSpec): string {
  if (!p.ready) return '';
  return 'tcp' in p.ready ? `ready: { tcp: ${p.ready.tcp} }` : `ready: { command: ${JSON.stringify(p.ready.command)} }`;
}

async function isReady(sys: System, node: Node, p: ProcessSpec, join: number | undefined): Promise<boolean> {
  const ready = p.ready!;
  if ('tcp' in ready) {
    const first = [...node.interfaces.values()]
      .flatMap((i) => i.addresses)
      .find((a) => !a.includes(':'))
      ?.split('/')[0];
    const dsts = ['127.0.0.1', ...(first ? [first] : [])];
    const out = await sys.probe.run(
      dsts.map((dst, id) => ({ id, netns: node.netns, dst, kind: 'tcp' as const, port: ready.tcp })),
      { timeoutMs: 300, attempts: 1 },
    );
    return out.some((o) => o.reached);
  }
  return sys.processes.check({
    netns: node.netns,
    isolate: isolationOf(node),
    ...(join === undefined ? {} : { join }),
    command: ready.command,
    timeoutMs: 5_000,
  });
}

/** The running namespace holder of a node, from the journal. */
export function holderOf(root: StateRoot, sys: System, lab: string, node: string): number | undefined {
  return [...labJournal(root, lab).procs.values()].find((r) => r.holder && r.node === node && alive(sys, r))?.pid;
}

/** The holder of an isolated node, or an error saying its namespaces are gone. */
export function requireHolder(root: StateRoot, sys: System, lab: string, node: Node): number {
  const pid = holderOf(root, sys, lab, node.name);
  if (pid !== undefined) return pid;
  throw new NslabError(
    'no-holder',
    `node ${node.name} of lab ${lab} is isolated (isolate: [${[...node.isolate].join(', ')}]) but its namespaces are gone (their holder is not running); run \`nslab up\` again`,
    1,
  );
}

function failure(root: StateRoot, lab: string, node: Node, p: ProcessSpec, why: string): NslabError {
  const log = logPath(root, lab, node.name, p.name);
  return new NslabError('process-failed', `process ${node.name}.${p.name} (${p.command.join(' ')}) ${why}; last lines of ${log}:\n${logTail(log, 20)}`, 1);
}

/** The last `n` lines of a log, indented, or a note that it is empty (read from its end: a log can be big). */
export function logTail(path: string, n: number): string {
  // A line can be as long as what was read (binary output, a log of NULs): cut for the message.
  const lines = tailLines(path, n).map((l) => (l.length > TAIL_LINE ? `${l.slice(0, TAIL_LINE)} ... (${l.length - TAIL_LINE} more characters)` : l));
  return lines.length === 0 ? '  (no output)' : lines.map((l) => `  ${l}`).join('\n');
}

/**
 * Stop the given recorded processes with their children (process group): SIGTERM, then SIGKILL
 * after the grace period. Namespace holders last, once the processes in their namespaces are gone:
 * the death of PID 1 kills a pid namespace's processes at once, without a chance to clean up.
 */
export async function stopRecords(sys: System, recs: readonly ProcRecord[], writer: JournalWriter, graceMs = GRACE_MS): Promise<ProcRecord[]> {
  const procs = await stopAll(
    sys,
    recs.filter((r) => !r.holder),
    writer,
    graceMs,
  );
  // A holder has nothing to clean up: no grace (a shell's trap can miss a signal that arrives
  // while it reaps a child, and wait for the next one).
  return [
    ...procs,
    ...(await stopAll(
      sys,
      recs.filter((r) => r.holder),
      writer,
      0,
    )),
  ];
}

async function stopAll(sys: System, recs: readonly ProcRecord[], writer: JournalWriter, graceMs: number): Promise<ProcRecord[]> {
  if (recs.length === 0) return [];
  const targets = [...recs].reverse();
  const leaderOf = (r: ProcRecord): { pid: number; start: number } => r.outer ?? { pid: r.pid, start: r.start };
  // By PID and start time only: a PID the kernel has handed to another process is never signalled.
  // The group first: signalled the leader may die at once, and a dead leader would make its
  // group's liveness check (done before signalling it) miss the children still running.
  const signal = (r: ProcRecord, sig: 'SIGTERM' | 'SIGKILL'): void => {
    sys.processes.signalGroup(leaderOf(r), sig);
    sys.processes.signal(r, sig);
  };
  const anyAlive = (r: ProcRecord): boolean => alive(sys, r) || sys.processes.groupAlive(leaderOf(r));
  const deadline = Date.now() + graceMs;
  // A process in a node's pid namespace first, alone: its outer parent (nsenter, unshare) reaps it
  // and exits. Killed together, the process would be left a zombie for the host's init to reap,
  // and the namespace's PID 1 cannot finish exiting before that.
  const inner = targets.filter((r) => r.outer !== undefined);
  for (const r of inner) sys.processes.signal(r, graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
  while (inner.some((r) => alive(sys, r)) && Date.now() < deadline) await sleep(10);
  for (const r of targets) signal(r, 'SIGTERM');
  while (targets.some(anyAlive) && Date.now() < deadline) await sleep(20);
  for (const r of targets) if (anyAlive(r)) signal(r, 'SIGKILL');
  const hard = Date.now() + 2_000;
  while (targets.some(anyAlive) && Date.now() < hard) await sleep(20);
  const left = targets.filter(anyAlive);
  if (left.length > 0) throw new NslabError('process-busy', `could not stop processes: ${left.map((r) => `${r.node}.${r.name} (PID ${r.pid})`).join(', ')}`, 1);
  writer.append(targets.map((r) => ({ t: 'proc-gone' as const, pid: r.pid })));
  return targets;
}

/** Stop every process the lab's journal records (for `down`, which passes the journal it has read: a second parse of a big lab's journal costs ~15 ms). */
export async function stopLabProcesses(root: StateRoot, sys: System, lab: string, read?: Pick<JournalState, 'procs'>): Promise<number> {
  const state = read ?? labJournal(root, lab);
  if (state.procs.size === 0) return 0;
  const writer = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    return (await stopRecords(sys, [...state.procs.values()], writer)).length;
  } finally {
    writer.close();
  }
}
