// Who may talk to `nslab ui`: whoever holds the random token printed when it started (like
// Jupyter), and only under a loopback Host name, so a web page elsewhere cannot reach it through
// DNS rebinding. The token arrives once in the page's URL; the page keeps it in sessionStorage,
// which is bound to this origin (scheme, host and port), and sends it as `Authorization: Bearer
// TOKEN`, or as `?token=` where a browser cannot set headers (EventSource). Never in a cookie:
// cookies are not bound to a port, so any other service on 127.0.0.1 that the browser visits
// would receive it. Comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether the request carries the token: `?token=` or a Bearer header (a cookie never counts). */
export function hasToken(req: IncomingMessage, url: URL, token: string): boolean {
  const given = [url.searchParams.get('token'), bearer(req.headers.authorization)];
  return given.some((g) => g !== undefined && g !== null && same(g, token));
}

/** Whether the Host header names this server by a loopback name (DNS rebinding guard). */
export function loopbackHost(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host !== undefined && [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

function same(given: string, token: string): boolean {
  // Hashing first gives equal lengths, so the comparison's time says nothing about the token.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
