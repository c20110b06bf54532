// Who may talk to `nslab ui`: whoever holds the random token printed when it started (like
// Jupyter), and only under a loopback Host name, so a web page elsewhere cannot reach it through
// DNS rebinding. The token arrives once in the URL, then rides in an HttpOnly, SameSite=Strict
// cookie (so the page's scripts and EventSource need not carry it); scripts may also send it as
// `Authorization: Bearer TOKEN`. Comparisons are constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A fresh token: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie name for a server on this port (cookies are shared by every port of a host). */
export function cookieName(port: number): string {
  return `nslab-ui-${port}`;
}

/** The Set-Cookie header that lets the page's later requests carry the token. */
export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

/** Whether the request carries the token: `?token=`, the cookie, or a Bearer header. */
export function hasToken(req: IncomingMessage, url: URL, port: number, token: string): boolean {
  const given = [url.searchParams.get('token'), cookieValue(req.headers.cookie, cookieName(port)), bearer(req.headers.authorization)];
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

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
