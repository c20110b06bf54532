// Merging the packets of several capture points into one stream in time order. Each source (one
// tcpdump) delivers its packets in time order, but the sources' pipes deliver independently, so a
// packet is held until either every still-running source has something queued (then the earliest
// is certainly next: a plain k-way merge) or it has waited `lagMs` since it arrived (a source that
// stays quiet must not stall the others). Pure: the caller passes the clock and runs the timer.

interface Held<T> {
  readonly tsUs: number;
  readonly arrivedMs: number;
  readonly item: T;
}

/** A time-order merge of `sources` streams. */
export class Merger<T> {
  private readonly queues: Held<T>[][];
  private readonly ended: boolean[];

  constructor(
    sources: number,
    private readonly lagMs: number,
  ) {
    this.queues = Array.from({ length: sources }, () => []);
    this.ended = Array.from({ length: sources }, () => false);
  }

  /** A packet from source `src`, captured at `tsUs`, arriving now. */
  push(src: number, tsUs: number, item: T, nowMs: number): void {
    this.queues[src]?.push({ tsUs, arrivedMs: nowMs, item });
  }

  /** Source `src` will deliver nothing more. */
  end(src: number): void {
    this.ended[src] = true;
  }

  /** The packets that can go out now, in time order. */
  take(nowMs: number): T[] {
    const out: T[] = [];
    for (;;) {
      const i = this.earliest();
      if (i === undefined) return out;
      const head = this.queues[i]![0]!;
      const complete = this.queues.every((q, k) => q.length > 0 || this.ended[k]);
      if (!complete && head.arrivedMs + this.lagMs > nowMs) return out;
      out.push(this.queues[i]!.shift()!.item);
    }
  }

  /** Everything still held, in time order (at the end of a capture). */
  drain(): T[] {
    return this.take(Number.POSITIVE_INFINITY);
  }

  /** When the earliest held packet will have waited long enough (ms), if any is held. */
  nextDueMs(): number | undefined {
    const i = this.earliest();
    return i === undefined ? undefined : this.queues[i]![0]!.arrivedMs + this.lagMs;
  }

  /** Index of the source whose head packet is earliest (ties: the lower index). */
  private earliest(): number | undefined {
    let best: number | undefined;
    this.queues.forEach((q, k) => {
      const h = q[0];
      if (h !== undefined && (best === undefined || h.tsUs < this.queues[best]![0]!.tsUs)) best = k;
    });
    return best;
  }
}
