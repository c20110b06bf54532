// planLab: the pure heart of `up`. Desired resources vs the live kernel and the journal ->
// ordered steps (create what is missing, fix configuration, remove what the file dropped),
// plus conflicts with foreign objects. Queries nothing: all it knows comes in as arguments.
import type { KernelOp, LiveLink, LiveRoute } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { marksLab } from '../names/markers.js';
import { resourceId } from '../names/resource-id.js';
import { IndexAllocator } from './indexes.js';
import type { LiveState, Owned } from './live.js';
import { sysctlKey } from './live.js';
import { linkEnds } from '../ops/scope.js';
import { removalSteps } from './removals.js';
import { qdiscMatches, rootQdisc, staleQdiscSteps } from './impair.js';
import { resourceHome } from './trust.js';
import type { Resource } from './resources.js';
import { desiredResources } from './resources.js';
import type { Plan, PlanStep } from './steps.js';

/** Inputs of planLab. */
export interface PlanInput {
  readonly topology: Topology;
  readonly live: LiveState;
  readonly owned: Owned;
  /** desiredResources(topology), when the caller already has it (it renders every nft script). */
  readonly desired?: readonly Resource[];
}

type Verdict = { readonly steps: PlanStep[]; readonly conflict?: string };
const same: Verdict = { steps: [] };

/** Compute the ordered steps that turn the live state into the topology. */
export function planLab({ topology, live, owned, desired = desiredResources(topology) }: PlanInput): Plan {
  // Both ends of every journaled link, made when first asked (only a link found live but not
  // journaled asks): an up that changes one node of a big lab would otherwise walk 6000 records.
  let ends: Set<string> | undefined;
  const endsOf = (): ReadonlySet<string> => {
    ends ??= new Set([...owned.values()].flatMap((r) => linkEnds(r.op)));
    return ends;
  };
  const ctx: Ctx = { live, owned, ends: endsOf, lab: topology.name, indexes: new IndexAllocator(live.spaces), byName: new Map(), recreated: new Set() };
  const steps: PlanStep[] = [];
  const conflicts: string[] = [];
  let unchanged = 0;
  for (const r of desired) {
    const v = judge(r, ctx);
    if (v.conflict) conflicts.push(v.conflict);
    else if (v.steps.length === 0) unchanged++;
    steps.push(...v.steps);
  }
  const wanted = new Set<string>(desired.map((r) => r.id));
  const removals = removalSteps(owned, (id) => wanted.has(id));
  const unshaped = staleQdiscSteps(topology, live, wanted);
  return { lab: topology.name, steps: [...removals, ...steps, ...unshaped], unchanged, conflicts };
}

interface Ctx {
  readonly live: LiveState;
  readonly owned: Owned;
  /** `ns:name` of both ends of every link the journal records. */
  readonly ends: () => ReadonlySet<string>;
  readonly lab: string;
  readonly indexes: IndexAllocator;
  /** Live links by name, per namespace, built on first use (a host can hold thousands). */
  readonly byName: Map<string, ReadonlyMap<string, LiveLink>>;
  /** `ns/name` of live links this plan deletes and creates anew: their settings must be set again. */
  readonly recreated: Set<string>;
}

function judge(r: Resource, ctx: Ctx): Verdict {
  // A namespace left unread holds what the journal says (plan/trust.ts).
  if (ctx.live.trusted?.has(resourceHome(r)) || ctx.live.trustedIds?.has(r.id)) return same;
  switch (r.kind) {
    case 'netns':
      return judgeNetns(r, ctx);
    case 'link':
      return judgeLink(r, ctx);
    case 'config':
      return judgeConfig(r, ctx);
    case 'addr':
      return judgeAddr(r, ctx);
    case 'route':
      return judgeRoute(r, ctx);
    case 'sysctl':
      return judgeSysctl(r, ctx);
    case 'nft':
      return judgeNft(r, ctx);
    case 'qdisc':
      return judgeQdisc(r, ctx);
    case 'fdb':
      return judgeFdb(r, ctx);
  }
}

/**
 * A lab table is reloaded only when its rules changed (the journal holds the script last loaded):
 * replacing a table costs the kernel an RCU grace period, ~14 ms a namespace.
 */
function judgeNft(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'nft.load') return same;
  const present = ctx.live.tables.get(op.ns)?.has(op.table) === true;
  const mine = ctx.owned.get(r.id);
  if (!present) return own(r);
  if (!mine) {
    const where = op.ns === HOST_NS ? 'the host namespace' : `namespace ${op.ns}`;
    return {
      steps: [],
      conflict: `nftables table inet ${op.table} already exists in ${where} and was not created by lab ${ctx.lab} (remove it with \`nft delete table inet ${op.table}\` if it is a leftover)`,
    };
  }
  return mine.op.op === 'nft.load' && mine.op.script === op.script ? same : own(r);
}

/**
 * A tunnel's FDB entry: there when the journal has it and its device was not made anew in this
 * plan (the kernel's FDB is not read: the entries live and die with the device nslab owns).
 */
function judgeFdb(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'fdb.append') return same;
  const dev = findLink(ctx, op.ns, op.dev);
  return ctx.owned.has(r.id) && dev !== undefined ? same : own(r);
}

/** A link's root qdisc: replaced when the live one differs (or the link is made anew). */
function judgeQdisc(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'qdisc.replace') return same;
  const live = ctx.recreated.has(`${op.ns}/${op.dev}`) ? undefined : rootQdisc(ctx.live, op.ns, op.dev);
  return live && qdiscMatches(live, op.qdisc) ? same : { steps: [{ id: r.id, op, journal: 'none' }] };
}

const own = (r: Resource, op: KernelOp = r.op): Verdict => ({ steps: [{ id: r.id, op, journal: 'own' }] });

function judgeNetns(r: Resource, ctx: Ctx): Verdict {
  if (r.op.op !== 'netns.create' && r.op.op !== 'netns.attach') return same;
  if (!ctx.live.netns.has(r.op.name)) return own(r);
  if (ctx.owned.has(r.id)) return same;
  return {
    steps: [],
    conflict: `network namespace ${r.op.name} already exists and was not created by lab ${ctx.lab} (remove it with \`ip netns delete ${r.op.name}\` if it is a leftover, or rename the lab)`,
  };
}

function findLink(ctx: Ctx, ns: string, name: string): LiveLink | undefined {
  let links = ctx.byName.get(ns);
  if (!links) {
    links = new Map((ctx.live.spaces.get(ns)?.links ?? []).map((l) => [l.name, l]));
    ctx.byName.set(ns, links);
  }
  return links.get(name);
}

/**
 * Ours: journaled (either end of a veth we created), or inside a namespace we own. Never the
 * alias: anyone with CAP_NET_ADMIN can write a marker (names/markers.ts) on a link, and everything we create
 * is journaled before it exists, so a real object of ours is always in the journal.
 */
function isOurs(ctx: Ctx, id: string, ns: string, name: string): boolean {
  if (ctx.owned.has(id) || ctx.ends().has(`${ns}:${name}`)) return true;
  return ns !== HOST_NS && ctx.owned.has(resourceId.netns(ns));
}

function judgeLink(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'link.create') return same;
  const existing = findLink(ctx, op.ns, op.name);
  if (existing) {
    if (!isOurs(ctx, r.id, op.ns, op.name)) return { steps: [], conflict: foreign(ctx.lab, op.ns, op.name) };
    if (op.kind === 'vxlan' && op.underlay !== undefined && !sameTunnelEnd(existing, op)) {
      // A node's end of a link between machines whose far end, VNI or MTU changed (or a veth the
      // link was while both nodes were on one machine): made anew, with its addresses and routes.
      ctx.recreated.add(`${op.ns}/${op.name}`);
      return { steps: [{ id: r.id, op: { op: 'link.delete', ns: op.ns, name: op.name }, journal: 'none' }, ...own(r).steps] };
    }
    // Created but not brought up yet (an up killed between the two): bring it up now.
    return op.up && !existing.up ? { steps: [{ id: r.id, op: { op: 'link.set', ns: op.ns, name: op.name, up: true }, journal: 'none' }] } : same;
  }
  if (op.kind !== 'veth') return own(r);
  const peerLive = findLink(ctx, op.peer.ns, op.peer.name);
  if (peerLive && !isOurs(ctx, resourceId.link(op.peer.ns, op.peer.name), op.peer.ns, op.peer.name)) {
    return { steps: [], conflict: foreign(ctx.lab, op.peer.ns, op.peer.name) };
  }
  const index = op.ns === HOST_NS ? {} : { index: ctx.indexes.next(op.ns) };
  const peerIndex = op.peer.ns === HOST_NS ? {} : { index: ctx.indexes.next(op.peer.ns) };
  const create: KernelOp = { ...op, ...index, peer: { ...op.peer, ...peerIndex } };
  // A stale far end of ours (its pair's namespace is still being torn down) would make the
  // create fail with EEXIST: remove it first.
  const stale: PlanStep[] = peerLive ? [{ id: r.id, op: { op: 'link.delete', ns: op.peer.ns, name: op.peer.name }, journal: 'none' }] : [];
  // The new far end starts without the old one's master, alias and state (judgeConfig).
  if (peerLive) ctx.recreated.add(`${op.peer.ns}/${op.peer.name}`);
  return { steps: [...stale, ...own(r, create).steps] };
}

/** Whether a live link is the tunnel end a vxlan creation asks for (kind, VNI, underlay ends, MTU). */
function sameTunnelEnd(l: LiveLink, op: Extract<KernelOp, { op: 'link.create'; kind: 'vxlan' }>): boolean {
  const v = l.vxlan;
  return (
    l.kind === 'vxlan' && v !== undefined && v.vni === op.vni && v.local === op.local && v.remote === op.remote && (op.mtu === undefined || l.mtu === op.mtu)
  );
}

function foreign(lab: string, ns: string, name: string): string {
  const where = ns === HOST_NS ? 'the host namespace' : `namespace ${ns}`;
  return `interface ${name} already exists in ${where} and was not created by lab ${lab}; rename the network or node, or remove it (\`ip ${ns === HOST_NS ? '' : `-n ${ns} `}link del ${name}\`) if it is a leftover`;
}

function judgeConfig(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'link.set') return same;
  const l = ctx.recreated.has(`${op.ns}/${op.name}`) ? undefined : findLink(ctx, op.ns, op.name);
  const ok =
    l !== undefined &&
    (op.up === undefined || l.up === op.up) &&
    (op.master === undefined || l.master === op.master) &&
    (op.alias === undefined || l.alias === op.alias);
  return ok ? same : { steps: [{ id: r.id, op, journal: 'none' }] };
}

function judgeAddr(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'addr.add') return same;
  const addrs = ctx.live.spaces.get(op.ns)?.addrs ?? [];
  if (!ctx.recreated.has(`${op.ns}/${op.dev}`) && addrs.some((a) => a.dev === op.dev && a.cidr === op.cidr)) return same;
  const elsewhere = op.ns === HOST_NS ? addrs.find((a) => a.cidr.split('/')[0] === op.cidr.split('/')[0]) : undefined;
  if (elsewhere) {
    // The lab's own bridge, renamed by hand: its marker says whose it is; name what was found.
    const alias = findLink(ctx, HOST_NS, elsewhere.dev)?.alias;
    if (alias !== undefined && marksLab(alias, ctx.lab)) {
      return {
        steps: [],
        conflict: `the lab's ${op.dev} (marked "${alias}") is now named ${elsewhere.dev}: rename it back (\`ip link set ${elsewhere.dev} name ${op.dev}\`) or take the lab down (\`nslab down ${ctx.lab}\`)`,
      };
    }
    return {
      steps: [],
      conflict: `address ${op.cidr.split('/')[0]} is already on ${elsewhere.dev} in the host namespace (another lab with the same gateway?); change the gateway or run this lab with --host-netns`,
    };
  }
  return own(r);
}

/**
 * nslab owns only the routes it declared: single-path, proto static, at the kernel's default
 * metric. Routes a routing daemon installed (another protocol, another metric, several next hops)
 * to the same prefix are someone else's: they neither count as the lab's route nor get deleted.
 * Only a route in the very slot nslab's add needs (same prefix and metric, where the kernel would
 * answer EEXIST) stands in the way.
 */
function judgeRoute(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'route.add') return same;
  // Routes through a link this plan makes anew go with the old link (the kernel drops them).
  const routes = (ctx.live.spaces.get(op.ns)?.routes ?? []).filter(
    (x) => x.to === op.to && x.protocol !== 'kernel' && x.type === 'unicast' && !ctx.recreated.has(`${op.ns}/${x.dev}`),
  );
  const slot = routes.filter(defaultMetric);
  if (slot.some((x) => byHand(x) && x.via === op.via && (op.dev === undefined || x.dev === op.dev))) return same;
  const found = slot[0];
  if (!found) return own(r);
  if (!ctx.owned.has(r.id) || !byHand(found)) {
    return { steps: [], conflict: `route to ${op.to} in ${op.ns} exists (${liveRouteText(found)}) and was not created by lab ${ctx.lab}` };
  }
  const del: KernelOp = { op: 'route.delete', ns: op.ns, to: found.to, ...(found.via ? { via: found.via } : {}) };
  return { steps: [{ id: r.id, op: del, journal: 'none' }, ...own(r).steps] };
}

/** nslab adds routes without a metric: the kernel's default, 0 for IPv4 (then not reported) and 1024 for IPv6. */
function defaultMetric(x: LiveRoute): boolean {
  return x.metric === undefined || x.metric === (x.family === 6 ? 1024 : 0);
}

/** A single-path route as nslab (proto static) or `ip route add` (proto boot) makes it; never a daemon's. */
function byHand(x: LiveRoute): boolean {
  return x.nexthops === undefined && (x.protocol === 'static' || x.protocol === 'boot');
}

/** "via 10.0.1.1", "dev eth0", "proto ospf, nexthop via A dev eth0, nexthop via B dev eth1". */
function liveRouteText(x: LiveRoute): string {
  const hop = (h: { via?: string; dev?: string }): string => [h.via ? `via ${h.via}` : '', h.dev ? `dev ${h.dev}` : ''].filter(Boolean).join(' ');
  const hops = x.nexthops ? x.nexthops.map((h) => `nexthop ${hop(h)}`).join(', ') : hop(x);
  return byHand(x) ? hops : `proto ${x.protocol}, ${hops}`;
}

function judgeSysctl(r: Resource, ctx: Ctx): Verdict {
  const op = r.op;
  if (op.op !== 'sysctl.set') return same;
  const key = sysctlKey(op.ns, op.key);
  const now = ctx.live.sysctls.get(key);
  if (op.ns !== HOST_NS) return now === op.value ? same : own(r);
  // A host setting is owned with the value to restore: the one before nslab, even when another
  // running lab already changed it (sharedPrev), so that the last lab down restores it.
  if (ctx.owned.has(r.id) && now === op.value) return same;
  const prev = ctx.owned.get(r.id)?.prev ?? ctx.live.sharedPrev.get(key) ?? now;
  if (prev === undefined || prev === op.value) return now === op.value ? same : own(r);
  return { steps: [{ id: r.id, op, journal: 'own', prev }] };
}
