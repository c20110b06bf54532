// What the state root holds, for `nslab clean`: every lab state directory with how its journal
// reads (and, when it reads at all, the namespaces and processes it records), and the lock files.
import { replay } from './journal.js';
import { parseJournal, type JournalHealth } from './records.js';
import { listStateDir, readStateFile, stateDir, type StateRoot } from './root.js';
import { labPaths } from './store.js';

/** A process a journal records, with its /proc start time. */
export interface FoundProc {
  readonly node: string;
  readonly name: string;
  readonly pid: number;
  readonly start: number;
}

/** One lab's state as found on disk. */
export interface FoundState {
  /** How its journal reads (the one parser down reads it with), or 'missing'. */
  readonly journal: JournalHealth | 'missing';
  /** Namespaces the journal still owns (created by the lab). */
  readonly netns: readonly string[];
  /** Processes the journal records as started and not stopped (also from a damaged journal's readable lines). */
  readonly procs: readonly FoundProc[];
}

/** The state of one lab, or undefined when it has no state directory. */
export function findState(root: StateRoot, lab: string): FoundState | undefined {
  const p = labPaths(root, lab);
  if (!stateDir(root, p.dir)) return undefined;
  const text = readStateFile(root, p.journal)?.toString('utf8');
  if (text === undefined) return { journal: 'missing', netns: [], procs: [] };
  const parsed = parseJournal(text);
  // A newer nslab's journal is not read at all: its records may mean what this one cannot know.
  if (parsed.health === 'newer') return { journal: 'newer', netns: [], procs: [] };
  const j = replay(parsed.records);
  const netns = [...j.owned.values()].flatMap((r) => (r.op.op === 'netns.create' ? [r.op.name] : []));
  const procs = [...j.procs.values()].map((r) => ({ node: r.node, name: r.name, pid: r.pid, start: r.start }));
  return { journal: parsed.health, netns, procs };
}

/** Every lab state directory under the state root (any name; the caller checks it is a lab name). */
export function stateDirs(root: StateRoot): string[] {
  return entries(root)
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Labs with a lock file `.lock-<lab>` in the state root. */
export function lockFiles(root: StateRoot): string[] {
  return entries(root)
    .filter((d) => d.isFile() && d.name.startsWith('.lock-'))
    .map((d) => d.name.slice('.lock-'.length))
    .sort();
}

function entries(root: StateRoot): import('node:fs').Dirent[] {
  return listStateDir(root, root.path);
}
