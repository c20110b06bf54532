// The real effects of scenario steps, through the kernel port and the process functions:
// a link end set down or up (`ip -n NS link set DEV down|up`), an impairment as a netem root
// qdisc and its removal, a partition as the point-to-point links between the groups set down,
// and processes started and stopped like `nslab run` and `down` do. Interim: the impairment
// verbs of lab/ take these over once they exist.
import type { Topology } from '../model/types.js';
import type { Kernel, KernelOp, NetemSpec } from '../port/kernel.js';
import type { System } from '../port/system.js';
import { JournalWriter } from '../state/journal.js';
import type { StateRoot } from '../state/root.js';
import { labJournal, labPaths } from '../state/store.js';
import { NslabError } from '../util/errors.js';
import { runAdhoc, stopRecords } from './processes.js';
import type { Impairment, ScenarioEnd, StepActions } from './scenario.js';

/** What the real actions work on. */
export interface LabActionsContext {
  readonly root: StateRoot;
  readonly topology: Topology;
  readonly kernel: Kernel;
  readonly system: System;
}

/** StepActions on a running lab. */
export function labActions(c: LabActionsContext): StepActions {
  const run = (ops: readonly KernelOp[], what: string): void => {
    const bad = c.kernel.run(ops).find((r) => !r.ok);
    if (bad && !bad.ok) throw new NslabError('apply-failed', `${what}: ${bad.message}`, 1);
  };
  const setLink = (end: ScenarioEnd, up: boolean): void =>
    run([{ op: 'link.set', ns: end.netns, name: end.iface, up }], `link ${end.node}:${end.iface} ${up ? 'up' : 'down'}`);
  const cut: ScenarioEnd[] = [];
  return {
    linkState: async (end, up) => setLink(end, up),
    impair: async (end, imp) => run([{ op: 'qdisc.replace', ns: end.netns, dev: end.iface, qdisc: netem(imp) }], `impair ${end.node}:${end.iface}`),
    clearImpair: async (end) => run([{ op: 'qdisc.delete', ns: end.netns, dev: end.iface }], `clear ${end.node}:${end.iface}`),
    partition: async (groups) => {
      for (const e of partitionEnds(c.topology, groups)) {
        setLink(e, false);
        cut.push(e);
      }
    },
    heal: async () => {
      for (const e of cut.splice(0).reverse()) setLink(e, true);
    },
    startProcess: async (node, name, command) => {
      const r = await runAdhoc({ state: c.root, lab: c.topology.name, node, ...(name === undefined ? {} : { name }), command, system: c.system });
      return r.name;
    },
    stopProcess: async (node, name) => {
      const recs = [...labJournal(c.root, c.topology.name).procs.values()].filter((r) => r.node === node && r.name === name);
      if (recs.length === 0) return;
      const writer = new JournalWriter(c.root, labPaths(c.root, c.topology.name).journal);
      try {
        await stopRecords(c.system, recs, writer);
      } finally {
        writer.close();
      }
    },
  };
}

/** A netem qdisc for an impairment (rates in bytes per second, times in microseconds). */
export function netem(i: Impairment): NetemSpec {
  return {
    kind: 'netem',
    ...(i.delayMs === undefined ? {} : { delayUs: Math.round(i.delayMs * 1000) }),
    ...(i.jitterMs === undefined ? {} : { jitterUs: Math.round(i.jitterMs * 1000) }),
    ...(i.lossPct === undefined ? {} : { lossPct: i.lossPct }),
    ...(i.rateBits === undefined ? {} : { rate: Math.round(i.rateBits / 8) }),
  };
}

/**
 * The link ends to set down to split the lab into groups: one end of every point-to-point link
 * whose two nodes are in different groups. A network (bridge) shared by nodes of different
 * groups cannot be split by setting links down without cutting its other members too: refused.
 */
export function partitionEnds(t: Topology, groups: readonly (readonly string[])[]): ScenarioEnd[] {
  const group = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const n of g) group.set(n, i);
  });
  const out: ScenarioEnd[] = [];
  const members = new Map<string, Set<number>>();
  for (const l of t.links) {
    if (l.kind === 'p2p') {
      const ga = group.get(l.a.node);
      const gb = group.get(l.b.node);
      if (ga !== undefined && gb !== undefined && ga !== gb) out.push({ node: l.a.node, iface: l.a.iface, netns: t.nodes.get(l.a.node)!.netns });
    } else if (l.kind === 'bridged') {
      const g = group.get(l.end.node);
      if (g !== undefined) members.set(l.network, (members.get(l.network) ?? new Set()).add(g));
    }
  }
  const shared = [...members].filter(([, gs]) => gs.size > 1).map(([n]) => n);
  if (shared.length > 0) {
    throw new NslabError('usage', `network ${shared.join(', ')} joins nodes of different groups; this version partitions only across point-to-point links`, 2);
  }
  if (out.length === 0) throw new NslabError('usage', 'no point-to-point link joins these groups: nothing to cut', 2);
  return out;
}
