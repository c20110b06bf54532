// Host settings shared between labs: two labs with NAT both need IPv4 forwarding in the host.
// Each owns the setting with the value from before the first of them; the lab that goes down
// while another still owns it leaves it alone, and the last one restores it.
import type { OwnedRecord } from '../plan/live.js';
import { sysctlKey } from '../plan/live.js';
import { labJournal, listLabs } from '../state/store.js';

/** Host sysctls other labs own, keyed by sysctlKey: the value each will restore. */
export function hostSettingsOfOtherLabs(lab: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const other of listLabs()) {
    if (other === lab) continue;
    for (const r of labJournal(other).owned.values()) {
      if (r.op.op === 'sysctl.set' && r.prev !== undefined) {
        const key = sysctlKey(r.op.ns, r.op.key);
        if (!out.has(key)) out.set(key, r.prev);
      }
    }
  }
  return out;
}

/** The owned records minus host settings another lab still owns (it will restore them). */
export function withoutSharedSettings(lab: string, owned: ReadonlyMap<string, OwnedRecord>): Map<string, OwnedRecord> {
  const others = hostSettingsOfOtherLabs(lab);
  return new Map([...owned].filter(([, r]) => !(r.op.op === 'sysctl.set' && others.has(sysctlKey(r.op.ns, r.op.key)))));
}
