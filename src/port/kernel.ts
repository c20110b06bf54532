// The effects port: the one interface through which nslab touches the kernel.
// Operations are plain data (KernelOp) so plan/ can produce them, state/ can journal them and
// FakeKernel can replay them. Implementations: kernel/linux.ts (rtnetlink via koffi) and
// test/helpers/fake-kernel.ts (in memory, test code, not shipped). Nothing above kernel/ imports an
// implementation directly but lab/.

import { NslabError } from '../util/errors.js';
import type { ErrnoCode } from '../util/error-codes.js';

/** A namespace reference: the name of a netns under /run/netns, or HOST_NS for the lab's host. */
export type NsRef = string;

/** The namespace that plays the host: the real root namespace, or the one given by --host-netns. */
export const HOST_NS: NsRef = '@host';

/** One kernel operation. The comment on each names its iproute2 equivalent. */
export type KernelOp =
  /**
   * ip netns add NAME (empty namespace; lo stays down until a link.set brings it up). With a group
   * (the lab), mounted in the group's own directory and named by a symlink, so that the whole group
   * can be deleted at once (kernel/netns.ts).
   */
  | { readonly op: 'netns.create'; readonly name: string; readonly group?: string }
  /** ip netns delete NAME (of the group it was created in) */
  | { readonly op: 'netns.delete'; readonly name: string; readonly group?: string }
  /** ip netns attach NAME PID: name the network namespace of a running process (adopted, not created). */
  | { readonly op: 'netns.attach'; readonly name: string; readonly pid: number }
  /** umount /run/netns/NAME; rm /run/netns/NAME: forget the name, the process keeps its namespace. */
  | { readonly op: 'netns.detach'; readonly name: string }
  /** ip link add NAME type bridge mcast_snooping 0 [up] */
  | {
      readonly op: 'link.create';
      readonly kind: 'bridge';
      readonly ns: NsRef;
      readonly name: string;
      readonly alias?: string;
      /** false: no IPv6 link-local address on this link (addr_gen_mode none). */
      readonly ipv6: boolean;
      readonly up: boolean;
    }
  /**
   * ip -n NS link add NAME [index I] [up] type veth peer name PEER netns PEERNS [index J]
   * The pair is created from `ns`; the peer lands directly in `peer.ns`, down (the kernel refuses
   * to create a veth peer up: ENOTCONN), and is brought up later by a link.set in its namespace.
   */
  | {
      readonly op: 'link.create';
      readonly kind: 'veth';
      readonly ns: NsRef;
      readonly name: string;
      readonly index?: number;
      readonly mtu?: number;
      /** This end's MAC address ("02:..."), when it must survive a rebuild (a lab over machines). */
      readonly mac?: string;
      readonly ipv6: boolean;
      readonly up: boolean;
      readonly peer: {
        readonly ns: NsRef;
        readonly name: string;
        readonly index?: number;
        readonly mtu?: number;
      };
    }
  /**
   * ip -n NS link add NAME [mtu M] type vxlan id VNI [local L] [dev D] dstport PORT nolearning udpcsum
   * A lab's tunnel port to other machines (model/machines.ts): made in the machine's host
   * namespace, whose routing carries its UDP; the far ends are FDB entries (fdb.append), so no
   * multicast is needed. Learning is off: the remote MACs are reached by head-end replication.
   * With `underlay`, the node's end of a point-to-point link between machines instead:
   * ip link add NAME netns NS [mtu M] type vxlan id VNI remote R local L dstport PORT nolearning udpcsum
   * sent from the `underlay` namespace (the host): the device lives in `ns`, its UDP socket and
   * `local` stay in `underlay`, and its one far end is `remote` (no FDB entries).
   */
  | {
      readonly op: 'link.create';
      readonly kind: 'vxlan';
      readonly ns: NsRef;
      readonly name: string;
      readonly vni: number;
      /** UDP destination port (4789, the IANA port). */
      readonly port: number;
      /** Underlay source address of this machine. */
      readonly local?: string;
      /** Underlay device the tunnel's packets leave through. */
      readonly dev?: string;
      /** The one remote tunnel end (a unicast underlay address): a point-to-point tunnel. */
      readonly remote?: string;
      /** The namespace of the tunnel's UDP socket, when not `ns`: the request is sent from there. */
      readonly underlay?: NsRef;
      /** The device's MAC address, when it must survive a rebuild (as a veth's). */
      readonly mac?: string;
      readonly mtu?: number;
      readonly alias?: string;
      readonly ipv6: boolean;
      readonly up: boolean;
    }
  /** bridge -n NS fdb append 00:00:00:00:00:00 dev DEV dst DST: flood to (and reach) a remote VTEP. */
  | { readonly op: 'fdb.append'; readonly ns: NsRef; readonly dev: string; readonly dst: string }
  /** bridge -n NS fdb del 00:00:00:00:00:00 dev DEV dst DST (a missing entry or device counts as done) */
  | { readonly op: 'fdb.delete'; readonly ns: NsRef; readonly dev: string; readonly dst: string }
  /** ip -n NS link set NAME [alias A] [master M] [up|down]; ipv6:false sets addr_gen_mode none. */
  | {
      readonly op: 'link.set';
      readonly ns: NsRef;
      readonly name: string;
      readonly up?: boolean;
      readonly master?: string;
      readonly alias?: string;
      readonly ipv6?: false;
    }
  /** ip -n NS link del NAME */
  | { readonly op: 'link.delete'; readonly ns: NsRef; readonly name: string }
  /** ip -n NS addr add CIDR dev DEV (IPv6 with nodad, so it is usable at once) */
  | { readonly op: 'addr.add'; readonly ns: NsRef; readonly dev: string; readonly cidr: string }
  /** ip -n NS addr del CIDR dev DEV */
  | { readonly op: 'addr.delete'; readonly ns: NsRef; readonly dev: string; readonly cidr: string }
  /** ip -n NS route add TO [via VIA] [dev DEV] proto static */
  | {
      readonly op: 'route.add';
      readonly ns: NsRef;
      readonly to: string;
      readonly via?: string;
      readonly dev?: string;
    }
  /** ip -n NS route del TO [via VIA] [dev DEV] */
  | {
      readonly op: 'route.delete';
      readonly ns: NsRef;
      readonly to: string;
      readonly via?: string;
      readonly dev?: string;
    }
  /** ip netns exec NS sysctl -w KEY=VALUE  (KEY dotted, e.g. net.ipv4.ip_forward) */
  | { readonly op: 'sysctl.set'; readonly ns: NsRef; readonly key: string; readonly value: string }
  /** ip netns exec NS nft -f SCRIPT: (re)defines table `inet TABLE` as a whole, in one transaction. */
  | { readonly op: 'nft.load'; readonly ns: NsRef; readonly table: string; readonly script: string }
  /** ip netns exec NS nft delete table inet TABLE (a missing table counts as done) */
  | { readonly op: 'nft.delete'; readonly ns: NsRef; readonly table: string }
  /**
   * tc -n NS qdisc replace dev DEV root KIND ...: shape what DEV sends (its egress), creating the
   * root qdisc or replacing whatever is there (the device's default qdisc included).
   */
  | { readonly op: 'qdisc.replace'; readonly ns: NsRef; readonly dev: string; readonly qdisc: QdiscSpec }
  /**
   * tc -n NS qdisc del dev DEV root: back to the device's default qdisc. Deleting when nslab's
   * qdisc is not there (the kernel's ENOENT, "Cannot delete qdisc with handle of zero") counts as done.
   */
  | { readonly op: 'qdisc.delete'; readonly ns: NsRef; readonly dev: string };

/**
 * A token bucket: `tc qdisc ... tbf rate R burst B (limit L | latency T)`. Exactly one of limit
 * and latencyUs; the kernel keeps only a limit (tbfLimit in netlink/wire-qdisc.ts converts).
 */
export interface TbfSpec {
  readonly kind: 'tbf';
  /** Bytes per second (not bits: tc's `rate 10mbit` is 1_250_000). */
  readonly rate: number;
  /** Bucket size in bytes: how much may leave at line speed after an idle spell. */
  readonly burst: number;
  /** Queue length in bytes. */
  readonly limit?: number;
  /** Longest a packet may wait in the queue, in microseconds (sets limit = rate × latency + burst). */
  readonly latencyUs?: number;
}

/**
 * The network emulator: `tc qdisc ... netem delay D J loss L% corrupt C% duplicate U% reorder R%
 * limit N [rate R]`. Absent fields are 0 (limit: 1000 packets, tc's default). Percentages are 0..100.
 * Needs sch_netem, a module distribution kernels ship but not every kernel has (kernel/qdisc-support.ts).
 */
export interface NetemSpec {
  readonly kind: 'netem';
  readonly delayUs?: number;
  /** Random variation of the delay, ± microseconds (needs a delay to vary). */
  readonly jitterUs?: number;
  readonly lossPct?: number;
  readonly corruptPct?: number;
  readonly duplicatePct?: number;
  /** Share of packets sent at once, ahead of the delayed others (needs a delay). */
  readonly reorderPct?: number;
  /** Queue length in packets. */
  readonly limit?: number;
  /** netem's own rate limit, bytes per second. */
  readonly rate?: number;
}

/** A root qdisc nslab sets on a link. */
export type QdiscSpec = TbfSpec | NetemSpec;

/**
 * The outcome of one operation: the kernel's errno when it failed (EEXIST, ENODEV, ...). A create
 * whose object was made but one of whose follow-ups (alias, addr_gen_mode, up, a veth peer's
 * settings) then failed says `created: true`: the object exists, and whoever journaled it keeps it.
 */
export type OpResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly errno: number; readonly code: string; readonly message: string; readonly created?: true };

/** A link as the kernel reports it (RTM_GETLINK). */
export interface LiveLink {
  readonly index: number;
  readonly name: string;
  /** IFLA_INFO_KIND: "veth", "bridge", ... ; undefined for lo and physical devices. */
  readonly kind?: string;
  /** Administrative state (IFF_UP). */
  readonly up: boolean;
  /** Operational state text: "UP", "DOWN", "LOWERLAYERDOWN", "UNKNOWN", ... */
  readonly operstate: string;
  /**
   * Carrier (IFF_LOWER_UP): the link can pass packets now. Unlike operstate, which the kernel
   * updates a moment later (linkwatch), this is current the instant a veth's peer comes up.
   */
  readonly carrier?: boolean;
  readonly mtu: number;
  readonly mac: string;
  /** Name of the master (bridge) in the same namespace, if enslaved. */
  readonly master?: string;
  readonly alias?: string;
  /** IFLA_LINK: the peer's ifindex (in the peer's namespace) for veths. */
  readonly peerIndex?: number;
  /** A vxlan's VNI and IPv4 underlay ends (a node's tunnel end is recognised by them). */
  readonly vxlan?: { readonly vni: number; readonly local?: string; readonly remote?: string };
  readonly stats?: LinkStats;
}

/** Per-interface counters (IFLA_STATS64). */
export interface LinkStats {
  readonly rxPackets: number;
  readonly txPackets: number;
  readonly rxBytes: number;
  readonly txBytes: number;
  readonly rxDropped: number;
  readonly txDropped: number;
}

/** An address as the kernel reports it (RTM_GETADDR). */
export interface LiveAddr {
  readonly dev: string;
  /** Canonical CIDR text of the local address, e.g. "172.20.0.11/16". */
  readonly cidr: string;
  readonly family: 4 | 6;
  /** "global", "link", "host", ... */
  readonly scope: string;
}

/** One next hop of a multipath route. */
export interface LiveNexthop {
  readonly via?: string;
  readonly dev?: string;
  /** Relative share of the flows (1 when not given). */
  readonly weight?: number;
  /** The output link has no carrier (`linkdown` in `ip route`). */
  readonly linkdown?: true;
}

/**
 * A route of the main table as the kernel reports it (RTM_GETROUTE), of any protocol: nslab's
 * own (static), the kernel's, a routing daemon's (ospf, bgp, bird, zebra, ...).
 */
export interface LiveRoute {
  /** Canonical destination CIDR ("0.0.0.0/0" for default). */
  readonly to: string;
  readonly family: 4 | 6;
  /** Gateway of a single-path route (absent on a multipath route: see nexthops). */
  readonly via?: string;
  /** Output device of a single-path route (absent on a multipath route: see nexthops). */
  readonly dev?: string;
  /** Every next hop of a multipath route (`ip route add ... nexthop via A nexthop via B`). */
  readonly nexthops?: readonly LiveNexthop[];
  /** The metric (RTA_PRIORITY); absent for IPv4 routes of metric 0. IPv6 routes default to 1024. */
  readonly metric?: number;
  /** "kernel", "static", "boot", "ra", "ospf", "bgp", "bird", ... or the number as text (iproute2's rt_protos). */
  readonly protocol: string;
  /** "unicast", "local", "broadcast", ... */
  readonly type: string;
  readonly scope: string;
  readonly src?: string;
  /** A single-path route whose output link has no carrier. */
  readonly linkdown?: true;
}

/** A neighbour (ARP/NDP) entry (RTM_GETNEIGH). */
export interface LiveNeigh {
  readonly dev: string;
  readonly address: string;
  readonly mac?: string;
  /** "REACHABLE", "STALE", "FAILED", "PERMANENT", ... */
  readonly state: string;
}

/** A static neighbour entry: on `dev`, `address` is at `mac` (a probe run's temporary pin). */
export interface NeighPin {
  readonly dev: string;
  readonly address: string;
  readonly mac: string;
}

/** A qdisc as the kernel reports it (RTM_GETQDISC). Every device has one at its root, if only the default. */
export interface LiveQdisc {
  readonly dev: string;
  /** "tbf", "netem", and the defaults: "noqueue" (veth, bridge, lo), "pfifo_fast", "mq", "fq_codel", ... */
  readonly kind: string;
  /** "8001:" as tc prints it; "0:" for a default qdisc. */
  readonly handle: string;
  /** "root", or the parent class ("1:2") of a qdisc below the root. */
  readonly parent: string;
  /** tbf's settings as the kernel keeps them: a limit, never a latency; burst rounded to a byte. */
  readonly tbf?: { readonly rate: number; readonly burst: number; readonly limit: number };
  /** netem's settings, every field present (0 when unset); rate only when set. */
  readonly netem?: Required<Omit<NetemSpec, 'kind' | 'rate'>> & { readonly rate?: number };
}

/** What one namespace holds. */
export interface NsSnapshot {
  readonly links: readonly LiveLink[];
  readonly addrs: readonly LiveAddr[];
  /** Main-table routes only. */
  readonly routes: readonly LiveRoute[];
  readonly neighbours: readonly LiveNeigh[];
  /** Every qdisc of every link; only when asked for (`what.qdiscs`), absent otherwise. */
  readonly qdiscs?: readonly LiveQdisc[];
}

/** What a snapshot reads besides links, addresses and routes (each costs one more dump). */
export interface SnapshotWhat {
  /** Links alone: no addresses and routes (a teardown's ownership checks need names and aliases only). */
  readonly linksOnly?: boolean;
  readonly neighbours?: boolean;
  readonly stats?: boolean;
  readonly qdiscs?: boolean;
}

/** A failed kernel operation, as data plus a message a user can act on. */
/** What to look up: `ip route get DST [from SRC] [iif DEV] [oif DEV]`. */
export interface RouteQuery {
  readonly dst: string;
  /** Source address of the packet (required by the kernel with `iif`). */
  readonly src?: string;
  /** Simulate a packet arriving on this interface: the forwarding (input) path. */
  readonly iif?: string;
  /** Force the output interface. */
  readonly oif?: string;
}

/** The kernel's answer: a route, or the reason it has none. */
export interface RouteAnswer {
  /**
   * Route type: "unicast", "local", "broadcast", ... When the kernel refused, the errno's
   * meaning: ENETUNREACH/EHOSTUNREACH "unreachable", EACCES "prohibit", EINVAL "blackhole"
   * (or a martian), anything else "error".
   */
  readonly type: string;
  /** Output device (for local answers: lo). */
  readonly dev?: string;
  /** Gateway, when the route has one. */
  readonly via?: string;
  /** Preferred source address. */
  readonly src?: string;
  /** Errno name when the kernel refused the lookup (ENETUNREACH, EHOSTUNREACH, EACCES, EXDEV, ...). */
  readonly error?: string;
}

export class KernelError extends NslabError {
  override readonly name = 'KernelError';
  constructor(
    readonly op: string,
    readonly errno: number,
    /** The errno name, e.g. EPERM; also the NslabError code. */
    code: ErrnoCode,
    /** The iproute2/sysctl command a human would type for the same operation. */
    readonly equivalent: string,
    detail: string,
  ) {
    super(code, `${equivalent}: ${detail}`, 1);
  }
}

/** The effects port. All calls are synchronous: rtnetlink round trips take microseconds. */
export interface Kernel {
  /**
   * Run operations in order. Adjacent rtnetlink operations on the same namespace go to the kernel
   * in one sendmsg; every operation is attempted and gets its own result (same order, same length).
   */
  run(ops: readonly KernelOp[]): OpResult[];
  /**
   * Names of the namespaces under /run/netns. A name `vouched` is true of is taken as mounted
   * without a look (a stat each: ~4 ms for 1000): the caller knows it (lab/warm.ts).
   */
  netnsList(vouched?: (name: string) => boolean): string[];
  /** Dump one namespace; undefined when the named netns does not exist. */
  snapshot(ns: NsRef, what?: SnapshotWhat): NsSnapshot | undefined;
  /**
   * The MACs of the named links of a namespace (absent names are left out), asked for by name in
   * one batch: a dump of a host with thousands of links costs far more. Undefined if the netns is
   * gone. `ip -n NS link show NAME`
   */
  linkMacs(ns: NsRef, names: readonly string[]): Map<string, string> | undefined;
  /** Link names present in a namespace (cheaper than a snapshot); undefined if the netns is gone. */
  linkNames(ns: NsRef): Set<string> | undefined;
  /**
   * The named links of a namespace that exist, asked one by one in one send (a snapshot of a host
   * with a thousand links costs ~30 ms; a few names, well under one); undefined if the netns is gone.
   * `ip link show NAME` for each name
   */
  links(ns: NsRef, names: readonly string[]): LiveLink[] | undefined;
  /** Current value of a sysctl in a namespace (dotted key), undefined if it does not exist. */
  sysctlGet(ns: NsRef, key: string): string | undefined;
  /**
   * Make /etc/netns/<netns>/hosts a symlink to `target` (what `ip netns exec` bind-mounts over
   * /etc/hosts). Only a symlink into `ownedRoot` is ever replaced; anything else is 'foreign'.
   */
  hostsLink(netns: string, target: string, ownedRoot: string, file?: 'hosts' | 'resolv.conf'): 'linked' | 'unchanged' | 'foreign';
  /** Remove /etc/netns/<netns>/resolv.conf and /hosts where they are symlinks into `ownedRoot`, and the emptied directory. */
  hostsUnlink(netns: string, ownedRoot: string): void;
  /**
   * Delete the learned neighbour (ARP/NDP) entries of a namespace, keeping permanent and NOARP
   * ones; returns how many went. Frees room in the kernel's global neighbour table between probe
   * waves. With `devs`, only the entries on those interfaces (a lab's bridges in the host).
   * `ip -n NS neigh flush all` / `ip neigh flush dev DEV`
   */
  neighFlush(ns: NsRef, devs?: readonly string[]): number;
  /**
   * Add permanent neighbour entries, tagged as nslab's, for a probe run (verify/pins.ts says
   * why): one result per pin, true when it was added, false when the kernel already had an entry
   * for the address (left as it is) or the device is gone. Permanent entries do not count against
   * the global gc_thresh3 cap. `ip -n NS neigh add ADDR lladdr MAC dev DEV nud permanent`
   */
  neighPin(ns: NsRef, pins: readonly NeighPin[]): boolean[];
  /** Delete entries neighPin added; returns how many went. `ip -n NS neigh del ADDR dev DEV` */
  neighUnpin(ns: NsRef, pins: readonly NeighPin[]): number;
  /**
   * Ask the namespace's kernel which route it would use for one destination (optionally as if the
   * packet arrived on `iif`); refusals such as ENETUNREACH are answers. Undefined if the netns is gone.
   * `ip -n NS route get DST [from SRC] [iif DEV] [oif DEV]`
   */
  routeGet(ns: NsRef, q: RouteQuery): RouteAnswer | undefined;
  /**
   * Why nftables cannot be used on this host (libnftables missing), undefined when it can. nftList
   * and nftTables throw a one-line NslabError in that case: callers that may do without ask first.
   */
  nftMissing(): string | undefined;
  /** The text of table `inet TABLE` as nft prints it, undefined when absent (or the netns is gone). */
  nftList(ns: NsRef, table: string): string | undefined;
  /** The nftables tables of a namespace (every family); undefined if the netns is gone. */
  nftTables(ns: NsRef): Array<{ readonly family: string; readonly name: string }> | undefined;
  /** Release sockets and namespace file descriptors. */
  close(): void;
}
