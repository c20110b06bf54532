// Which of a lab's namespaces an `up` may leave unread. Reading a namespace (open, socket, three
// dumps) is most of an unchanged up of a big lab (~0.2 ms each: 0.2 s for 1000), yet when the
// last up finished (the journal's `converged` record) and a namespace's part of the file did not
// change since, everything in it was built then and is journaled: its objects are taken as they
// were. The host namespace is always read, and so is every namespace whose host ends are missing
// there; `up --full` reads everything (to repair changes made by hand inside a namespace).
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

/** Resources by the namespace they live in, as comparable text. */
function signatures(resources: readonly Resource[]): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const r of resources) {
    const home = resourceHome(r);
    if (home === HOST_NS) continue;
    let list = parts.get(home);
    if (!list) {
      list = [];
      parts.set(home, list);
    }
    list.push(`${r.id}=${JSON.stringify(r.op)}`);
  }
  return new Map([...parts].map(([ns, list]) => [ns, list.sort().join('\n')]));
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
  const now = signatures(a.desired);
  const before = signatures(a.previous);
  const out = new Set<string>();
  for (const [ns, sig] of now) {
    if (before.get(ns) !== sig || !a.netns.has(ns) || a.owned.get(resourceId.netns(ns))?.op.op !== 'netns.create') continue;
    out.add(ns);
  }
  // Every journaled resource of a trusted namespace must be owned with the same operation.
  for (const r of a.desired) {
    const home = resourceHome(r);
    if (!out.has(home) || r.kind === 'config') continue;
    const rec = a.owned.get(r.id);
    if (!rec || comparable(rec.op) !== comparable(r.op)) out.delete(home);
  }
  return out;
}

/** An operation as text, without the interface indexes the planner adds when it creates a link. */
function comparable(op: Resource['op']): string {
  return JSON.stringify(op, (k, v: unknown) => (k === 'index' ? undefined : v));
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
