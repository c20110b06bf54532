// The processes a lab runs in its nodes: started by `up` after the network is ready (declaration
// order, detached so they outlive nslab), recorded in the journal with their /proc start times,
// waited for until ready, and stopped by `down` (SIGTERM, then SIGKILL after a grace period),
// by PID and only while the PID still names the process that was started.
import { spawn, spawnSync } from 'node:child_process';
import type { StateRoot } from '../state/root.js';
import { closeSync, existsSync, readFileSync } from 'node:fs';
import { runProbes } from '../kernel/probe.js';
import { childrenOf, groupMembers, sameProcess, startTimeOf } from '../kernel/procfs.js';
import { logCapOf } from '../model/log-cap.js';
import type { Node, ProcessSpec, Topology } from '../model/types.js';
import { isProcessName, processNameOf } from '../names/rules.js';
import { JournalWriter } from '../state/journal.js';
import type { ProcRecord } from '../state/journal.js';
import { tailLines } from '../state/log-read.js';
import { labJournal, labPaths, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadLabLazy } from './load-lazy.js';
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

/**
 * The argv that runs a process of `node`: the first one creates the node's extra namespaces
 * (`unshare`, and sets the hostname), later ones join the first's (`nsenter -t FIRST`), so all
 * of a node's processes share one pid/mount/uts namespace. Then the user, then the command.
 */
export function launchArgv(node: Node, p: ProcessSpec, first?: number): string[] {
  const iso = node.isolate;
  const asUser = p.user === undefined ? [] : ['runuser', '-u', p.user, '--'];
  const inner = [...asUser, ...p.command];
  if (iso.size === 0) return inner;
  if (first !== undefined) {
    return [
      'nsenter',
      '-t',
      String(first),
      ...(iso.has('pid') ? ['--pid'] : []),
      ...(iso.has('mount') ? ['--mount'] : []),
      ...(iso.has('uts') ? ['--uts'] : []),
      '--',
      ...inner,
    ];
  }
  const flags = [
    ...(iso.has('pid') ? ['--pid', '--fork', '--kill-child', ...(iso.has('mount') ? ['--mount-proc'] : [])] : []),
    ...(iso.has('mount') ? ['--mount'] : []),
    ...(iso.has('uts') ? ['--uts'] : []),
  ];
  // The user's words are positional parameters of the shell, never part of its script.
  const withHost = iso.has('uts') ? ['sh', '-c', 'hostname "$0" && exec "$@"', node.hostname ?? node.name, ...inner] : inner;
  return ['unshare', ...flags, '--', ...withHost];
}

/**
 * Key of a declaration: a second `up` restarts a process only when this changed. Not its `log:`
 * caps: the keeper applies new ones to the running process's pipe.
 */
function specKey(node: Node, p: ProcessSpec): string {
  const { span: _, log: _log, ...rest } = p;
  return JSON.stringify({ ...rest, isolate: [...node.isolate].sort(), hostname: node.hostname ?? null, netns: node.netns });
}

function alive(r: ProcRecord): boolean {
  return sameProcess(r.pid, r.start);
}

/** Start what the topology declares and is not running; stop what runs but is no longer declared or changed. */
export async function startProcesses(root: StateRoot, t: Topology): Promise<ProcessesResult> {
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
      const ok = mine.length === n.processes.length && n.processes.every((p) => mine.some((r) => r.name === p.name && r.spec === specKey(n, p) && alive(r)));
      if (ok) {
        keep.add(n.name);
        unchanged += mine.length;
      }
    }
    // A restarted isolated node takes its ad-hoc processes with it (they live in its namespaces).
    const restart = (r: ProcRecord): boolean => !keep.has(r.node) && (!r.adhoc || (t.nodes.get(r.node)?.isolate.size ?? 1) > 0);
    const stopped = (await stopRecords(recs.filter(restart), writer)).map((r) => `${r.node}.${r.name}`);
    const started: string[] = [];
    const firsts = new Map<string, number>();
    for (const d of declared) {
      if (keep.has(d.node.name)) continue;
      const pid = await startOne({ lab, node: d.node, p: d.p, key: d.key, writer, first: firsts.get(d.node.name) });
      if (!firsts.has(d.node.name) && pid !== undefined) firsts.set(d.node.name, pid);
      started.push(`${d.node.name}.${d.p.name}`);
    }
    // Processes left running whose keeper died get a new one (their writes would get SIGPIPE).
    const revived = unchanged > 0 && reviveKeeper(root, lab, writer);
    return { started, stopped, unchanged, ...(revived ? { keeperRestarted: true as const } : {}) };
  } finally {
    writer.close();
  }
}

interface StartArgs {
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
  const { lab, node, p, key, writer } = a;
  if (p.cwd !== undefined && !existsSync(p.cwd)) throw new NslabError('process-failed', `process ${node.name}.${p.name}: cwd ${p.cwd} does not exist`, 1);
  // Output goes through a pipe to the lab's log keeper, which caps the log file (log-keeper.ts).
  const fd = await openProcessOutput({ lab, node: node.name, proc: p.name, cap: logCapOf(p), writer });
  let exited: string | undefined;
  const argv = ['netns', 'exec', node.netns, ...launchArgv(node, p, a.first)];
  try {
    const env = { PATH: process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', ...(p.env ?? {}) };
    const child = spawn('ip', argv, { stdio: ['ignore', fd, fd], detached: true, env, ...(p.cwd === undefined ? {} : { cwd: p.cwd }) });
    child.once('exit', (code, signal) => {
      exited = signal ? `killed by ${signal}` : `exited with status ${code}`;
    });
    child.once('error', (e) => {
      exited = `could not start: ${e.message}`;
    });
    child.unref();
    const outerPid = child.pid;
    if (outerPid === undefined) throw failure(root, lab, node, p, 'could not be started (no PID)');
    const outerStart = startTimeOf(outerPid);
    let rec: ProcRecord | undefined;
    if (outerStart !== undefined) {
      rec = { node: node.name, name: p.name, pid: outerPid, start: outerStart, spec: key, ...(a.adhoc ? { adhoc: true } : {}) };
      if (node.isolate.has('pid')) {
        // The outer PID is `unshare`; PID 1 of the new namespace is its child. Record the outer one
        // at once (so it is never lost), then the inner one once it appears.
        writer.append([{ t: 'proc', ...rec }]);
        const inner = await innerPid(outerPid, outerStart, () => exited !== undefined);
        if (inner) {
          writer.append([
            { t: 'proc-gone', pid: outerPid },
            { t: 'proc', ...rec, pid: inner.pid, start: inner.start, outer: { pid: outerPid, start: outerStart } },
          ]);
          rec = { ...rec, pid: inner.pid, start: inner.start, outer: { pid: outerPid, start: outerStart } };
        }
      } else {
        writer.append([{ t: 'proc', ...rec }]);
      }
    }
    const why = await waitReady(node, p, rec, () => exited);
    if (why === undefined) return rec?.pid;
    // Not ready (or gone): stop what is left of it, so that it no longer counts as running
    // (`ls` says partial) and the next `up` starts it again and waits for it again, and say why.
    const running = rec !== undefined && exited === undefined;
    if (rec) await stopRecords([rec], writer);
    if (!a.adhoc) writer.append([{ t: 'proc-failed', node: node.name, name: p.name, why }]);
    await flushed(fd);
    throw failure(root, lab, node, p, `${why}${running ? '; stopped it' : ''}`);
  } finally {
    closeSync(fd);
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
  const first = node.isolate.size > 0 ? firstProcessOf(root, o.lab, node.name) : undefined;
  const writer = new JournalWriter(root, labPaths(root, o.lab).journal);
  try {
    const pid = await startOne({ lab: o.lab, node, p, key: `run:${specKey(node, p)}`, writer, first, adhoc: true });
    return { name, pid, log: logPath(root, o.lab, node.name, name) };
  } finally {
    writer.close();
  }
}

/** The child of the `unshare` parent (bounded wait), with its start time. */
async function innerPid(outer: number, outerStart: number, gone: () => boolean): Promise<{ pid: number; start: number } | undefined> {
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && !gone() && sameProcess(outer, outerStart)) {
    // Until ip has exec'd unshare (or nsenter) and that has forked, the outer PID has no child yet.
    const comm = commOf(outer);
    const kid = comm === 'unshare' || comm === 'nsenter' ? childrenOf(outer)[0] : undefined;
    const start = kid === undefined ? undefined : startTimeOf(kid);
    if (kid !== undefined && start !== undefined) return { pid: kid, start };
    await sleep(10);
  }
  return undefined;
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Wait until the process is ready (or, without a check, still running after a moment); why not, when it is not. */
async function waitReady(node: Node, p: ProcessSpec, rec: ProcRecord | undefined, exited: () => string | undefined): Promise<string | undefined> {
  const running = (): boolean => exited() === undefined && rec !== undefined && alive(rec);
  if (!p.ready) {
    await sleep(SETTLE_MS);
    return running() ? undefined : (exited() ?? 'exited at once');
  }
  const timeout = p.readyTimeoutMs ?? DEFAULT_READY_MS;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (!running()) return `${exited() ?? 'exited'} before it was ready (${describeReady(p)})`;
    if (await isReady(node, p, rec!)) return undefined;
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

async function isReady(node: Node, p: ProcessSpec, rec: ProcRecord): Promise<boolean> {
  const ready = p.ready!;
  if ('tcp' in ready) {
    const first = [...node.interfaces.values()]
      .flatMap((i) => i.addresses)
      .find((a) => !a.includes(':'))
      ?.split('/')[0];
    const dsts = ['127.0.0.1', ...(first ? [first] : [])];
    const out = await runProbes(
      dsts.map((dst, id) => ({ id, netns: node.netns, dst, kind: 'tcp' as const, port: ready.tcp })),
      { timeoutMs: 300, attempts: 1 },
    );
    return out.some((o) => o.reached);
  }
  // Entered like `nslab exec` does: through `ip netns exec`, so the check sees the node's hosts and
  // resolv.conf also when its mount namespace is not isolated (nsenter alone would not mount them).
  const enter = node.isolate.size === 0 ? [] : enterArgv(node, rec.pid).filter((w) => w !== '--net');
  const r = spawnSync('ip', ['netns', 'exec', node.netns, ...enter, ...ready.command], { stdio: 'ignore', timeout: 5_000 });
  return r.status === 0;
}

/** The argv prefix that enters a node: its netns, and its pid/mount/uts namespaces through `pid` when isolated. */
export function enterArgv(node: Node, pid: number | undefined): string[] {
  if (node.isolate.size === 0 || pid === undefined) return ['ip', 'netns', 'exec', node.netns];
  const iso = node.isolate;
  return [
    'nsenter',
    '-t',
    String(pid),
    '--net',
    ...(iso.has('pid') ? ['--pid'] : []),
    ...(iso.has('mount') ? ['--mount'] : []),
    ...(iso.has('uts') ? ['--uts'] : []),
    '--',
  ];
}

/** The first running process of a node (its PID 1 when pid is isolated), from the journal. */
export function firstProcessOf(root: StateRoot, lab: string, node: string): number | undefined {
  return [...labJournal(root, lab).procs.values()].find((r) => r.node === node && alive(r))?.pid;
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
 * Whether the process group a record's spawn led (`detached` made it a session and group leader)
 * still has members that are ours: while the leader runs, checked by its start time; once it is
 * gone, the kernel does not hand out its PID again while any process still has it as a group id,
 * so remaining members can only be ours, unless a new process now holds the PID (then none are).
 */
function groupAlive(leader: { pid: number; start: number }): boolean {
  if (sameProcess(leader.pid, leader.start)) return true;
  if (startTimeOf(leader.pid) !== undefined) return false;
  return groupMembers(leader.pid).length > 0;
}

/** Stop the given recorded processes with their children (process group): SIGTERM, then SIGKILL after the grace period. */
export async function stopRecords(recs: readonly ProcRecord[], writer: JournalWriter, graceMs = GRACE_MS): Promise<ProcRecord[]> {
  const targets = [...recs].reverse();
  const leaderOf = (r: ProcRecord): { pid: number; start: number } => r.outer ?? { pid: r.pid, start: r.start };
  const signal = (r: ProcRecord, sig: NodeJS.Signals): void => {
    const tries: Array<() => void> = [];
    if (alive(r)) tries.push(() => process.kill(r.pid, sig));
    if (groupAlive(leaderOf(r))) tries.push(() => process.kill(-leaderOf(r).pid, sig));
    for (const t of tries) {
      try {
        t();
      } catch {
        // gone between the check and the signal
      }
    }
  };
  const anyAlive = (r: ProcRecord): boolean => alive(r) || groupAlive(leaderOf(r));
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
export async function stopLabProcesses(root: StateRoot, lab: string): Promise<number> {
  const state = labJournal(root, lab);
  if (state.procs.size === 0) return 0;
  const writer = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    return (await stopRecords([...state.procs.values()], writer)).length;
  } finally {
    writer.close();
  }
}
