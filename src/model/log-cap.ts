// How much output nslab keeps of one process: the log file is rotated when it would grow past
// `maxBytes`, and `keep` rotated files are kept (<log>.1 is the newest). So one process never
// takes more than maxBytes × (keep + 1) of the state directory's filesystem (/run: RAM). Pure.
import type { ProcessSpec } from '../topology/types.js';

/** The documented default size of one log file: 10 MiB. */
export const DEFAULT_LOG_MAX = 10 * 1024 * 1024;
/** The documented default number of rotated files kept: 1. */
export const DEFAULT_LOG_KEEP = 1;

/** A process's log limits, resolved. */
export interface LogCap {
  readonly maxBytes: number;
  readonly keep: number;
}

/** The limits of a process: its `log:` settings, else the defaults. */
export function logCapOf(p: Pick<ProcessSpec, 'log'>): LogCap {
  return { maxBytes: p.log?.maxBytes ?? DEFAULT_LOG_MAX, keep: p.log?.keep ?? DEFAULT_LOG_KEEP };
}

/** The most a process's logs can take on disk, rotated files included. */
export function logBudget(cap: LogCap): number {
  return cap.maxBytes * (cap.keep + 1);
}
