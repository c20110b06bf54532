// The lab journal: an append-only JSON-lines file recording every object before it is created
// ("own") and after it is gone ("drop"), fsynced per batch. Replaying it gives the owned set that
// teardown undoes, also after a crash at any point. A torn last line (crash mid-write) is skipped.
import { closeSync, constants, fstatSync, fsyncSync, readSync, writeSync } from 'node:fs';
import { linkEnds, opNs } from '../ops/scope.js';
import type { KernelOp } from '../port/kernel.js';
import { kernelOp, newerJournalError, parseJournal, type JournalMeta, type JournalRecord, type KeeperRecord, type ProcRecord } from './records.js';
import { openStateFile, readStateFile, type StateRoot } from './root.js';

export type { JournalMeta, JournalRecord, KeeperRecord, ProcRecord } from './records.js';

/** An object the journal says the lab owns: the op that created it (and a host sysctl's old value). */
export interface OwnedEntry {
  readonly id: string;
  readonly op: KernelOp;
  readonly prev?: string;
}

/** What a journal says: the lab's facts and the objects it still owns, in creation order. */
export interface JournalState {
  readonly meta?: JournalMeta;
  readonly owned: Map<string, OwnedEntry>;
  /** Processes started and not known to be stopped, by PID, in start order. */
  readonly procs: Map<number, ProcRecord>;
  /** Lines that do not parse or validate (a torn write); reported, never fatal (down checks health first). */
  readonly damaged: number;
  /** The key of the text the lab was last fully built from, when no record came after it. */
  readonly converged?: string;
  /** Declared processes that failed to start and were not started since: `node.name` -> why. */
  readonly failed: Map<string, string>;
  /** The log keeper started and not known to be stopped. */
  readonly keeper?: KeeperRecord;
  /** Setup steps that succeeded, by node: their keys (lab/node-setup.ts stepKey). */
  readonly steps: Map<string, Set<string>>;
}

/**
 * Replay journal records into the owned set. Dropping a namespace drops everything inside it.
 * `from`: the state of the records before these (a journal read before and appended to since);
 * it is copied, not changed.
 */
export function replay(records: readonly JournalRecord[], from?: Omit<JournalState, 'damaged'>): Omit<JournalState, 'damaged'> {
  let meta: JournalMeta | undefined = from?.meta;
  const owned = new Map<string, OwnedEntry>(from?.owned);
  const procs = new Map<number, ProcRecord>(from?.procs);
  const failed = new Map<string, string>(from?.failed);
  const last = records[records.length - 1];
  const converged =
    last?.t === 'converged' ? { converged: last.key } : last === undefined && from?.converged !== undefined ? { converged: from.converged } : {};
  // Namespaces dropped: everything inside them goes too, in one pass at the end (not one scan of
  // the owned set per namespace, which is quadratic in a big lab's teardown).
  const doomed = new Set<string>();
  let keeper: KeeperRecord | undefined = from?.keeper;
  const steps = new Map<string, Set<string>>([...(from?.steps ?? [])].map(([k, v]) => [k, new Set(v)]));
  for (const r of records) {
    if (r.t === 'step') {
      steps.set(r.node, (steps.get(r.node) ?? new Set()).add(r.key));
      continue;
    }
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
      owned.set(r.id, { id: r.id, op: kernelOp(r.op), ...(r.prev === undefined ? {} : { prev: r.prev }) });
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
  return { ...(meta ? { meta } : {}), owned, procs, failed, steps, ...converged, ...(keeper ? { keeper } : {}) };
}

/** Drop everything inside the doomed namespaces, and addresses on the far ends of their veths. */
function flushDoomed(owned: Map<string, OwnedEntry>, doomed: Set<string>): void {
  const ends = new Set<string>();
  for (const v of owned.values()) if (v.op.op === 'link.create' && doomed.has(v.op.ns)) for (const e of linkEnds(v.op)) ends.add(e);
  for (const [k, v] of owned) {
    if (doomed.has(opNs(v.op)) || (v.op.op === 'addr.add' && ends.has(`${v.op.ns}:${v.op.dev}`))) owned.delete(k);
  }
  doomed.clear();
}

function dropCascading(owned: Map<string, OwnedEntry>, id: string): void {
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
export function readJournal(root: StateRoot, path: string): JournalState {
  const text = readStateFile(root, path)?.toString('utf8');
  if (text === undefined) return { owned: new Map(), procs: new Map(), failed: new Map(), steps: new Map(), damaged: 0 };
  const p = parseJournal(text);
  if (p.health === 'newer') throw newerJournalError(path, p.version ?? 0);
  return { ...replay(p.records), damaged: p.damaged };
}

/**
 * How far a journal was read: the file (inode and, where the filesystem keeps it, birth time: a
 * journal removed and made anew may get the same inode) and the bytes read, up to a whole line.
 */
export interface JournalMark {
  readonly ino: number;
  readonly born: number;
  readonly size: number;
}

/**
 * A journal read before, brought up to date by reading only what was appended since `prev.mark`
 * (a long-lived process keeps a big lab's journal this way: ~15 ms to read 1000 nodes' worth, a
 * few records' worth to catch up). A replaced or shorter file is read whole. Only whole lines are
 * taken: one still being written is read next time.
 */
export function readJournalSince(
  root: StateRoot,
  path: string,
  prev?: { readonly state: JournalState; readonly mark: JournalMark },
): { state: JournalState; mark: JournalMark } {
  let fd: number;
  try {
    fd = openStateFile(root, path, constants.O_RDONLY);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return { state: readJournal(root, path), mark: { ino: 0, born: 0, size: 0 } };
  }
  try {
    const st = fstatSync(fd);
    const same = prev !== undefined && prev.mark.ino === st.ino && prev.mark.born === st.birthtimeMs && st.size >= prev.mark.size;
    const from = same ? prev.mark.size : 0;
    const buf = Buffer.alloc(st.size - from);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, from + got);
      if (n === 0) break;
      got += n;
    }
    const end = buf.lastIndexOf(0x0a, got - 1) + 1;
    const mark = { ino: st.ino, born: st.birthtimeMs, size: from + end };
    if (same && end === 0) return { state: prev.state, mark: prev.mark };
    const p = parseJournal(buf.subarray(0, end).toString('utf8'));
    if (p.health === 'newer') throw newerJournalError(path, p.version ?? 0);
    if (!same) return { state: { ...replay(p.records), damaged: p.damaged }, mark };
    return { state: { ...replay(p.records, prev.state), damaged: prev.state.damaged + p.damaged }, mark };
  } finally {
    closeSync(fd);
  }
}

/** An open journal for appending. Each append is one write followed by fsync. */
export class JournalWriter {
  private readonly fd: number;
  private closed = false;

  constructor(
    readonly root: StateRoot,
    readonly path: string,
  ) {
    this.fd = openStateFile(root, path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
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
