// What a series of probe results says about a flow: its outage windows, how long it took to
// recover after each step of a scenario, and whether the scenario's limits hold. Pure.
//
// Times are those at which each probe was SENT, in ms after the scenario started. An outage starts
// at the first failed probe (after a success, or at the first probe when the flow never worked
// yet) and ends at the next successful one, so a window is known to within one probe interval at
// each end: its length is a multiple of the interval, give or take the scheduling jitter.

/** One probe result. */
export interface Sample {
  /** When the probe was sent, ms after the start. */
  readonly t: number;
  readonly ok: boolean;
}

/** A stretch during which a flow's probes failed. */
export interface Outage {
  /** The first failed probe. */
  readonly startMs: number;
  /** The next successful probe, or the end of the scenario when there was none (open). */
  readonly endMs: number;
  readonly ms: number;
  /** Still failing when the scenario ended. */
  readonly open: boolean;
  /** Probes that failed in it. */
  readonly failed: number;
}

/** How a flow fared after one step. */
export interface Recovery {
  readonly step: number;
  readonly atMs: number;
  /** Whether any probe failed between this step and the next one. */
  readonly disrupted: boolean;
  /** From the step to the first success after the first failure; 0 when not disrupted; absent when it never came back. */
  readonly recoverMs?: number;
}

/** The outage windows of a series (sorted by time), up to `endMs`. */
export function outageWindows(samples: readonly Sample[], endMs: number): Outage[] {
  const out: Outage[] = [];
  let start: number | undefined;
  let failed = 0;
  for (const s of samples) {
    if (!s.ok) {
      start ??= s.t;
      failed++;
    } else if (start !== undefined) {
      out.push({ startMs: start, endMs: s.t, ms: s.t - start, open: false, failed });
      start = undefined;
      failed = 0;
    }
  }
  if (start !== undefined) {
    const end = Math.max(endMs, start);
    out.push({ startMs: start, endMs: end, ms: end - start, open: true, failed });
  }
  return out;
}

/**
 * For each step (its index and time), whether the flow failed before the next later step (or the
 * end), and when it recovered: the first success after the first failure in that stretch,
 * measured from the step's time (it may come after later steps).
 */
export function recoveries(samples: readonly Sample[], steps: readonly { readonly index: number; readonly atMs: number }[], endMs: number): Recovery[] {
  return steps.map((s) => {
    const until = steps.find((n) => n.atMs > s.atMs)?.atMs ?? endMs;
    const firstFail = samples.find((x) => !x.ok && x.t >= s.atMs && x.t < until);
    if (!firstFail) return { step: s.index, atMs: s.atMs, disrupted: false, recoverMs: 0 };
    const back = samples.find((x) => x.ok && x.t > firstFail.t);
    return back ? { step: s.index, atMs: s.atMs, disrupted: true, recoverMs: back.t - s.atMs } : { step: s.index, atMs: s.atMs, disrupted: true };
  });
}

/** A limit of the scenario (expect:). */
export interface Limit {
  readonly probe: number;
  readonly maxOutageMs?: number;
  readonly recoversWithinMs?: number;
  /** Only after this step; after every step when absent. */
  readonly after?: number;
}

/** Whether one limit held, and why not. */
export interface LimitResult {
  readonly limit: Limit;
  readonly ok: boolean;
  /** What was measured against it, in words ("longest outage 1.500 s <= 3 s"). */
  readonly detail: string;
}

/** Check each limit against its flow's outages and recoveries. */
export function checkLimits(
  limits: readonly Limit[],
  flows: readonly { readonly outages: readonly Outage[]; readonly recoveries: readonly Recovery[] }[],
): LimitResult[] {
  return limits.map((limit) => {
    const f = flows[limit.probe];
    if (!f) return { limit, ok: false, detail: `no probe #${limit.probe}` };
    const parts: string[] = [];
    let ok = true;
    if (limit.maxOutageMs !== undefined) {
      const worst = f.outages.reduce<Outage | undefined>((w, o) => (!w || o.ms > w.ms ? o : w), undefined);
      const ms = worst?.ms ?? 0;
      const held = ms <= limit.maxOutageMs;
      ok &&= held;
      parts.push(`longest outage ${seconds(ms)}${worst?.open ? ' (still out at the end)' : ''} ${held ? '<=' : '>'} max_outage ${seconds(limit.maxOutageMs)}`);
    }
    if (limit.recoversWithinMs !== undefined) {
      const max = limit.recoversWithinMs;
      const rs = f.recoveries.filter((r) => limit.after === undefined || r.step === limit.after);
      const late = rs.filter((r) => r.recoverMs === undefined || r.recoverMs > max);
      ok &&= late.length === 0;
      const worst = rs.reduce((m, r) => Math.max(m, r.recoverMs ?? Number.POSITIVE_INFINITY), 0);
      const where = limit.after === undefined ? 'after every step' : `after step #${limit.after}`;
      parts.push(
        late.length === 0
          ? `recovered ${where} within ${seconds(worst)} <= ${seconds(max)}`
          : `did not recover within ${seconds(max)} after step${late.length > 1 ? 's' : ''} ${late.map((r) => `#${r.step} (${r.recoverMs === undefined ? 'never' : seconds(r.recoverMs)})`).join(', ')}`,
      );
    }
    return { limit, ok, detail: parts.join('; ') };
  });
}

/** Milliseconds as seconds with millisecond digits: "1.500 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
