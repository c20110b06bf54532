// TopologyRaw: the file after schema checks, before cross-checks and resolution. Values are
// parsed (addresses canonical) and every one keeps the span it was written at. An entity whose
// own schema check failed stays in its map with ok=false, so references to it are not reported
// as unknown, while checks that need its contents skip it.
import type { IsolateKind, ProcessSpec, Span } from './types.js';
import type { Cidr, Family } from '../util/ip.js';
import type { AddressSpec } from './address-syntax.js';
import type { FirewallRaw, PublishRaw } from './raw-firewall.js';
import type { ImpairRaw } from './parse-impair.js';

/** A value and where it was written. */
export interface Located<T> {
  readonly value: T;
  readonly span: Span;
}

/** `networks.NAME`. */
export interface NetworkRaw {
  readonly name: string;
  /** Position of the network's name (its key). */
  readonly span: Span;
  readonly ok: boolean;
  readonly subnets: readonly Located<Cidr>[];
  /** Gateway addresses (no prefix; it comes from the containing subnet). */
  readonly gateways: readonly Located<{ address: string; family: Family }>[];
  /** `nat: true`: masquerade the subnets when they leave through the host. */
  readonly nat: boolean;
  /** `vni:`, the VXLAN id when the network spans machines. */
  readonly vni?: Located<number>;
}

/** `machines.NAME`: a machine that builds part of the lab. */
export interface MachineRaw {
  readonly name: string;
  readonly span: Span;
  readonly ok: boolean;
  /** The underlay address the other machines reach it at (canonical). */
  readonly address?: Located<string>;
  readonly dev?: string;
  readonly mtu?: number;
}

/** What an interface connects to. */
export type AttachRaw =
  | { readonly kind: 'network'; readonly network: Located<string> }
  | { readonly kind: 'peer'; readonly peer: Located<{ node: string; iface: string }> }
  | { readonly kind: 'host'; readonly hostAddresses: readonly Located<Cidr>[] };

/** `nodes.NODE.interfaces.IFNAME`. */
export interface IfaceRaw {
  readonly node: string;
  readonly name: string;
  /** Position of the interface's name (its key). */
  readonly span: Span;
  readonly ok: boolean;
  readonly attach?: AttachRaw;
  readonly addresses: readonly Located<AddressSpec>[];
  readonly mtu?: number;
  /** `masquerade: true`, where it was written (valid only on a forwarding node). */
  readonly masquerade?: Located<true>;
  /** Link properties (rate, delay, loss, up: false, ...), when any is given. */
  readonly impair?: ImpairRaw;
}

/** `nodes.NODE.routes[i]`. */
export interface RouteRaw {
  /** Position of the route's mapping. */
  readonly span: Span;
  readonly ok: boolean;
  /** Destination; `default` is 0.0.0.0/0, or ::/0 when `via` is IPv6. */
  readonly to?: Located<Cidr>;
  readonly via?: Located<{ address: string; family: Family }>;
  readonly dev?: Located<string>;
}

/** `nodes.NODE`. */
export interface NodeRaw {
  readonly name: string;
  /** Position of the node's name (its key). */
  readonly span: Span;
  readonly ok: boolean;
  /** Whether every interface could be read (checks over all of them are meaningful). */
  readonly interfacesOk: boolean;
  readonly forwarding: boolean;
  readonly interfaces: ReadonlyMap<string, IfaceRaw>;
  readonly routes: readonly RouteRaw[];
  /** `firewall:`, when declared and readable. */
  readonly firewall?: FirewallRaw;
  /** `publish:` items that could be read. */
  readonly publish: readonly PublishRaw[];
  /** `isolate:`, without repeats. */
  readonly isolate: readonly IsolateKind[];
  readonly hostname?: string;
  /** `netns_of: PID`. */
  readonly netnsOf?: number;
  /** `machine:`, the machine the node is placed on. */
  readonly machine?: Located<string>;
  readonly processes: readonly ProcessRaw[];
  /** `files:` entries that could be read. */
  readonly files: readonly FileRaw[];
  /** `exec:` steps that could be read. */
  readonly exec: readonly ExecRaw[];
}

/** What a `files:` entry places at its path. */
export type FileWhat =
  | { readonly kind: 'content'; readonly content: string }
  /** A host file, relative to the lab file's directory, normalised, never leaving it. */
  | { readonly kind: 'source'; readonly source: Located<string> }
  | { readonly kind: 'dir' }
  /** An absolute host directory, normalised. */
  | { readonly kind: 'bind'; readonly bind: Located<string>; readonly writable: boolean };

/** `nodes.NODE.files[i]`. */
export interface FileRaw {
  /** Normalised absolute path inside the node. */
  readonly path: Located<string>;
  readonly what: FileWhat;
  /** Permission bits, when given. */
  readonly mode?: number;
  /** "user", "user:group" or numbers, as text. */
  readonly owner?: string;
  /** Position of the entry. */
  readonly span: Span;
}

/** `nodes.NODE.exec[i]`. */
export interface ExecRaw {
  /** argv, never through a shell. */
  readonly command: readonly string[];
  /** `after: processes`: run once the node's processes have started. */
  readonly afterProcesses: boolean;
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** `timeout:` in milliseconds, when given. */
  readonly timeoutMs?: number;
  readonly span: Span;
}

/** `nodes.NODE.processes[i]`: already in its resolved form. */
export type ProcessRaw = ProcessSpec;

/** `expect[i]`. */
export interface ExpectRaw {
  readonly span: Span;
  readonly ok: boolean;
  readonly from?: Located<string>;
  readonly to?: Located<string>;
  readonly reach: boolean;
  readonly probe: { readonly kind: 'icmp' } | { readonly kind: 'tcp' | 'udp'; readonly port: number };
  /** `within:` in milliseconds, when given. */
  readonly withinMs?: number;
}

/** The parsed file. */
export interface TopologyRaw {
  readonly file: string;
  /** The lab name, when present and valid. */
  readonly name?: Located<string>;
  readonly networks: ReadonlyMap<string, NetworkRaw>;
  readonly nodes: ReadonlyMap<string, NodeRaw>;
  readonly expect: readonly ExpectRaw[];
  /** `machines:` (empty: the lab is on one machine, as always). */
  readonly machines: ReadonlyMap<string, MachineRaw>;
  /** False when `networks:` / `nodes:` as a whole could not be read (skip "unknown" checks). */
  readonly complete: { readonly networks: boolean; readonly nodes: boolean };
}
