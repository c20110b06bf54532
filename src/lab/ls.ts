// `ls`: the labs that have state on this host, with what their journals own and whether their
// namespaces are really there and their declared processes running.
import type { System } from '../port/system.js';
import type { StateRoot } from '../state/root.js';
import type { KernelFactory, SystemOption } from './kernel.js';
import { linuxKernel, systemOf } from './kernel.js';
import { labJournal, listLabs } from '../state/store.js';

/** One lab as `ls` shows it. */
export interface LabSummary {
  readonly name: string;
  readonly file?: string;
  readonly hostNetns?: string;
  readonly nodes: number;
  readonly networks: number;
  /**
   * up: every owned namespace exists and every declared process the journal records runs;
   * partial: some namespaces exist, or a declared process failed to start (not ready in time,
   * exited) or has died since, so the next `up` has work to do; down: no namespace exists (stale state).
   */
  readonly status: 'up' | 'partial' | 'down';
  /**
   * The lab's log keeper is recorded but gone (lab/log-keeper.ts): its processes get SIGPIPE when
   * they write output, so the lab is partial; the next `up` starts a new keeper.
   */
  readonly logKeeperDead?: true;
}

/** List labs. */
export async function ls(opts: { readonly state: StateRoot; readonly openKernel?: KernelFactory } & SystemOption): Promise<LabSummary[]> {
  const root = opts.state;
  const names = listLabs(root);
  if (names.length === 0) return [];
  const sys = await systemOf(opts);
  const kernel = await (opts.openKernel ?? linuxKernel)({});
  try {
    const present = new Set(kernel.netnsList());
    return names.map((name) => summarize(root, sys, name, present));
  } finally {
    kernel.close();
  }
}

function summarize(root: StateRoot, sys: System, name: string, present: ReadonlySet<string>): LabSummary {
  const { meta, owned, procs, failed, keeper } = labJournal(root, name);
  const ns = [...owned.values()].flatMap((r) => (r.op.op === 'netns.create' || r.op.op === 'netns.attach' ? [r.op.name] : []));
  const bridges = [...owned.values()].filter((r) => r.op.op === 'link.create' && r.op.kind === 'bridge').length;
  const alive = ns.filter((n) => present.has(n)).length;
  const keeperDead = keeper !== undefined && procs.size > 0 && !sys.processes.alive(keeper);
  const running = failed.size === 0 && !keeperDead && [...procs.values()].every((r) => r.adhoc || sys.processes.alive(r));
  const status = ns.length > 0 && alive === ns.length && running ? 'up' : alive > 0 ? 'partial' : 'down';
  return {
    name,
    nodes: ns.length,
    networks: bridges,
    status,
    ...(meta?.file ? { file: meta.file } : {}),
    ...(meta?.hostNetns ? { hostNetns: meta.hostNetns } : {}),
    ...(keeperDead ? { logKeeperDead: true as const } : {}),
  };
}
