// Teardown: undo everything a journal owns, in reverse order by kind, namespaces first (the
// kernel removes their veths in bulk), tolerating objects that are already gone; host links are
// only removed while they still carry this lab's ownership marker. Then wait, bounded, for the
// kernel to finish removing the host ends of deleted namespaces' veths (it does so in background).
import type { Kernel } from '../port/kernel.js';
import { HOST_NS } from '../port/kernel.js';
import type { Owned } from '../plan/live.js';
import { removalSteps } from '../plan/removals.js';
import type { PlanStep } from '../plan/steps.js';
import type { JournalWriter } from '../state/journal.js';
import type { ApplyOutcome } from './apply.js';
import { applySteps } from './apply.js';
import { phase } from '../util/timing.js';
import { marksLab } from '../names/markers.js';

/** Inputs of teardown. */
export interface TeardownInput {
  readonly lab: string;
  readonly owned: Owned;
  readonly kernel: Kernel;
  readonly journal: JournalWriter;
  /**
   * Leave out the host bridges whose ports are host ends of deleted namespaces' veths: deleting a
   * bridge before the kernel has freed those releases every port one by one, synchronously
   * (~1 ms each); they are returned as `deferred`, to be removed once `pending` is gone.
   */
  readonly deferBridges?: boolean;
}

/** Result of teardown: the apply outcome, links left alone because they are no longer ours. */
export interface TeardownOutcome extends ApplyOutcome {
  readonly skipped: readonly string[];
  /** Host-side names that must disappear once the kernel finishes deleting namespaces. */
  readonly pending: readonly string[];
  /** Steps left for later (deferBridges). */
  readonly deferred: readonly PlanStep[];
}

/** Remove every owned object. */
export function teardown({ lab, owned, kernel, journal, deferBridges = false }: TeardownInput): TeardownOutcome {
  const all = removalSteps(owned, () => false);
  const pending = hostEndsOfDeletedNs(owned, all);
  // Only the host links to delete are asked for, by name: a listing of every host link (a thousand
  // host ends of the lab's own veths, which go with their namespaces) costs ~40 ms at N=1000.
  const hostNames = all.flatMap((s) => (s.op.op === 'link.delete' && s.op.ns === HOST_NS ? [s.op.name] : []));
  const aliases = new Map((kernel.links(HOST_NS, hostNames) ?? []).map((l) => [l.name, l.alias]));
  const skipped: string[] = [];
  const steps = all.filter((s) => {
    if (s.op.op !== 'link.delete' || s.op.ns !== HOST_NS) return true;
    const name = s.op.name;
    const alias = aliases.get(name);
    if (alias === undefined || marksLab(alias, lab)) return true;
    skipped.push(`${name} (now marked "${alias}")`);
    return false;
  });
  phase('teardown plan');
  const defer = deferBridges && pending.length > DEFER_MIN_PORTS;
  const bridges = defer ? new Set(hostBridges(owned)) : new Set<string>();
  const later = (s: PlanStep): boolean => s.op.op === 'link.delete' && s.op.ns === HOST_NS && bridges.has(s.op.name);
  if (defer) quietBridges(kernel, steps, bridges, pending.length);
  const outcome = applySteps({ steps: steps.filter((s) => !later(s)), kernel, journal, goneIsDone: true });
  return { ...outcome, skipped, pending, deferred: outcome.failures.length > 0 ? [] : steps.filter(later) };
}

/**
 * Up to this many ports, bridges are deleted at once, right after the namespaces: releasing a few
 * ports synchronously costs less than waiting for the kernel's background cleanup first, and the
 * bridge's own deletion (~50 ms here, RCU waits) then overlaps that cleanup instead of following
 * it. A small lab's `down` measured ~25 ms shorter (examples/bridge.yaml, 10-host star).
 */
const DEFER_MIN_PORTS = 16;

/**
 * Take the lab's bridges down before their ports' namespaces go. The kernel then removes each port
 * without re-running the bridge's port state selection over all the other ports (br_device_event
 * skips NETDEV_DOWN of a port on a bridge that is down, and a bridge that is not running re-arms
 * no multicast timers): the background cleanup of 1000 ports measured ~35% less kernel time. Only
 * bridges still ours (their deletion steps survived the marker check) and only when ports go with
 * namespaces; best effort: a bridge already gone or refusing changes nothing, its delete reports.
 */
function quietBridges(kernel: Kernel, steps: readonly PlanStep[], bridges: ReadonlySet<string>, ports: number): void {
  if (ports === 0 || bridges.size === 0) return;
  const ops = steps.flatMap((s) => (s.op.op === 'link.delete' && s.op.ns === HOST_NS && bridges.has(s.op.name) ? [s.op.name] : []));
  if (ops.length > 0) kernel.run(ops.map((name) => ({ op: 'link.set', ns: HOST_NS, name, up: false })));
}

/** Finish a teardown: the deferred steps. */
export function finishTeardown(kernel: Kernel, journal: JournalWriter, deferred: readonly PlanStep[]): ApplyOutcome {
  return applySteps({ steps: deferred, kernel, journal, goneIsDone: true });
}

function hostBridges(owned: Owned): string[] {
  return [...owned.values()].flatMap((r) => (r.op.op === 'link.create' && r.op.kind === 'bridge' && r.op.ns === HOST_NS ? [r.op.name] : []));
}

/** The host ends of the journal's veths whose namespace these steps delete (the kernel frees them later). */
export function hostEndsOfDeletedNs(owned: Owned, steps: readonly PlanStep[]): string[] {
  const deleted = new Set(steps.flatMap((s) => (s.op.op === 'netns.delete' ? [s.op.name] : [])));
  const names: string[] = [];
  for (const r of owned.values()) {
    if (r.op.op === 'link.create' && r.op.kind === 'veth' && r.op.peer.ns === HOST_NS && deleted.has(r.op.ns)) {
      names.push(r.op.peer.name);
    }
  }
  return names;
}

/**
 * Wait until none of `names` exists in the host namespace, polling; false on timeout. Each look
 * first asks for the last name alone (the host end of the namespace deleted last): listing every
 * host link costs ~50 ms of CPU at N=1000, and the poll then competed for the CPU with the
 * kernel's cleanup it waits for (a single worker thread, CPU-bound). The kernel frees the veths of
 * the namespaces it cleans up together in one batch, so the last one is gone only at the end;
 * then the full listing confirms, and is taken at every look from there on.
 */
export async function waitGone(kernel: Kernel, names: readonly string[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let probe = names.length > 1 ? names[names.length - 1] : undefined;
  for (;;) {
    const probing = probe !== undefined && (kernel.links(HOST_NS, [probe])?.length ?? 0) > 0;
    const present = probing ? undefined : kernel.linkNames(HOST_NS);
    if (!probing) probe = undefined;
    if (!probing && (!present || names.every((n) => !present.has(n)))) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
