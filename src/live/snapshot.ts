// Read-only: what the kernel holds for one lab, gathered through the port into a LiveState
// for planning. Only the host namespace and the lab's own namespaces that exist are dumped.
import type { Kernel, NsRef, NsSnapshot } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { LiveState } from '../plan/live.js';
import { sysctlKey } from '../plan/live.js';

/** What to read: the lab's namespaces (desired or owned) and the sysctls it sets. */
export interface LiveQuery {
  readonly namespaces: Iterable<string>;
  /** The names under /run/netns (Kernel.netnsList), when the caller listed them already. */
  readonly netns?: readonly string[];
  readonly sysctls: Iterable<{ readonly ns: NsRef; readonly key: string }>;
  /** Namespaces whose nftables tables matter (the lab has or wants a table there). */
  readonly tables?: Iterable<NsRef>;
  /** Read every link's qdiscs too (NsSnapshot.qdiscs). */
  readonly qdiscs?: boolean;
  /** Host settings other labs will restore (see LiveState.sharedPrev). */
  readonly sharedPrev?: ReadonlyMap<string, string>;
  /**
   * Namespaces not to read, decided once the host is read (plan/trust.ts): their journaled
   * objects stand for them (LiveState.trusted).
   */
  readonly trust?: (host: NsSnapshot | undefined, netns: ReadonlySet<string>) => ReadonlySet<string>;
  /**
   * Read the host only in part (plan/trust.ts warmHostTrust): these resources are taken as built,
   * and of the host only the links `links` names (given the namespaces left unread) are read; no
   * addresses, routes or tables. `trust` then gets no host snapshot.
   */
  readonly hostPart?: { readonly ids: ReadonlySet<string>; readonly links: (trusted: ReadonlySet<string>) => readonly string[] };
}

/** Dump the host and every existing namespace of the query. */
export function readLive(kernel: Kernel, q: LiveQuery): LiveState {
  const netns = new Set(q.netns ?? kernel.netnsList());
  const spaces = new Map<NsRef, NsSnapshot>();
  const what = q.qdiscs ? { qdiscs: true } : {};
  let trusted: ReadonlySet<string>;
  if (q.hostPart) {
    trusted = q.trust?.(undefined, netns) ?? new Set<string>();
    const links = kernel.links(HOST_NS, q.hostPart.links(trusted));
    if (links) spaces.set(HOST_NS, { links, addrs: [], routes: [], neighbours: [] });
  } else {
    const host = kernel.snapshot(HOST_NS, what);
    if (host) spaces.set(HOST_NS, host);
    trusted = q.trust?.(host, netns) ?? new Set<string>();
  }
  for (const ns of new Set(q.namespaces)) {
    if (!netns.has(ns) || trusted.has(ns)) continue;
    const snap = kernel.snapshot(ns, what);
    if (snap) spaces.set(ns, snap);
  }
  const sysctls = new Map<string, string>();
  for (const { ns, key } of q.sysctls) {
    if (ns !== HOST_NS && (!netns.has(ns) || trusted.has(ns))) continue;
    const v = kernel.sysctlGet(ns, key);
    if (v !== undefined) sysctls.set(sysctlKey(ns, key), v);
  }
  const tables = new Map<NsRef, ReadonlySet<string>>();
  for (const ns of new Set(q.tables ?? [])) {
    if (ns === HOST_NS ? q.hostPart !== undefined : !netns.has(ns) || trusted.has(ns)) continue;
    const list = kernel.nftTables(ns);
    if (list) tables.set(ns, new Set(list.filter((x) => x.family === 'inet').map((x) => x.name)));
  }
  return { netns, spaces, sysctls, tables, sharedPrev: q.sharedPrev ?? new Map(), trusted, ...(q.hostPart ? { trustedIds: q.hostPart.ids } : {}) };
}
