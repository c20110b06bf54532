// Where lab state lives, and the only way to touch files there: the state root (NSLAB_STATE_DIR,
// made absolute once here, else /run/nslab) is a trusted tree (kernel/safe-fs.ts), so every
// directory on the way is checked for owner and mode and no file is opened through a symlink.
import { resolve } from 'node:path';
import * as safe from '../kernel/safe-fs.js';

/** The root of all lab state, absolute (a relative NSLAB_STATE_DIR is taken from the cwd). */
export function stateRoot(): string {
  const env = process.env['NSLAB_STATE_DIR'];
  return env ? resolve(env) : '/run/nslab';
}

function tree(): safe.TrustedTree {
  return { base: stateRoot(), what: 'state directory' };
}

/** Check a directory of the state (the root or below); create it (0700) when asked. False: missing. */
export function stateDir(dir: string, create = false): boolean {
  return safe.verifyDir(tree(), dir, { create });
}

/** A state file's bytes, or undefined when missing (never through a symlink). */
export function readStateFile(path: string): Buffer | undefined {
  return safe.readInTree(tree(), path);
}

/** Open a state file (O_NOFOLLOW added; a regular file of ours, in a checked directory). */
export function openStateFile(path: string, flags: number, mode = 0o600): number {
  return safe.openInTree(tree(), path, flags, mode);
}

/** Replace a state file atomically (an O_EXCL temporary renamed over it). */
export function writeStateFile(path: string, data: string | Uint8Array, mode: number): void {
  safe.writeAtomic(tree(), path, data, mode);
}

/** Overwrite a state file in place (it may be bind-mounted). */
export function writeStateFileInPlace(path: string, data: string, mode: number): void {
  safe.writeInPlace(tree(), path, data, mode);
}

/** Remove a file or directory below the state root. */
export function removeStatePath(path: string): void {
  safe.removeInTree(tree(), path);
}

/** The entries of a state directory ([] when missing). */
export function listStateDir(dir: string): import('node:fs').Dirent[] {
  return safe.listInTree(tree(), dir);
}
