// The probe scheduler: one loop that starts attempts (paced by a token bucket, capped by a number
// of probes in flight), polls their sockets with short poll(2) slices, expires deadlines and
// schedules retries. It yields to the Node event loop after every round and never awaits while
// the thread is inside another namespace (sockets are made in synchronous batches, probe-netns.ts).
// Every socket it opens is closed on every path, exceptions included.
import * as libc from './libc.js';
import { allowPingIn, createInNetns } from './probe-netns.js';
import { SysError } from './libc.js';
import { closeQuietly, createSocket, onEvents, startAttempt, timedOut, type Attempt, type Verdict } from './probe-socket.js';
import { Pacer } from './probe-pace.js';
import { reasonFor, silenceReason } from './probe-wire.js';
import type { ProbeOutcome, ProbeSpec } from './probe.js';
import type { Family } from '../util/ip.js';

/** Resolved options of a run. */
export interface LoopConfig {
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly concurrency: number;
  readonly ratePerSec: number;
  /** Attempts of pinned probes to destinations that already answered (probe-pace.ts). */
  readonly quickRatePerSec: number;
  /** ICMP over raw sockets (this process may open them), not ping sockets. */
  readonly rawIcmp: boolean;
  readonly backoffMs: number;
}

/** A probe that passed the checks, with its place in the caller's list. */
export interface Planned {
  readonly index: number;
  readonly spec: ProbeSpec;
  readonly family: Family;
}

interface Progress {
  attempts: number;
  sent: number;
  received: number;
  reason?: string;
}

interface InFlight {
  readonly p: Planned;
  readonly attempt: Attempt;
  readonly deadline: number;
}

/** Longest a single poll(2) may block the main thread, in ms. */
const POLL_SLICE_MS = 2;

/** Runs planned probes to completion; one instance per runProbes call. */
export class ProbeLoop {
  private readonly progress = new Map<number, Progress>();
  private readonly results = new Map<number, ProbeOutcome>();
  private readonly inflight = new Map<number, InFlight>();
  private readonly retries: { p: Planned; at: number }[] = [];
  private next = 0;
  private active = 0;
  private seq = Math.floor(Math.random() * 0x10000);
  private readonly pacer: Pacer;
  /** Namespaces where ping sockets were refused and allowing them was tried (once a run). */
  private readonly pingTried = new Set<string>();

  constructor(
    private readonly planned: readonly Planned[],
    private readonly cfg: LoopConfig,
    private readonly home: number,
  ) {
    // Bursts of a hundredth of a second's worth of starts: large enough to keep the loop cheap,
    // small enough that ARP broadcasts do not arrive in one lump (netdev_max_backlog).
    this.pacer = new Pacer(cfg.ratePerSec, cfg.quickRatePerSec, cfg.concurrency, performance.now());
  }

  /** Run until every planned probe has an outcome; keyed by the probe's index in the caller's list. */
  async run(): Promise<Map<number, ProbeOutcome>> {
    try {
      while (this.results.size < this.planned.length) {
        this.startDue(performance.now());
        const wait = this.nextWakeMs(performance.now());
        if (this.inflight.size > 0) {
          this.pollOnce(Math.min(POLL_SLICE_MS, Math.ceil(wait)));
          this.expire(performance.now());
          await new Promise((resolve) => setImmediate(resolve));
        } else {
          if (this.retries.length === 0 && this.next >= this.planned.length && this.results.size < this.planned.length) {
            throw new Error('probe loop: probes left with nothing in flight or queued (bug)');
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(wait))));
        }
      }
      return this.results;
    } finally {
      for (const fd of this.inflight.keys()) closeQuietly(fd);
      this.inflight.clear();
    }
  }

  /** Start due retries first (they keep their slot), then new probes, in order, while slots and tokens last. */
  private startDue(now: number): void {
    this.pacer.refill(now);
    const batch: Planned[] = [];
    for (let i = 0; i < this.retries.length; ) {
      const r = this.retries[i] as { p: Planned; at: number };
      if (r.at > now || !this.pacer.take(r.p.spec)) i++;
      else {
        this.retries.splice(i, 1);
        batch.push(r.p);
      }
    }
    while (this.next < this.planned.length && this.active < this.cfg.concurrency && this.pacer.take((this.planned[this.next] as Planned).spec)) {
      const p = this.planned[this.next++] as Planned;
      this.progress.set(p.index, { attempts: 0, sent: 0, received: 0 });
      this.active++;
      batch.push(p);
    }
    if (batch.length > 0) this.launch(batch, now);
  }

  /** Create the batch's sockets, one namespace switch per source namespace, and start them. */
  private launch(batch: readonly Planned[], now: number): void {
    const byNetns = new Map<string, Planned[]>();
    for (const p of batch) byNetns.set(p.spec.netns, [...(byNetns.get(p.spec.netns) ?? []), p]);
    for (const [name, group] of byNetns) {
      const fds = this.sockets(name, group);
      group.forEach((p, i) => {
        const fd = fds?.[i];
        if (fd === undefined) this.finish(p, { reached: false, reason: `namespace ${name} missing` });
        else if (typeof fd !== 'number') this.attemptEnded(p, { reached: false, answered: false, reason: reasonFor(p.spec.kind, fd.code) }, false);
        else this.start(p, fd, now);
      });
    }
  }

  /**
   * The group's sockets, made inside namespace `name`. Ping sockets refused there (EACCES: the
   * namespace's ping_group_range is still the kernel's "1 0") are made again once it is allowed.
   */
  private sockets(name: string, group: readonly Planned[]): (number | SysError)[] | undefined {
    const fds = createInNetns(name, this.home, group, (p) => createSocket(p.spec.kind, p.family, this.cfg.rawIcmp));
    const refused = (f: number | SysError | undefined, i: number): boolean =>
      f instanceof SysError && f.code === 'EACCES' && (group[i] as Planned).spec.kind === 'icmp';
    if (!fds?.some(refused) || this.pingTried.has(name)) return fds;
    this.pingTried.add(name);
    if (!allowPingIn(name, this.home)) return fds;
    const again = group.filter((_, i) => refused(fds[i], i));
    const made = createInNetns(name, this.home, again, (p) => createSocket(p.spec.kind, p.family));
    let k = 0;
    return fds.map((f, i) => (refused(f, i) ? (made?.[k++] ?? f) : f));
  }

  private start(p: Planned, fd: number, now: number): void {
    this.seq = (this.seq + 1) & 0xffff;
    // Registered before starting, so the finally in run() closes it even if starting throws.
    const placeholder = { p, attempt: { fd } as Attempt, deadline: now + this.cfg.timeoutMs };
    this.inflight.set(fd, placeholder);
    const ident = Math.floor(Math.random() * 0x10000);
    const raw = this.cfg.rawIcmp && p.spec.kind === 'icmp';
    const { attempt, verdict } = startAttempt({ fd, kind: p.spec.kind, family: p.family, dst: p.spec.dst, port: p.spec.port ?? 0, seq: this.seq, raw, ident });
    if (verdict) this.close(fd, p, verdict, attempt.sent);
    else this.inflight.set(fd, { ...placeholder, attempt });
  }

  /** One poll(2) over every socket in flight, then handle whatever it reported. */
  private pollOnce(timeoutMs: number): void {
    const entries = [...this.inflight.values()];
    const fds = Buffer.alloc(entries.length * libc.POLLFD_SIZE);
    entries.forEach((e, i) => {
      fds.writeInt32LE(e.attempt.fd, i * libc.POLLFD_SIZE);
      fds.writeInt16LE(e.attempt.events, i * libc.POLLFD_SIZE + 4);
    });
    if (libc.poll(fds, Math.max(0, timeoutMs)) === 0) return;
    entries.forEach((e, i) => {
      const revents = fds.readInt16LE(i * libc.POLLFD_SIZE + 6);
      if (revents === 0) return;
      const v = revents & libc.POLLNVAL ? { reached: false, answered: false, reason: 'socket closed (bug)' } : onEvents(e.attempt, revents);
      if (v) this.close(e.attempt.fd, e.p, v, e.attempt.sent);
    });
  }

  private expire(now: number): void {
    for (const e of [...this.inflight.values()]) {
      if (e.deadline <= now) this.close(e.attempt.fd, e.p, timedOut(e.attempt), e.attempt.sent);
    }
  }

  private close(fd: number, p: Planned, v: Verdict, sent: boolean): void {
    this.inflight.delete(fd);
    closeQuietly(fd);
    this.attemptEnded(p, v, sent);
  }

  /** Count an attempt; finish the probe when it reached or has no attempts left, else retry later. */
  private attemptEnded(p: Planned, v: Verdict, sent: boolean): void {
    const pr = this.progress.get(p.index) as Progress;
    pr.attempts++;
    if (sent) pr.sent++;
    if (v.answered) {
      pr.received++;
      this.pacer.answer(p.spec.dst);
    }
    if (v.reached) return this.finish(p, { reached: true, ...(v.rttMs !== undefined ? { rttMs: v.rttMs } : {}), ...(v.reason ? { reason: v.reason } : {}) });
    // Keep the most telling reason: an ICMP error or a refusal beats a later silence.
    if (v.reason && (pr.reason === undefined || v.reason !== silenceReason(p.spec.kind))) pr.reason = v.reason;
    if (pr.attempts >= this.cfg.attempts) return this.finish(p, { reached: false, reason: pr.reason ?? silenceReason(p.spec.kind) });
    this.retries.push({ p, at: performance.now() + this.cfg.backoffMs });
  }

  private finish(p: Planned, r: { reached: boolean; rttMs?: number; reason?: string }): void {
    const pr = this.progress.get(p.index) ?? { attempts: 0, sent: 0, received: 0 };
    this.results.set(p.index, { id: p.spec.id, ...r, attempts: pr.attempts, sent: pr.sent, received: pr.received });
    this.active--;
  }

  /** ms until something needs doing: a deadline, a due retry, or a token for waiting work. */
  private nextWakeMs(now: number): number {
    let at = now + 50;
    for (const e of this.inflight.values()) at = Math.min(at, e.deadline);
    for (const r of this.retries) at = Math.min(at, Math.max(r.at, now + this.pacer.waitMs(r.p.spec)));
    if (this.next < this.planned.length && this.active < this.cfg.concurrency)
      at = Math.min(at, now + this.pacer.waitMs((this.planned[this.next] as Planned).spec));
    return Math.max(0, at - now);
  }
}
