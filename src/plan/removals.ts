// Owned objects that must go: the inverse of each creating operation, ordered by resource kind
// (routes, addresses, links, namespaces, then settings restored) so that nothing is removed
// before what depends on it. Used by planLab for objects dropped from a file and by teardown.
import type { KernelOp } from '../port/kernel.js';
import { kindOfId, type IdKind } from '../names/resource-id.js';
import { linkEnds, opNs } from '../ops/scope.js';
import { assertNever } from '../util/assert-never.js';
import type { Owned, OwnedRecord } from './live.js';
import type { PlanStep } from './steps.js';

// Namespaces go before host links: deleting a namespace removes its veths (and their host ends)
// in one kernel batch, while deleting a bridge first would release every port one by one.
// An adopted namespace (`netns_of`) is only detached, after its veths were deleted one by one.
// A tunnel's FDB entries go before its link (when the link stays, only they go).
const kindOrder = ['nft', 'route', 'addr', 'fdb', 'netns', 'link', 'attach', 'sysctl'] as const satisfies readonly IdKind[];

/** The operation that undoes a creating operation, or undefined when there is nothing to undo. */
export function inverseOp(rec: OwnedRecord): KernelOp | undefined {
  const op = rec.op;
  switch (op.op) {
    case 'netns.create':
      return op.group === undefined ? { op: 'netns.delete', name: op.name } : { op: 'netns.delete', name: op.name, group: op.group };
    case 'netns.attach':
      return { op: 'netns.detach', name: op.name };
    case 'link.create':
      return { op: 'link.delete', ns: op.ns, name: op.name };
    case 'addr.add':
      return { op: 'addr.delete', ns: op.ns, dev: op.dev, cidr: op.cidr };
    case 'route.add': {
      const { op: _, ...rest } = op;
      return { ...rest, op: 'route.delete' };
    }
    case 'sysctl.set':
      // Settings inside a lab namespace die with it; only host settings are restored.
      return rec.prev === undefined ? undefined : { op: 'sysctl.set', ns: op.ns, key: op.key, value: rec.prev };
    case 'nft.load':
      return { op: 'nft.delete', ns: op.ns, table: op.table };
    case 'fdb.append':
      return { op: 'fdb.delete', ns: op.ns, dev: op.dev, dst: op.dst };
    case 'netns.delete':
    case 'netns.detach':
    case 'nft.delete':
    case 'link.set':
    case 'link.delete':
    case 'addr.delete':
    case 'route.delete':
    case 'qdisc.replace': // never owned: a qdisc goes with its link (state/records.ts journalOp)
    case 'qdisc.delete':
    case 'fdb.delete':
      return undefined;
    default:
      return assertNever(op);
  }
}

/**
 * Steps removing the owned records that `keep` rejects. Objects inside a namespace that is itself
 * removed are not touched one by one: deleting the namespace removes them (the fast teardown).
 */
export function removalSteps(owned: Owned, keep: (id: string) => boolean): PlanStep[] {
  const going = [...owned.values()].filter((r) => !keep(r.id));
  const doomedNs = new Set(going.flatMap((r) => (r.op.op === 'netns.create' ? [r.op.name] : [])));
  const doomedLinks = new Set(going.flatMap((r) => linkEnds(r.op)));
  const steps: PlanStep[] = [];
  for (const kind of kindOrder) {
    for (const rec of [...going].reverse()) {
      if (kindOfId(rec.id) !== kind) continue;
      if (kind !== 'netns' && doomedNs.has(opNs(rec.op))) continue;
      if ((rec.op.op === 'addr.add' || rec.op.op === 'fdb.append') && doomedLinks.has(`${rec.op.ns}:${rec.op.dev}`)) continue;
      if (rec.op.op === 'addr.add' && doomedNs.has(peerNsOf(owned, rec.op.ns, rec.op.dev) ?? '')) continue;
      const inv = inverseOp(rec);
      if (inv) steps.push({ id: rec.id, op: inv, journal: 'drop' });
    }
  }
  return steps;
}

/** The namespace that created the veth whose far end is `ns:dev`, if the journal has it. */
function peerNsOf(owned: Owned, ns: string, dev: string): string | undefined {
  for (const r of owned.values()) {
    if (r.op.op === 'link.create' && r.op.kind === 'veth' && r.op.peer.ns === ns && r.op.peer.name === dev) return r.op.ns;
  }
  return undefined;
}
