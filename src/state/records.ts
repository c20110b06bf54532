// The journal's on-disk contract: one JSON record per line, its types, its version and the ONE
// parser that down, clean, up and leftovers read it with. A journal outlives the nslab that wrote
// it (a lab built by the previous version must still go down), so its records are their own types,
// not the kernel port's: `JournalOp` mirrors KernelOp's fields today, and the compile-time checks
// at the bottom break the build the day the two diverge, so that a converter is written instead of
// a silent change of what old journals mean.
//
// Versions: the meta record (the first line) carries `v`. Version 1 is the format written since the
// journal exists; version 2 adds setup-step records (`step`) and namespace holders (`proc` records
// with `holder: true`), which version 1 readers would take for damage. Both are read; version 2 is
// written, so an older nslab refuses a new lab's journal in one clear line. A journal of a newer version is refused as a whole (its records may mean what this
// nslab cannot know); a record that does not validate is a damaged line, never a cast.
// Validation is hand-written typeof checks: a 1000-node lab's journal has ~20k records and every
// verb reads it; they add about 1 ms to the ~20 ms JSON.parse of such a journal.
import type { KernelOp, NsRef } from '../port/kernel.js';
import { NslabError } from '../util/errors.js';

/** The journal format this nslab writes, and the newest it reads. */
export const JOURNAL_VERSION = 2;

/** The lab-wide facts recorded when the journal is started. */
export interface JournalMeta {
  readonly lab: string;
  /** The --host-netns the lab was built with, if any: down must use the same. */
  readonly hostNetns?: string;
  /** The topology file as given, absolute. */
  readonly file: string;
}

/** A veth's far end as journaled. */
interface JournalPeer {
  readonly ns: NsRef;
  readonly name: string;
  readonly index?: number;
  readonly mtu?: number;
}

/**
 * An operation as journaled in an `own` record (what was created) or planned. Field meanings are
 * those of KernelOp (port/kernel.ts) at version 1; changing one here changes the file format.
 */
export type JournalOp =
  | { readonly op: 'netns.create'; readonly name: string; readonly group?: string }
  | { readonly op: 'netns.delete'; readonly name: string; readonly group?: string }
  | { readonly op: 'netns.attach'; readonly name: string; readonly pid: number }
  | { readonly op: 'netns.detach'; readonly name: string }
  | {
      readonly op: 'link.create';
      readonly kind: 'bridge';
      readonly ns: NsRef;
      readonly name: string;
      readonly alias?: string;
      readonly ipv6: boolean;
      readonly up: boolean;
    }
  | {
      readonly op: 'link.create';
      readonly kind: 'veth';
      readonly ns: NsRef;
      readonly name: string;
      readonly index?: number;
      readonly mtu?: number;
      readonly mac?: string;
      readonly ipv6: boolean;
      readonly up: boolean;
      readonly peer: JournalPeer;
    }
  | {
      readonly op: 'link.set';
      readonly ns: NsRef;
      readonly name: string;
      readonly up?: boolean;
      readonly master?: string;
      readonly alias?: string;
      readonly ipv6?: false;
    }
  | {
      readonly op: 'link.create';
      readonly kind: 'vxlan';
      readonly ns: NsRef;
      readonly name: string;
      readonly vni: number;
      readonly port: number;
      readonly local?: string;
      readonly dev?: string;
      /** A point-to-point tunnel's far end, its socket's namespace and its MAC (a peer: link between machines). */
      readonly remote?: string;
      readonly underlay?: NsRef;
      readonly mac?: string;
      readonly mtu?: number;
      readonly alias?: string;
      readonly ipv6: boolean;
      readonly up: boolean;
    }
  | { readonly op: 'fdb.append' | 'fdb.delete'; readonly ns: NsRef; readonly dev: string; readonly dst: string }
  | { readonly op: 'link.delete'; readonly ns: NsRef; readonly name: string }
  | { readonly op: 'addr.add' | 'addr.delete'; readonly ns: NsRef; readonly dev: string; readonly cidr: string }
  | { readonly op: 'route.add' | 'route.delete'; readonly ns: NsRef; readonly to: string; readonly via?: string; readonly dev?: string }
  | { readonly op: 'sysctl.set'; readonly ns: NsRef; readonly key: string; readonly value: string }
  | { readonly op: 'nft.load'; readonly ns: NsRef; readonly table: string; readonly script: string }
  | { readonly op: 'nft.delete'; readonly ns: NsRef; readonly table: string };

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
  /**
   * The namespace holder of an isolated node (named HOLDER_NAME, which no process name can be): the
   * process that owns the node's pid/mount/uts namespaces, which the node's processes and `exec`
   * join. Stopped after the node's processes. An older nslab takes it for a process and stops it too.
   */
  readonly holder?: boolean;
}

/** The name a namespace holder is journaled under (process names start with a letter). */
export const HOLDER_NAME = '@holder';

/**
 * The lab's log keeper: the detached process that reads its processes' output pipes and writes
 * their capped log files. Stopped by `down` after the processes, by PID and start time.
 */
export interface KeeperRecord {
  readonly pid: number;
  readonly start: number;
}

/** One journal line. */
export type JournalRecord =
  | ({ readonly t: 'meta'; readonly v: number } & JournalMeta)
  | { readonly t: 'own'; readonly id: string; readonly op: JournalOp; readonly prev?: string }
  | { readonly t: 'drop'; readonly id: string }
  | ({ readonly t: 'proc' } & ProcRecord)
  | { readonly t: 'proc-gone'; readonly pid: number }
  /**
   * A declared process failed to start (exited, or was not ready in time and was stopped): the lab
   * is partial until a later `proc` record of the same node and name says it was started again.
   */
  | { readonly t: 'proc-failed'; readonly node: string; readonly name: string; readonly why: string }
  /**
   * A node's setup step (`exec:`) succeeded: `key` is its id and the namespaces it ran in
   * (lab/node-setup.ts stepKey), so a later up runs it again only when either changed.
   */
  | { readonly t: 'step'; readonly node: string; readonly key: string }
  /** The lab's log keeper (lab/log-keeper.ts) was started / is known to be stopped. */
  | ({ readonly t: 'keeper' } & KeeperRecord)
  | { readonly t: 'keeper-gone'; readonly pid: number }
  /**
   * The lab was fully built from the topology text with this model key (lab/model-cache.ts) and
   * nothing was changed since: the next up may trust the journal for what that text built.
   */
  | { readonly t: 'converged'; readonly key: string };

/** How a journal's text reads. 'ok' tolerates one torn last line (a crash mid-write, which down handles). */
export type JournalHealth = 'ok' | 'damaged' | 'empty' | 'newer';

/** A journal's text, parsed. */
export interface ParsedJournal {
  /** The records that validate, in file order. */
  readonly records: JournalRecord[];
  /** Lines that do not parse or validate, the torn last line included. */
  readonly damaged: number;
  /**
   * 'empty' without records; 'damaged' with a bad line other than a torn last one or without the
   * meta record every journal starts with; 'newer' when written by a newer nslab (`version`).
   */
  readonly health: JournalHealth;
  /** The newer format version, when health is 'newer'. */
  readonly version?: number;
}

// ---- validation: hand-written guards, each a few typeof checks ----

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): x is string => typeof x === 'string';
const int = (x: unknown): x is number => Number.isSafeInteger(x);
const optStr = (x: unknown): boolean => x === undefined || typeof x === 'string';
const optInt = (x: unknown): boolean => x === undefined || Number.isSafeInteger(x);
const optBool = (x: unknown): boolean => x === undefined || typeof x === 'boolean';
const bool = (x: unknown): x is boolean => typeof x === 'boolean';

/** Whether a value is a JournalOp of format version 1. */
export function isJournalOp(o: unknown): o is JournalOp {
  if (!isObj(o)) return false;
  switch (o['op']) {
    case 'netns.create':
    case 'netns.delete':
      return str(o['name']) && optStr(o['group']);
    case 'netns.attach':
      return str(o['name']) && int(o['pid']);
    case 'netns.detach':
      return str(o['name']);
    case 'link.create': {
      if (!str(o['ns']) || !str(o['name']) || !bool(o['ipv6']) || !bool(o['up'])) return false;
      if (o['kind'] === 'bridge') return optStr(o['alias']);
      if (o['kind'] === 'vxlan') {
        return (
          int(o['vni']) &&
          int(o['port']) &&
          optStr(o['local']) &&
          optStr(o['dev']) &&
          optInt(o['mtu']) &&
          optStr(o['alias']) &&
          optStr(o['remote']) &&
          optStr(o['underlay']) &&
          optStr(o['mac'])
        );
      }
      const p = o['peer'];
      return (
        o['kind'] === 'veth' &&
        optInt(o['index']) &&
        optInt(o['mtu']) &&
        optStr(o['mac']) &&
        isObj(p) &&
        str(p['ns']) &&
        str(p['name']) &&
        optInt(p['index']) &&
        optInt(p['mtu'])
      );
    }
    case 'link.set':
      return (
        str(o['ns']) && str(o['name']) && optBool(o['up']) && optStr(o['master']) && optStr(o['alias']) && (o['ipv6'] === undefined || o['ipv6'] === false)
      );
    case 'link.delete':
      return str(o['ns']) && str(o['name']);
    case 'addr.add':
    case 'addr.delete':
      return str(o['ns']) && str(o['dev']) && str(o['cidr']);
    case 'route.add':
    case 'route.delete':
      return str(o['ns']) && str(o['to']) && optStr(o['via']) && optStr(o['dev']);
    case 'sysctl.set':
      return str(o['ns']) && str(o['key']) && str(o['value']);
    case 'nft.load':
      return str(o['ns']) && str(o['table']) && str(o['script']);
    case 'nft.delete':
      return str(o['ns']) && str(o['table']);
    case 'fdb.append':
    case 'fdb.delete':
      return str(o['ns']) && str(o['dev']) && str(o['dst']);
    default:
      return false;
  }
}

/** Whether a value is a journal record of format version 1 (a meta record of any version). */
export function isJournalRecord(r: unknown): r is JournalRecord {
  if (!isObj(r)) return false;
  switch (r['t']) {
    case 'own':
      return str(r['id']) && isJournalOp(r['op']) && optStr(r['prev']);
    case 'drop':
      return str(r['id']);
    case 'meta':
      return int(r['v']) && (r['v'] as number) >= 1 && str(r['lab']) && str(r['file']) && optStr(r['hostNetns']);
    case 'proc': {
      const outer = r['outer'];
      return (
        str(r['node']) &&
        str(r['name']) &&
        int(r['pid']) &&
        int(r['start']) &&
        str(r['spec']) &&
        optBool(r['adhoc']) &&
        optBool(r['holder']) &&
        (outer === undefined || (isObj(outer) && int(outer['pid']) && int(outer['start'])))
      );
    }
    case 'proc-gone':
    case 'keeper-gone':
      return int(r['pid']);
    case 'proc-failed':
      return str(r['node']) && str(r['name']) && str(r['why']);
    case 'keeper':
      return int(r['pid']) && int(r['start']);
    case 'step':
      return str(r['node']) && str(r['key']);
    case 'converged':
      return str(r['key']);
    default:
      return false;
  }
}

// ---- the parser ----

/**
 * Parse a journal's text. A final line without its newline is a write torn by a crash: skipped
 * (and counted as damage) without making the journal 'damaged'. Never throws: a newer version is
 * reported as health 'newer' (readers that act on the journal call refuseNewer).
 */
export function parseJournal(text: string): ParsedJournal {
  const all = text.split('\n');
  const tornAt = all.length > 0 && all[all.length - 1] !== '' ? all.length - 1 : -1;
  const lines: string[] = [];
  let torn = false;
  for (let i = 0; i < all.length; i++) {
    const l = all[i]!;
    if (l.trim() === '') continue;
    lines.push(l);
    if (i === tornAt) torn = true;
  }
  // One parse of all lines as an array is several times faster than one per line (a big lab's
  // journal has thousands); a line that is not JSON makes it fail, and then lines go one by one.
  let values: unknown[] | undefined;
  try {
    values = JSON.parse(`[${lines.join(',')}]`) as unknown[];
    // `1,2` on one line would parse as two values: the array is only trusted line for line.
    if (values.length !== lines.length) values = undefined;
  } catch {
    values = undefined;
  }
  const parsed =
    values ??
    lines.map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return undefined;
      }
    });
  const records: JournalRecord[] = [];
  let damaged = 0;
  let badBeforeEnd = false;
  let meta = false;
  for (let i = 0; i < parsed.length; i++) {
    const v = parsed[i];
    // The version first: a newer meta record need not validate as ours.
    if (isObj(v) && v['t'] === 'meta' && int(v['v']) && v['v'] > JOURNAL_VERSION) return { records: [], damaged: 0, health: 'newer', version: v['v'] };
    if (!isJournalRecord(v)) {
      damaged++;
      if (!(torn && i === parsed.length - 1)) badBeforeEnd = true;
      continue;
    }
    if (v.t === 'meta') meta = true;
    records.push(v);
  }
  const health: JournalHealth = records.length === 0 && !badBeforeEnd ? 'empty' : badBeforeEnd || !meta ? 'damaged' : 'ok';
  return { records, damaged, health };
}

/** The one-line refusal of a journal written by a newer nslab (exit 1). */
export function newerJournalError(path: string, version: number): NslabError {
  return new NslabError(
    'journal-newer',
    `journal ${path} was written by a newer nslab (version ${version}); use that version to take the lab down, or \`nslab clean\``,
    1,
  );
}

// ---- the contract with the kernel port, checked by the compiler ----

/**
 * A planned KernelOp as journaled. Today the identity: the assignment below stops compiling when
 * KernelOp changes a field, and this is where the conversion to the on-disk shape then goes.
 */
export function journalOp(op: KernelOp): JournalOp {
  // A qdisc is a setting of a link nslab owns: it goes with the link, and a plan puts it back to
  // the default by diffing live qdiscs, so it is never an owned record (version 1 has no shape for it).
  if (op.op === 'qdisc.replace' || op.op === 'qdisc.delete') throw new Error(`${op.op} is not journaled`);
  return op;
}

/** A journaled op as the KernelOp that replays or undoes it (version 1: the same fields). */
export function kernelOp(op: JournalOp): KernelOp {
  return op;
}
