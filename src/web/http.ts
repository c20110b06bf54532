// Small HTTP helpers for the UI server: JSON in and out, security headers on every answer, and
// errors mapped to statuses (an NslabError a user can act on keeps its message; anything else is
// a bug, logged with its stack and answered with a generic 500).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assertNever } from '../util/assert-never.js';
import { isErrnoCode, type ErrorCode } from '../util/error-codes.js';
import { isNslabError, type ExitStatus } from '../util/errors.js';

/** Headers every answer carries: nothing but this server's own files runs or loads in the page. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

/** A request the API refuses, with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Answer with a body of a given type. */
export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}

/** Answer with JSON. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/**
 * Whether a request failed because its client went away (closed the tab, aborted a fetch): that
 * is no bug and there is no one left to answer.
 */
export function clientGone(res: ServerResponse, e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  // Not req.destroyed: leaving a body-reading loop early (a body too large) destroys the request
  // stream too (and detaches req.socket), while the client still waits for the answer.
  return (
    res.destroyed ||
    res.socket?.destroyed === true ||
    code === 'ECONNRESET' ||
    code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    (e instanceof Error && e.message === 'aborted')
  );
}

/** Answer a thrown value: HttpError and NslabError with their message, anything else as a bug. */
export function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof HttpError) return sendJson(res, e.status, { error: e.message });
  if (isNslabError(e)) return sendJson(res, statusOf(e.code, e.exitStatus), { error: e.message, code: e.code });
  process.stderr.write(`nslab ui: internal error (this is a bug in nslab, please report it):\n${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  sendJson(res, 500, { error: 'internal error in nslab (see the terminal running nslab ui)' });
}

/**
 * The HTTP status of an NslabError. Exhaustive over the codes (util/error-codes.ts): a new code
 * does not compile until it is placed here. A missing lab or node is 404; bad input (the request
 * named something wrong) 400; anything the host or kernel refused 500; a code used for both
 * goes by the error's exit status.
 */
export function statusOf(code: ErrorCode, exit: ExitStatus): number {
  // A kernel refusal (EPERM, EEXIST, ...): the request was fine, the host said no.
  if (isErrnoCode(code)) return 500;
  switch (code) {
    case 'no-lab':
    case 'no-node':
      return 404;
    case 'ambiguous':
    case 'bad-file':
    case 'bad-filter':
    case 'bad-machine':
    case 'bad-pid':
    case 'bad-report':
    case 'bad-topology':
    case 'host-mismatch':
    case 'machine-twice':
    case 'no-address':
    case 'no-expectations':
    case 'no-iface':
    case 'not-up':
    case 'reports-differ':
    case 'usage':
      return 400;
    case 'apply-failed':
    case 'lab-exists':
    case 'busy':
    case 'cannot-inspect':
    case 'clean-failed':
    case 'conflict':
    case 'down-busy':
    case 'down-failed':
    case 'host-limits':
    case 'host-netns':
    case 'hosts-lab':
    case 'interrupted':
    case 'journal-damaged':
    case 'journal-newer':
    case 'listen-failed':
    case 'log-keeper':
    case 'missing-dependency':
    case 'needs-root':
    case 'rootless':
    case 'no-holder':
    case 'no-link':
    case 'no-netns':
    case 'no-ui-files':
    case 'not-found':
    case 'not-in-lab':
    case 'process-busy':
    case 'process-failed':
    case 'setup-failed':
    case 'unsafe-state':
    case 'write-failed':
      return 500;
    case 'no-process':
      return exit === 2 ? 400 : 500;
    default:
      return assertNever(code);
  }
}

/** Largest request body accepted (the API takes a few names). */
const MAX_BODY = 4096;

/** Read a JSON object body; only `application/json` (a cross-site form cannot send that). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'send the body as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `request body over ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  let v: unknown;
  try {
    v = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'the body must be a JSON object');
  return v as Record<string, unknown>;
}
