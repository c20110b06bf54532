// One route lookup inside a namespace, asked from the kernel (RTM_GETROUTE, not a dump): which
// route, device, gateway and source the kernel would use for one destination, optionally "as if
// the packet had arrived on DEV" (forwarding decisions). Refusals (no route, forwarding off,
// prohibit) are answers, not errors.
import { getSystemErrorName } from 'node:util';
import type { NsHandle } from './ns-table.js';
import type { RouteAnswer, RouteQuery } from '../port/kernel.js';
import { decodeRouteGet, encodeRouteGet } from '../netlink/wire-route.js';
import { routeTypeName } from '../netlink/wire-words.js';
import { dumpLinks } from './snapshot.js';

const REFUSALS: Readonly<Record<string, string>> = { ENETUNREACH: 'unreachable', EHOSTUNREACH: 'unreachable', EACCES: 'prohibit', EINVAL: 'blackhole' };

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

// getSystemErrorName rather than libc.errnoCode: the name is all a refusal needs.
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
