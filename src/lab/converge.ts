// Waiting for expectations to converge (`within:` entries, `nslab test --wait`): probe every
// entry once, then re-probe only the ones not yet holding, in rounds 200 ms apart backing off to
// 1 s, each until its own deadline. An entry holds from the first round it holds in. A negative
// entry (reach: false) must hold at the end: the ones that held early are probed once more when
// nothing else is left to wait for, and one that is reachable again waits (and fails) like any
// other. Time is read from a monotonic clock (injected, so unit tests run on virtual time).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Outcome, Probe } from '../verify/matrix.js';

/** A monotonic clock and a way to wait on it. */
export interface Clock {
  /** Milliseconds from an arbitrary origin; never goes back. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** performance.now() (monotonic) and a timer. */
export const monotonicClock: Clock = { now: () => performance.now(), sleep: (ms) => sleep(ms) };

/** Where a wait stands, after each round that leaves something to wait for. */
export interface WaitProgress {
  /** Entries holding now. */
  readonly holding: number;
  readonly total: number;
  /** Since the first round started. */
  readonly ms: number;
  readonly round: number;
}

/** Pause before the second round, and the most it grows to. */
export const FIRST_PAUSE_MS = 200;
export const MAX_PAUSE_MS = 1000;

export interface ConvergeArgs {
  readonly probes: readonly Probe[];
  /** Per probe id: how long it may take to hold, in ms from the start; 0 (or absent): probed once. */
  readonly deadlines: ReadonlyMap<number, number>;
  /** Probe these (retry: a later round); outcomes matched by id. */
  readonly round: (probes: readonly Probe[], retry: boolean) => Promise<readonly Outcome[]>;
  readonly clock: Clock;
  readonly onProgress?: (p: WaitProgress) => void;
}

/** What the rounds found. */
export interface Converged {
  /** The last outcome of every probe. */
  readonly outcomes: Outcome[];
  /** Per probe id that holds: ms from the start to the end of the round it first held in. */
  readonly heldMs: Map<number, number>;
  readonly rounds: number;
}

const holds = (p: Probe, o: Outcome | undefined): boolean => p.problem === undefined && (o?.reached === true) === p.expect;

/** Probe until everything holds or every entry that does not has run out of time. Bounded by the largest deadline plus one round. */
export async function converge({ probes, deadlines, round, clock, onProgress }: ConvergeArgs): Promise<Converged> {
  const t0 = clock.now();
  const last = new Map<number, Outcome>();
  const heldMs = new Map<number, number>();
  const heldRound = new Map<number, number>();
  const deadline = (p: Probe): number => deadlines.get(p.id) ?? 0;
  let batch: readonly Probe[] = probes;
  let rounds = 0;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    const outs = await round(batch, rounds > 0);
    rounds++;
    const at = clock.now() - t0;
    const byId = new Map(outs.map((o) => [o.id, o]));
    for (const p of batch) {
      const o = byId.get(p.id);
      if (o) last.set(p.id, o);
      if (holds(p, o)) {
        if (!heldMs.has(p.id)) heldMs.set(p.id, at);
        heldRound.set(p.id, rounds);
      } else {
        heldMs.delete(p.id);
        heldRound.delete(p.id);
      }
    }
    const retry = probes.filter((p) => p.problem === undefined && !heldMs.has(p.id) && at < deadline(p));
    if (retry.length === 0) {
      // Nothing left to wait for: negatives that held in an earlier round are checked at the end.
      const stale = probes.filter((p) => !p.expect && deadline(p) > 0 && heldMs.has(p.id) && (heldRound.get(p.id) ?? 0) < rounds);
      if (stale.length === 0) break;
      batch = stale;
      continue;
    }
    onProgress?.({ holding: heldMs.size, total: probes.length, ms: at, round: rounds });
    const until = Math.max(...retry.map(deadline)) - at;
    await clock.sleep(Math.max(0, Math.min(pause, until)));
    pause = Math.min(MAX_PAUSE_MS, Math.round(pause * 1.5));
    // Entries whose time ran out during the pause are not probed again.
    const now = clock.now() - t0;
    const due = retry.filter((p) => now < deadline(p));
    batch = due.length > 0 ? due : retry;
  }
  const outcomes = probes.flatMap((p) => {
    const o = last.get(p.id);
    return o ? [o] : [];
  });
  return { outcomes, heldMs, rounds };
}
