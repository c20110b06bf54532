// A table-only route lookup for the fake kernel: the answer a kernel would give with only one
// snapshot's tables. Test code: the real kernel asks RTM_GETROUTE (kernel/route-get.ts).
import type { NsSnapshot, RouteAnswer, RouteQuery } from '../../src/port/kernel.js';
import { contains, parseAddress, parseCidr } from '../../src/util/ip.js';

/**
 * The answer a kernel would give with only this snapshot's tables: local addresses, then the
 * longest matching route (connected routes derived from addresses, first one wins on a tie, as in
 * the kernel). No policy rules, no forwarding check. Local addresses first, then the longest match.
 */
export function routeGetFromSnapshot(snap: NsSnapshot, q: RouteQuery): RouteAnswer {
  const dst = parseAddress(q.dst);
  if (!dst) return { type: 'blackhole', error: 'EINVAL' };
  if (snap.addrs.some((a) => a.cidr.split('/')[0] === dst.address)) return { type: 'local', dev: 'lo', src: dst.address };
  // Like Linux, no route leaves through an interface that is set down (IPv4 flushes them).
  const down = new Set(snap.links.filter((l) => !l.up).map((l) => l.name));
  const connected = snap.addrs.filter((a) => !down.has(a.dev)).map((a) => ({ to: a.cidr, dev: a.dev, src: a.cidr.split('/')[0]! }));
  // A multipath route answers with its first next hop (the kernel hashes the flow to one of them).
  const table = [
    ...connected.map((c) => ({ ...c, via: undefined as string | undefined, metric: 0 })),
    ...snap.routes.map((r) => ({ to: r.to, dev: r.dev ?? r.nexthops?.[0]?.dev, via: r.via ?? r.nexthops?.[0]?.via, metric: r.metric ?? 0 })),
  ];
  let best: { to: string; dev?: string | undefined; via?: string | undefined; src?: string; metric: number } | undefined;
  let bestLen = -1;
  const devOf = (r: { dev?: string | undefined; via?: string | undefined }): string | undefined =>
    r.dev ?? (r.via === undefined ? undefined : connected.find((c) => contains(parseCidr(c.to)!, r.via!))?.dev);
  for (const r of table) {
    const c = parseCidr(r.to);
    if (!c || c.family !== dst.family || !contains(c, dst.address)) continue;
    const dev = devOf(r);
    if (r.via !== undefined && dev === undefined) continue;
    if (dev !== undefined && down.has(dev)) continue;
    if (c.prefix > bestLen || (c.prefix === bestLen && best && r.metric < best.metric)) [best, bestLen] = [r, c.prefix];
  }
  if (!best) return { type: 'unreachable', error: 'ENETUNREACH' };
  const hop = best.via ?? dst.address;
  const dev = best.dev ?? connected.find((c) => contains(parseCidr(c.to)!, hop))?.dev;
  const src = best.src ?? connected.find((c) => c.dev === dev)?.src;
  return { type: 'unicast', ...(dev ? { dev } : {}), ...(best.via ? { via: best.via } : {}), ...(src ? { src } : {}) };
}
