// `exec`: run a command inside a node's namespace, argv as given (never through a shell),
// and hand back its exit status.
import { constants } from 'node:os';
import type { StateRoot } from '../state/root.js';
import { KernelError } from '../port/kernel.js';
import { installHint } from '../ops/missing.js';
import { NslabError } from '../util/errors.js';
import { loadLabLazy } from './load-lazy.js';
import { systemOf, type SystemOption } from './kernel.js';
import type { Isolation } from '../port/processes.js';
import type { System } from '../port/system.js';
import { isolationOf, requireHolder } from './processes.js';

/** Options of `exec`. */
export interface ExecOptions extends SystemOption {
  /** The state root, as the edge chose it (cli/ from NSLAB_STATE_DIR, the library entry from its options). */
  readonly state: StateRoot;
  readonly lab: string;
  readonly node: string;
  readonly argv: readonly string[];
}

/** Run argv in the node; resolves to the exit status to pass on (128+N when killed by signal N). */
export async function exec(opts: ExecOptions): Promise<number> {
  const { sys, where } = await inNode(opts, 'nothing to run: give a command after --');
  const r = await sys.processes.exec({ ...where, argv: opts.argv }).catch(notFound(opts));
  return r.code ?? 128 + signalNumber(r.signal);
}

/** Where argv runs: the node's netns, and its pid/mount/uts namespaces through their holder when isolated. */
async function inNode(
  opts: ExecOptions,
  usage: string,
): Promise<{ readonly sys: System; readonly where: { readonly netns: string; readonly isolate: Isolation; readonly join?: number } }> {
  const root = opts.state;
  const { topology } = await loadLabLazy(root, opts.lab);
  const node = topology.nodes.get(opts.node);
  if (!node) {
    const known = [...topology.nodes.keys()].join(', ');
    throw new NslabError('no-node', `lab ${opts.lab} has no node ${opts.node} (nodes: ${known})`, 2);
  }
  if (opts.argv.length === 0) throw new NslabError('usage', usage, 2);
  const sys = await systemOf(opts);
  const join = node.isolate.size > 0 ? requireHolder(root, sys, opts.lab, node) : undefined;
  return { sys, where: { netns: node.netns, isolate: isolationOf(node), ...(join === undefined ? {} : { join }) } };
}

/** A program missing in the node is exit 127 with a hint: nodes share the host's file system. */
function notFound(opts: ExecOptions): (e: unknown) => never {
  return (e) => {
    if (e instanceof KernelError && e.op === 'exec' && e.code === 'ENOENT') {
      const cmd = opts.argv[0] ?? '';
      throw new NslabError(
        'not-found',
        `${cmd}: command not found in node ${opts.node} (${installHint(cmd) ?? 'install it on the host, or give its full path'})`,
        127,
      );
    }
    throw e;
  };
}

function signalNumber(signal: string | null): number {
  return (signal && constants.signals[signal as keyof typeof constants.signals]) || 1;
}

/** Options of `execCapture`: those of `exec`, and what the command reads, how long it may run, where. */
export interface ExecCaptureOptions extends ExecOptions {
  /** Its stdin (empty when absent). */
  readonly input?: string | Uint8Array;
  /** Killed (SIGKILL) after this long; the result says `timedOut`. */
  readonly timeoutMs?: number;
  /** Each stream keeps at most this many bytes (default 64 MiB); the rest is dropped and `truncated` set. */
  readonly maxBytes?: number;
  /** Added to nslab's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** What `execCapture` returns: the exit status as `exec` gives it, and the output. */
export interface ExecCaptured {
  /** 128+N when killed by signal N. */
  readonly exitCode: number;
  /** The signal that ended it, or null. */
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly truncated: boolean;
  readonly timedOut: boolean;
}

/**
 * `exec` with the output captured instead of inherited (the library's exec): argv run in the
 * node, never through a shell; a non-zero exit is a result. Throws NslabError as `exec` does
 * (no-node, usage, not-found with exit status 127).
 */
export async function execCapture(opts: ExecCaptureOptions): Promise<ExecCaptured> {
  const { sys, where } = await inNode(opts, 'nothing to run: give a command');
  const r = await sys.processes
    .execCapture({
      ...where,
      argv: opts.argv,
      ...(opts.input === undefined ? {} : { input: opts.input }),
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
      ...(opts.maxBytes === undefined ? {} : { maxBytes: opts.maxBytes }),
      ...(opts.env === undefined ? {} : { env: opts.env }),
      ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    })
    .catch(notFound(opts));
  return {
    exitCode: r.code ?? 128 + signalNumber(r.signal),
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr,
    truncated: r.truncated,
    timedOut: r.timedOut,
  };
}
