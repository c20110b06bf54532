// The probe port: reachability checks (ICMP echo, TCP connect, UDP datagram) sent FROM named
// network namespaces. A failed probe is a result, not an error.

import type { NeighLimits } from './host.js';

export type ProbeKind = 'icmp' | 'tcp' | 'udp';

/** One reachability check. */
export interface ProbeSpec {
  /** Caller's key; echoed in the outcome. */
  readonly id: number;
  /** Named namespace to probe FROM. */
  readonly netns: string;
  /** IPv4 or IPv6 address (no zone). */
  readonly dst: string;
  readonly kind: ProbeKind;
  /** Destination port, required for tcp and udp. */
  readonly port?: number;
  /**
   * Both ends have permanent neighbour entries for each other (verify/pins.ts): once the
   * destination has answered, attempts send no broadcast and may go at quickRatePerSec.
   */
  readonly pinned?: boolean;
}

/** The result of one probe (outcomes come back in the order of the specs). */
export interface ProbeOutcome {
  readonly id: number;
  readonly reached: boolean;
  /** Round-trip time of the successful attempt, in ms (TCP: connect() to established). */
  readonly rttMs?: number;
  /** Why not reached ("timeout", "connection refused", "network unreachable", ...), or a note on a reach. */
  readonly reason?: string;
  /** Attempts made (0 when the probe could not start at all, e.g. a missing namespace). */
  readonly attempts: number;
  /** Requests that left the socket. */
  readonly sent: number;
  /** Attempts the destination answered. */
  readonly received: number;
}

/** Tuning of a run; every probe ends within attempts × (timeoutMs + backoff) once started. */
export interface ProbeOptions {
  /** Per attempt, default 1000. */
  readonly timeoutMs?: number;
  /** Default 3: a probe reports failure only after all attempts failed. */
  readonly attempts?: number;
  /** Max probes in flight (each holds one socket), default 64. */
  readonly concurrency?: number;
  /** Max new attempts started per second that may broadcast (ARP, unknown unicast), default 2000. */
  readonly ratePerSec?: number;
  /** Max new attempts per second of pinned probes to destinations that already answered, default 20000. */
  readonly quickRatePerSec?: number;
  /** ICMP sockets: 'raw' (needs CAP_NET_RAW), 'ping' (needs ping_group_range, set where refused); default raw when allowed. */
  readonly icmpSocket?: 'raw' | 'ping';
}

export interface ProbeEngine {
  /** Run the probes; outcomes in the order of the specs. */
  run(probes: readonly ProbeSpec[], opts?: ProbeOptions): Promise<ProbeOutcome[]>;
  /** The neighbour table's cap and use now (probing plans its waves by it). */
  neighLimits(): NeighLimits;
}
