// The error base for problems a user can act on. Anything that is not an NslabError is a bug,
// and the CLI prints its stack and says so.

/** Exit statuses: 1 = the operation failed, 2 = bad input (file, flags, names), 127 = command not found, 130 = interrupted (Ctrl-C). */
export type ExitStatus = 1 | 2 | 127 | 130;

const brand = Symbol.for('nslab.error');

/** A user-facing error: a code for programs, a message for people, and the exit status. */
export class NslabError extends Error {
  readonly [brand] = true;
  override readonly name: string = 'NslabError';
  constructor(
    readonly code: string,
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
