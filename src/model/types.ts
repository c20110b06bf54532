// The resolved lab model: what topology/ + model/ produce and everything downstream consumes.
// Immutable data only; no behaviour. Every name that reaches the kernel is already minted here
// (model/names.ts), every address already allocated (model/ipam.ts), every CIDR canonical text.

import type { LinkShape } from '../topology/impair-units.js';
import type { ConnState, FirewallAction, FirewallProto, IsolateKind, PortRange, ProcessSpec, Span } from '../topology/types.js';

// The parse-level types are part of the resolved lab too (spans, processes, port ranges), so the
// model exports them as well: the library API (index.ts exports the model's types) and the
// model's readers (nft/, lab/, verify/) see the whole lab in this one module.
export type { LinkShape } from '../topology/impair-units.js';
export type { IsolateKind, PortRange, ProcessSpec, ReadyCheck, Span } from '../topology/types.js';

/** A resolved lab: defaults filled, addresses allocated, kernel names minted. */
export interface Topology {
  /** Lab name (names/rules.ts LAB_NAME). */
  readonly name: string;
  readonly networks: ReadonlyMap<string, Network>;
  readonly nodes: ReadonlyMap<string, Node>;
  /** One entry per veth pair, derived from the interfaces, in declaration order. */
  readonly links: readonly Link[];
  readonly expect: readonly Expectation[];
  /** The file the lab came from (as given on the command line), for FILE:LINE:COL messages. */
  readonly file: string;
  /** The state root's tag its ownership markers carry (names/markers.ts ownerTag); none for /run/nslab. */
  readonly owner?: string;
  /** `machines:`, when the lab is spread over several machines (model/machines.ts); absent: one machine. */
  readonly machines?: ReadonlyMap<string, Machine>;
  /** Node name -> the machine that builds it (model/placement.ts); with machines only. */
  readonly placement?: ReadonlyMap<string, string>;
  /** On one machine's part of the lab (model/machines.ts machinePart): which machine, and its tunnels. */
  readonly part?: MachinePart;
}

/** A machine that builds part of the lab (`nslab up FILE --as NAME`). */
export interface Machine {
  readonly name: string;
  /** The IPv4 underlay address the other machines reach it at. */
  readonly address: string;
  /** The underlay device the tunnels leave through, if given. */
  readonly dev?: string;
  /** The underlay's MTU (default 1500). */
  readonly mtu: number;
  readonly span: Span;
}

/** One machine's part of a lab: the nodes placed there, and a tunnel for each network shared with other machines. */
export interface MachinePart {
  readonly machine: string;
  readonly tunnels: readonly Tunnel[];
  /** This machine's ends of the point-to-point links to nodes on other machines. */
  readonly pairs: readonly PairEnd[];
}

/**
 * One end of a point-to-point link between nodes on two machines: the node's interface is itself
 * a vxlan device, living in the node's namespace, its UDP socket in the machine's host namespace,
 * sending to the other machine's underlay address (no bridge, no FDB entries).
 */
export interface PairEnd {
  /** The link's id (the p2p link of the whole lab, not in this part's links). */
  readonly link: string;
  readonly node: string;
  readonly iface: string;
  /** The other end, on machine `machine`. */
  readonly peer: { readonly node: string; readonly iface: string; readonly machine: string };
  readonly vni: number;
  /** This machine's underlay address. */
  readonly local: string;
  /** The other machine's underlay address. */
  readonly remote: string;
  /** The interface's MTU: the declared one, else the smaller underlay MTU of the two machines less 50. */
  readonly mtu: number;
}

/** A network's VXLAN port on this machine's bridge, flooding to the other machines that have nodes on it. */
export interface Tunnel {
  readonly network: string;
  /** Kernel name of the vxlan device: `<lab>.<hash>` (a lab, node or network name has no '.'). */
  readonly device: string;
  /** Ownership marker: `nslab[@<tag>]:<lab>:vxlan:<network>`. */
  readonly alias: string;
  readonly vni: number;
  /** This machine's underlay address and device. */
  readonly local: string;
  readonly dev?: string;
  /** The MTU of the tunnel and of the lab's interfaces on the network: the smallest underlay MTU less 50. */
  readonly mtu: number;
  /** The other machines' underlay addresses, in declaration order of the machines. */
  readonly remotes: readonly string[];
}

/** A layer-2 segment: a Linux bridge in the host namespace. */
export interface Network {
  readonly name: string;
  /** Kernel name of the bridge (at most 15 bytes). */
  readonly bridge: string;
  /** Ownership marker written as the bridge's IFLA_IFALIAS: `nslab[@<tag>]:<lab>:net:<name>`. */
  readonly alias: string;
  /** Canonical CIDR texts ("172.20.0.0/16"), network addresses. */
  readonly subnets: readonly string[];
  /** The bridge's own addresses as CIDR texts with the subnet's prefix ("172.20.0.10/16"). */
  readonly gateways: readonly string[];
  readonly nat: boolean;
  /** The VXLAN id joining the network's parts on several machines (with machines only). */
  readonly vni?: number;
  readonly span: Span;
}

/** A network namespace named `<lab>-<node>`. */
export interface Node {
  readonly name: string;
  /** Kernel (netns) name: `<lab>-<node>`. */
  readonly netns: string;
  readonly forwarding: boolean;
  /** Interfaces in declaration order (Map keeps insertion order). */
  readonly interfaces: ReadonlyMap<string, Iface>;
  /** Declared routes, then the implied default route(s) via a network gateway. */
  readonly routes: readonly Route[];
  /** nftables rules inside the node's namespace (table `inet nslab-<lab>`), if declared. */
  readonly firewall?: Firewall;
  /** Host ports forwarded to this node (`publish: ["8080:80/tcp"]`, like `docker run -p`). */
  readonly publish: readonly Publish[];
  /**
   * Extra namespaces the node has (`isolate: [pid, mount, uts]`); empty: netns only. A node with
   * `files:` has `mount` here even when the file does not say it: its files live in its own mount
   * namespace, which its processes, exec steps and `nslab exec` all enter.
   */
  readonly isolate: ReadonlySet<IsolateKind>;
  /**
   * The node keeps its isolate namespaces even when it runs no process: a small holder process
   * owns them from `up` to `down` (true exactly when `isolate` is not empty).
   */
  readonly holder: boolean;
  /** What `up` places in the node's mount namespace before any process or exec step, in order. */
  readonly files: readonly NodeFile[];
  /** One-shot setup steps, in order (see ExecStep.when). */
  readonly exec: readonly ExecStep[];
  /** Host name inside the node's uts namespace (default the node name); only with uts isolated. */
  readonly hostname?: string;
  /** Processes `up` starts in the node, in declaration order. */
  readonly processes: readonly ProcessSpec[];
  /**
   * `netns_of: PID`: the node's namespace is the one of this running process, adopted (named
   * like `ip netns attach`), never created or deleted by nslab; only its own objects in it are.
   */
  readonly netnsOf?: number;
  readonly span: Span;
}

/**
 * One `files:` entry, placed in the node's own mount namespace.
 * - `file`: a regular file with `content` (inline text) or copied from `source`. `hash` is the
 *   SHA-256 (hex) of its bytes, to tell whether it changed since the last `up`. For a source,
 *   `from` is the path as written (relative to the lab file's directory); `source` (absolute) and
 *   `hash` are there when the model was loaded with a host view (from the file, not a saved copy).
 * - `dir`: a private empty directory (a tmpfs).
 * - `bind`: the host directory `source` bind-mounted at `path`, read-only unless `writable`.
 */
export type NodeFile =
  | {
      readonly kind: 'file';
      /** Normalised absolute path inside the node. */
      readonly path: string;
      /** Permission bits (default 0o644). */
      readonly mode: number;
      /** "user", "user:group" or numbers; root when absent. */
      readonly owner?: string;
      readonly content?: string;
      readonly from?: string;
      readonly source?: string;
      readonly hash?: string;
      readonly span: Span;
    }
  | { readonly kind: 'dir'; readonly path: string; readonly mode: number; readonly owner?: string; readonly span: Span }
  | { readonly kind: 'bind'; readonly path: string; readonly source: string; readonly writable: boolean; readonly span: Span };

/** One `exec:` step: run once, in the node (all its namespaces), in declaration order. */
export interface ExecStep {
  /**
   * Stable identity: a hash of command, user, env and when (not the timeout); `-N` added for the
   * Nth equal step of the node. A later `up` re-runs only steps whose id it has not run yet.
   */
  readonly id: string;
  /** argv, never through a shell. */
  readonly command: readonly string[];
  /** After the network and files, before the node's processes start, or after they started. */
  readonly when: 'before-processes' | 'after-processes';
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How long it may run (default 60 s); then `up` fails. */
  readonly timeoutMs: number;
  readonly span: Span;
}

/** A node's firewall: one base chain per hook that is declared. */
export interface Firewall {
  readonly input?: FirewallChain;
  readonly forward?: FirewallChain;
  readonly output?: FirewallChain;
}

/** One chain: ordered rules, then the policy for what no rule decided. */
export interface FirewallChain {
  readonly policy: 'accept' | 'drop';
  /**
   * Accept packets of established and related connections before any rule (default true), so
   * that replies pass a drop policy; `established: false` in the file turns it off.
   */
  readonly established: boolean;
  readonly rules: readonly FirewallRule[];
  readonly span: Span;
}

/** One rule: every given match must hold; node names are already resolved to addresses. */
export interface FirewallRule {
  readonly action: FirewallAction;
  readonly proto?: FirewallProto;
  /** Source / destination CIDRs (canonical), from CIDRs, addresses or node names. */
  readonly saddr?: readonly string[];
  readonly daddr?: readonly string[];
  /** Ports or inclusive ranges; only with tcp or udp. */
  readonly sport?: readonly PortRange[];
  readonly dport?: readonly PortRange[];
  /** Connection tracking states. */
  readonly state?: readonly ConnState[];
  /** Input/output interface names inside the node. */
  readonly iif?: string;
  readonly oif?: string;
  readonly span: Span;
}

/** A published port: host port -> node port (DNAT in the host, hairpin for other nodes). */
export interface Publish {
  readonly hostPort: number;
  readonly nodePort: number;
  readonly proto: 'tcp' | 'udp';
  /** Only this host address (like `-p 127.0.0.1:8080:80`); any host address when absent. */
  readonly hostAddress?: string;
  /** The node address traffic is sent to (its first IPv4 address). */
  readonly nodeAddress: string;
  readonly span: Span;
}

/** One interface of a node: the node's end of a veth pair. */
export interface Iface {
  readonly name: string;
  /** Canonical CIDR texts, declared or allocated by IPAM, in order. */
  readonly addresses: readonly string[];
  /** Id of the Link this interface is an end of. */
  readonly link: string;
  readonly mtu?: number;
  /**
   * A fixed MAC address (lab over machines: model/machine-part.ts), so that a part rebuilt alone
   * keeps the addresses the other machines' nodes have in their neighbour tables.
   */
  readonly mac?: string;
  /** Traffic leaving the node through this interface is masqueraded (the node forwards). */
  readonly masquerade?: true;
  /** Link properties in force on this interface's link (topology/impair-units.ts), if any. */
  readonly shape?: IfaceShape;
  /** The link starts (or was set) cut: this end is set down. */
  readonly down?: true;
  readonly span: Span;
}

/** How an interface's link is shaped: `out` what this end sends, `in` what the far end sends it. */
export interface IfaceShape {
  readonly out?: LinkShape;
  readonly in?: LinkShape;
}

/** One end of a link inside a node. */
export interface Endpoint {
  readonly node: string;
  readonly iface: string;
}

/** One veth pair. Its kind says where the far end goes. */
export type Link =
  | {
      readonly kind: 'bridged';
      readonly id: string;
      readonly end: Endpoint;
      readonly network: string;
      /** Kernel name of the host end, enslaved to the network's bridge. */
      readonly hostEnd: string;
      /** Ownership marker for the host end: `nslab:<lab>:node:<node>:<iface>`. */
      readonly alias: string;
    }
  | {
      readonly kind: 'p2p';
      readonly id: string;
      /** The end declared first; it creates the pair. */
      readonly a: Endpoint;
      readonly b: Endpoint;
    }
  | {
      readonly kind: 'host';
      readonly id: string;
      readonly end: Endpoint;
      readonly hostEnd: string;
      readonly alias: string;
      /** Addresses of the host end, canonical CIDR texts. */
      readonly hostAddresses: readonly string[];
    };

/** A static route inside a node. */
export interface Route {
  /** Canonical destination CIDR; the default route is "0.0.0.0/0" or "::/0". */
  readonly to: string;
  /** Next-hop address (canonical), if any. */
  readonly via?: string;
  /** Output interface name, if given. */
  readonly dev?: string;
  /** True when implied by a network gateway rather than declared. */
  readonly implied: boolean;
  readonly span: Span;
}

/** One `expect:` entry, targets not yet resolved to addresses. */
export interface Expectation {
  readonly from: string;
  /** A node name, `node:iface`, or an address. */
  readonly to: string;
  readonly reach: boolean;
  readonly probe: { readonly kind: 'icmp' } | { readonly kind: 'tcp' | 'udp'; readonly port: number };
  /** `within:`: the expectation holds once it holds within this many milliseconds (retried until then). */
  readonly withinMs?: number;
  readonly span: Span;
}
