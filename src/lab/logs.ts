// `logs`: the output of a node's processes, from their log files under the lab's state directory
// (/run/nslab/<lab>/logs/<node>.<process>.log); `follow` keeps printing what is appended until
// the signal (Ctrl-C) aborts it. A node's processes are the declared ones and those `nslab run`
// started (from the journal, and from their log files once the journal no longer lists them).
import { closeSync, constants, fstatSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { listStateDir, openStateFile } from '../state/root.js';
import { labJournal, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadLab } from './load.js';

/** Options of `logs`. */
export interface LogsOptions {
  readonly lab: string;
  readonly node: string;
  /** One process; all of the node's when absent. */
  readonly process?: string;
  readonly follow?: boolean;
  /** Where text goes (default stdout). */
  readonly write?: (text: string) => void;
  /** Ends a follow (default: SIGINT). */
  readonly signal?: AbortSignal;
  /** How often a follow looks for new output, ms (default 200). */
  readonly pollMs?: number;
}

/**
 * The log files to show: [process name, path]; declared processes in declaration order, then
 * ad-hoc ones (`nslab run`) in start order, then any other log file of the node (an ad-hoc
 * process stopped since: its output is still worth reading).
 */
export function logFiles(lab: string, node: string, process?: string): Array<[string, string]> {
  const { topology } = loadLab(lab);
  const n = topology.nodes.get(node);
  if (!n) throw new NslabError('no-node', `lab ${lab} has no node ${node} (nodes: ${[...topology.nodes.keys()].join(', ')})`, 2);
  const adhoc = [...labJournal(lab).procs.values()].filter((r) => r.node === node).map((r) => r.name);
  const names = [...new Set([...n.processes.map((p) => p.name), ...adhoc, ...loggedProcesses(lab, node)])];
  if (names.length === 0) throw new NslabError('no-process', `node ${node} of lab ${lab} runs no processes`, 2);
  if (process !== undefined && !names.includes(process)) {
    throw new NslabError('no-process', `node ${node} of lab ${lab} has no process ${process} (processes: ${names.join(', ')})`, 2);
  }
  return (process === undefined ? names : [process]).map((p) => [p, logPath(lab, node, p)]);
}

/** Names of the processes with a log file in the lab's log directory for this node, sorted. */
function loggedProcesses(lab: string, node: string): string[] {
  let files: string[];
  try {
    files = listStateDir(dirname(logPath(lab, node, 'x'))).map((d) => d.name);
  } catch {
    return [];
  }
  // Node names have no dots and process names neither, so `<node>.<process>.log` splits one way.
  return files.flatMap((f) => {
    const m = /^([^.]+)\.([^.]+)\.log$/.exec(f);
    return m && m[1] === node ? [m[2]!] : [];
  }).sort();
}

/** Print the logs (each under a `==> node.process <==` header when there are several); follow if asked. */
export async function logs(opts: LogsOptions): Promise<void> {
  const files = logFiles(opts.lab, opts.node, opts.process);
  const write = opts.write ?? ((t: string) => void process.stdout.write(t));
  const many = files.length > 1;
  const offsets = new Map<string, number>();
  let last: string | undefined;
  const drain = (name: string, path: string): void => {
    const from = offsets.get(path) ?? 0;
    let fd: number;
    try {
      fd = openStateFile(path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    let buf: Buffer;
    let size: number;
    try {
      size = fstatSync(fd).size;
      if (size < from) offsets.set(path, 0); // truncated: start over
      const start = offsets.get(path) ?? 0;
      buf = Buffer.alloc(Math.max(0, size - start));
      if (buf.length > 0) readSync(fd, buf, 0, buf.length, start);
    } finally {
      closeSync(fd);
    }
    if (buf.length === 0) return;
    offsets.set(path, size);
    if (many && last !== path) write(`${last === undefined ? '' : '\n'}==> ${opts.node}.${name} <==\n`);
    last = path;
    write(buf.toString('utf8'));
  };
  for (const [name, path] of files) drain(name, path);
  if (!opts.follow) return;
  const ctl = new AbortController();
  const stop = (): void => ctl.abort();
  const signal = opts.signal ?? ctl.signal;
  if (!opts.signal) process.once('SIGINT', stop);
  try {
    while (!signal.aborted) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, opts.pollMs ?? 200);
        signal.addEventListener('abort', () => { clearTimeout(t); r(); }, { once: true });
      });
      for (const [name, path] of files) drain(name, path);
    }
  } finally {
    process.off('SIGINT', stop);
  }
}
