// The probe engine's entry point: reachability checks (ICMP echo, TCP connect, UDP datagram) sent
// FROM named network namespaces, without spawning anything. Sockets are made inside each source
// namespace and driven by poll(2) from one loop in this process (probe-loop.ts). A failed probe is
// a result, not an error: runProbes throws only for bad options or bugs.
import * as fs from 'node:fs';
import { openCurrentNetns } from './netns.js';
import { ProbeLoop, type LoopConfig, type Planned } from './probe-loop.js';
import { prepareNamespaces } from './probe-netns.js';
import { familyOf } from './probe-wire.js';
import { rawIcmpAllowed } from './probe-socket.js';
import type { ProbeSpec, ProbeOutcome, ProbeOptions } from '../port/probe.js';
export type { ProbeSpec, ProbeOutcome, ProbeOptions } from '../port/probe.js';

export type { ProbeKind } from './probe-wire.js';

/** Pause before a retry: a tenth of the timeout, between 10 and 100 ms. */
export function backoffMs(timeoutMs: number): number {
  return Math.min(100, Math.max(10, Math.round(timeoutMs / 10)));
}

/**
 * Run the probes, at most `concurrency` at once and `ratePerSec` attempts started per second.
 * ICMP goes over raw sockets when this process may open them (root); otherwise over ping sockets,
 * and a source namespace whose ping socket is refused gets net.ipv4.ping_group_range "0 2147483647".
 * `ip netns exec NS ping -c 1 -W 1 DST` / `nc -z -w 1 DST PORT` / `nc -u ...`, for many at once.
 */
export async function runProbes(probes: readonly ProbeSpec[], opts: ProbeOptions = {}): Promise<ProbeOutcome[]> {
  const config = { ...loopConfig(opts), rawIcmp: useRawIcmp(probes, opts) };
  const outcomes: (ProbeOutcome | undefined)[] = probes.map(invalidOutcome);
  const valid = probes.filter((_, i) => outcomes[i] === undefined);
  const home = openCurrentNetns();
  try {
    const states = prepareNamespaces(new Set(valid.map((p) => p.netns)), home);
    const planned: Planned[] = [];
    probes.forEach((spec, index) => {
      if (outcomes[index] !== undefined) return;
      const state = states.get(spec.netns);
      if (state === 'missing') outcomes[index] = notStarted(spec, `namespace ${spec.netns} missing`);
      else if (state === 'home') outcomes[index] = notStarted(spec, `namespace ${spec.netns} is the one nslab runs in`);
      else planned.push({ index, spec, family: familyOf(spec.dst) ?? 4 });
    });
    const done = await new ProbeLoop(planned, config, home).run();
    for (const [index, outcome] of done) outcomes[index] = outcome;
  } finally {
    fs.closeSync(home);
  }
  return outcomes.map((o, i) => o ?? notStarted(probes[i] as ProbeSpec, 'not run'));
}

function loopConfig(opts: ProbeOptions): LoopConfig {
  const timeoutMs = opts.timeoutMs ?? 1000;
  const attempts = opts.attempts ?? 3;
  const concurrency = opts.concurrency ?? 64;
  const ratePerSec = opts.ratePerSec ?? 2000;
  const quickRatePerSec = opts.quickRatePerSec ?? 20_000;
  if (!(timeoutMs > 0 && timeoutMs <= 600_000)) throw new RangeError(`timeoutMs must be in (0, 600000], got ${timeoutMs}`);
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (!(ratePerSec > 0)) throw new RangeError(`ratePerSec must be positive, got ${ratePerSec}`);
  if (!(quickRatePerSec > 0)) throw new RangeError(`quickRatePerSec must be positive, got ${quickRatePerSec}`);
  return {
    timeoutMs,
    attempts,
    concurrency,
    ratePerSec,
    quickRatePerSec,
    rawIcmp: false,
    backoffMs: backoffMs(timeoutMs),
  };
}

/**
 * Whether ICMP goes over raw sockets. A ping socket needs ping_group_range set once per source
 * namespace, and every /proc/sys/net access costs time linear in the namespaces on the host
 * (1.4 ms each at 5000); a raw socket needs no sysctl but costs more per probe (measured on a
 * 200-node --all: 12.5-15 s raw against 7.7-8.8 s ping). So, unless told: raw when the run has
 * few ICMP probes per source from many sources (a sweep of a big lab to its gateways: one each), ping sockets when each source
 * sends many (the all-pairs matrix), and only where this process may open raw sockets.
 */
export function useRawIcmp(probes: readonly ProbeSpec[], opts: Pick<ProbeOptions, 'icmpSocket'>, allowed: () => boolean = rawIcmpAllowed): boolean {
  if (opts.icmpSocket === 'ping') return false;
  const icmp = probes.filter((p) => p.kind === 'icmp');
  const sources = new Set(icmp.map((p) => p.netns)).size;
  if (opts.icmpSocket !== 'raw' && (sources < RAW_ICMP_MIN_SOURCES || icmp.length > RAW_ICMP_MAX_PER_SOURCE * sources)) return false;
  return allowed();
}

/** Above this many ICMP probes per source namespace, ping sockets (and their sysctl) pay off. */
const RAW_ICMP_MAX_PER_SOURCE = 4;
/**
 * Below this many sources the sysctl costs little, and ping sockets, the long-tested path, are
 * kept: a scenario's probes over raw sockets did not see a flapped link come back (open issue).
 */
const RAW_ICMP_MIN_SOURCES = 500;

/** The outcome of a spec that cannot be probed as written, or undefined when it is fine. */
function invalidOutcome(spec: ProbeSpec): ProbeOutcome | undefined {
  if (familyOf(spec.dst) === undefined) return notStarted(spec, `invalid address "${spec.dst}"`);
  if (spec.kind === 'icmp') return undefined;
  const p = spec.port;
  if (p === undefined || !Number.isInteger(p) || p < 1 || p > 65535) return notStarted(spec, `invalid port ${String(p)}`);
  return undefined;
}

function notStarted(spec: ProbeSpec, reason: string): ProbeOutcome {
  return { id: spec.id, reached: false, reason, attempts: 0, sent: 0, received: 0 };
}
