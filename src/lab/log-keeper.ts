// nslab's side of the log keeper (log-keeper-main.ts): giving a process a capped log. Its stdout
// and stderr are a FIFO the lab's keeper reads, never the log file itself, because a plain file
// cannot be capped without a reader. The keeper is started on a lab's first process, journaled
// with its start time, told about new pipes by SIGHUP, and stopped by `down` after the processes.
// If it dies, a process writing output gets SIGPIPE: `ls` shows the lab partial, `ps` says so,
// and the next `up` starts a new keeper, which reopens every pipe in the directory.
import type { StateRoot } from '../state/root.js';
import { closeSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStateFile, readStateFile, stateDir, writeStateFile } from '../state/root.js';
import type { System } from '../port/system.js';
import type { LogCap } from '../model/log-cap.js';
import { JournalWriter } from '../state/journal.js';
import type { JournalState, KeeperRecord } from '../state/journal.js';
import { labJournal, labPaths, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';

const { O_CREAT, O_WRONLY, O_APPEND } = constants;
const OPEN_MS = 5_000;
const GRACE_MS = 2_000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The lab's log directory. */
export function logDir(root: StateRoot, lab: string): string {
  return dirname(logPath(root, lab, 'x', 'x'));
}

/** The FIFO a process writes its output into. */
export function pipePath(root: StateRoot, lab: string, node: string, proc: string): string {
  return join(logDir(root, lab), `${node}.${proc}.pipe`);
}

/** Where the keeper writes its own errors. */
export function keeperLog(root: StateRoot, lab: string): string {
  return join(labPaths(root, lab).dir, 'log-keeper.log');
}

/** The lab's keeper: running, recorded but dead, or none recorded. */
export function keeperStatus(root: StateRoot, sys: System, lab: string): { readonly state: 'running' | 'dead' | 'none'; readonly pid?: number } {
  const k = labJournal(root, lab).keeper;
  if (!k) return { state: 'none' };
  return { state: sys.processes.alive(k) ? 'running' : 'dead', pid: k.pid };
}

interface OpenArgs {
  readonly lab: string;
  readonly node: string;
  readonly proc: string;
  readonly cap: LogCap;
  readonly writer: JournalWriter;
  readonly sys: System;
}

/** One process output to prepare (prepareOutputs). */
export interface OutputOf {
  readonly node: string;
  readonly proc: string;
  readonly cap: LogCap;
}

/**
 * Make the FIFOs of processes about to start, add their caps to keeper.json in one write, then
 * start the keeper or tell it once (SIGHUP) to open them. Once per wave of processes: a keeper
 * told again before it has installed its handlers (it is a node process, it takes a moment to
 * start) would die of the signal.
 */
export function prepareOutputs(a: { readonly lab: string; readonly writer: JournalWriter; readonly sys: System; readonly outputs: readonly OutputOf[] }): void {
  if (a.outputs.length === 0) return;
  const root = a.writer.root;
  // Through the checked state tree (state/root.ts): never a planted or foreign directory.
  stateDir(root, logDir(root, a.lab), true);
  for (const o of a.outputs) makeFifo(a.sys, pipePath(root, a.lab, o.node, o.proc));
  writeConfig(
    root,
    a.lab,
    a.outputs.map((o) => [`${o.node}.${o.proc}`, o.cap]),
  );
  const k = keeperFor(root, a.lab, a.writer);
  if (!(k && a.sys.processes.signal(k, 'SIGHUP'))) startKeeper(root, a.sys, a.lab, a.writer);
}

/**
 * The fd a prepared process's stdout and stderr are to be: the write end of its FIFO, opened once
 * the keeper reads it, blocking (a full pipe makes the process wait, as a slow terminal would).
 * The caller closes it once the process is spawned.
 */
export async function openPreparedOutput(a: {
  readonly lab: string;
  readonly node: string;
  readonly proc: string;
  readonly writer: JournalWriter;
  readonly sys: System;
}): Promise<number> {
  const root = a.writer.root;
  const fifo = pipePath(root, a.lab, a.node, a.proc);
  const deadline = Date.now() + OPEN_MS;
  for (;;) {
    // Opens only once a reader (the keeper) has the FIFO open.
    const fd = a.sys.pipes.openWriter(fifo);
    if (fd !== undefined) return fd;
    if (Date.now() > deadline) {
      throw new NslabError('log-keeper', `lab ${a.lab}: the log keeper did not open ${fifo} within ${OPEN_MS / 1000} s; see ${keeperLog(root, a.lab)}`, 1);
    }
    await sleep(10);
  }
}

/** prepareOutputs and openPreparedOutput for one process (`nslab run`). */
export async function openProcessOutput(a: OpenArgs): Promise<number> {
  prepareOutputs({ lab: a.lab, writer: a.writer, sys: a.sys, outputs: [{ node: a.node, proc: a.proc, cap: a.cap }] });
  return openPreparedOutput(a);
}

/** Create the FIFO, or check that what has its name is one (a later `up` reuses it). */
function makeFifo(sys: System, path: string): void {
  if (sys.pipes.make(path) === 'not-fifo') {
    throw new NslabError('log-keeper', `${path} exists and is not a FIFO: remove it and run up again`, 1);
  }
}

/**
 * The keeper the journal records, read once per `up` (per journal writer): a lab starting many
 * processes would otherwise parse its whole journal again for each one. startKeeper updates it.
 */
const keepers = new WeakMap<JournalWriter, KeeperRecord | undefined>();
function keeperFor(root: StateRoot, lab: string, writer: JournalWriter): KeeperRecord | undefined {
  if (!keepers.has(writer)) keepers.set(writer, labJournal(root, lab).keeper);
  return keepers.get(writer);
}

/** Add (or update) pipes' caps in keeper.json (state/root.ts: an O_EXCL temporary renamed over it). */
function writeConfig(root: StateRoot, lab: string, caps: ReadonlyArray<readonly [string, LogCap]>): void {
  const path = join(logDir(root, lab), 'keeper.json');
  let conf: Record<string, LogCap> = {};
  try {
    conf = JSON.parse(readStateFile(root, path)?.toString('utf8') ?? '{}') as Record<string, LogCap>;
  } catch {
    // damaged: rewritten whole from what we know
  }
  for (const [key, cap] of caps) conf[key] = { maxBytes: cap.maxBytes, keep: cap.keep };
  writeStateFile(root, path, JSON.stringify(conf), 0o600);
}

/**
 * After `up` left running processes alone: if their keeper died, start a new one, which reopens
 * every pipe keeper.json lists (the processes still hold their write ends).
 */
export function reviveKeeper(root: StateRoot, sys: System, lab: string, writer: JournalWriter): boolean {
  const k = keeperFor(root, lab, writer);
  if (k && sys.processes.alive(k)) return false;
  if (!existsSync(join(logDir(root, lab), 'keeper.json'))) return false;
  if (k) writer.append([{ t: 'keeper-gone', pid: k.pid }]);
  startKeeper(root, sys, lab, writer);
  return true;
}

/** Start the lab's keeper, detached, in its own session, and journal it. */
function startKeeper(root: StateRoot, sys: System, lab: string, writer: JournalWriter): void {
  const main = fileURLToPath(new URL('./log-keeper-main.js', import.meta.url));
  const err = openStateFile(root, keeperLog(root, lab), O_WRONLY | O_APPEND | O_CREAT);
  try {
    // A small heap: the keeper holds one 64 KiB chunk at a time.
    const child = sys.processes.background({
      argv: [process.execPath, '--max-old-space-size=24', '--max-semi-space-size=1', main, logDir(root, lab), lab],
      output: err,
      cwd: '/',
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
    });
    if (child === undefined) throw new NslabError('log-keeper', `lab ${lab}: could not start the log keeper; see ${keeperLog(root, lab)}`, 1);
    writer.append([{ t: 'keeper', pid: child.pid, start: child.start }]);
    keepers.set(writer, { pid: child.pid, start: child.start });
  } finally {
    closeSync(err);
  }
}

/**
 * Wait (up to a second) until the keeper has read everything a process wrote into the pipe
 * whose write end is `fd`, so that the log shows it (up's failure message quotes its tail).
 */
export async function flushed(sys: System, fd: number): Promise<void> {
  const deadline = Date.now() + 1_000;
  while (Date.now() < deadline && sys.pipes.unread(fd) > 0) await sleep(10);
  // Read, and written by the keeper in the same callback: a moment is enough.
  await sleep(20);
}

/** Stop the lab's keeper (`down`, after the processes): SIGTERM lets it drain the pipes; SIGKILL after the grace period. */
async function stopKeeper(sys: System, lab: string, k: KeeperRecord, writer: JournalWriter): Promise<void> {
  const alive = (): boolean => sys.processes.alive(k);
  const signal = (sig: 'SIGTERM' | 'SIGKILL'): void => {
    sys.processes.signal(k, sig);
  };
  signal('SIGTERM');
  const deadline = Date.now() + GRACE_MS;
  while (alive() && Date.now() < deadline) await sleep(10);
  signal('SIGKILL');
  const hard = Date.now() + 2_000;
  while (alive() && Date.now() < hard) await sleep(10);
  if (alive()) throw new NslabError('process-busy', `lab ${lab}: could not stop its log keeper (PID ${k.pid})`, 1);
  writer.append([{ t: 'keeper-gone', pid: k.pid }]);
}

/** Stop the keeper a lab's journal records, if any (`down` and `clean`, after the processes; `read`: the journal the caller has read). */
export async function stopLabKeeper(root: StateRoot, sys: System, lab: string, read?: Pick<JournalState, 'keeper'>): Promise<void> {
  const k = (read ?? labJournal(root, lab)).keeper;
  if (!k) return;
  const writer = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    await stopKeeper(sys, lab, k, writer);
  } finally {
    writer.close();
  }
}
