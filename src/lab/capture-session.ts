// One running capture: a tcpdump per capture point, their pcap streams merged in time order into
// the sink, until a stop condition: a count reached, a duration over, Ctrl-C (SIGINT), SIGTERM or
// SIGHUP, an abort signal, stdout closed, or every tcpdump gone. Stopping asks each tcpdump to stop
// by PID (SIGTERM) and SIGKILLs what has not exited after a grace period.
import type { Capture, CaptureEnd } from '../port/capture.js';
import type { System } from '../port/system.js';
import { Merger } from '../packet/merge.js';
import { PcapReader, type PcapRecord } from '../packet/pcap.js';
import { LINKTYPE_ETHERNET } from '../packet/pcapng.js';
import type { CapturePoint } from './capture-targets.js';
import type { Sink } from './capture-sink.js';

/** How long a packet may wait for the other capture points' earlier ones (see packet/merge.ts). */
const LAG_MS = 100;
const GRACE_MS = 2_000;

/** Why a capture stopped. */
export type StopReason = 'count' | 'duration' | 'signal' | 'output-closed' | 'ended';

/** What a capture did. */
export interface SessionResult {
  readonly packets: number;
  /** Packets the kernel dropped because tcpdump could not keep up. */
  readonly dropped: number;
  readonly stoppedBy: StopReason;
  /** Capture points whose tcpdump failed while capturing, with its complaint. */
  readonly failed: ReadonlyArray<{ readonly label: string; readonly error: string }>;
}

/** How to run one. */
export interface SessionOptions {
  readonly points: readonly CapturePoint[];
  readonly sink: Sink;
  readonly count?: number;
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  /** Called once every tcpdump listens. */
  readonly onReady?: () => void;
}

/** Start the tcpdumps; resolves once all listen (or rejects after killing those that started). */
export async function startAll(sys: System, points: readonly CapturePoint[], filter: string | undefined): Promise<Capture[]> {
  const caps: Capture[] = [];
  try {
    for (const p of points)
      caps.push(sys.capture.start({ iface: p.iface, ...(p.netns ? { netns: p.netns } : {}), ...(filter === undefined ? {} : { filter }) }));
    await Promise.all(caps.map((c) => c.ready));
    return caps;
  } catch (e) {
    caps.forEach((c) => c.kill());
    await Promise.all(caps.map((c) => c.ended));
    throw e;
  }
}

/** Run a capture on started tcpdumps until it stops; resolves when every tcpdump has exited. */
export function runSession(caps: readonly Capture[], o: SessionOptions): Promise<SessionResult> {
  return new Promise((resolve) => new Session(caps, o, resolve).start());
}

type Item = { readonly i: number; readonly rec: PcapRecord };
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The state of one capture between start and the last tcpdump's exit. */
class Session {
  private readonly merger: Merger<Item>;
  private readonly failed: Array<{ label: string; error: string }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private pumpTimer: NodeJS.Timeout | undefined;
  private packets = 0;
  private dropped = 0;
  private left: number;
  private stoppedBy: StopReason | undefined;
  // The first Ctrl-C stops cleanly; a second one does not wait for tcpdump any longer.
  private readonly onSignal = (): void => (this.stoppedBy ? this.caps.forEach((c) => c.kill()) : this.stop('signal'));
  private readonly onAbort = (): void => this.stop('signal');

  constructor(
    private readonly caps: readonly Capture[],
    private readonly o: SessionOptions,
    private readonly done: (r: SessionResult) => void,
  ) {
    this.merger = new Merger<Item>(caps.length, LAG_MS);
    this.left = caps.length;
  }

  start(): void {
    this.caps.forEach((c, i) => this.read(c, i));
    SIGNALS.forEach((s) => process.on(s, this.onSignal));
    this.o.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.o.signal?.aborted) this.stop('signal');
    this.o.sink.onClosed(() => this.stop('output-closed'));
    if (this.o.durationMs !== undefined) this.later(this.o.durationMs, () => this.stop('duration'));
    this.o.onReady?.();
  }

  /** Parse one tcpdump's pcap stream into the merge; a stream that is not Ethernet pcap fails that point. */
  private read(c: Capture, i: number): void {
    const reader = new PcapReader();
    c.stdout.on('data', (chunk: Buffer) => {
      let recs: PcapRecord[];
      try {
        recs = reader.push(chunk);
        if (reader.linktype !== undefined && reader.linktype !== LINKTYPE_ETHERNET) throw new Error(`link type ${reader.linktype} is not Ethernet`);
      } catch (e) {
        this.fail(i, (e as Error).message);
        c.kill();
        return;
      }
      for (const rec of recs) this.merger.push(i, rec.tsUs, { i, rec }, Date.now());
      this.pump();
    });
    void c.ended.then((end) => this.ended(i, end));
  }

  private deliver = (x: Item): void => {
    const limit = this.o.count;
    if (limit !== undefined && this.packets >= limit) return;
    this.packets++;
    this.o.sink.packet(x.i, x.rec);
    if (limit !== undefined && this.packets >= limit) this.stop('count');
  };

  /** Hand on what the merge lets go, and come back when the next held packet is due. */
  private pump(): void {
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.merger.take(Date.now()).forEach(this.deliver);
    const due = this.merger.nextDueMs();
    this.pumpTimer = due === undefined ? undefined : setTimeout(() => this.pump(), Math.max(1, due - Date.now()));
  }

  private stop(why: StopReason): void {
    if (this.stoppedBy) return;
    this.stoppedBy = why;
    this.caps.forEach((c) => c.stop());
    this.later(GRACE_MS, () => this.caps.forEach((c) => c.kill()));
  }

  private fail(i: number, error: string): void {
    this.failed.push({ label: this.o.points[i]?.label ?? '?', error });
  }

  private ended(i: number, end: CaptureEnd): void {
    this.merger.end(i);
    this.dropped += end.dropped ?? 0;
    // An error after we asked it to stop is the stop, not a failure.
    if (end.error !== undefined && this.stoppedBy === undefined) this.fail(i, end.error);
    if (--this.left > 0) return this.pump();
    if (this.pumpTimer) clearTimeout(this.pumpTimer);
    this.merger.drain().forEach(this.deliver);
    this.timers.forEach(clearTimeout);
    SIGNALS.forEach((s) => process.off(s, this.onSignal));
    this.o.signal?.removeEventListener('abort', this.onAbort);
    this.done({ packets: this.packets, dropped: this.dropped, stoppedBy: this.stoppedBy ?? 'ended', failed: this.failed });
  }

  private later(ms: number, fn: () => void): void {
    this.timers.add(setTimeout(fn, ms));
  }
}
