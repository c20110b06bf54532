// Host settings shared between labs: two labs with NAT both need IPv4 forwarding in the host.
// Each owns the setting with the value from before the first of them; the lab that goes down
// while another still owns it leaves it alone, and the last one restores it. "Another lab" means
// one whose host is the same namespace (the real root, or the same --host-netns): a lab playing
// host in namespace X neither shares nor restores the root's settings. Reading the other labs'
// claims and acting on them happens under the host lock (lab/lock.ts takeHostLock), else two
// labs going down at once each see the other's claim and neither restores.
import { applySteps, type ApplyOutcome } from '../apply/apply.js';
import type { StateRoot } from '../state/root.js';
import { HOST_NS, type Kernel } from '../port/kernel.js';
import type { Owned, OwnedRecord } from '../plan/live.js';
import { sysctlKey } from '../plan/live.js';
import type { Resource } from '../plan/resources.js';
import type { JournalWriter } from '../state/journal.js';
import { labJournal, listLabs } from '../state/store.js';

/** Host sysctls other labs with the same host namespace own, keyed by sysctlKey: the value each will restore. */
export function hostSettingsOfOtherLabs(root: StateRoot, lab: string, hostNetns: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const other of listLabs(root)) {
    if (other === lab) continue;
    const j = labJournal(root, other);
    if (j.meta?.hostNetns !== hostNetns) continue;
    for (const r of j.owned.values()) {
      if (r.op.op !== 'sysctl.set' || !isHostSetting(r)) continue;
      const key = sysctlKey(r.op.ns, r.op.key);
      if (!out.has(key)) out.set(key, r.prev!);
    }
  }
  return out;
}

/** A host setting the lab changed and must restore (or hand over): a host sysctl with its old value. */
function isHostSetting(r: OwnedRecord): boolean {
  return r.op.op === 'sysctl.set' && r.op.ns === HOST_NS && r.prev !== undefined;
}

/** Whether building these resources changes a host setting (then up takes the host lock). */
export function wantsHostSettings(desired: readonly Resource[]): boolean {
  return desired.some((r) => r.op.op === 'sysctl.set' && r.op.ns === HOST_NS);
}

/** The owned records without the host settings (those go through releaseHostSettings). */
export function withoutHostSettings(owned: Owned): Map<string, OwnedRecord> {
  return new Map([...owned].filter(([, r]) => !isHostSetting(r)));
}

/**
 * Give up the lab's claims on host settings; the caller holds the host lock. A setting another
 * lab (same host namespace) still owns is only dropped from the journal: that lab restores it.
 * Any other is restored to its value from before nslab. After this, the journal claims none, so
 * the next lab to go down under the lock sees it is the last.
 */
export function releaseHostSettings(a: { lab: string; hostNetns: string | undefined; owned: Owned; kernel: Kernel; journal: JournalWriter }): ApplyOutcome {
  const root = a.journal.root;
  const mine = [...a.owned.values()].filter(isHostSetting);
  if (mine.length === 0) return { done: 0, failures: [] };
  const others = hostSettingsOfOtherLabs(root, a.lab, a.hostNetns);
  const shared = mine.filter((r) => r.op.op === 'sysctl.set' && others.has(sysctlKey(r.op.ns, r.op.key)));
  if (shared.length > 0) a.journal.append(shared.map((r) => ({ t: 'drop' as const, id: r.id })));
  const steps = mine
    .filter((r) => !shared.includes(r))
    .flatMap((r) => (r.op.op === 'sysctl.set' ? [{ id: r.id, op: { ...r.op, value: r.prev! }, journal: 'drop' as const }] : []));
  const outcome = applySteps({ steps, kernel: a.kernel, journal: a.journal, goneIsDone: true });
  return outcome;
}
