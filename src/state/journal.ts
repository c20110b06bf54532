// The lab journal: an append-only JSON-lines file recording every object before it is created
// ("own") and after it is gone ("drop"), fsynced per batch. Replaying it gives the owned set that
// teardown undoes, also after a crash at any point. A torn last line (crash mid-write) is skipped.
import { closeSync, constants, fsyncSync, writeSync } from 'node:fs';
import type { KernelOp } from '../kernel/port.js';
import type { OwnedRecord } from '../plan/live.js';
import { linkEnds, opNs } from '../plan/removals.js';
import { openStateFile, readStateFile } from './root.js';

/** The lab-wide facts recorded when the journal is started. */
export interface JournalMeta {
  readonly lab: string;
  /** The --host-netns the lab was built with, if any: down must use the same. */
  readonly hostNetns?: string;
  /** The topology file as given, absolute. */
  readonly file: string;
}

/** One journal line. */
export type JournalRecord =
  | ({ readonly t: 'meta'; readonly v: 1 } & JournalMeta)
  | { readonly t: 'own'; readonly id: string; readonly op: KernelOp; readonly prev?: string }
  | { readonly t: 'drop'; readonly id: string }
  | ({ readonly t: 'proc' } & ProcRecord)
  | { readonly t: 'proc-gone'; readonly pid: number }
  /**
   * A declared process failed to start (exited, or was not ready in time and was stopped): the lab
   * is partial until a later `proc` record of the same node and name says it was started again.
   */
  | { readonly t: 'proc-failed'; readonly node: string; readonly name: string; readonly why: string }
  /** The lab's log keeper (lab/log-keeper.ts) was started / is known to be stopped. */
  | ({ readonly t: 'keeper' } & KeeperRecord)
  | { readonly t: 'keeper-gone'; readonly pid: number }
  /**
   * The lab was fully built from the topology text with this model key (lab/model-cache.ts) and
   * nothing was changed since: the next up may trust the journal for what that text built.
   */
  | { readonly t: 'converged'; readonly key: string };

/**
 * A process the lab started, recorded right after spawn (before `up` returns): `pid` is the one
 * to signal (PID 1 of its pid namespace when isolated), `outer` the `unshare` parent when there
 * is one. Start times (/proc/PID/stat field 22) make sure a reused PID is never signalled.
 */
export interface ProcRecord {
  readonly node: string;
  readonly name: string;
  readonly pid: number;
  readonly start: number;
  readonly outer?: { readonly pid: number; readonly start: number };
  /** The declaration it was started from (JSON), to tell whether a second `up` must restart it. */
  readonly spec: string;
  /** Started by `nslab run`, not declared: a second `up` leaves it alone (unless its node restarts). */
  readonly adhoc?: boolean;
}

/**
 * The lab's log keeper: the detached process that reads its processes' output pipes and writes
 * their capped log files. Stopped by `down` after the processes, by PID and start time.
 */
export interface KeeperRecord {
  readonly pid: number;
  readonly start: number;
}

/** What a journal says: the lab's facts and the objects it still owns, in creation order. */
export interface JournalState {
  readonly meta?: JournalMeta;
  readonly owned: Map<string, OwnedRecord>;
  /** Processes started and not known to be stopped, by PID, in start order. */
  readonly procs: Map<number, ProcRecord>;
  /** Lines that could not be parsed (a torn write); reported, never fatal. */
  readonly damaged: number;
  /** The key of the text the lab was last fully built from, when no record came after it. */
  readonly converged?: string;
  /** Declared processes that failed to start and were not started since: `node.name` -> why. */
  readonly failed: Map<string, string>;
  /** The log keeper started and not known to be stopped. */
  readonly keeper?: KeeperRecord;
}

/** Replay journal records into the owned set. Dropping a namespace drops everything inside it. */
export function replay(records: readonly JournalRecord[]): Omit<JournalState, 'damaged'> {
  let meta: JournalMeta | undefined;
  const owned = new Map<string, OwnedRecord>();
  const procs = new Map<number, ProcRecord>();
  const failed = new Map<string, string>();
  const last = records[records.length - 1];
  const converged = last?.t === 'converged' ? { converged: last.key } : {};
  // Namespaces dropped: everything inside them goes too, in one pass at the end (not one scan of
  // the owned set per namespace, which is quadratic in a big lab's teardown).
  const doomed = new Set<string>();
  let keeper: KeeperRecord | undefined;
  for (const r of records) {
    if (r.t === 'keeper') {
      keeper = { pid: r.pid, start: r.start };
      continue;
    }
    if (r.t === 'keeper-gone') {
      if (keeper?.pid === r.pid) keeper = undefined;
      continue;
    }
    // A converged lab was fully built after any failure, also one of a process no longer declared.
    if (r.t === 'converged') {
      failed.clear();
      continue;
    }
    if (r.t === 'proc') {
      const { t: _, ...rec } = r;
      procs.set(r.pid, rec);
      failed.delete(`${r.node}.${r.name}`);
      continue;
    }
    if (r.t === 'proc-failed') {
      failed.set(`${r.node}.${r.name}`, r.why);
      continue;
    }
    if (r.t === 'proc-gone') {
      procs.delete(r.pid);
      continue;
    }
    if (r.t === 'meta') meta = { lab: r.lab, file: r.file, ...(r.hostNetns ? { hostNetns: r.hostNetns } : {}) };
    else if (r.t === 'own') {
      if (doomed.size > 0) flushDoomed(owned, doomed);
      owned.set(r.id, { id: r.id, op: r.op, ...(r.prev === undefined ? {} : { prev: r.prev }) });
    } else {
      const rec = owned.get(r.id);
      if (rec?.op.op === 'netns.create') {
        owned.delete(r.id);
        doomed.add(rec.op.name);
      } else {
        if (doomed.size > 0) flushDoomed(owned, doomed);
        dropCascading(owned, r.id);
      }
    }
  }
  if (doomed.size > 0) flushDoomed(owned, doomed);
  return { ...(meta ? { meta } : {}), owned, procs, failed, ...converged, ...(keeper ? { keeper } : {}) };
}

/** Drop everything inside the doomed namespaces, and addresses on the far ends of their veths. */
function flushDoomed(owned: Map<string, OwnedRecord>, doomed: Set<string>): void {
  const ends = new Set<string>();
  for (const v of owned.values()) if (v.op.op === 'link.create' && doomed.has(v.op.ns)) for (const e of linkEnds(v.op)) ends.add(e);
  for (const [k, v] of owned) {
    if (doomed.has(opNs(v.op)) || (v.op.op === 'addr.add' && ends.has(`${v.op.ns}:${v.op.dev}`))) owned.delete(k);
  }
  doomed.clear();
}

function dropCascading(owned: Map<string, OwnedRecord>, id: string): void {
  const rec = owned.get(id);
  owned.delete(id);
  if (!rec) return;
  // Objects that die with the dropped one: everything inside a namespace, addresses on both
  // ends of a link, and addresses on the far ends of veths whose namespace is gone.
  const ends = new Set(rec.op.op === 'netns.create' ? [] : linkEnds(rec.op));
  if (rec.op.op === 'netns.create') {
    const ns = rec.op.name;
    for (const v of owned.values()) if (v.op.op === 'link.create' && v.op.ns === ns) for (const e of linkEnds(v.op)) ends.add(e);
    for (const [k, v] of owned) if (opNs(v.op) === ns) owned.delete(k);
  }
  for (const [k, v] of owned) if (v.op.op === 'addr.add' && ends.has(`${v.op.ns}:${v.op.dev}`)) owned.delete(k);
}

/**
 * Read and replay a journal file; a missing file is an empty journal. Only a regular file of ours
 * in a checked lab directory is read (state/root.ts): a forged journal would make down kill and
 * delete whatever it names.
 */
export function readJournal(path: string): JournalState {
  const text = readStateFile(path)?.toString('utf8');
  if (text === undefined) return { owned: new Map(), procs: new Map(), failed: new Map(), damaged: 0 };
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  // One parse of all lines as an array is several times faster than one per line (a big lab's
  // journal has thousands); a damaged line makes it fail, and then lines are parsed one by one.
  try {
    return { ...replay(JSON.parse(`[${lines.join(',')}]`) as JournalRecord[]), damaged: 0 };
  } catch {
    // fall through
  }
  const records: JournalRecord[] = [];
  let damaged = 0;
  for (const line of lines) {
    try {
      records.push(JSON.parse(line) as JournalRecord);
    } catch {
      damaged++;
    }
  }
  return { ...replay(records), damaged };
}

/** An open journal for appending. Each append is one write followed by fsync. */
export class JournalWriter {
  private readonly fd: number;
  private closed = false;

  constructor(readonly path: string) {
    this.fd = openStateFile(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  }

  /** Append records durably (one write, one fsync). */
  append(records: readonly JournalRecord[]): void {
    if (records.length === 0) return;
    // A leading newline isolates these records from a torn line a crashed writer may have left.
    writeSync(this.fd, '\n' + records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    fsyncSync(this.fd);
  }

  /** Close the file (a second close does nothing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
