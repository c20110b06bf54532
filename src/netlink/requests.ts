// KernelOp -> rtnetlink request messages: which link names an op needs as ifindexes, which it
// creates, and its encoded requests. PURE given its context (index lookup, namespace fds).
// Ordering quirks handled here: IFLA_AF_SPEC and IFLA_IFALIAS are ignored or refused on creation,
// and addr_gen_mode must be set before the link goes up, so those become follow-up requests.
import { parseAddress, parseCidr, type Cidr } from '../util/ip.js';
import type { KernelOp, NsRef } from '../port/kernel.js';
import { encodeAddr } from './wire-addr.js';
import { encodeBridgeCreate, encodeLinkDelete, encodeLinkSet, encodeVethCreate } from './wire-link.js';
import { encodeFdb, encodeVxlanCreate } from './wire-vxlan.js';
import { encodeQdiscDelete, encodeQdiscReplace, qdiscProblem, type Psched } from './wire-qdisc.js';
import { encodeRoute } from './wire-route.js';

/** The operations that are rtnetlink requests in one namespace (batched together). */
export type RtnlOp = Extract<KernelOp, { readonly ns: NsRef; readonly op: `${'link' | 'addr' | 'route' | 'qdisc' | 'fdb'}.${string}` }>;

/** Whether an op is an rtnetlink request (as opposed to netns.* and sysctl.set). */
export function isRtnlOp(op: KernelOp): op is RtnlOp {
  return op.op.startsWith('link.') || op.op.startsWith('addr.') || op.op.startsWith('route.') || op.op.startsWith('qdisc.') || op.op.startsWith('fdb.');
}

/**
 * Whether a refusal means the op's goal already holds. Deleting a root qdisc that is not there
 * (the device has its default one) is ENOENT, "Cannot delete qdisc with handle of zero": the
 * default is what the delete asks for. A missing device stays an error (ENODEV).
 */
export function refusalIsDone(op: RtnlOp, errno: number): boolean {
  // Likewise a tunnel's FDB entry that is gone already (its device's deletion took it).
  return (op.op === 'qdisc.delete' || op.op === 'fdb.delete') && errno === ENOENT;
}

const ENOENT = 2;

/** Link names in op.ns that must be known as ifindexes to encode the op. */
export function neededNames(op: RtnlOp): string[] {
  switch (op.op) {
    case 'link.set':
      return op.master !== undefined ? [op.master] : [];
    case 'addr.add':
    case 'addr.delete':
    case 'qdisc.replace':
    case 'qdisc.delete':
    case 'fdb.append':
    case 'fdb.delete':
      return [op.dev];
    case 'link.create':
      return op.kind === 'vxlan' && op.dev !== undefined ? [op.dev] : [];
    case 'route.add':
    case 'route.delete':
      return op.dev !== undefined ? [op.dev] : [];
    default:
      return []; // link.create and link.delete address links by name
  }
}

/** Links an op creates, with the ifindex it asks for (when it asks for one). */
export function createdLinks(op: RtnlOp): { ns: NsRef; name: string; index?: number }[] {
  if (op.op !== 'link.create') return [];
  const own = { ns: op.ns, name: op.name, ...(op.kind === 'veth' && op.index ? { index: op.index } : {}) };
  if (op.kind !== 'veth') return [own];
  return [own, { ns: op.peer.ns, name: op.peer.name, ...(op.peer.index ? { index: op.peer.index } : {}) }];
}

/** What the encoder needs from the caller. */
export interface EncodeContext {
  /** ifindex of a link name in the op's namespace; undefined when it does not exist. */
  index(name: string): number | undefined;
  /** An open fd for a namespace (IFLA_NET_NS_FD); throws when it does not exist. */
  nsFd(ns: NsRef): number;
  /** The scheduler clock (/proc/net/psched) for qdisc times; DEFAULT_PSCHED when not given. */
  readonly psched?: Psched;
}

/**
 * Requests for one op: `now`, then `after` only if every `now` request succeeded; `peerAfter`
 * likewise, but to be sent in another namespace (a veth peer's), before anything else there.
 */
export interface OpMessages {
  readonly now: Buffer[];
  /** `now` is to be sent from this other namespace (a vxlan whose underlay is not its own namespace). */
  readonly via?: NsRef;
  readonly after: Buffer[];
  readonly peerAfter?: { readonly ns: NsRef; readonly msgs: Buffer[] };
}

/** A reason not to send an op at all (bad argument, unknown device), like iproute2's own checks. */
export interface EncodeFailure {
  readonly errno: number;
  readonly code: string;
  readonly message: string;
}

/** Encode one op, or say why it cannot be sent. */
export function encodeOp(op: RtnlOp, ctx: EncodeContext): OpMessages | EncodeFailure {
  switch (op.op) {
    case 'link.create':
      return op.kind === 'bridge' ? encodeBridge(op) : op.kind === 'vxlan' ? encodeVxlan(op, ctx) : encodeVeth(op, ctx);
    case 'link.set':
      return encodeSet(op, ctx);
    case 'link.delete':
      return { now: [encodeLinkDelete(op.name)], after: [] };
    case 'addr.add':
    case 'addr.delete': {
      const cidr = parseCidr(op.cidr);
      if (!cidr) return invalid(`invalid address "${op.cidr}"`);
      const index = ctx.index(op.dev);
      if (index === undefined) return noDevice(op.dev);
      return { now: [encodeAddr(op.op === 'addr.add' ? 'add' : 'delete', { index, cidr })], after: [] };
    }
    case 'route.add':
    case 'route.delete':
      return encodeRouteOp(op, ctx);
    case 'qdisc.replace':
    case 'qdisc.delete': {
      const index = ctx.index(op.dev);
      if (index === undefined) return noDevice(op.dev);
      if (op.op === 'qdisc.delete') return { now: [encodeQdiscDelete(index)], after: [] };
      const problem = qdiscProblem(op.qdisc);
      if (problem !== undefined) return invalid(problem);
      return { now: [encodeQdiscReplace(index, op.qdisc, ctx.psched)], after: [] };
    }
    case 'fdb.append':
    case 'fdb.delete': {
      const index = ctx.index(op.dev);
      if (index === undefined) return op.op === 'fdb.delete' ? { errno: ENOENT, code: 'ENOENT', message: `no device ${op.dev}` } : noDevice(op.dev);
      return { now: [encodeFdb(op.op === 'fdb.append' ? 'append' : 'delete', { index, dst: op.dst })], after: [] };
    }
    default:
      return op satisfies never;
  }
}

type Create<K> = Extract<RtnlOp, { op: 'link.create'; kind: K }>;

function encodeBridge(op: Create<'bridge'>): OpMessages {
  const now = [encodeBridgeCreate({ name: op.name, up: op.up && op.ipv6 })];
  return { now, after: followUps(op.name, op.up, op.ipv6, op.alias) };
}

function encodeVxlan(op: Create<'vxlan'>, ctx: EncodeContext): OpMessages | EncodeFailure {
  const away = op.underlay !== undefined && op.underlay !== op.ns;
  let link: number | undefined;
  if (op.dev !== undefined) {
    link = ctx.index(op.dev);
    if (link === undefined) return noDevice(op.dev);
  }
  const create = encodeVxlanCreate({
    name: op.name,
    vni: op.vni,
    port: op.port,
    ...(op.local !== undefined ? { local: op.local } : {}),
    ...(link !== undefined ? { link } : {}),
    ...(op.mtu !== undefined ? { mtu: op.mtu } : {}),
    ...(op.remote !== undefined ? { remote: op.remote } : {}),
    ...(op.mac !== undefined ? { mac: op.mac } : {}),
    // A node's tunnel end: created from the underlay's namespace, which keeps its UDP socket, and
    // placed in the node's by IFLA_NET_NS_FD; its follow-ups then go to the node's namespace.
    ...(away ? { nsFd: ctx.nsFd(op.ns) } : {}),
  });
  const after = [...followUps(op.name, op.up, op.ipv6, op.alias), ...(op.up && op.ipv6 ? [encodeLinkSet({ name: op.name, up: true })] : [])];
  return away ? { now: [create], via: op.underlay, after } : { now: [create], after };
}

function encodeVeth(op: Create<'veth'>, ctx: EncodeContext): OpMessages {
  const { name, index, mtu } = op.peer;
  const peer = { name, ...(index ? { index } : {}), ...(mtu ? { mtu } : {}) };
  const nsFd = op.peer.ns === op.ns ? undefined : ctx.nsFd(op.peer.ns);
  const create = encodeVethCreate({
    name: op.name,
    up: op.up && op.ipv6,
    ...(op.index ? { index: op.index } : {}),
    ...(op.mtu ? { mtu: op.mtu } : {}),
    ...(op.mac ? { mac: op.mac } : {}),
    peer: nsFd === undefined ? peer : { ...peer, nsFd },
  });
  const after = followUps(op.name, op.up, op.ipv6, undefined);
  if (op.ipv6) return { now: [create], after };
  // ipv6:false covers both ends. The peer is created down, so setting its addr_gen_mode before
  // anything in its namespace can bring it up is early enough for no link-local to appear.
  const peerSet = [encodeLinkSet({ name: op.peer.name, addrGenModeNone: true })];
  if (op.peer.ns === op.ns) return { now: [create], after: [...after, ...peerSet] };
  return { now: [create], after, peerAfter: { ns: op.peer.ns, msgs: peerSet } };
}

/** Alias and addr_gen_mode after creation, then up (flags are applied before IFLA_AF_SPEC). */
function followUps(name: string, up: boolean, ipv6: boolean, alias: string | undefined): Buffer[] {
  const out: Buffer[] = [];
  if (alias !== undefined || !ipv6) {
    out.push(encodeLinkSet({ name, ...(alias !== undefined ? { alias } : {}), addrGenModeNone: !ipv6 }));
  }
  if (up && !ipv6) out.push(encodeLinkSet({ name, up: true }));
  return out;
}

function encodeSet(op: Extract<RtnlOp, { op: 'link.set' }>, ctx: EncodeContext): OpMessages | EncodeFailure {
  let master: number | undefined;
  if (op.master !== undefined) {
    master = ctx.index(op.master);
    if (master === undefined) return noDevice(op.master);
  }
  const attrs = {
    name: op.name,
    ...(master !== undefined ? { master } : {}),
    ...(op.alias !== undefined ? { alias: op.alias } : {}),
  };
  if (op.ipv6 !== false) return { now: [encodeLinkSet({ ...attrs, ...upOf(op.up) })], after: [] };
  const now = [encodeLinkSet({ ...attrs, addrGenModeNone: true })];
  if (op.up !== undefined) now.push(encodeLinkSet({ name: op.name, up: op.up }));
  return { now, after: [] };
}

function upOf(up: boolean | undefined): { up?: boolean } {
  return up === undefined ? {} : { up };
}

function encodeRouteOp(op: Extract<RtnlOp, { op: `route.${string}` }>, ctx: EncodeContext): OpMessages | EncodeFailure {
  const dst = routeDestination(op.to, op.via);
  if (!dst) return invalid(`invalid route destination "${op.to}"`);
  if (op.via !== undefined && parseAddress(op.via)?.family !== dst.family) {
    return invalid(`invalid gateway "${op.via}" for ${op.to}`);
  }
  if (op.via === undefined && op.dev === undefined && op.op === 'route.add') {
    return invalid(`route ${op.to} needs a gateway (via) or a device (dev)`);
  }
  let oif: number | undefined;
  if (op.dev !== undefined) {
    oif = ctx.index(op.dev);
    if (oif === undefined) return noDevice(op.dev);
  }
  const spec = { dst, ...(op.via !== undefined ? { gateway: op.via } : {}), ...(oif !== undefined ? { oif } : {}) };
  return { now: [encodeRoute(op.op === 'route.add' ? 'add' : 'delete', spec)], after: [] };
}

/** "default" (family of the gateway, IPv4 without one), a CIDR, or a bare address (host route). */
export function routeDestination(to: string, via: string | undefined): Cidr | undefined {
  if (to === 'default') {
    const family = via !== undefined ? (parseAddress(via)?.family ?? 4) : 4;
    return family === 4 ? { address: '0.0.0.0', prefix: 0, family } : { address: '::', prefix: 0, family };
  }
  if (to.includes('/')) return parseCidr(to);
  const a = parseAddress(to);
  return a ? { address: a.address, prefix: a.family === 4 ? 32 : 128, family: a.family } : undefined;
}

function invalid(message: string): EncodeFailure {
  return { errno: 22, code: 'EINVAL', message };
}

function noDevice(name: string): EncodeFailure {
  return { errno: 19, code: 'ENODEV', message: `Cannot find device "${name}"` };
}
