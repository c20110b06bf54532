// Interface index allocation inside lab namespaces. nslab picks the ifindex of every link it
// creates in its own namespaces, so that addresses and routes in the same batch can name the
// link by index without a round trip (RTM_NEWADDR needs an index). The host's are the kernel's.
import type { NsRef, NsSnapshot } from '../port/kernel.js';

/** Hands out the next free ifindex per namespace: above every live index; 2 in a new one (lo is 1). */
export class IndexAllocator {
  private readonly next_ = new Map<NsRef, number>();

  constructor(private readonly spaces: ReadonlyMap<NsRef, NsSnapshot>) {}

  /** The next unused index in a namespace. */
  next(ns: NsRef): number {
    let n = this.next_.get(ns);
    if (n === undefined) {
      const live = this.spaces.get(ns)?.links ?? [];
      n = Math.max(1, ...live.map((l) => l.index)) + 1;
    }
    this.next_.set(ns, n + 1);
    return n;
  }
}
