// The inputs of planning besides the topology: what the kernel holds now (LiveState) and what the
// journal says the lab owns (Owned). Plain data, filled by lab/ from live/ and state/.
import type { KernelOp, NsRef, NsSnapshot } from '../port/kernel.js';

/** What the kernel holds now, as far as the lab is concerned. */
export interface LiveState {
  /** Every name under /run/netns. */
  readonly netns: ReadonlySet<string>;
  /** Snapshots of the host namespace (HOST_NS) and of the lab's namespaces that exist. */
  readonly spaces: ReadonlyMap<NsRef, NsSnapshot>;
  /** Current values of the sysctls the lab wants, keyed by sysctlKey(ns, key). */
  readonly sysctls: ReadonlyMap<string, string>;
  /** nftables table names present, per namespace that has or wants a lab table. */
  readonly tables: ReadonlyMap<NsRef, ReadonlySet<string>>;
  /**
   * Host settings other running labs changed and will restore, keyed by sysctlKey: the value
   * before the first of them. A lab that needs the same setting takes over that original value,
   * so whichever lab goes down last restores it.
   */
  readonly sharedPrev: ReadonlyMap<string, string>;
  /** Namespaces left unread (plan/trust.ts): their resources are taken as built. */
  readonly trusted?: ReadonlySet<string>;
  /**
   * Resources taken as built although their namespace was read only in part (the host, by a
   * long-lived process: plan/trust.ts warmHostTrust); the host snapshot then holds only the links
   * the other host resources name.
   */
  readonly trustedIds?: ReadonlySet<string>;
}

/** One object the journal says the lab created: the operation that created it. */
export interface OwnedRecord {
  readonly id: string;
  readonly op: KernelOp;
  /** For owned host sysctls: the value before nslab changed it. */
  readonly prev?: string;
}

/** Objects owned by the lab, by resource id, in creation order. */
export type Owned = ReadonlyMap<string, OwnedRecord>;

/** Key of a sysctl value in LiveState.sysctls. */
export function sysctlKey(ns: NsRef, key: string): string {
  return `${ns} ${key}`;
}
