// FakeKernel: the Kernel port in memory, with the semantics that matter to nslab (veth pairs die
// together, a namespace takes its links and their peers with it, errnos as the kernel gives them)
// and fault injection: `crashAfter` throws mid-batch like a SIGKILL would stop a real run.
// Like Linux, it has no IPv6 state on a link whose MTU is below 1280, so addr_gen_mode (ipv6:false)
// is refused there (EAFNOSUPPORT): after a veth's creation, as a failed follow-up of an existing pair.
import type { Kernel, KernelOp, NeighPin, LiveLink, LiveQdisc, NsRef, NsSnapshot, OpResult, QdiscSpec, SnapshotWhat } from '../../src/port/kernel.js';
import { qdiscProblem, tbfLimit } from '../../src/netlink/wire-qdisc.js';
import { HOST_NS } from '../../src/port/kernel.js';
import { NslabError } from '../../src/util/errors.js';
import type { RouteAnswer, RouteQuery } from '../../src/port/kernel.js';
import { routeGetFromSnapshot } from './route-lookup.js';
import { contains, parseCidr } from '../../src/util/ip.js';

/** Whether `via` is in the subnet of the address `cidr` (a next hop the kernel reaches on that link). */
function onLink(cidr: string, via: string): boolean {
  const c = parseCidr(cidr);
  return c !== undefined && contains(c, via);
}

interface FLink {
  index: number;
  kind: 'veth' | 'bridge' | 'vxlan' | 'loopback';
  up: boolean;
  /** false: no carrier although up (a test cut the cable); a veth also has none while its peer is down. */
  carrier?: boolean;
  mtu?: number;
  master?: string;
  alias?: string;
  peer?: { ns: NsRef; name: string };
  /** The root qdisc nslab set; absent: the default (noqueue). */
  qdisc?: QdiscSpec;
  /** The handle the kernel gave it ("8001:", counting up per namespace). */
  qdiscHandle?: string;
  /** A vxlan's default FDB entries: the remote underlay addresses it floods to. */
  fdb?: string[];
  vni?: number;
  /** A vxlan's underlay ends, and the namespace of its UDP socket (its own when absent). */
  local?: string;
  remote?: string;
  underlay?: NsRef;
}
/** A route; protocol (static), metric (kernel default) and nexthops only for routes tests plant as a daemon would. */
export interface FRoute {
  to: string;
  via?: string;
  dev?: string;
  protocol?: string;
  metric?: number;
  nexthops?: Array<{ via?: string; dev?: string; weight?: number }>;
  /** The device a route given only `via` goes out of (as the kernel resolves it): it goes with that device. */
  through?: string;
}
interface FNs {
  tables: Set<string>;
  links: Map<string, FLink>;
  addrs: Array<{ dev: string; cidr: string }>;
  routes: FRoute[];
  sysctls: Map<string, string>;
  nextIndex: number;
  nextHandle: number;
}

/** Thrown by FakeKernel when its crash point is reached (simulates the process dying). */
export class FakeCrash extends Error {}

const errnos = { EINVAL: 22, EAFNOSUPPORT: 97, EEXIST: 17, ENOENT: 2, ENODEV: 19, EBUSY: 16, EADDRNOTAVAIL: 99, ESRCH: 3, ENETUNREACH: 101 } as const;
const texts: Record<keyof typeof errnos, string> = {
  EINVAL: 'Invalid argument',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EEXIST: 'File exists',
  ENOENT: 'No such file or directory',
  ENODEV: 'No such device',
  EBUSY: 'Device or resource busy',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ESRCH: 'No such process',
  ENETUNREACH: 'Network is unreachable',
};
type Code = keyof typeof errnos;
/** A refused operation; `created`: refused in a follow-up, after the object was made. */
class OpFail extends Error {
  constructor(
    readonly code: Code,
    readonly created = false,
  ) {
    super(code);
  }
}

/** Linux keeps no IPv6 state on a link below this MTU (IPV6_MIN_MTU). */
const IPV6_MIN_MTU = 1280;

/** An in-memory kernel for unit tests of plan, apply and teardown. */
export class FakeKernel implements Kernel {
  readonly spaces = new Map<NsRef, FNs>([[HOST_NS, newNs()]]);
  /** Operations executed so far (successful or not), for assertions. */
  readonly log: KernelOp[] = [];
  /** Throw FakeCrash when this many operations have been executed. */
  crashAfter: number | undefined;
  /** Play a kernel without sch_netem: a netem qdisc.replace fails with ENOENT, like Linux's. */
  netemAbsent = false;

  run(ops: readonly KernelOp[]): OpResult[] {
    return ops.map((op) => {
      if (this.crashAfter !== undefined && this.log.length >= this.crashAfter) throw new FakeCrash('crash');
      this.log.push(op);
      try {
        this.apply(op);
        return { ok: true } as const;
      } catch (e) {
        if (!(e instanceof OpFail)) throw e;
        return { ok: false, errno: errnos[e.code], code: e.code, message: texts[e.code], ...(e.created ? { created: true } : {}) } as const;
      }
    });
  }

  netnsList(): string[] {
    return [...this.spaces.keys()].filter((n) => n !== HOST_NS);
  }

  linkNames(ns: NsRef): Set<string> | undefined {
    const s = this.spaces.get(ns);
    return s && new Set(s.links.keys());
  }

  links(ns: NsRef, names: readonly string[]): LiveLink[] | undefined {
    const want = new Set(names);
    return this.snapshot(ns)?.links.filter((l) => want.has(l.name));
  }

  sysctlGet(ns: NsRef, key: string): string | undefined {
    return this.spaces.get(ns)?.sysctls.get(key) ?? (this.spaces.has(ns) ? '0' : undefined);
  }

  snapshot(ns: NsRef, what: SnapshotWhat = {}): NsSnapshot | undefined {
    const s = this.spaces.get(ns);
    if (!s) return undefined;
    const links: LiveLink[] = [...s.links].map(([name, l]) => ({
      index: l.index,
      name,
      ...(l.kind === 'loopback' ? {} : { kind: l.kind }),
      up: l.up,
      operstate: !l.up ? 'DOWN' : this.carrier(l) ? 'UP' : 'LOWERLAYERDOWN',
      carrier: l.up && this.carrier(l),
      mtu: l.mtu ?? 1500,
      mac: '00:00:00:00:00:00',
      ...(l.master ? { master: l.master } : {}),
      ...(l.alias ? { alias: l.alias } : {}),
      ...(l.kind === 'vxlan' && l.vni !== undefined
        ? { vxlan: { vni: l.vni, ...(l.local ? { local: l.local } : {}), ...(l.remote ? { remote: l.remote } : {}) } }
        : {}),
    }));
    const addrs = s.addrs.map((a) => ({ ...a, family: a.cidr.includes(':') ? (6 as const) : (4 as const), scope: 'global' }));
    const routes = s.routes.map(({ through, ...r }) => ({
      ...r,
      ...(through !== undefined && r.dev === undefined ? { dev: through } : {}),
      family: r.to.includes(':') ? (6 as const) : (4 as const),
      protocol: r.protocol ?? 'static',
      type: 'unicast',
      scope: 'global',
    }));
    return { links, addrs, routes, neighbours: [], ...(what.qdiscs ? { qdiscs: [...s.links].map(([dev, l]) => liveQdisc(dev, l)) } : {}) };
  }

  /** /etc/netns/<netns>/hosts links: netns -> target. */
  readonly hosts = new Map<string, string>();
  /** /etc/netns/<netns>/resolv.conf links: netns -> target. */
  readonly resolv = new Map<string, string>();

  hostsLink(netns: string, target: string, ownedRoot: string, file: 'hosts' | 'resolv.conf' = 'hosts'): 'linked' | 'unchanged' | 'foreign' {
    const links = file === 'hosts' ? this.hosts : this.resolv;
    const cur = links.get(netns);
    if (cur === target) return 'unchanged';
    if (cur !== undefined && !cur.startsWith(ownedRoot + '/')) return 'foreign';
    links.set(netns, target);
    return 'linked';
  }

  hostsUnlink(netns: string, ownedRoot: string): void {
    for (const links of [this.resolv, this.hosts]) if (links.get(netns)?.startsWith(ownedRoot + '/')) links.delete(netns);
  }

  /** A longest-prefix match over the namespace's addresses and routes (route-get.ts). */
  routeGet(ns: NsRef, q: RouteQuery): RouteAnswer | undefined {
    const snap = this.snapshot(ns);
    return snap && routeGetFromSnapshot(snap, q);
  }

  /** Set to a reason to play a host without libnftables: nftMissing says it, nftList/nftTables throw it. */
  nftAbsent: string | undefined;

  nftMissing(): string | undefined {
    return this.nftAbsent;
  }

  nftList(ns: NsRef, table: string): string | undefined {
    if (this.nftAbsent !== undefined) throw new NslabError('missing-dependency', this.nftAbsent, 1);
    return this.spaces.get(ns)?.tables.has(table) ? `table inet ${table} {\n}\n` : undefined;
  }

  nftTables(ns: NsRef): Array<{ family: string; name: string }> | undefined {
    if (this.nftAbsent !== undefined) throw new NslabError('missing-dependency', this.nftAbsent, 1);
    const s = this.spaces.get(ns);
    return s && [...s.tables].map((name) => ({ family: 'inet', name }));
  }

  linkMacs(ns: NsRef, names: readonly string[]): Map<string, string> | undefined {
    const links = this.snapshot(ns)?.links;
    return links && new Map(links.filter((l) => names.includes(l.name)).map((l) => [l.name, l.mac]));
  }

  neighFlush(): number {
    return 0;
  }

  /** Neighbour pins in place, per namespace, keyed `dev|address` (what neighPin added and neighUnpin has not removed). */
  readonly pins = new Map<NsRef, Map<string, NeighPin>>();
  /** Every neighPin call, in order (tests check pins go in before probing). */
  readonly pinLog: { ns: NsRef; pins: readonly NeighPin[] }[] = [];

  neighPin(ns: NsRef, pins: readonly NeighPin[]): boolean[] {
    this.pinLog.push({ ns, pins });
    const s = this.spaces.get(ns);
    if (!s) return pins.map(() => false);
    const mine = this.pins.get(ns) ?? new Map<string, NeighPin>();
    this.pins.set(ns, mine);
    return pins.map((p) => {
      const key = `${p.dev}|${p.address}`;
      if (!s.links.has(p.dev) || mine.has(key)) return false;
      mine.set(key, p);
      return true;
    });
  }

  neighUnpin(ns: NsRef, pins: readonly NeighPin[]): number {
    const mine = this.pins.get(ns);
    return mine ? pins.filter((p) => mine.delete(`${p.dev}|${p.address}`)).length : 0;
  }

  close(): void {}

  /** Plant a route as a routing daemon or `ip route add` would (any protocol, metric, next hops). */
  addRoute(ns: NsRef, r: FRoute): void {
    this.ns(ns).routes.push(r);
  }

  /** Cut (false) or mend (true) the cable of a link: up, but no carrier (LOWERLAYERDOWN). */
  setCarrier(ns: NsRef, name: string, carrier: boolean): void {
    const l = this.ns(ns).links.get(name);
    if (!l) throw new Error(`no link ${name} in ${ns}`);
    l.carrier = carrier;
  }

  /** A link has carrier unless a test cut it or, for a veth, its peer is down. */
  private carrier(l: FLink): boolean {
    if (l.carrier === false) return false;
    return !l.peer || this.spaces.get(l.peer.ns)?.links.get(l.peer.name)?.up === true;
  }

  /** Total number of objects besides the host namespace's initial state (for leak assertions). */
  /** A vxlan's default FDB destinations (test inspection); undefined when there is no such link. */
  fdbOf(ns: NsRef, dev: string): readonly string[] | undefined {
    return this.spaces.get(ns)?.links.get(dev)?.fdb;
  }

  objectCount(): number {
    let n = this.spaces.size - 1 + this.hosts.size + this.resolv.size;
    for (const s of this.spaces.values()) n += s.links.size - 1 + s.addrs.length + s.routes.length + s.tables.size; // lo is not counted
    return n;
  }

  private ns(ref: NsRef): FNs {
    const s = this.spaces.get(ref);
    if (!s) throw new OpFail('ENOENT');
    return s;
  }

  private apply(op: KernelOp): void {
    switch (op.op) {
      case 'netns.create':
        if (this.spaces.has(op.name)) throw new OpFail('EEXIST');
        this.spaces.set(op.name, newNs());
        return;
      case 'netns.attach':
        // The fake has no processes: the adopted namespace is an empty one under that name.
        if (this.spaces.has(op.name)) throw new OpFail('EEXIST');
        this.spaces.set(op.name, newNs());
        return;
      case 'netns.detach':
        this.ns(op.name);
        this.spaces.delete(op.name);
        return;
      case 'netns.delete': {
        const s = this.ns(op.name);
        for (const l of s.links.values()) if (l.peer) this.removeLink(l.peer.ns, l.peer.name);
        this.spaces.delete(op.name);
        return;
      }
      case 'link.create':
        return this.createLink(op);
      case 'link.set': {
        const s = this.ns(op.ns);
        const l = s.links.get(op.name);
        if (!l) throw new OpFail('ENODEV');
        if (op.master !== undefined && !s.links.has(op.master)) throw new OpFail('ENODEV');
        if (op.ipv6 === false && (l.mtu ?? 1500) < IPV6_MIN_MTU) throw new OpFail('EAFNOSUPPORT');
        if (op.master !== undefined) l.master = op.master;
        if (op.alias !== undefined) l.alias = op.alias;
        if (op.up !== undefined) l.up = op.up;
        return;
      }
      case 'link.delete': {
        const l = this.ns(op.ns).links.get(op.name);
        if (!l) throw new OpFail('ENODEV');
        if (l.peer) this.removeLink(l.peer.ns, l.peer.name);
        this.removeLink(op.ns, op.name);
        return;
      }
      case 'addr.add': {
        const s = this.ns(op.ns);
        if (!s.links.has(op.dev)) throw new OpFail('ENODEV');
        if (s.addrs.some((a) => a.dev === op.dev && a.cidr === op.cidr)) throw new OpFail('EEXIST');
        s.addrs.push({ dev: op.dev, cidr: op.cidr });
        return;
      }
      case 'addr.delete': {
        const s = this.ns(op.ns);
        const i = s.addrs.findIndex((a) => a.dev === op.dev && a.cidr === op.cidr);
        if (i < 0) throw new OpFail('EADDRNOTAVAIL');
        s.addrs.splice(i, 1);
        return;
      }
      case 'route.add': {
        const s = this.ns(op.ns);
        // The slot is prefix and metric: routes of other metrics (a daemon's) live beside it.
        if (s.routes.some((r) => r.to === op.to && r.metric === undefined)) throw new OpFail('EEXIST');
        if (op.dev !== undefined && !s.links.has(op.dev)) throw new OpFail('ENODEV');
        const through = op.dev === undefined && op.via !== undefined ? s.addrs.find((a) => onLink(a.cidr, op.via!))?.dev : undefined;
        s.routes.push({ to: op.to, ...(op.via ? { via: op.via } : {}), ...(op.dev ? { dev: op.dev } : {}), ...(through ? { through } : {}) });
        return;
      }
      case 'route.delete': {
        const s = this.ns(op.ns);
        // Like the kernel: the first route to the prefix whose gateway matches, when one is given.
        const i = s.routes.findIndex((r) => r.to === op.to && (op.via === undefined || r.via === op.via));
        if (i < 0) throw new OpFail('ESRCH');
        s.routes.splice(i, 1);
        return;
      }
      case 'sysctl.set':
        this.ns(op.ns).sysctls.set(op.key, op.value);
        return;
      case 'nft.load':
        this.ns(op.ns).tables.add(op.table);
        return;
      case 'nft.delete':
        this.ns(op.ns).tables.delete(op.table);
        return;
      case 'qdisc.replace': {
        const s = this.ns(op.ns);
        const l = s.links.get(op.dev);
        if (!l) throw new OpFail('ENODEV');
        if (qdiscProblem(op.qdisc) !== undefined) throw new OpFail('EINVAL');
        if (op.qdisc.kind === 'netem' && this.netemAbsent) throw new OpFail('ENOENT');
        // Replacing a qdisc of the same kind keeps its handle; another kind is a new qdisc.
        if (l.qdisc?.kind !== op.qdisc.kind) l.qdiscHandle = `${(0x8000 + s.nextHandle++).toString(16)}:`;
        l.qdisc = op.qdisc;
        return;
      }
      case 'fdb.append': {
        const l = this.ns(op.ns).links.get(op.dev);
        if (!l) throw new OpFail('ENODEV');
        if (l.kind !== 'vxlan') throw new OpFail('EINVAL');
        l.fdb = [...(l.fdb ?? []).filter((d) => d !== op.dst), op.dst];
        return;
      }
      case 'fdb.delete': {
        const l = this.ns(op.ns).links.get(op.dev);
        // Linux's ENOENT for a missing entry or device is taken as success (netlink/requests.ts).
        if (l?.fdb) l.fdb = l.fdb.filter((d) => d !== op.dst);
        return;
      }
      case 'qdisc.delete': {
        const l = this.ns(op.ns).links.get(op.dev);
        if (!l) throw new OpFail('ENODEV');
        delete l.qdisc; // none set: already the default, done (Linux's ENOENT is taken as success)
        delete l.qdiscHandle;
        return;
      }
    }
  }

  private createLink(op: Extract<KernelOp, { op: 'link.create' }>): void {
    const s = this.ns(op.ns);
    if (s.links.has(op.name)) throw new OpFail('EEXIST');
    if (op.kind === 'bridge') {
      s.links.set(op.name, { index: s.nextIndex++, kind: 'bridge', up: op.up, ...(op.alias ? { alias: op.alias } : {}) });
      return;
    }
    if (op.kind === 'vxlan') {
      // Like Linux: one VNI per UDP port in the namespace of the UDP socket (vxlan_vni_in_use),
      // wherever the devices live.
      const under = op.underlay ?? op.ns;
      for (const [name, x] of this.spaces) {
        if ([...x.links.values()].some((l) => l.kind === 'vxlan' && (l.underlay ?? name) === under && l.vni === op.vni)) throw new OpFail('EEXIST');
      }
      if (op.dev !== undefined && !this.ns(under).links.has(op.dev)) throw new OpFail('ENODEV');
      const mtu = op.mtu ? { mtu: op.mtu } : {};
      const ends = { ...(op.local ? { local: op.local } : {}), ...(op.remote ? { remote: op.remote } : {}), ...(op.underlay ? { underlay: op.underlay } : {}) };
      s.links.set(op.name, { index: s.nextIndex++, kind: 'vxlan', vni: op.vni, up: op.up, fdb: [], ...mtu, ...ends, ...(op.alias ? { alias: op.alias } : {}) });
      return;
    }
    const p = this.ns(op.peer.ns);
    if (p.links.has(op.peer.name)) throw new OpFail('EEXIST');
    const taken = (x: FNs, i: number | undefined): boolean => i !== undefined && [...x.links.values()].some((l) => l.index === i);
    if (taken(s, op.index) || taken(p, op.peer.index)) throw new OpFail('EBUSY');
    // Without IPv6 the pair is made down and brought up after its addr_gen_mode (netlink/requests.ts).
    const lowMtu = !op.ipv6 && Math.min(op.mtu ?? 1500, op.peer.mtu ?? 1500) < IPV6_MIN_MTU;
    s.links.set(op.name, {
      index: op.index ?? s.nextIndex++,
      kind: 'veth',
      up: op.up && !lowMtu,
      ...(op.mtu ? { mtu: op.mtu } : {}),
      peer: { ns: op.peer.ns, name: op.peer.name },
    });
    p.links.set(op.peer.name, {
      index: op.peer.index ?? p.nextIndex++,
      kind: 'veth',
      up: false,
      ...(op.peer.mtu ? { mtu: op.peer.mtu } : {}),
      peer: { ns: op.ns, name: op.name },
    });
    if (lowMtu) throw new OpFail('EAFNOSUPPORT', true);
  }

  private removeLink(ns: NsRef, name: string): void {
    const s = this.spaces.get(ns);
    if (!s) return;
    s.links.delete(name);
    s.addrs = s.addrs.filter((a) => a.dev !== name);
    s.routes = s.routes.filter((r) => r.dev !== name && r.through !== name);
    for (const l of s.links.values()) if (l.master === name) delete l.master;
  }
}

function newNs(): FNs {
  return {
    tables: new Set(),
    links: new Map([['lo', { index: 1, kind: 'loopback', up: false }]]),
    addrs: [],
    routes: [],
    sysctls: new Map(),
    nextIndex: 100,
    nextHandle: 1,
  };
}

/** A link's root qdisc as the kernel dumps it: what was set (tbf's latency as a limit), or noqueue. */
function liveQdisc(dev: string, l: FLink): LiveQdisc {
  const q = l.qdisc;
  if (!q) return { dev, kind: 'noqueue', handle: '0:', parent: 'root' };
  const base = { dev, kind: q.kind, handle: l.qdiscHandle ?? '8001:', parent: 'root' };
  if (q.kind === 'tbf') return { ...base, tbf: { rate: q.rate, burst: q.burst, limit: tbfLimit(q) } };
  return {
    ...base,
    netem: {
      delayUs: q.delayUs ?? 0,
      jitterUs: q.jitterUs ?? 0,
      lossPct: q.lossPct ?? 0,
      corruptPct: q.corruptPct ?? 0,
      duplicatePct: q.duplicatePct ?? 0,
      reorderPct: q.reorderPct ?? 0,
      limit: q.limit ?? 1000,
      ...(q.rate ? { rate: q.rate } : {}),
    },
  };
}
