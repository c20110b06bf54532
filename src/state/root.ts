// Where lab state lives, and the only way to touch files there: the state root is a trusted tree
// (kernel/safe-fs.ts), so every directory on the way is checked for owner and mode and no file is
// opened through a symlink. Which root is decided once, at the edge (the CLI from NSLAB_STATE_DIR,
// the library from its callers' options), and passed down as a StateRoot: nothing here reads the
// environment or picks a default.
import { resolve } from 'node:path';
import * as safe from '../kernel/safe-fs.js';

/** The root of all lab state, as the edge chose it. */
export interface StateRoot {
  /** Absolute, without a trailing slash (but `/` itself). */
  readonly path: string;
}

/** The state root at `path` (made absolute: a relative path is taken from the cwd). */
export function stateRootAt(path: string): StateRoot {
  return { path: resolve(path) };
}

function tree(root: StateRoot): safe.TrustedTree {
  return { base: root.path, what: 'state directory' };
}

/** Check a directory of the state (the root or below); create it (0700) when asked. False: missing. */
export function stateDir(root: StateRoot, dir: string, create = false): boolean {
  return safe.verifyDir(tree(root), dir, { create });
}

/** A state file's bytes, or undefined when missing (never through a symlink). */
export function readStateFile(root: StateRoot, path: string): Buffer | undefined {
  return safe.readInTree(tree(root), path);
}

/** Open a state file (O_NOFOLLOW added; a regular file of ours, in a checked directory). */
export function openStateFile(root: StateRoot, path: string, flags: number, mode = 0o600): number {
  return safe.openInTree(tree(root), path, flags, mode);
}

/** Replace a state file atomically (an O_EXCL temporary renamed over it). */
export function writeStateFile(root: StateRoot, path: string, data: string | Uint8Array, mode: number): void {
  safe.writeAtomic(tree(root), path, data, mode);
}

/** Overwrite a state file in place (it may be bind-mounted). */
export function writeStateFileInPlace(root: StateRoot, path: string, data: string, mode: number): void {
  safe.writeInPlace(tree(root), path, data, mode);
}

/** Remove a file or directory below the state root. */
export function removeStatePath(root: StateRoot, path: string): void {
  safe.removeInTree(tree(root), path);
}

/** The entries of a state directory ([] when missing). */
export function listStateDir(root: StateRoot, dir: string): import('node:fs').Dirent[] {
  return safe.listInTree(tree(root), dir);
}
