// Turning thrown system errors into the port's data: a failed OpResult, or a KernelError with a
// message that says what to do. Only errno-carrying errors are converted; anything else is a bug
// and is rethrown untouched so its stack reaches the user.
import { SysError, errnoCode, strerror } from './libc.js';
import { missingFeature } from '../ops/missing.js';
import { KernelError, type KernelOp, type OpResult } from '../port/kernel.js';
import { isErrnoCode, type ErrnoCode } from '../util/error-codes.js';

/** A failed operation's result. */
export type OpFailure = Extract<OpResult, { ok: false }>;

/** errno and code of a SysError or a Node system error (fs.*Sync); undefined for anything else. */
export function errnoOf(e: unknown): { errno: number; code: ErrnoCode } | undefined {
  if (e instanceof SysError) return { errno: e.errno, code: errnoName(e.code, e.errno) };
  const n = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof n.errno === 'number' && typeof n.code === 'string') {
    return { errno: Math.abs(n.errno), code: errnoName(n.code, Math.abs(n.errno)) };
  }
  return undefined;
}

/** A code as an errno name (every errno code is one; `E<n>`, as errnoCode says it, otherwise). */
function errnoName(code: string, errno: number): ErrnoCode {
  return isErrnoCode(code) ? code : `E${errno}`;
}

/** The failed result for a thrown system error, with `context` in front of the C library's text. */
export function failureOf(e: unknown, context?: string): OpFailure {
  const en = errnoOf(e);
  if (!en) throw e;
  const text = strerror(en.errno);
  return { ok: false, errno: en.errno, code: en.code, message: context ? `${context}: ${text}` : text };
}

/** Make a KernelError from a thrown system error (rethrowing anything else). */
export function kernelErrorOf(e: unknown, op: string, equivalent: string, hint: string): KernelError {
  const en = errnoOf(e);
  if (!en) throw e;
  return new KernelError(op, en.errno, en.code, equivalent, `${strerror(en.errno)}; ${hint}`);
}

/** The failed result for an errno reported by the kernel. */
export function failureFromErrno(errno: number, message?: string): OpFailure {
  return { ok: false, errno, code: errnoCode(errno), message: message ?? strerror(errno) };
}

/**
 * A failed result reworded when it means the kernel lacks a feature (kernel/missing.ts), e.g.
 * "this kernel has no veth support (CONFIG_VETH)", keeping the kernel's own text after it.
 */
export function explainFailure(op: KernelOp, r: OpResult): OpResult {
  if (r.ok) return r;
  const why = missingFeature(op, r);
  return why === undefined ? r : { ...r, message: `${why}: ${r.message}` };
}
