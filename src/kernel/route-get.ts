// One route lookup inside a namespace, asked from the kernel (RTM_GETROUTE, not a dump): which
// route, device, gateway and source the kernel would use for one destination, optionally "as if
// the packet had arrived on DEV" (forwarding decisions). Refusals (no route, forwarding off,
// prohibit) are answers, not errors. Also a table-only approximation for FakeKernel.
import { getSystemErrorName } from 'node:util';
import type { NsHandle } from './ns-table.js';
import type { NsSnapshot } from './port.js';
import { decodeRouteGet, encodeRouteGet } from './rtnl/wire-route.js';
import { routeTypeName } from './rtnl/wire-words.js';
import { dumpLinks } from './snapshot.js';
import { contains, parseAddress, parseCidr } from '../util/ip.js';

/** What to look up: `ip route get DST [from SRC] [iif DEV] [oif DEV]`. */
export interface RouteQuery {
  readonly dst: string;
  /** Source address of the packet (required by the kernel with `iif`). */
  readonly src?: string;
  /** Simulate a packet arriving on this interface: the forwarding (input) path. */
  readonly iif?: string;
  /** Force the output interface. */
  readonly oif?: string;
}

/** The kernel's answer: a route, or the reason it has none. */
export interface RouteAnswer {
  /**
   * Route type: "unicast", "local", "broadcast", ... When the kernel refused, the errno's
   * meaning: ENETUNREACH/EHOSTUNREACH "unreachable", EACCES "prohibit", EINVAL "blackhole"
   * (or a martian), anything else "error".
   */
  readonly type: string;
  /** Output device (for local answers: lo). */
  readonly dev?: string;
  /** Gateway, when the route has one. */
  readonly via?: string;
  /** Preferred source address. */
  readonly src?: string;
  /** Errno name when the kernel refused the lookup (ENETUNREACH, EHOSTUNREACH, EACCES, EXDEV, ...). */
  readonly error?: string;
}

const REFUSALS: Readonly<Record<string, string>> = { ENETUNREACH: 'unreachable', EHOSTUNREACH: 'unreachable', EACCES: 'prohibit', EINVAL: 'blackhole' };

/** The iproute2 command for a query, for messages. */
export function routeGetCommand(q: RouteQuery): string {
  const parts = ['ip route get', q.dst];
  if (q.src !== undefined) parts.push('from', q.src);
  if (q.iif !== undefined) parts.push('iif', q.iif);
  if (q.oif !== undefined) parts.push('oif', q.oif);
  return parts.join(' ');
}

/** Ask the kernel of one namespace. `ip route get DST [from SRC] [iif DEV] [oif DEV]` */
export function routeGetIn(h: NsHandle, q: RouteQuery): RouteAnswer {
  const links = dumpLinks(h);
  const indexOf = (name: string | undefined): number | undefined => links.find((l) => l.name === name)?.index;
  const iif = indexOf(q.iif);
  const oif = indexOf(q.oif);
  if ((q.iif !== undefined && iif === undefined) || (q.oif !== undefined && oif === undefined)) return refusal('ENODEV');
  const spec = { dst: q.dst, ...(q.src !== undefined ? { src: q.src } : {}), ...(iif !== undefined ? { iif } : {}), ...(oif !== undefined ? { oif } : {}) };
  const [r] = h.sock.batch([encodeRouteGet(spec)]);
  if (!r) return refusal('EIO');
  if (r.errno !== 0) return refusal(errnoName(r.errno));
  const m = r.replies.map(decodeRouteGet).find((x) => x !== undefined);
  if (!m) return refusal('ENODATA');
  const dev = links.find((l) => l.index === m.oif)?.name;
  return {
    type: routeTypeName(m.type),
    ...(dev !== undefined ? { dev } : {}),
    ...(m.gateway !== undefined ? { via: m.gateway } : {}),
    ...(m.prefsrc !== undefined ? { src: m.prefsrc } : {}),
  };
}

// Not libc.errnoCode: that module loads koffi, and FakeKernel (unit tests) imports this file.
function errnoName(n: number): string {
  try {
    return getSystemErrorName(-n);
  } catch {
    return `E${n}`;
  }
}

function refusal(code: string): RouteAnswer {
  return { type: REFUSALS[code] ?? 'error', error: code };
}

/**
 * The answer a kernel would give with only this snapshot's tables: local addresses, then the
 * longest matching route (connected routes derived from addresses, first one wins on a tie, as in
 * the kernel). No policy rules, no forwarding check. For FakeKernel and tests.
 */
export function routeGetFromSnapshot(snap: NsSnapshot, q: RouteQuery): RouteAnswer {
  const dst = parseAddress(q.dst);
  if (!dst) return refusal('EINVAL');
  if (snap.addrs.some((a) => a.cidr.split('/')[0] === dst.address)) return { type: 'local', dev: 'lo', src: dst.address };
  const connected = snap.addrs.map((a) => ({ to: a.cidr, dev: a.dev, src: a.cidr.split('/')[0]! }));
  const table = [...connected, ...snap.routes.map((r) => ({ to: r.to, dev: r.dev, via: r.via }))];
  let best: { to: string; dev?: string | undefined; via?: string | undefined; src?: string } | undefined;
  let bestLen = -1;
  for (const r of table) {
    const c = parseCidr(r.to);
    if (c && c.family === dst.family && c.prefix > bestLen && contains(c, dst.address)) [best, bestLen] = [r, c.prefix];
  }
  if (!best) return refusal('ENETUNREACH');
  const hop = best.via ?? dst.address;
  const dev = best.dev ?? connected.find((c) => contains(parseCidr(c.to)!, hop))?.dev;
  const src = best.src ?? connected.find((c) => c.dev === dev)?.src;
  return { type: 'unicast', ...(dev ? { dev } : {}), ...(best.via ? { via: best.via } : {}), ...(src ? { src } : {}) };
}
