// A node's `files:` and `exec:` after the host is consulted: sources checked and hashed through a
// read-only host view the caller passes (lab/load.ts gives the real one), so model/ stays pure
// and every problem is a located issue before anything is built. Without a host view (a lab's
// saved copy, which has no directory) sources are neither checked nor hashed.
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { IssueCode } from '../topology/issues.js';
import type { IssueSink } from '../topology/issues.js';
import type { ExecRaw, FileRaw, TopologyRaw } from '../topology/raw.js';
import { quote } from '../topology/text.js';
import type { ExecStep, NodeFile } from './types.js';

/** What the model may know of the host: read-only, injected by the caller. */
export interface HostView {
  /** The lab file's directory (absolute): `source:` paths are relative to it. */
  readonly dir: string;
  /** What is at an absolute path, following symbolic links; undefined when nothing is. */
  stat(path: string): 'file' | 'dir' | 'other' | undefined;
  /** The bytes of a regular file. */
  read(path: string): Uint8Array;
}

/** The default mode of a file entry and of a directory entry. */
export const FILE_MODE = 0o644;
export const DIR_MODE = 0o755;
/** The default time an exec step may run. */
export const EXEC_TIMEOUT_MS = 60_000;

const STAT_WORD = { dir: 'a directory', other: 'not a regular file or directory', file: 'a regular file' } as const;

/** What checkFiles read: each source file's absolute path and the SHA-256 of its bytes. */
export interface HostFiles {
  readonly dir: string;
  readonly hashes: ReadonlyMap<string, string>;
}

/**
 * Report sources that are no regular file (or cannot be read) and binds that are no directory on
 * the host; hash every source read. Undefined without a host view.
 */
export function checkFiles(raw: TopologyRaw, host: HostView | undefined, sink: IssueSink): HostFiles | undefined {
  if (!host) return undefined;
  const hashes = new Map<string, string>();
  for (const n of raw.nodes.values()) {
    for (const f of n.files) {
      const what = `node ${quote(n.name)}: file ${quote(f.path.value)}`;
      if (f.what.kind === 'source') {
        const abs = posix.join(host.dir, f.what.source.value);
        const st = host.stat(abs);
        if (st !== 'file') {
          const is = st === undefined ? 'does not exist' : `is ${STAT_WORD[st]}`;
          sink.error(f.what.source.span, IssueCode.BadValue, `${what}: source ${abs} ${is}; a source is a regular file beside the lab file`);
        } else if (!hashes.has(abs)) {
          try {
            hashes.set(abs, contentHash(host.read(abs)));
          } catch (e) {
            const code = (e as { code?: unknown }).code;
            sink.error(f.what.source.span, IssueCode.BadValue, `${what}: source ${abs} cannot be read (${typeof code === 'string' ? code : String(e)})`);
          }
        }
      } else if (f.what.kind === 'bind') {
        const st = host.stat(f.what.bind.value);
        if (st !== 'dir') {
          const is = st === undefined ? 'does not exist' : `is ${STAT_WORD[st]}`;
          sink.error(f.what.bind.span, IssueCode.BadValue, `${what}: bind ${f.what.bind.value} ${is}; a bind is an existing host directory`);
        }
      }
    }
  }
  return { dir: host.dir, hashes };
}

/** SHA-256 of bytes, hex. */
export function contentHash(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The node's files, resolved: defaults filled, sources made absolute and hashed (when the host was read). */
export function resolveFiles(files: readonly FileRaw[], host: HostFiles | undefined): NodeFile[] {
  return files.map((f) => {
    const owner = f.owner === undefined ? {} : { owner: f.owner };
    const base = { path: f.path.value, span: f.span };
    switch (f.what.kind) {
      case 'content':
        return { ...base, kind: 'file', mode: f.mode ?? FILE_MODE, ...owner, content: f.what.content, hash: contentHash(f.what.content) };
      case 'source': {
        const from = f.what.source.value;
        const source = host ? posix.join(host.dir, from) : undefined;
        const hash = source === undefined ? undefined : host?.hashes.get(source);
        const read = source === undefined || hash === undefined ? {} : { source, hash };
        return { ...base, kind: 'file', mode: f.mode ?? FILE_MODE, ...owner, from, ...read };
      }
      case 'dir':
        return { ...base, kind: 'dir', mode: f.mode ?? DIR_MODE, ...owner };
      case 'bind':
        return { ...base, kind: 'bind', source: f.what.bind.value, writable: f.what.writable };
    }
  });
}

/**
 * The node's exec steps with their identities: the hash of what the step does (command, user,
 * env, when it runs; not its timeout), so a later `up` re-runs only steps that changed. Equal
 * steps of one node get `-2`, `-3`... in order, so every id is unique in the node.
 */
export function resolveExec(steps: readonly ExecRaw[]): ExecStep[] {
  const seen = new Map<string, number>();
  return steps.map((s) => {
    const when = s.afterProcesses ? 'after-processes' : 'before-processes';
    const env = s.env === undefined ? undefined : Object.fromEntries(Object.entries(s.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const hash = contentHash(JSON.stringify({ command: s.command, when, user: s.user ?? null, env: env ?? null })).slice(0, 16);
    const n = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, n);
    return {
      id: n === 1 ? hash : `${hash}-${n}`,
      command: s.command,
      when,
      ...(s.user === undefined ? {} : { user: s.user }),
      ...(env === undefined ? {} : { env }),
      timeoutMs: s.timeoutMs ?? EXEC_TIMEOUT_MS,
      span: s.span,
    };
  });
}
