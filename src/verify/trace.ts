// `trace`: the path one packet takes through a lab, hop by hop, and the path of the reply.
// PURE: the kernel's routing decisions come in through `lookup` (RTM_GETROUTE in lab/trace.ts),
// the wiring from the topology plus live snapshots (bridge ports, addresses). Nothing is sent.
// Stops at the first hop that would drop the packet and says why, in words a user can act on.
// Node firewalls are evaluated from the model (the ruleset `up` loaded): output where the packet
// leaves its source, forward where a node routes it on, input where it is delivered.
import { nftTableName } from '../names/markers.js';
import { HOST_NS, type LiveRoute, type NsRef, type NsSnapshot } from '../port/kernel.js';
import type { Topology } from '../model/types.js';
import { contains, formatCidr, networkOf, parseAddress, parseCidr } from '../util/ip.js';
import { evaluateChain, type ChainName, type FwPacket } from './firewall-eval.js';

/** Longest path walked before giving up (a routing loop). */
export const MAX_HOPS = 32;

/** A route lookup's answer (the shape of the kernel port's routeGet). */
export interface LookupAnswer {
  readonly type: string;
  readonly dev?: string;
  readonly via?: string;
  readonly src?: string;
  readonly error?: string;
}

/** `ip -n NS route get DST [from SRC] [iif DEV]`; undefined when the namespace is gone. */
export type LookupFn = (ns: NsRef, q: { readonly dst: string; readonly src?: string; readonly iif?: string }) => LookupAnswer | undefined;

/** What is sent: a ping (default), or the first packet of a tcp/udp flow to a port. */
export type Probe = { readonly kind: 'icmp' } | { readonly kind: 'tcp' | 'udp'; readonly port: number };

/** The source port the walk assumes for tcp/udp requests (one of Linux's ephemeral ports). */
export const EPHEMERAL_PORT = 49152;

/** Everything the walk needs. */
export interface TraceInput {
  readonly topology: Topology;
  /** Live state by namespace: every node's netns and HOST_NS (missing ones are absent). */
  readonly snapshots: ReadonlyMap<NsRef, NsSnapshot>;
  readonly lookup: LookupFn;
  /** A sysctl's value in a namespace (net.ipv4.ip_forward). */
  readonly sysctl: (ns: NsRef, key: string) => string | undefined;
  /** Source node name. */
  readonly from: string;
  /** The target as written (node, node:iface or address). */
  readonly to: string;
  /** The target address. */
  readonly dst: string;
  /** What is sent; icmp when absent. */
  readonly probe?: Probe;
}

/** One forwarding decision: where, which route, out of which interface, towards whom. */
export interface Hop {
  /** Node name, or "host". */
  readonly at: string;
  /** Interface the packet came in on (absent where it was sent from). */
  readonly inDev?: string;
  readonly outDev: string;
  /** The address whose neighbour (ARP/NDP) entry is needed: the gateway, or the destination. */
  readonly nextHop: string;
  /** The route used, as `ip route` prints it: "default via 10.0.1.1", "10.0.1.0/24". */
  readonly route: string;
  readonly src?: string;
  /** What is on the other side of outDev: "host bridge lab-lan", "r1:eth0", "host lab-n-eth0". */
  readonly toward: string;
  /** Where the packet lands, and on which interface (absent when nobody there holds nextHop). */
  readonly next?: string;
  readonly nextDev?: string;
  /**
   * The other next hops of the multipath route used ("via 10.0.13.3 dev eth1"): the kernel hashed
   * this flow onto outDev; other flows may take these.
   */
  readonly alternatives?: readonly string[];
  /** What the link this hop leaves by does to packets: "impaired: rate 10mbit loss 5%", "runtime: down". */
  readonly notes?: readonly string[];
}

/** Why a walk stopped. */
export type StopCode =
  | 'no-route'
  | 'link-down'
  | 'forwarding-off'
  | 'no-neighbour'
  | 'shared-subnet'
  | 'martian'
  | 'outside-lab'
  | 'gone'
  | 'loop'
  | 'firewall';

/** One direction of the trace. */
export interface Leg {
  readonly direction: 'request' | 'reply';
  /** Source address (the first route's preferred source for the request); absent if unknown. */
  readonly src?: string;
  readonly dst: string;
  readonly hops: readonly Hop[];
  readonly reached: boolean;
  /** Where it arrived (dst is local there) and on which interface. */
  readonly at?: string;
  readonly arrivedOn?: string;
  readonly stop?: {
    readonly code: StopCode;
    readonly at: string;
    readonly message: string;
    /** code firewall: the deciding rule's comment tag (`nslab:<lab>:input#2`) or 'policy'. */
    readonly rule?: string;
    /** code firewall: the chain that decided. */
    readonly chain?: ChainName;
  };
}

/** The request path, and the reply path when the request arrived. */
export interface Trace {
  readonly from: string;
  readonly to: string;
  readonly dst: string;
  readonly probe: Probe;
  readonly request: Leg;
  readonly reply?: Leg;
  /** Both ways arrive. */
  readonly ok: boolean;
}

/** Walk the request from `from` to `dst`, then the reply back. */
export function traceLab(input: TraceInput): Trace {
  const start = input.topology.nodes.get(input.from)?.netns ?? `${input.topology.name}-${input.from}`;
  const request = walk(input, { direction: 'request', ns: start, dst: input.dst });
  const base = { from: input.from, to: input.to, dst: input.dst, probe: input.probe ?? { kind: 'icmp' as const }, request };
  if (!request.reached || request.src === undefined) return { ...base, ok: false };
  const back = nsOfPlace(input, request.at ?? input.from);
  const reply = walk(input, { direction: 'reply', ns: back, dst: request.src, src: input.dst, arrivedOn: request.arrivedOn });
  return { ...base, reply, ok: reply.reached };
}

interface Start {
  readonly direction: Leg['direction'];
  readonly ns: NsRef;
  readonly dst: string;
  readonly src?: string;
  /** Where the request came in (reply leg), for the two-interfaces-one-subnet explanation. */
  readonly arrivedOn?: string | undefined;
}

function walk(input: TraceInput, s: Start): Leg {
  const hops: Hop[] = [];
  let ns = s.ns;
  let inDev: string | undefined;
  let src = s.src;
  const leg = (rest: Partial<Leg>): Leg => ({ direction: s.direction, dst: s.dst, hops, reached: false, ...(src ? { src } : {}), ...rest });
  const stop = (code: StopCode, message: string): Leg => leg({ stop: { code, at: placeOf(input, ns), message } });
  /** The chain's verdict on the packet at ns; a stopped leg when it does not accept. */
  const filter = (chain: ChainName, io: { iif?: string; oif?: string }): Leg | undefined => {
    const v = firewallVerdict(input, ns, chain, packetOf(input.probe, s.direction, src ?? '?', s.dst, io));
    return v && leg({ stop: { code: 'firewall', at: placeOf(input, ns), message: v.message, rule: v.rule, chain } });
  };
  for (let i = 0; i < MAX_HOPS; i++) {
    const at = placeOf(input, ns);
    const ans = input.lookup(ns, { dst: s.dst, ...(src ? { src } : {}), ...(inDev ? { iif: inDev } : {}) });
    if (!ans) return stop('gone', `the namespace of ${at} is gone: run \`nslab up\` again`);
    if (!src && ans.src) src = ans.src;
    if (ans.type === 'local') {
      // To itself: out and back in over loopback.
      const fw = inDev ? filter('input', { iif: inDev }) : (filter('output', { oif: 'lo' }) ?? filter('input', { iif: 'lo' }));
      return fw ?? leg({ reached: true, at, ...(inDev ? { arrivedOn: inDev } : {}) });
    }
    if (inDev && !forwardingOn(input, ns, s.dst)) {
      return stop(
        'forwarding-off',
        `dropped: forwarding is off in ${at} (sysctl ${forwardKey(s.dst)}=0), so it does not pass packets for ${s.dst} on; set forwarding: true on ${at}`,
      );
    }
    if (ans.error === 'EXDEV' || (inDev && ans.error === 'EINVAL')) {
      return stop(
        'martian',
        `${at} drops packets from ${src ?? '?'} arriving on ${inDev ?? '?'}: reverse-path filter (rp_filter) or martian source (${ans.error})`,
      );
    }
    if (ans.type !== 'unicast' || ans.dev === undefined) {
      // The kernel drops the routes through an interface that is set down: say that, not "add a route".
      const down = ans.error === 'ENETUNREACH' || ans.error === 'EHOSTUNREACH' ? downLinkToward(input, ns, s.dst) : undefined;
      return down ? stop('link-down', down) : stop('no-route', noRoute(at, s.dst, ans));
    }
    // The filter hooks run after the routing decision and before the neighbour lookup.
    const fw = inDev ? filter('forward', { iif: inDev, oif: ans.dev }) : filter('output', { oif: ans.dev });
    if (fw) return fw;
    const nextHop = ans.via ?? s.dst;
    const seg = segmentOf(input, ns, ans.dev);
    if (!seg) return stop('outside-lab', `${at} sends packets for ${s.dst} out ${ans.dev}, which is not part of lab ${input.topology.name}`);
    const holder = holderOf(input, seg, { ns, dev: ans.dev }, nextHop);
    const used = routeUsed(input.snapshots.get(ns), s.dst, ans);
    const hop: Hop = {
      at,
      outDev: ans.dev,
      nextHop,
      route: used.text,
      toward: seg.label(ns, ans.dev),
      ...(inDev ? { inDev } : {}),
      ...(ans.src ? { src: ans.src } : {}),
      ...(holder ? { next: holder.place, nextDev: holder.dev } : {}),
      ...(used.alternatives.length > 0 ? { alternatives: used.alternatives } : {}),
    };
    hops.push(hop);
    const cut = linkDown(input, { ns, dev: ans.dev }, holder ?? seg.members.find((m) => !(m.ns === ns && m.dev === ans.dev)), seg.label(ns, ans.dev));
    if (cut) return stop('link-down', cut);
    if (!holder) {
      const trap = sharedSubnet(input, { ns, dev: ans.dev, nextHop, arrivedOn: s.arrivedOn, reply: s.direction === 'reply' });
      return trap
        ? stop('shared-subnet', trap)
        : stop(
            'no-neighbour',
            `no neighbour would answer ${arp(nextHop)} for ${nextHop} on link ${ans.dev} (${seg.label(ns, ans.dev)}): nothing there holds that address`,
          );
    }
    ns = holder.ns;
    inDev = holder.dev;
  }
  return stop('loop', `gave up after ${MAX_HOPS} hops: the routes form a loop`);
}

/** The packet a chain sees: requests are new, replies established; tcp/udp ports swap on the way back. */
function packetOf(probe: Probe | undefined, direction: Leg['direction'], src: string, dst: string, io: { iif?: string; oif?: string }): FwPacket {
  const state = direction === 'request' ? 'new' : 'established';
  const ports =
    probe && probe.kind !== 'icmp'
      ? direction === 'request'
        ? { sport: EPHEMERAL_PORT, dport: probe.port }
        : { sport: probe.port, dport: EPHEMERAL_PORT }
      : {};
  return { proto: probe?.kind ?? 'icmp', src, dst, state, ...ports, ...io };
}

/** A node's firewall verdict when it does not accept the packet: the message and the rule tag. */
function firewallVerdict(input: TraceInput, ns: NsRef, chain: ChainName, p: FwPacket): { message: string; rule: string } | undefined {
  if (ns === HOST_NS) return undefined;
  const node = [...input.topology.nodes.values()].find((n) => n.netns === ns);
  if (!node?.firewall) return undefined;
  const lab = input.topology.name;
  const v = evaluateChain({ lab, chainName: chain, chain: node.firewall[chain], packet: p });
  if (v.verdict === 'accept') return undefined;
  const addr = (a: string, port: number | undefined): string => (port === undefined ? a : a.includes(':') ? `[${a}]:${port}` : `${a}:${port}`);
  const io = [...(p.iif !== undefined ? [`in on ${p.iif}`] : []), ...(p.oif !== undefined ? [`out ${p.oif}`] : [])].join(', ');
  const what = `${p.proto} ${addr(p.src, p.sport)} -> ${addr(p.dst, p.dport)}, state ${p.state}${io ? `, ${io}` : ''}`;
  const where = `\`ip netns exec ${node.netns} nft list chain inet ${nftTableName(lab)} ${chain}\``;
  const find = v.rule === 'policy' ? `no rule of the chain accepts it; see ${where}` : `comment "${v.rule}" in ${where}`;
  return { rule: v.rule, message: `${v.verdict === 'reject' ? 'rejected' : 'dropped'} by ${node.name}'s firewall: ${v.text} (${what}); ${find}` };
}

function noRoute(at: string, dst: string, ans: LookupAnswer): string {
  if (ans.error === 'ENETUNREACH') return `${at} has no route to ${dst} (network is unreachable): add a route or a default route`;
  if (ans.type === 'unicast') return `${at} has a route to ${dst} without an output device`;
  return `${at} has a ${ans.type} route for ${dst}${ans.error ? ` (${ans.error})` : ''}: the packet is dropped there`;
}

function forwardKey(dst: string): string {
  return parseAddress(dst)?.family === 6 ? 'net.ipv6.conf.all.forwarding' : 'net.ipv4.ip_forward';
}

function forwardingOn(input: TraceInput, ns: NsRef, dst: string): boolean {
  return input.sysctl(ns, forwardKey(dst)) === '1';
}

function arp(address: string): string {
  return parseAddress(address)?.family === 6 ? 'neighbour discovery' : 'ARP';
}

/**
 * The route a lookup matched, found in the table: longest prefix (then lowest metric) with the same
 * device and gateway, or a multipath route one of whose next hops is the one the kernel chose.
 * Its text as `ip route` prints it, and the multipath route's other next hops.
 */
function routeUsed(snap: NsSnapshot | undefined, dst: string, ans: LookupAnswer): { text: string; alternatives: string[] } {
  const fits = (h: { via?: string; dev?: string }): boolean => (h.dev === undefined || h.dev === ans.dev) && h.via === ans.via;
  let best: LiveRoute | undefined;
  let len = -1;
  for (const r of snap?.routes ?? []) {
    const c = parseCidr(r.to);
    if (r.type !== 'unicast' || !(r.nexthops ? r.nexthops.some(fits) : fits(r)) || !c || !contains(c, dst)) continue;
    if (c.prefix > len || (c.prefix === len && best && (r.metric ?? 0) < (best.metric ?? 0))) [best, len] = [r, c.prefix];
  }
  const to = best ? (len === 0 ? 'default' : best.to) : dst;
  const proto = best && best.protocol !== 'static' && best.protocol !== 'boot' && best.protocol !== 'kernel' ? ` proto ${best.protocol}` : '';
  const hops = best?.nexthops && best.nexthops.length > 1 ? best.nexthops : undefined;
  const via = ans.via ? ` via ${ans.via}` : '';
  if (!hops) return { text: `${to}${via}${best ? '' : ` dev ${ans.dev ?? '?'}`}${proto}`, alternatives: [] };
  const others = hops.filter((h) => !fits(h));
  return {
    text: `${to}${via} dev ${ans.dev ?? '?'}${proto} (one of ${hops.length} next hops)`,
    alternatives: others.map((h) => [h.via ? `via ${h.via}` : '', h.dev ? `dev ${h.dev}` : ''].filter(Boolean).join(' ')),
  };
}

/**
 * Whether a live interface passes packets: set up, and with carrier (IFF_LOWER_UP; without it the
 * operstate "UP", or "UNKNOWN" as lo reports). Right after `up` a veth's operstate may still lag.
 */
function linkState(input: TraceInput, p: Port): 'up' | 'admin-down' | 'no-carrier' | undefined {
  const l = input.snapshots.get(p.ns)?.links.find((x) => x.name === p.dev);
  if (!l) return undefined;
  if (!l.up) return 'admin-down';
  if (l.carrier !== undefined) return l.carrier ? 'up' : 'no-carrier';
  return l.operstate === 'UP' || l.operstate === 'UNKNOWN' ? 'up' : 'no-carrier';
}

/** "r1:eth1", "host demo-lan". */
function portName(input: TraceInput, p: Port): string {
  const place = placeOf(input, p.ns);
  return place === 'host' ? `host ${p.dev}` : `${place}:${p.dev}`;
}

/** `ip -n NS link set DEV up` (plain `ip link` in the host). */
function upCommand(p: Port): string {
  return `\`ip ${p.ns === HOST_NS ? '' : `-n ${p.ns} `}link set ${p.dev} up\``;
}

/**
 * Why the link a hop leaves on cannot carry the packet, or undefined when both ends are up: the
 * egress interface set down or without carrier (its veth peer or bridge port is down), or the
 * interface that would receive it set down.
 */
function linkDown(input: TraceInput, out: Port, far: Port | undefined, toward: string): string | undefined {
  const mine = linkState(input, out);
  const theirs = far ? linkState(input, far) : undefined;
  if ((mine === undefined || mine === 'up') && (theirs === undefined || theirs === 'up')) return undefined;
  const link = `the link ${portName(input, out)} -> ${toward} is down`;
  if (mine === 'admin-down') return `${link}: ${portName(input, out)} is set down; bring it up with ${upCommand(out)}`;
  if (theirs === 'admin-down' && far) return `${link}: ${portName(input, far)} is set down; bring it up with ${upCommand(far)}`;
  return `${link}: ${portName(input, out)} has no carrier (its other end is down)`;
}

/**
 * When the kernel has no route: the lab interface of this node, set down or without carrier, that a
 * route to dst would leave on (the kernel drops the routes through a device that is down): one
 * whose subnet holds dst, or that holds the gateway of a declared route to dst.
 */
function downLinkToward(input: TraceInput, ns: NsRef, dst: string): string | undefined {
  const node = [...input.topology.nodes.values()].find((n) => n.netns === ns);
  if (!node) return undefined;
  const inSubnet = (iface: { readonly addresses: readonly string[] }, a: string): boolean =>
    iface.addresses.some((c) => {
      const net = parseCidr(c);
      return net !== undefined && contains(net, a);
    });
  const targets = [
    dst,
    ...node.routes.flatMap((r) => {
      const c = parseCidr(r.to === 'default' ? (dst.includes(':') ? '::/0' : '0.0.0.0/0') : r.to);
      return c && contains(c, dst) && r.via ? [r.via] : [];
    }),
  ];
  for (const iface of node.interfaces.values()) {
    const declaredDev = node.routes.some((r) => r.dev === iface.name && parseCidr(r.to) && contains(parseCidr(r.to)!, dst));
    if (!declaredDev && !targets.some((a) => inSubnet(iface, a))) continue;
    const out = { ns, dev: iface.name };
    const state = linkState(input, out);
    if (state === undefined || state === 'up') continue;
    const seg = segmentOf(input, ns, iface.name);
    const far = seg?.members.find((m) => !(m.ns === ns && m.dev === iface.name));
    const why = linkDown(input, out, far, seg?.label(ns, iface.name) ?? '?');
    if (why) return `${node.name} has no route to ${dst}: ${why}`;
  }
  return undefined;
}

/** A namespace-side interface. */
interface Port {
  readonly ns: NsRef;
  readonly dev: string;
}

/** A layer-2 segment: everyone on it, and how to name it as seen from one member. */
interface Segment {
  readonly members: readonly (Port & { readonly place: string })[];
  readonly label: (ns: NsRef, dev: string) => string;
}

/** The segment an interface is on: a bridge with its ports' far ends, or a veth pair. */
function segmentOf(input: TraceInput, ns: NsRef, dev: string): Segment | undefined {
  const t = input.topology;
  const host = input.snapshots.get(HOST_NS);
  const node = (n: string, iface: string): Port & { place: string } => ({ ns: t.nodes.get(n)?.netns ?? `${t.name}-${n}`, dev: iface, place: n });
  for (const net of t.networks.values()) {
    const links = t.links.flatMap((l) => (l.kind === 'bridged' && l.network === net.name ? [l] : []));
    // A host end that the live host shows detached from the bridge is not on the segment.
    const attached = links.filter((l) => host?.links.find((x) => x.name === l.hostEnd)?.master === net.bridge);
    const onIt =
      (ns === HOST_NS && (dev === net.bridge || attached.some((l) => l.hostEnd === dev))) ||
      links.some((l) => node(l.end.node, l.end.iface).ns === ns && l.end.iface === dev);
    if (!onIt) continue;
    const members = [{ ns: HOST_NS, dev: net.bridge, place: 'host' }, ...attached.map((l) => node(l.end.node, l.end.iface))];
    return { members, label: () => `host bridge ${net.bridge}` };
  }
  for (const l of t.links) {
    if (l.kind === 'bridged') continue;
    const ends =
      l.kind === 'p2p'
        ? [node(l.a.node, l.a.iface), node(l.b.node, l.b.iface)]
        : [node(l.end.node, l.end.iface), { ns: HOST_NS, dev: l.hostEnd, place: 'host' }];
    if (!ends.some((e) => e.ns === ns && e.dev === dev)) continue;
    const label = (from: NsRef, d: string): string => {
      const other = ends.find((e) => !(e.ns === from && e.dev === d));
      return other ? (other.place === 'host' ? `host ${other.dev}` : `${other.place}:${other.dev}`) : '?';
    };
    return { members: ends, label };
  }
  return undefined;
}

/** The member of the segment (other than the sender) whose interface holds the address. */
function holderOf(input: TraceInput, seg: Segment, sender: Port, address: string): (Port & { place: string }) | undefined {
  const want = parseAddress(address)?.address;
  return seg.members.find(
    (m) =>
      !(m.ns === sender.ns && m.dev === sender.dev) && (input.snapshots.get(m.ns)?.addrs ?? []).some((a) => a.dev === m.dev && a.cidr.split('/')[0] === want),
  );
}

/**
 * Seed 001's trap: the namespace has two interfaces in one subnet, the route picks the one where
 * nobody holds the next hop, while another one (where the request came in) would reach it.
 */
function sharedSubnet(input: TraceInput, o: { ns: NsRef; dev: string; nextHop: string; arrivedOn: string | undefined; reply: boolean }): string | undefined {
  const snap = input.snapshots.get(o.ns);
  const mine = snap?.addrs.map((a) => ({ dev: a.dev, net: parseCidr(a.cidr) })).find((a) => a.dev === o.dev && a.net && contains(a.net, o.nextHop));
  if (!snap || !mine?.net) return undefined;
  const subnet = formatCidr(networkOf(mine.net));
  const twins = snap.addrs.filter((a) => a.dev !== o.dev && parseCidr(a.cidr)?.prefix === mine.net!.prefix && contains(mine.net!, a.cidr.split('/')[0]!));
  const good = twins
    .map((a) => a.dev)
    .find((d) => {
      const seg = segmentOf(input, o.ns, d);
      return seg !== undefined && holderOf(input, seg, { ns: o.ns, dev: d }, o.nextHop) !== undefined;
    });
  if (!good) return undefined;
  const place = placeOf(input, o.ns);
  const tied = snap.routes.filter((r) => r.to === subnet && r.type === 'unicast');
  const which = tied.length > 1 && tied[0]?.dev === o.dev ? `the first route for ${subnet}` : `the route for ${subnet}`;
  const where = good === o.arrivedOn ? `${good} where the request came in` : `${good} where ${o.nextHop} is`;
  const what = o.reply ? 'replies' : 'packets';
  const owner = place === 'host' ? 'the host' : `node ${place}`;
  return (
    `${what} to ${o.nextHop} leave via ${o.dev} (${which}), not ${where}; ${arp(o.nextHop)} for ${o.nextHop} goes out ${o.dev} and nobody answers. ` +
    `Two interfaces of ${owner} share ${subnet}: use one bridge (see examples/host-bridge.yaml) or distinct subnets.`
  );
}

/** Node name of a namespace, or "host". */
function placeOf(input: TraceInput, ns: NsRef): string {
  if (ns === HOST_NS) return 'host';
  return [...input.topology.nodes.values()].find((n) => n.netns === ns)?.name ?? ns;
}

function nsOfPlace(input: TraceInput, place: string): NsRef {
  return place === 'host' ? HOST_NS : (input.topology.nodes.get(place)?.netns ?? place);
}
