// The state directory: /run/nslab/<lab>/ (NSLAB_STATE_DIR overrides /run/nslab) holding the
// journal and a copy of the topology file, so that `down NAME`, `show` and `exec` work without
// the original file. Lab names are validated before they get here, so paths cannot escape.
// Every file goes through state/root.ts: checked directories, no symlink followed.
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { ownerTag } from '../names/markers.js';
import { deserialize, serialize } from 'node:v8';
import { readJournal } from './journal.js';
import type { JournalState } from './journal.js';
import { listStateDir, readStateFile, removeStatePath, stateDir, stateRoot, writeStateFile } from './root.js';
import { isNslabError, NslabError } from '../util/errors.js';

export { stateRoot } from './root.js';

/** The tag this state root's ownership markers carry (none for /run/nslab): names/markers.ts ownerTag. */
export function stateRootTag(): string | undefined {
  return ownerTag(resolve(stateRoot()));
}

/**
 * Refuse (one line, exit 1) when the state root exists but this user may not read it (it is
 * root's, mode 0700): existsSync would say "no such lab" and ls "no labs", which is not true.
 */
export function assertStateReadable(): void {
  const root = stateRoot();
  try {
    accessSync(root, constants.R_OK | constants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new NslabError('needs-root', `cannot read ${root}: needs root (run it with sudo)`, 1);
  }
}

/** Paths of one lab's state. */
export interface LabPaths {
  readonly dir: string;
  readonly journal: string;
  readonly topology: string;
}

/** Paths of a lab's state files (nothing is created). */
export function labPaths(lab: string): LabPaths {
  const dir = join(stateRoot(), lab);
  return { dir, journal: join(dir, 'journal.jsonl'), topology: join(dir, 'topology.yaml') };
}

/** The log file of one process: /run/nslab/<lab>/logs/<node>.<process>.log. */
export function logPath(lab: string, node: string, process: string): string {
  return join(labPaths(lab).dir, 'logs', `${node}.${process}.log`);
}

/** Create the lab's state directory (private to root). */
export function ensureLabDir(lab: string): LabPaths {
  const p = labPaths(lab);
  stateDir(p.dir, true);
  return p;
}

/** Save the topology text the lab was built from (atomically: write then rename). */
export function saveTopologyCopy(lab: string, text: string): void {
  writeStateFile(labPaths(lab).topology, text, 0o600);
}

/** The saved topology text, or undefined. */
export function loadTopologyCopy(lab: string): string | undefined {
  assertStateReadable();
  return readStateFile(labPaths(lab).topology)?.toString('utf8');
}

/** The lab's journal state (empty if it has none). */
export function labJournal(lab: string): JournalState {
  assertStateReadable();
  return readJournal(labPaths(lab).journal);
}

/** Names of labs that have state on this host. */
export function listLabs(): string[] {
  const root = stateRoot();
  assertStateReadable();
  return listStateDir(root)
    .filter((d) => d.isDirectory() && listStateDir(join(root, d.name)).some((f) => f.name === 'journal.jsonl'))
    .map((d) => d.name)
    .sort();
}

/** Remove a lab's state directory (after a complete teardown). */
export function removeLabState(lab: string): void {
  removeStatePath(labPaths(lab).dir);
}

/** Write the lab's hosts file (only when its content changed); returns its path. */
export function saveHostsFile(lab: string, content: string): string {
  const path = join(labPaths(lab).dir, 'hosts');
  if (readStateFile(path)?.toString('utf8') === content) return path;
  writeStateFile(path, content, 0o644);
  return path;
}

/**
 * The model of the topology text a lab was built from, cached beside its copy (model.v8, Node's
 * structured serialization) under a key the caller derives from the text and nslab's build.
 */
export function saveModelCache(lab: string, key: string, value: unknown): void {
  writeStateFile(join(labPaths(lab).dir, 'model.v8'), serialize({ key, value }), 0o600);
}

/** The cached model if its key matches, else undefined (also when missing or unreadable). */
export function loadModelCache(lab: string, key: string): unknown {
  try {
    const bytes = readStateFile(join(labPaths(lab).dir, 'model.v8'));
    const got = bytes === undefined ? undefined : (deserialize(bytes) as { key?: unknown; value?: unknown });
    return got?.key === key ? got.value : undefined;
  } catch (e) {
    // A cache that does not read is rebuilt; one that is not ours must be said, not ignored.
    if (isNslabError(e)) throw e;
    return undefined;
  }
}
