// up's shortcut for big labs (plan/trust.ts): which namespaces may stay unread, from the journal's
// `converged` record and the cached model of the text it names; and recording convergence.
import type { NsSnapshot } from '../port/kernel.js';
import type { StateRoot } from '../state/root.js';
import { desiredResources, type Resource } from '../plan/resources.js';
import { trustedNamespaces, withHostEnds } from '../plan/trust.js';
import type { ShapingSupport } from '../plan/impair.js';
import { JournalWriter, type JournalState } from '../state/journal.js';
import { labPaths } from '../state/store.js';
import { cachedModel } from './model-cache.js';

/** The trust callback for readLive, or undefined when the lab did not converge last time. */
export function trustFor(
  root: StateRoot,
  lab: string,
  journal: JournalState,
  desired: readonly Resource[],
  key: string | undefined,
  support: ShapingSupport = { netem: false },
): ((host: NsSnapshot | undefined, netns: ReadonlySet<string>) => ReadonlySet<string>) | undefined {
  if (journal.converged === undefined) return undefined;
  // The same text as last time: its resources are the ones just computed.
  const before = journal.converged === key ? undefined : cachedModel(root, lab, journal.converged, '');
  if (journal.converged !== key && !before) return undefined;
  const previous = before ? ((support.netem ? undefined : before.desired) ?? desiredResources(before.topology, support)) : desired;
  const sameText = journal.converged === key;
  return (host, netns) => withHostEnds(trustedNamespaces({ desired, previous, owned: journal.owned, netns, sameText }), desired, host);
}

/** Record that the lab is fully built from the text with this key (unless that is the last record already). */
export function markConverged(root: StateRoot, lab: string, journal: JournalState, key: string, changed: boolean): void {
  if (!changed && journal.converged === key) return;
  const w = new JournalWriter(root, labPaths(root, lab).journal);
  try {
    w.append([{ t: 'converged', key }]);
  } finally {
    w.close();
  }
}

/**
 * The trust callback of a long-lived process that brought the lab to `previous` itself (lab/warm.ts):
 * namespaces whose resources did not change are left unread. When the host is read only in part
 * (plan/trust.ts warmHostTrust), host ends are not checked: this process made them, and
 * `up --full` reads everything.
 */
export function warmTrust(
  journal: JournalState,
  desired: readonly Resource[],
  previous: readonly Resource[],
): (host: NsSnapshot | undefined, netns: ReadonlySet<string>) => ReadonlySet<string> {
  return (host, netns) => {
    const trusted = trustedNamespaces({ desired, previous, owned: journal.owned, netns });
    return host ? withHostEnds(trusted, desired, host) : trusted;
  };
}
