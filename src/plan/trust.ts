// Which of a lab's namespaces an `up` may leave unread. Reading a namespace (open, socket, three
// dumps) is most of an unchanged up of a big lab (~0.2 ms each: 0.2 s for 1000), yet when the
// last up finished (the journal's `converged` record) and a namespace's part of the file did not
// change since, everything in it was built then and is journaled: its objects are taken as they
// were. The host namespace is read (by a long-lived process that built the lab itself, only in
// part: warmHostTrust below), and so is every namespace whose host ends are missing there;
// `up --full` reads everything (to repair changes made by hand inside a namespace).
import { HOST_NS, type NsSnapshot } from '../port/kernel.js';
import { resourceId } from '../names/resource-id.js';
import type { Owned } from './live.js';
import type { Resource } from './resources.js';

/** The namespace a resource lives in (its own name for a namespace). */
export function resourceHome(r: Resource): string {
  const op = r.op;
  if (op.op === 'netns.create' || op.op === 'netns.attach') return op.name;
  return 'ns' in op ? op.ns : HOST_NS;
}

/** byHome() of lists seen before: a long-lived process's previous list was the last up's desired one. */
const byHomeOf = new WeakMap<readonly Resource[], Map<string, Resource[]>>();

/** Resources by the namespace they live in (the host's left out). */
function byHome(resources: readonly Resource[]): Map<string, Resource[]> {
  const known = byHomeOf.get(resources);
  if (known) return known;
  const out = new Map<string, Resource[]>();
  byHomeOf.set(resources, out);
  for (const r of resources) {
    const home = resourceHome(r);
    if (home === HOST_NS) continue;
    const list = out.get(home);
    if (list) list.push(r);
    else out.set(home, [r]);
  }
  return out;
}

/**
 * Whether a namespace has the same resources now as before: the same ids, each with the same
 * operation. An unchanged node of a long-lived process has the very same resource objects
 * (plan/resources.ts), which compare without rendering anything.
 */
function sameResources(now: readonly Resource[], before: readonly Resource[] | undefined): boolean {
  if (!before || before.length !== now.length) return false;
  // An unchanged node of a long-lived process: the very same resources, in the same order.
  let same = 0;
  while (same < now.length && now[same] === before[same]) same++;
  if (same === now.length) return true;
  const prior = new Map(before.map((r) => [r.id, r]));
  return now.every((r) => {
    const p = prior.get(r.id);
    return p !== undefined && (p === r || sameOp(p.op, r.op));
  });
}

/**
 * Namespaces that need not be read: each exists, is owned (created, not adopted), and has exactly
 * the resources it had in the text the lab last converged to, all of them journaled as they are.
 */
export function trustedNamespaces(a: {
  readonly desired: readonly Resource[];
  readonly previous: readonly Resource[];
  readonly owned: Owned;
  readonly netns: ReadonlySet<string>;
  /**
   * The text is the very one the lab converged to: its resources are what the journal records
   * (they were built from it and nothing came after), so only existence needs checking.
   */
  readonly sameText?: boolean;
}): Set<string> {
  if (a.sameText) {
    const out = new Set<string>();
    for (const r of a.desired) {
      if (r.op.op === 'netns.create' && a.netns.has(r.op.name) && a.owned.get(r.id)?.op.op === 'netns.create') out.add(r.op.name);
    }
    return out;
  }
  const now = byHome(a.desired);
  const before = byHome(a.previous);
  const out = new Set<string>();
  for (const [ns, list] of now) {
    if (!a.netns.has(ns) || a.owned.get(resourceId.netns(ns))?.op.op !== 'netns.create' || !sameResources(list, before.get(ns))) continue;
    out.add(ns);
  }
  // Every journaled resource of a trusted namespace must be owned with the same operation.
  for (const r of a.desired) {
    const home = resourceHome(r);
    if (!out.has(home) || r.kind === 'config') continue;
    const rec = a.owned.get(r.id);
    if (rec !== undefined && matched.get(r) === rec) continue;
    if (!rec || !sameOp(rec.op, r.op)) out.delete(home);
    else matched.set(r, rec);
  }
  return out;
}

/**
 * Resources found journaled with the same operation, and the journal record that matched: a
 * long-lived process reads its journal incrementally (its records stay the same objects) and
 * plans unchanged nodes with the same resource objects, so the next up skips the comparison.
 */
const matched = new WeakMap<Resource, object>();

/**
 * Whether two operations do the same, but for the interface indexes the planner adds when it
 * creates a link (only a link's create carries them: its own and its veth peer's). Compared
 * field by field, a missing field as an undefined one, as the JSON the journal keeps them in
 * would: rendering both as text cost a long-lived process's first up ~25 ms for 6000 operations.
 */
export function sameOp(a: Resource['op'], b: Resource['op']): boolean {
  if (a === b) return true;
  if (a.op !== b.op) return false;
  if (a.op === 'link.create' && b.op === 'link.create') {
    return sameValue(a, b, LINK_SKIP) && (a.kind !== 'veth' || b.kind !== 'veth' || sameValue(a.peer, b.peer, INDEX_SKIP));
  }
  return sameValue(a, b);
}

/** A link create's own index, and its peer (compared apart, without its index). */
const LINK_SKIP: ReadonlySet<string> = new Set(['index', 'peer']);
const INDEX_SKIP: ReadonlySet<string> = new Set(['index']);
const NO_SKIP: ReadonlySet<string> = new Set();

/** Deep equality of JSON-like values; the keys in `skip` are left out at this level. */
function sameValue(a: unknown, b: unknown, skip = NO_SKIP): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => sameValue(x, b[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  for (const k in x) if (!skip.has(k) && !sameValue(x[k], y[k])) return false;
  for (const k in y) if (!skip.has(k) && x[k] === undefined && y[k] !== undefined) return false;
  return true;
}

/** Drop from `trusted` the namespaces whose veths' host ends are missing from the host snapshot. */
export function withHostEnds(trusted: Set<string>, desired: readonly Resource[], host: NsSnapshot | undefined): Set<string> {
  const names = new Set(host?.links.map((l) => l.name) ?? []);
  for (const r of desired) {
    const op = r.op;
    if (op.op === 'link.create' && op.kind === 'veth' && trusted.has(op.ns) && op.peer.ns === HOST_NS && !names.has(op.peer.name)) trusted.delete(op.ns);
  }
  return trusted;
}

/**
 * A long-lived process's shortcut for the host namespace (lab/warm.ts), which a plain `up` always
 * dumps (~30 ms for a thousand veth ends): the host resources this process built in the previous
 * up and that are wanted unchanged (same operation, journaled as such) are taken as built, and
 * only the links the others name are read, one by one. Undefined when a changed host resource
 * needs more than links to judge (an address, a route, a rule, a setting): then the host is read.
 */
export function warmHostTrust(a: {
  readonly desired: readonly Resource[];
  readonly previous: readonly Resource[];
  readonly owned: Owned;
}): { readonly ids: ReadonlySet<string>; readonly links: (trusted: ReadonlySet<string>) => string[] } | undefined {
  const before = new Map<string, Resource['op']>();
  for (const r of a.previous) if (resourceHome(r) === HOST_NS) before.set(r.id, r.op);
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const r of a.desired) {
    if (resourceHome(r) !== HOST_NS) continue;
    const prior = before.get(r.id);
    const rec = a.owned.get(r.id);
    if (prior !== undefined && sameOp(prior, r.op) && (r.kind === 'config' || (rec !== undefined && sameOp(rec.op, r.op)))) {
      ids.add(r.id);
      continue;
    }
    if (r.op.op !== 'link.create' && r.op.op !== 'link.set') return undefined;
    names.add(r.op.name);
  }
  // A veth made in a namespace that is read is judged with its host end, if that exists.
  const links = (trusted: ReadonlySet<string>): string[] => {
    const out = new Set(names);
    for (const r of a.desired) {
      const op = r.op;
      if (op.op === 'link.create' && op.kind === 'veth' && op.peer.ns === HOST_NS && !trusted.has(op.ns)) out.add(op.peer.name);
    }
    return [...out];
  };
  return { ids, links };
}
