// The state directory: <state root>/<lab>/ (/run/nslab/<lab>/ by default) holding the
// journal and a copy of the topology file, so that `down NAME`, `show` and `exec` work without
// the original file. Lab names are validated before they get here, so paths cannot escape.
// Every file goes through state/root.ts: checked directories, no symlink followed.
import { accessSync, constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { ownerTag } from '../names/markers.js';
import { deserialize, serialize } from 'node:v8';
import { readJournal } from './journal.js';
import type { JournalState } from './journal.js';
import { listStateDir, readStateFile, removeStatePath, stateDir, writeStateFile, type StateRoot } from './root.js';
import { isNslabError, NslabError } from '../util/errors.js';

export { stateRootAt, type StateRoot } from './root.js';

/** The tag this state root's ownership markers carry (none for /run/nslab): names/markers.ts ownerTag. */
export function stateRootTag(root: StateRoot): string | undefined {
  return ownerTag(resolve(root.path));
}

/**
 * Refuse (one line, exit 1) when the state root exists but this user may not read it (it is
 * root's, mode 0700): existsSync would say "no such lab" and ls "no labs", which is not true.
 */
export function assertStateReadable(state: StateRoot): void {
  const root = state.path;
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
export function labPaths(root: StateRoot, lab: string): LabPaths {
  const dir = join(root.path, lab);
  return { dir, journal: join(dir, 'journal.jsonl'), topology: join(dir, 'topology.yaml') };
}

/** The log file of one process: /run/nslab/<lab>/logs/<node>.<process>.log. */
export function logPath(root: StateRoot, lab: string, node: string, process: string): string {
  return join(labPaths(root, lab).dir, 'logs', `${node}.${process}.log`);
}

/** Create the lab's state directory (private to root). */
export function ensureLabDir(root: StateRoot, lab: string): LabPaths {
  const p = labPaths(root, lab);
  stateDir(root, p.dir, true);
  return p;
}

/** Save the topology text the lab was built from (atomically: write then rename). */
export function saveTopologyCopy(root: StateRoot, lab: string, text: string): void {
  writeStateFile(root, labPaths(root, lab).topology, text, 0o600);
}

/** The saved topology text, or undefined. */
export function loadTopologyCopy(root: StateRoot, lab: string): string | undefined {
  assertStateReadable(root);
  return readStateFile(root, labPaths(root, lab).topology)?.toString('utf8');
}

/** The lab's journal state (empty if it has none). */
export function labJournal(root: StateRoot, lab: string): JournalState {
  assertStateReadable(root);
  return readJournal(root, labPaths(root, lab).journal);
}

/** Names of labs that have state on this host. */
export function listLabs(root: StateRoot): string[] {
  assertStateReadable(root);
  return listStateDir(root, root.path)
    .filter((d) => d.isDirectory() && listStateDir(root, join(root.path, d.name)).some((f) => f.name === 'journal.jsonl'))
    .map((d) => d.name)
    .sort();
}

/** Remove a lab's state directory (after a complete teardown). */
export function removeLabState(root: StateRoot, lab: string): void {
  removeStatePath(root, labPaths(root, lab).dir);
}

/** Write the lab's hosts file (only when its content changed); returns its path. */
export function saveHostsFile(root: StateRoot, lab: string, content: string): string {
  const path = join(labPaths(root, lab).dir, 'hosts');
  if (readStateFile(root, path)?.toString('utf8') === content) return path;
  writeStateFile(root, path, content, 0o644);
  return path;
}

/**
 * The model of the topology text a lab was built from, cached beside its copy (model.v8, Node's
 * structured serialization) under a key the caller derives from the text and nslab's build.
 */
export function saveModelCache(root: StateRoot, lab: string, key: string, value: unknown): void {
  writeStateFile(root, join(labPaths(root, lab).dir, 'model.v8'), serialize({ key, value }), 0o600);
}

/** The cached model if its key matches, else undefined (also when missing or unreadable). */
export function loadModelCache(root: StateRoot, lab: string, key: string): unknown {
  try {
    const bytes = readStateFile(root, join(labPaths(root, lab).dir, 'model.v8'));
    const got = bytes === undefined ? undefined : (deserialize(bytes) as { key?: unknown; value?: unknown });
    return got?.key === key ? got.value : undefined;
  } catch (e) {
    // A cache that does not read is rebuilt; one that is not ours must be said, not ignored.
    if (isNslabError(e)) throw e;
    return undefined;
  }
}

/** uplink.json: what a rootless lab needs of the user-mode network stack (lab/uplink.ts). */
export function saveUplinkWants(root: StateRoot, lab: string, json: string | undefined): void {
  const path = join(labPaths(root, lab).dir, 'uplink.json');
  if (json === undefined) {
    if (readStateFile(root, path) !== undefined) removeStatePath(root, path);
    return;
  }
  if (readStateFile(root, path)?.toString('utf8') !== json) writeStateFile(root, path, json, 0o600);
}

/** Every lab's uplink.json (labs with a journal only): what the rootless uplink must serve. */
export function readUplinkWants(root: StateRoot): string[] {
  let labs: string[];
  try {
    labs = listLabs(root);
  } catch {
    return [];
  }
  return labs.flatMap((lab) => {
    const b = readStateFile(root, join(labPaths(root, lab).dir, 'uplink.json'));
    return b ? [b.toString('utf8')] : [];
  });
}
