// What `up` does in a node between its network and its processes: place its files in its own mount
// namespace (through the holder, lab/files-script.ts) and run its one-shot setup steps. Files are
// staged under the lab's state directory first (removed with it by `down`); their placement dies
// with the holder's mount namespace, so a change of files makes the node's namespaces again.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecStep, NodeFile } from '../model/types.js';
import type { Isolation } from '../port/processes.js';
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import { removeStatePath, stateDir, writeStateFile } from '../state/root.js';
import { labPaths } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { type Placement, placementScript } from './files-script.js';

/** One entry of a node's files: the model's NodeFile, without where the file declared it. */
export type FileEntry = NodeFile extends infer F ? (F extends NodeFile ? Omit<F, 'span'> : never) : never;

/** One setup step: the model's ExecStep, without where the file declared it. */
export type StepEntry = Omit<ExecStep, 'span'>;

/** The node as the runtime sees it. */
export interface SetupNode {
  readonly name: string;
  readonly netns: string;
  readonly isolate: Isolation;
}

/** How long placing a node's files may take. */
const PLACE_MS = 30_000;
/** Lines of a step's output a failure message quotes. */
const TAIL_LINES = 20;

const PATH = process.env['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Key of a node's files: what they are (by content hash, not content), so a change is seen. A
 * source's bytes are hashed again here: a model from the cache (same lab text) has the hash the
 * file had when the text was first loaded.
 */
export function filesKey(files: readonly FileEntry[], hashOf: (path: string) => string | undefined = sourceHash): string {
  return JSON.stringify(
    files.map((f) =>
      f.kind === 'file'
        ? {
            kind: f.kind,
            path: f.path,
            mode: f.mode,
            owner: f.owner ?? null,
            hash: (f.source === undefined ? undefined : hashOf(f.source)) ?? f.hash ?? f.from ?? null,
          }
        : f.kind === 'dir'
          ? { kind: f.kind, path: f.path, mode: f.mode, owner: f.owner ?? null }
          : { kind: f.kind, path: f.path, source: f.source, writable: f.writable },
    ),
  );
}

function sourceHash(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/** The directory a node's files are staged in: /run/nslab/<lab>/files/<node>. */
export function stageDir(root: StateRoot, lab: string, node: string): string {
  return join(labPaths(root, lab).dir, 'files', node);
}

/** Stage the node's files and place them in the mount namespace of its holder; fails up with the script's output. */
export async function placeFiles(root: StateRoot, sys: System, lab: string, node: SetupNode, files: readonly FileEntry[], holder: number): Promise<void> {
  if (files.length === 0) return;
  const dir = stageDir(root, lab, node.name);
  stateDir(root, join(labPaths(root, lab).dir, 'files'), true);
  // What an earlier holder placed went with its mount namespace: stage afresh.
  removeStatePath(root, dir);
  stateDir(root, dir, true);
  const mnt = join(dir, 'mnt');
  stateDir(root, mnt, true);
  const placements: Placement[] = files.map((f, i) => {
    if (f.kind !== 'file') return f;
    const staged = join(dir, String(i));
    const bytes = f.content !== undefined ? f.content : readSource(node, f);
    writeStateFile(root, staged, bytes, 0o600);
    return { kind: 'file', path: f.path, staged, mode: f.mode, ...(f.owner === undefined ? {} : { owner: f.owner }) };
  });
  const r = await sys.processes.run({
    netns: node.netns,
    isolate: node.isolate,
    join: holder,
    command: ['sh', '-c', placementScript(placements), 'nslab-files', mnt],
    env: { PATH },
    timeoutMs: PLACE_MS,
  });
  if (r.code === 0) return;
  throw new NslabError('setup-failed', `node ${node.name}: could not place its files (${ended(r)}):\n${tail(r.output)}`, 1);
}

function readSource(node: SetupNode, f: Extract<FileEntry, { kind: 'file' }>): Uint8Array {
  if (f.source === undefined) throw new NslabError('setup-failed', `node ${node.name}: file ${f.path}: its source ${f.from ?? ''} was not read`, 1);
  try {
    return readFileSync(f.source);
  } catch (e) {
    throw new NslabError('setup-failed', `node ${node.name}: file ${f.path}: cannot read ${f.source} (${(e as { code?: string }).code ?? String(e)})`, 1);
  }
}

/**
 * The key a step is journaled under once it succeeded: its id and what it ran in (the node's
 * holder, whose namespaces and files a new holder replaces), so a step runs again exactly when it
 * changed or its node's namespaces were made again.
 */
export function stepKey(step: StepEntry, holder: { pid: number; start: number } | undefined): string {
  return holder === undefined ? step.id : `${step.id}@${holder.pid}.${holder.start}`;
}

/** Run the node's steps of one phase that have not run (by key), in order; resolves to the keys run. A failure fails up with the output's tail. */
export async function runSteps(
  sys: System,
  node: SetupNode,
  steps: readonly StepEntry[],
  when: StepEntry['when'],
  holder: { pid: number; start: number } | undefined,
  done: ReadonlySet<string>,
  ran: (key: string) => void,
): Promise<number> {
  let n = 0;
  for (const [i, s] of steps.entries()) {
    if (s.when !== when) continue;
    const key = stepKey(s, holder);
    if (done.has(key)) continue;
    const r = await sys.processes.run({
      netns: node.netns,
      isolate: node.isolate,
      ...(holder === undefined ? {} : { join: holder.pid }),
      ...(s.user === undefined ? {} : { user: s.user }),
      command: s.command,
      env: { PATH, HOME: '/root', ...(s.env ?? {}) },
      timeoutMs: s.timeoutMs,
    });
    if (r.code !== 0 || r.timedOut) {
      throw new NslabError(
        'setup-failed',
        `node ${node.name}: exec step ${i + 1} (${s.command.join(' ')}) ${r.timedOut ? `did not finish within ${s.timeoutMs / 1000} s` : ended(r)}; its output:\n${tail(r.output)}`,
        1,
      );
    }
    ran(key);
    n++;
  }
  return n;
}

function ended(r: { code: number | null; signal: string | null; error?: string }): string {
  if (r.error !== undefined) return `could not start: ${r.error}`;
  return r.signal ? `was killed by ${r.signal}` : `exited with status ${r.code}`;
}

function tail(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const last = lines.slice(-TAIL_LINES).map((l) => `  ${l.length > 300 ? `${l.slice(0, 300)} ...` : l}`);
  return last.length === 0 ? '  (no output)' : last.join('\n');
}
