// What `nslab test` probes, and how results read: expectations (or the all-pairs matrix) ->
// probes with resolved addresses; probe outcomes -> report rows. Pure: the probing itself is
// kernel/probe.ts, driven by lab/test.ts.
import type { Expectation, Node, Topology } from '../model/types.js';
import { contains, parseAddress, parseCidr } from '../util/ip.js';

/** One probe to run: from a node's namespace to an address. */
export interface Probe {
  readonly id: number;
  readonly from: string;
  readonly netns: string;
  /** The target as written (node, node:iface or address). */
  readonly to: string;
  /** The address probed; undefined when the target has none (the row fails with `problem`). */
  readonly dst?: string;
  /** The target node's namespace, when the target is a node of the lab. */
  readonly toNetns?: string;
  readonly kind: 'icmp' | 'tcp' | 'udp';
  readonly port?: number;
  /** Whether the target must be reachable (false: must be blocked). */
  readonly expect: boolean;
  readonly problem?: string;
  /** `--all`: the target address was found live on the node (not declared), on this interface. */
  readonly liveDev?: string;
}

/** What a probe found (the shape kernel/probe.ts returns). */
export interface Outcome {
  readonly id: number;
  readonly reached: boolean;
  readonly rttMs?: number;
  readonly reason?: string;
  readonly sent: number;
  readonly received: number;
}

/** One line of the report. */
export interface ReportRow {
  readonly from: string;
  readonly to: string;
  readonly dst: string | null;
  readonly probe: string;
  readonly expected: 'reach' | 'blocked';
  readonly got: 'reached' | 'blocked';
  readonly ok: boolean;
  readonly rttMs?: number;
  readonly reason?: string;
  readonly loss: number;
  /** Ms from the start of the run to the end of the probe round the row first held in (when it holds). */
  readonly heldMs?: number;
  /** How long the row was given to hold (within:, --wait), when it was retried at all. */
  readonly withinMs?: number;
  /** `--all`: the target was found live on the node, on this interface, not declared in the file. */
  readonly live?: { readonly dev: string };
}

/** The report of a run. */
export interface Report {
  readonly rows: readonly ReportRow[];
  readonly passed: number;
  readonly failed: number;
}

/** Probes for every `expect:` entry of a lab, in file order. */
export function expectationProbes(t: Topology): Probe[] {
  return t.expect.map((e, id) => probeFor(t, e, id));
}

function probeFor(t: Topology, e: Expectation, id: number): Probe {
  const from = t.nodes.get(e.from);
  const netns = from?.netns ?? `${t.name}-${e.from}`;
  const base = { id, from: e.from, netns, to: e.to, kind: e.probe.kind, expect: e.reach, ...('port' in e.probe ? { port: e.probe.port } : {}) };
  const dst = from ? targetAddress(t, from, e.to) : undefined;
  const toNetns = t.nodes.get(e.to.split(':')[0] ?? '')?.netns;
  const withTarget = toNetns && !parseAddress(e.to) ? { ...base, toNetns } : base;
  return dst ? { ...withTarget, dst } : { ...withTarget, problem: `${e.to} has no address to probe` };
}

/** Probes between every ordered pair of nodes that have an address (Mininet's pingall). */
export function matrixProbes(t: Topology): Probe[] {
  const nodes = [...t.nodes.values()];
  const out: Probe[] = [];
  for (const a of nodes) {
    for (const b of nodes) {
      if (a === b) continue;
      const dst = bestAddress(a, b);
      if (dst) out.push({ id: out.length, from: a.name, netns: a.netns, to: b.name, toNetns: b.netns, dst, kind: 'icmp', expect: true });
    }
  }
  return out;
}

/** An address found live on a node's interfaces (kernel snapshot): the interface, the CIDR, whether it is up. */
export interface LiveTarget {
  readonly dev: string;
  readonly cidr: string;
  readonly up: boolean;
}

/**
 * `--all`, addresses found live: probes from every other node to each address a node has that
 * the file does not declare (a routing daemon's loopback /32, say). Loopback (127/8, ::1),
 * link-local (169.254/16, fe80::/10) and addresses of interfaces that are down are skipped.
 * Ids continue from `firstId`.
 */
export function liveProbes(t: Topology, live: ReadonlyMap<string, readonly LiveTarget[]>, firstId: number): Probe[] {
  const nodes = [...t.nodes.values()];
  const out: Probe[] = [];
  for (const b of nodes) {
    const declared = new Set([...b.interfaces.values()].flatMap((i) => i.addresses.map((a) => a.split('/')[0]!)));
    const seen = new Set<string>();
    for (const l of live.get(b.name) ?? []) {
      const addr = l.cidr.split('/')[0]!;
      if (!l.up || declared.has(addr) || seen.has(addr) || !probeable(addr)) continue;
      seen.add(addr);
      for (const a of nodes) {
        if (a === b) continue;
        out.push({
          id: firstId + out.length,
          from: a.name,
          netns: a.netns,
          to: `${b.name}:${l.dev}`,
          toNetns: b.netns,
          dst: addr,
          kind: 'icmp',
          expect: true,
          liveDev: l.dev,
        });
      }
    }
  }
  return out;
}

const NOT_PROBED = ['127.0.0.0/8', '169.254.0.0/16', '::1/128', 'fe80::/10'].map((c) => parseCidr(c)!);

/** An address worth probing from another node: not loopback, not link-local. */
function probeable(addr: string): boolean {
  const a = parseAddress(addr);
  return a !== undefined && !NOT_PROBED.some((c) => c.family === a.family && contains(c, a.address));
}

/** The address a target text means, seen from a source node. */
export function targetAddress(t: Topology, from: Node, to: string): string | undefined {
  const literal = parseAddress(to);
  if (literal) return literal.address;
  const [nodeName, ifName] = to.split(':');
  const target = t.nodes.get(nodeName ?? '');
  if (!target) return undefined;
  if (ifName !== undefined) return target.interfaces.get(ifName)?.addresses[0]?.split('/')[0];
  return bestAddress(from, target);
}

/** Of the target's addresses, one in a subnet the source is on (so no router is needed), else the first. */
function bestAddress(from: Node, target: Node): string | undefined {
  const mine = [...from.interfaces.values()]
    .flatMap((i) => i.addresses)
    .map((a) => parseCidr(a))
    .filter((c) => c !== undefined);
  const theirs = [...target.interfaces.values()].flatMap((i) => i.addresses).map((a) => a.split('/')[0]!);
  return theirs.find((addr) => mine.some((c) => contains(c, addr))) ?? theirs[0];
}

/** Describe a probe's kind for people: "icmp", "tcp 80", "udp 53". */
export function probeText(p: Pick<Probe, 'kind' | 'port'>): string {
  return p.port === undefined ? p.kind : `${p.kind} ${p.port}`;
}

/** Turn outcomes into report rows (matched by id), in probe order. */
export function buildReport(probes: readonly Probe[], outcomes: readonly Outcome[]): Report {
  const byId = new Map(outcomes.map((o) => [o.id, o]));
  const rows = probes.map((p): ReportRow => {
    const o = byId.get(p.id);
    const reached = o?.reached === true;
    const reason = p.problem ?? (reached ? undefined : (o?.reason ?? 'not probed'));
    const loss = o && o.sent > 0 ? (o.sent - o.received) / o.sent : 1;
    return {
      from: p.from,
      to: p.to,
      dst: p.dst ?? null,
      probe: probeText(p),
      expected: p.expect ? 'reach' : 'blocked',
      got: reached ? 'reached' : 'blocked',
      ok: reached === p.expect && p.problem === undefined,
      loss,
      ...(reached && o?.rttMs !== undefined ? { rttMs: o.rttMs } : {}),
      ...(reason === undefined ? {} : { reason }),
      ...(p.liveDev === undefined ? {} : { live: { dev: p.liveDev } }),
    };
  });
  const passed = rows.filter((r) => r.ok).length;
  return { rows, passed, failed: rows.length - passed };
}

/**
 * Probes from every node to the gateway of each network it is on (a quick health check of a
 * big lab: every host reaches its router, N probes instead of the matrix's N squared).
 */
export function gatewayProbes(t: Topology): Probe[] {
  const links = new Map(t.links.map((l) => [l.id, l]));
  const out: Probe[] = [];
  for (const node of t.nodes.values()) {
    for (const iface of node.interfaces.values()) {
      const link = links.get(iface.link);
      if (link?.kind !== 'bridged') continue;
      const mine = iface.addresses.map((a) => parseCidr(a)).filter((c) => c !== undefined);
      for (const cidr of t.networks.get(link.network)?.gateways ?? []) {
        const gw = cidr.split('/')[0]!;
        if (!mine.some((c) => contains(c, gw))) continue;
        out.push({ id: out.length, from: node.name, netns: node.netns, to: gw, dst: gw, kind: 'icmp', expect: true });
      }
    }
  }
  return out;
}
