// The library API: a lab handle (src/api/lab.ts), its public types (src/api/types.ts) and the
// error class. Nothing else is public (package.json's `exports` map has only this entry). This is
// the library's edge: a caller passes the state root (`stateRoot`, default /run/nslab) in the
// options, and nothing here or below reads the environment for it. See docs/api.md.
export { Lab } from './api/lab.js';
export { NslabError, isNslabError } from './util/errors.js';
export type { ErrorCode, NamedErrorCode } from './util/error-codes.js';
export type * from './api/types.js';
