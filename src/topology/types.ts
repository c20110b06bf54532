// The parse-level types: what topology/ produces and model/ keeps unchanged in the resolved lab
// (model/types.ts). They live with the parser so that topology/ imports nothing from model/.

/** Where something was declared in the topology file (1-based line and column). */
export interface Span {
  readonly line: number;
  readonly col: number;
}

/** A namespace kind a node can isolate besides its network namespace. */
export type IsolateKind = 'pid' | 'mount' | 'uts';

/** How `up` knows a process is ready. */
export type ReadyCheck = { readonly tcp: number } | { readonly command: readonly string[] };

/** One process a node runs (`processes:` entry). */
export interface ProcessSpec {
  /** Unique within the node; names the log file `<node>.<name>.log`. */
  readonly name: string;
  /** argv, never through a shell. */
  readonly command: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly user?: string;
  readonly ready?: ReadyCheck;
  /** How long `up` waits for `ready` (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** `log:` limits as given (model/log-cap.ts fills in the defaults). */
  readonly log?: { readonly maxBytes?: number; readonly keep?: number };
  readonly span: Span;
}

/** An inclusive port range; a single port has from === to. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** What a firewall rule does with a packet it matches. */
export type FirewallAction = 'accept' | 'drop' | 'reject';

/** The protocols a firewall rule can match. */
export type FirewallProto = 'tcp' | 'udp' | 'icmp' | 'icmpv6';

/** A connection tracking state a firewall rule can match. */
export type ConnState = 'new' | 'established' | 'related' | 'invalid';
