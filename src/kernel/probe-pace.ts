// How fast the probe loop may start attempts. Two token buckets: the paced lane, for attempts
// that may broadcast (an ARP request, or a frame to a MAC a bridge has not learned yet, flooded
// to every port: too many at once overflow the per-CPU backlog, netdev_max_backlog, and drop),
// and the quick lane, for attempts that cannot: the probe's neighbours are pinned
// (verify/pins.ts) and its destination has already answered in this run, so every bridge on the
// way has learned both MACs. Pure: the clock is passed in, so unit tests drive it.

/** A token bucket: `rate` tokens a second, at most `burst` saved up. */
class Bucket {
  private tokens = 1;
  private at: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number,
  ) {
    this.at = now;
  }
  refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) * this.rate) / 1000);
    this.at = now;
  }
  take(): boolean {
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
  /** ms until a token is there (0 when one is). */
  waitMs(): number {
    return this.tokens >= 1 ? 0 : ((1 - this.tokens) * 1000) / this.rate;
  }
}

export type Lane = 'paced' | 'quick';

/** What the pacer needs to know of a probe. */
export interface PacedProbe {
  readonly dst: string;
  readonly pinned?: boolean;
}

export class Pacer {
  private readonly paced: Bucket;
  private readonly quick: Bucket;
  private readonly answered = new Set<string>();

  /** Rates in attempts per second; bursts are a hundredth of a second's worth (at least 1, at most `maxBurst`). */
  constructor(pacedRate: number, quickRate: number, maxBurst: number, now: number) {
    const burst = (rate: number): number => Math.max(1, Math.min(maxBurst, Math.ceil(rate / 100)));
    this.paced = new Bucket(pacedRate, burst(pacedRate), now);
    this.quick = new Bucket(Math.max(quickRate, pacedRate), burst(Math.max(quickRate, pacedRate)), now);
  }

  /** The lane an attempt of this probe goes in now. */
  lane(p: PacedProbe): Lane {
    return p.pinned === true && this.answered.has(p.dst) ? 'quick' : 'paced';
  }

  /** A destination answered (a reply, a refusal: the bridges on the way learned its MAC). */
  answer(dst: string): void {
    this.answered.add(dst);
  }

  refill(now: number): void {
    this.paced.refill(now);
    this.quick.refill(now);
  }

  /** Take a token for an attempt of this probe; false when its lane has none now. */
  take(p: PacedProbe): boolean {
    return this.lane(p) === 'quick' ? this.quick.take() : this.paced.take();
  }

  /** ms until an attempt of this probe may start. */
  waitMs(p: PacedProbe): number {
    return this.lane(p) === 'quick' ? this.quick.waitMs() : this.paced.waitMs();
  }
}
