// `ps` and `which`: the processes living in each node of a lab (found by the network namespace
// inode each process points at in /proc/PID/ns/net), and the lab and node a given process is in.
// Read-only: nothing here changes a namespace or signals a process.
import type { ProcInfo } from '../port/procfs.js';
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import { systemOf, type SystemOption } from './kernel.js';
import { labJournal, listLabs } from '../state/store.js';
import { NslabError, isNslabError } from '../util/errors.js';
import { loadLab } from './load.js';
import { keeperStatus } from './log-keeper.js';

export type { ProcInfo } from '../port/procfs.js';

/** The processes of one node; `present: false` when its namespace is missing. */
export interface PsNode {
  readonly name: string;
  readonly netns: string;
  readonly present: boolean;
  /** The namespace inode (net:[INODE]), when present. */
  readonly inode?: number;
  readonly processes: readonly ProcInfo[];
}

/** The processes of one lab, node by node. */
export interface PsLab {
  readonly lab: string;
  readonly nodes: readonly PsNode[];
  /** The lab's log keeper (host namespace, so in no node), when its journal records one. */
  readonly logKeeper?: { readonly state: 'running' | 'dead'; readonly pid: number };
}

/** What `ps` returns. */
export interface PsResult {
  readonly labs: readonly PsLab[];
  /** Processes whose namespace could not be read (only when not running as root). */
  readonly unreadable: number;
}

/** Where `which` found a process. */
export interface Located {
  readonly pid: number;
  readonly lab: string;
  readonly node: string;
  readonly netns: string;
  readonly inode: number;
  readonly command?: string;
}

interface NodeRef {
  readonly lab: string;
  readonly node: string;
  readonly netns: string;
}

/** Processes per node of one lab, or of every lab on this host when no lab is given. */
export async function ps(opts: { readonly state: StateRoot; readonly lab?: string } & SystemOption): Promise<PsResult> {
  const root = opts.state;
  const sys = await systemOf(opts);
  const refs = opts.lab === undefined ? listLabs(root).flatMap((l) => labNodes(root, l, true)) : labNodes(root, opts.lab, false);
  const inodes = new Map(refs.map((r) => [r.netns, sys.proc.netnsInode(r.netns)] as const));
  const { byNetns, unreadable } = sys.proc.scanNetns(new Set([...inodes.values()].filter((i) => i !== undefined)));
  const labs = new Map<string, PsNode[]>();
  for (const r of refs) {
    const inode = inodes.get(r.netns);
    const processes = inode === undefined ? [] : [...(byNetns.get(inode) ?? [])].sort((a, b) => a.pid - b.pid);
    const node: PsNode = { name: r.node, netns: r.netns, present: inode !== undefined, ...(inode === undefined ? {} : { inode }), processes };
    labs.set(r.lab, [...(labs.get(r.lab) ?? []), node]);
  }
  if (opts.lab !== undefined && !labs.has(opts.lab)) labs.set(opts.lab, []);
  return { labs: [...labs].map(([lab, nodes]) => ({ lab, nodes, ...keeperOf(root, sys, lab) })), unreadable };
}

function keeperOf(root: StateRoot, sys: System, lab: string): Pick<PsLab, 'logKeeper'> {
  const k = keeperStatus(root, sys, lab);
  return k.state === 'none' || k.pid === undefined ? {} : { logKeeper: { state: k.state, pid: k.pid } };
}

/** The lab and node a process is in; NslabError (exit 1) when there is no such process or it is in none. */
export async function which(opts: { readonly state: StateRoot; readonly pid: number } & SystemOption): Promise<Located> {
  const root = opts.state;
  const { pid } = opts;
  const sys = await systemOf(opts);
  const inode = netnsOfPidOrRefuse(sys, pid);
  if (inode === undefined) throw new NslabError('no-process', `no process ${pid}`, 1);
  for (const r of listLabs(root).flatMap((l) => labNodes(root, l, true))) {
    if (sys.proc.netnsInode(r.netns) !== inode) continue;
    const command = sys.proc.inspect(pid)?.command;
    return { pid, lab: r.lab, node: r.node, netns: r.netns, inode, ...(command === undefined ? {} : { command }) };
  }
  const named = [...sys.proc.namedNetns()].find(([, ino]) => ino === inode)?.[0];
  const where = `net:[${inode}]${named ? ` (named netns ${named})` : ''}`;
  throw new NslabError(
    'not-in-lab',
    `process ${pid} is not in any nslab lab (its network namespace is ${where}, the host's is net:[${sys.proc.ownNetns()}])`,
    1,
  );
}

/** netnsOfPid, with "not allowed to look" turned into an error the user can act on. */
function netnsOfPidOrRefuse(sys: System, pid: number): number | undefined {
  try {
    return sys.proc.netnsOfPid(pid);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code !== 'EACCES' && code !== 'EPERM') throw e;
    const hint = process.getuid?.() === 0 ? 'it belongs to another user namespace or is not dumpable' : 'run as root';
    throw new NslabError('cannot-inspect', `process ${pid} cannot be inspected: reading /proc/${pid}/ns/net was refused (${code}; ${hint})`, 1);
  }
}

/** A PID given on the command line; NslabError (exit 2) unless it is a positive whole number. */
export function parsePid(text: string): number {
  const pid = /^[1-9]\d{0,9}$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(pid) || pid > 4194304) {
    throw new NslabError('bad-pid', `"${text}" is not a process ID: give a positive whole number, as ps shows (at most 4194304)`, 2);
  }
  return pid;
}

/**
 * The nodes of a lab: from its saved topology, or (when listing every lab and a copy is missing
 * or unreadable) from the namespaces its journal says it created.
 */
function labNodes(root: StateRoot, lab: string, lenient: boolean): NodeRef[] {
  try {
    return [...loadLab(root, lab).topology.nodes.values()].map((n) => ({ lab, node: n.name, netns: n.netns }));
  } catch (e) {
    if (!lenient || !isNslabError(e)) throw e;
    const prefix = `${lab}-`;
    return [...labJournal(root, lab).owned.values()].flatMap((r) =>
      r.op.op === 'netns.create' || r.op.op === 'netns.attach'
        ? [{ lab, node: r.op.name.startsWith(prefix) ? r.op.name.slice(prefix.length) : r.op.name, netns: r.op.name }]
        : [],
    );
  }
}
