// Whether a lab fits on this host, checked by `up` before it changes anything: the lab's needs
// (plan/capacity.ts) against the host's limits (System.host.limits). A refusal is exit 1: the
// file is fine, the host is short of something, and the message says what and by how much.
import { lstatSync, readdirSync } from 'node:fs';
import type { StateRoot } from '../state/root.js';
import { join } from 'node:path';
import type { System } from '../port/system.js';
import type { Topology } from '../model/types.js';
import { checkCapacity, labNeeds } from '../plan/capacity.js';

import { NslabError } from '../util/errors.js';
import { logDir } from './log-keeper.js';

/**
 * Warnings to print (as `warning: ...` lines); throws NslabError (exit 1) when the lab cannot be
 * built here. With dryRun nothing is refused: the refusals come back as warnings, since a dry
 * run needs none of it.
 */
export function capacityWarnings(
  root: StateRoot,
  sys: System,
  t: Topology,
  /** `named`: the names under /run/netns, as up listed them. */
  opts: { readonly dryRun?: boolean; readonly fdsAtStart?: number; readonly named: readonly string[] },
): string[] {
  const named = opts.named;
  const needs = labNeeds(t, new Set(named));
  const host = sys.host.limits(opts.fdsAtStart, root.path);
  // The lab's logs already there are part of their budget: counted as room, not as use.
  const stateFs = host.stateFs && { ...host.stateFs, availKb: host.stateFs.availKb + logsKb(root, t.name) };
  const verdict = checkCapacity(t.name, needs, { ...host, ...(stateFs ? { stateFs } : {}), namedNetns: named.length });
  if (verdict.refusals.length > 0 && !opts.dryRun) {
    const list = verdict.refusals.map((r) => `  ${r}`).join('\n');
    throw new NslabError('host-limits', `the lab does not fit on this host; nothing was changed:\n${list}`, 1);
  }
  return [...verdict.refusals.map((r) => `warning: up would refuse: ${r}`), ...verdict.warnings.map((w) => `warning: ${w}`)];
}

/** kB the lab's log directory holds now (its logs and rotated files). */
function logsKb(root: StateRoot, lab: string): number {
  try {
    const dir = logDir(root, lab);
    return Math.floor(readdirSync(dir).reduce((s, f) => s + lstatSync(join(dir, f)).size, 0) / 1024);
  } catch {
    return 0;
  }
}
