// The error base for problems a user can act on. Anything that is not an NslabError is a bug,
// and the CLI prints its stack and says so.
import type { ErrorCode } from './error-codes.js';

/**
 * The exit statuses of every nslab command, the one table (`nslab --help` prints it too):
 *
 * | status | meaning |
 * |---|---|
 * | 0 | success |
 * | 1 | the operation failed: the kernel refused, a foreign object is in the way, a probe or check failed |
 * | 2 | bad input: a problem in the file, bad flags, an unknown command, an unknown lab or node |
 * | 127 | `exec`: the command was not found in the node |
 * | 130 | interrupted (Ctrl-C) |
 *
 * An unknown lab is bad input (2), not a failure (1): the name given is wrong, nothing was tried.
 * A reader closing our output early (`nslab ls | head -1`) changes nothing: the status stays the verb's.
 */
export const EXIT_STATUSES: ReadonlyArray<readonly [number, string]> = [
  [0, 'success'],
  [1, 'the operation failed (the kernel refused, a foreign object in the way, a probe failed)'],
  [2, 'bad input (a problem in the file, bad flags, an unknown command, lab or node)'],
  [127, 'exec: command not found in the node'],
  [130, 'interrupted (Ctrl-C)'],
];

/** The statuses an NslabError carries (EXIT_STATUSES without 0). */
export type ExitStatus = 1 | 2 | 127 | 130;

const brand = Symbol.for('nslab.error');

/** A user-facing error: a code for programs (util/error-codes.ts), a message for people, and the exit status. */
export class NslabError extends Error {
  readonly [brand] = true;
  override readonly name: string = 'NslabError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitStatus: ExitStatus = 1,
  ) {
    super(message);
  }
}

/** Whether a thrown value is an NslabError (works across module copies, by brand). */
export function isNslabError(e: unknown): e is NslabError {
  return typeof e === 'object' && e !== null && brand in e;
}
