// The processes a lab runs in its nodes: started by `up` after the network is ready (declaration
// order, detached so they outlive nslab), recorded in the journal with their /proc start times,
// waited for until ready, and stopped by `down` (SIGTERM, then SIGKILL after a grace period),
// by PID and only while the PID still names the process that was started.
import { existsSync } from 'node:fs';
import type { Isolation } from '../port/processes.js';
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import { logCapOf } from '../model/log-cap.js';
import type { Node, ProcessSpec, Topology } from '../model/types.js';
import { isProcessName, processNameOf } from '../names/rules.js';
import { JournalWriter } from '../state/journal.js';
import type { ProcRecord } from '../state/journal.js';
import { tailLines } from '../state/log-read.js';
import { labJournal, labPaths, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadLabLazy } from './load-lazy.js';
import { systemOf } from './kernel.js';
import { flushed, openProcessOutput, reviveKeeper } from './log-keeper.js';

const DEFAULT_READY_MS = 10_000;
/** Without a ready check, a process that is still running after this long counts as started. */
const SETTLE_MS = 300;
const GRACE_MS = 2_000;
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
function isolationOf(node: Node): Isolation {
  return { pid: node.isolate.has('pid'), mount: node.isolate.has('mount'), uts: node.isolate.has('uts') };
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

/** Start what the topology declares and is not running; stop what runs but is no longer declared or changed. */
export async function startProcesses(root: StateRoot, sys: System, t: Topology): Promise<ProcessesResult> {
  const lab = t.name;
  const paths = labPaths(root, lab);
  const state = labJournal(root, lab);
  const declared = [...t.nodes.values()].flatMap((n) => n.processes.map((p) => ({ node: n, p, key: specKey(n, p) })));
  if (declared.length === 0 && state.procs.size === 0) return { started: [], stopped: [], unchanged: 0 };
  const writer = new JournalWriter(root, paths.journal);
  try {
    // Per node, all or nothing: its processes share namespaces that die with the first one, so
    // a node whose processes all run as declared is left alone, any other is restarted whole.
    const recs = [...state.procs.values()];
    const keep = new Set<string>();
    let unchanged = 0;
    for (const n of t.nodes.values()) {
      // Ad-hoc processes (`nslab run`) are not declared: they neither keep nor restart a node.
      const mine = recs.filter((r) => r.node === n.name && !r.adhoc);
      const ok =
        mine.length === n.processes.length && n.processes.every((p) => mine.some((r) => r.name === p.name && r.spec === specKey(n, p) && alive(sys, r)));
      if (ok) {
        keep.add(n.name);
        unchanged += mine.length;
      }
    }
    // A restarted isolated node takes its ad-hoc processes with it (they live in its namespaces).
    const restart = (r: ProcRecord): boolean => !keep.has(r.node) && (!r.adhoc || (t.nodes.get(r.node)?.isolate.size ?? 1) > 0);
    const stopped = (await stopRecords(sys, recs.filter(restart), writer)).map((r) => `${r.node}.${r.name}`);
    const started: string[] = [];
    const firsts = new Map<string, number>();
    for (const d of declared) {
      if (keep.has(d.node.name)) continue;
      const pid = await startOne({ sys, lab, node: d.node, p: d.p, key: d.key, writer, first: firsts.get(d.node.name) });
      if (!firsts.has(d.node.name) && pid !== undefined) firsts.set(d.node.name, pid);
      started.push(`${d.node.name}.${d.p.name}`);
    }
    // Processes left running whose keeper died get a new one (their writes would get SIGPIPE).
    const revived = unchanged > 0 && reviveKeeper(root, sys, lab, writer);
    return { started, stopped, unchanged, ...(revived ? { keeperRestarted: true as const } : {}) };
  } finally {
    writer.close();
  }
}

interface StartArgs {
  readonly sys: System;
  readonly lab: string;
  readonly node: Node;
  readonly p: ProcessSpec;
  readonly key: string;
  readonly writer: JournalWriter;
  /** PID of the node's first process, whose namespaces later ones join. */
  readonly first: number | undefined;
  /** Started by `nslab run`. */
  readonly adhoc?: boolean;
}

/** Start one process; resolves to the PID that stands for it (PID 1 of its pid namespace when isolated). */
async function startOne(a: StartArgs): Promise<number | undefined> {
  const root = a.writer.root;
  const { sys, lab, node, p, key, writer } = a;
  if (p.cwd !== undefined && !existsSync(p.cwd)) throw new NslabError('process-failed', `process ${node.name}.${p.name}: cwd ${p.cwd} does not exist`, 1);
  // Output goes through a pipe to the lab's log keeper, which caps the log file (log-keeper.ts).
  const fd = await openProcessOutput({ lab, node: node.name, proc: p.name, cap: logCapOf(p), writer, sys });
  try {
    const env = { PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...(p.env ?? {}) };
    const child = sys.processes.launch({
      netns: node.netns,
      isolate: isolationOf(node),
      hostname: node.hostname ?? node.name,
      ...(a.first === undefined ? {} : { join: a.first }),
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
        // The outer PID is `unshare`; PID 1 of the new namespace is its child. Record the outer one
        // at once (so it is never lost), then the inner one once it appears.
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
    const why = await waitReady(sys, node, p, rec, exited);
    if (why === undefined) return rec?.pid;
    // Not ready (or gone): stop what is left of it, so that it no longer counts as running
    // (`ls` says partial) and the next `up` starts it again and waits for it again, and say why.
    const running = rec !== undefined && exited() === undefined;
    if (rec) await stopRecords(sys, [rec], writer);
    if (!a.adhoc) writer.append([{ t: 'proc-failed', node: node.name, name: p.name, why }]);
    await flushed(sys, fd);
    throw failure(root, lab, node, p, `${why}${running ? '; stopped it' : ''}`);
  } finally {
    sys.pipes.close(fd);
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
 * node's running processes when it is isolated. Resolves to its name and the PID that stands for it.
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
  const first = node.isolate.size > 0 ? firstProcessOf(root, sys, o.lab, node.name) : undefined;
  const writer = new JournalWriter(root, labPaths(root, o.lab).journal);
  try {
    const pid = await startOne({ sys, lab: o.lab, node, p, key: `run:${specKey(node, p)}`, writer, first, adhoc: true });
    return { name, pid, log: logPath(root, o.lab, node.name, name) };
  } finally {
    writer.close();
  }
}

/** Wait until the process is ready (or, without a check, still running after a moment); why not, when it is not. */
async function waitReady(sys: System, node: Node, p: ProcessSpec, rec: ProcRecord | undefined, exited: () => string | undefined): Promise<string | undefined> {
  const running = (): boolean => exited() === undefined && rec !== undefined && alive(sys, rec);
  if (!p.ready) {
    await sleep(SETTLE_MS);
    return running() ? undefined : (exited() ?? 'exited at once');
  }
  const timeout = p.readyTimeoutMs ?? DEFAULT_READY_MS;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (!running()) return `${exited() ?? 'exited'} before it was ready (${describeReady(p)})`;
    if (await isReady(sys, node, p, rec!)) return undefined;
    if (Date.now() > deadline)
      return `was not ready after ${timeout / 1000} s (${describeReady(p)}: ${p.ready && 'tcp' in p.ready ? 'nothing accepted a connection' : 'it never succeeded'})`;
    await sleep(100);
  }
}

/** The ready check as written in the file. */
function describeReady(p: ProcessSpec): string {
  if (!p.ready) return '';
  return 'tcp' in p.ready ? `ready: { tcp: ${p.ready.tcp} }` : `ready: { command: ${JSON.stringify(p.ready.command)} }`;
}

async function isReady(sys: System, node: Node, p: ProcessSpec, rec: ProcRecord): Promise<boolean> {
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
    ...(node.isolate.size === 0 ? {} : { join: rec.pid }),
    command: ready.command,
    timeoutMs: 5_000,
  });
}

/** The first running process of a node (its PID 1 when pid is isolated), from the journal. */
export function firstProcessOf(root: StateRoot, sys: System, lab: string, node: string): number | undefined {
  return [...labJournal(root, lab).procs.values()].find((r) => r.node === node && alive(sys, r))?.pid;
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

/** Stop the given recorded processes with their children (process group): SIGTERM, then SIGKILL after the grace period. */
export async function stopRecords(sys: System, recs: readonly ProcRecord[], writer: JournalWriter, graceMs = GRACE_MS): Promise<ProcRecord[]> {
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
  for (const r of targets) signal(r, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (targets.some(anyAlive) && Date.now() < deadline) await sleep(20);
  for (const r of targets) if (anyAlive(r)) signal(r, 'SIGKILL');
  const hard = Date.now() + 2_000;
  while (targets.some(anyAlive) && Date.now() < hard) await sleep(20);
  const left = targets.filter(anyAlive);
  if (left.length > 0) throw new NslabError('process-busy', `could not stop processes: ${left.map((r) => `${r.node}.${r.name} (PID ${r.pid})`).join(', ')}`, 1);
  writer.append(targets.map((r) => ({ t: 'proc-gone' as const, pid: r.pid })));
  return targets;
}

/** Stop every process the lab's journal records (for `down`). */
export async function stopLabProcesses(root: StateRoot, sys: System, lab: string): Promise<number> {
  const state = labJournal(root, lab);
  if (state.procs.size === 0) return 0;
  const writer = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    return (await stopRecords(sys, [...state.procs.values()], writer)).length;
  } finally {
    writer.close();
  }
}
