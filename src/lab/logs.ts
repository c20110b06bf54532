// `logs`: the output of a node's processes, from their log files under the lab's state directory
// (/run/nslab/<lab>/logs/<node>.<process>.log, and its rotated files <log>.1 ...), read in bounded
// chunks; `follow` keeps printing what is appended, across rotations, until the signal (Ctrl-C)
// aborts it. A node's processes are the declared ones and those `nslab run`
// started (from the journal, and from their log files once the journal no longer lists them).
import { listStateDir } from '../state/root.js';
import type { StateRoot } from '../state/root.js';
import { dirname } from 'node:path';
import { existingRotations, LogFollower, streamLog } from '../state/log-read.js';
import type { Sink } from '../state/log-read.js';
import { labJournal, logPath } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { loadLab } from './load.js';

/** Options of `logs`. */
export interface LogsOptions {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  readonly node: string;
  /** One process; all of the node's when absent. */
  readonly process?: string;
  readonly follow?: boolean;
  /** Where text goes (default stdout); a promise makes the reader wait for it. */
  readonly write?: Sink;
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
export function logFiles(root: StateRoot, lab: string, node: string, process?: string): Array<[string, string]> {
  const { topology } = loadLab(root, lab);
  const n = topology.nodes.get(node);
  if (!n) throw new NslabError('no-node', `lab ${lab} has no node ${node} (nodes: ${[...topology.nodes.keys()].join(', ')})`, 2);
  // Not the node's namespace holder: it writes no log.
  const adhoc = [...labJournal(root, lab).procs.values()].filter((r) => r.node === node && !r.holder).map((r) => r.name);
  const names = [...new Set([...n.processes.map((p) => p.name), ...adhoc, ...loggedProcesses(root, lab, node)])];
  if (names.length === 0) throw new NslabError('no-process', `node ${node} of lab ${lab} runs no processes`, 2);
  if (process !== undefined && !names.includes(process)) {
    throw new NslabError('no-process', `node ${node} of lab ${lab} has no process ${process} (processes: ${names.join(', ')})`, 2);
  }
  return (process === undefined ? names : [process]).map((p) => [p, logPath(root, lab, node, p)]);
}

/** Names of the processes with a log file in the lab's log directory for this node, sorted. */
function loggedProcesses(root: StateRoot, lab: string, node: string): string[] {
  let files: string[];
  try {
    files = listStateDir(root, dirname(logPath(root, lab, node, 'x'))).map((d) => d.name);
  } catch {
    return [];
  }
  // Node names have no dots and process names neither, so `<node>.<process>.log` splits one way.
  return files
    .flatMap((f) => {
      const m = /^([^.]+)\.([^.]+)\.log$/.exec(f);
      return m && m[1] === node ? [m[2]!] : [];
    })
    .sort();
}

/** Print the logs (each under a `==> node.process <==` header when there are several); follow if asked. */
export async function logs(opts: LogsOptions): Promise<void> {
  const root = opts.state;
  const files = logFiles(root, opts.lab, opts.node, opts.process);
  const ctl = new AbortController();
  const signal = opts.signal ?? ctl.signal;
  const write = opts.write ?? stdoutSink(signal);
  const many = files.length > 1;
  let last: string | undefined;
  // Said before a file's first output, and again when output switches to another file.
  const headed =
    (name: string, path: string): Sink =>
    async (text) => {
      if (many && last !== path) await write(`${last === undefined ? '' : '\n'}==> ${opts.node}.${name} <==\n`);
      last = path;
      await write(text);
    };
  // Read in bounded chunks, never a whole log: a chatty process's log is as big as its cap.
  const followers = files.map(([name, path]) => ({ sink: headed(name, path), path, f: new LogFollower(path) }));
  const stop = (): void => ctl.abort();
  if (!opts.signal) process.once('SIGINT', stop);
  try {
    for (const x of followers) {
      if (signal.aborted) break;
      // Without -f, everything kept: the rotated files (oldest first), then the log.
      if (opts.follow) await x.f.drain(x.sink);
      else await streamLog([...existingRotations(x.path), x.path], x.sink);
    }
    while (opts.follow && !signal.aborted) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, opts.pollMs ?? 200);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            r();
          },
          { once: true },
        );
      });
      for (const x of followers) if (!signal.aborted) await x.f.drain(x.sink);
    }
  } finally {
    for (const x of followers) x.f.close();
    process.off('SIGINT', stop);
  }
}

/** Write to stdout, waiting for it to drain (a pipe to a pager), or until aborted (the reader left). */
function stdoutSink(signal: AbortSignal): Sink {
  return async (text) => {
    if (process.stdout.write(text) || signal.aborted) return;
    await new Promise<void>((r) => {
      const done = (): void => {
        process.stdout.off('drain', done);
        signal.removeEventListener('abort', done);
        r();
      };
      process.stdout.once('drain', done);
      signal.addEventListener('abort', done, { once: true });
    });
  };
}
