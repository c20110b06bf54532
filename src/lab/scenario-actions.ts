// The real effects of scenario steps: link cuts, impairments and partitions through the runtime
// verbs of lab/runtime.ts (so they are recorded in the lab's runtime state like `nslab link`,
// `impair` and `partition`, shown by `show`, and removed by `down`), and processes started and
// stopped like `nslab run` and `down` do. Each verb takes the lab lock for its few milliseconds;
// the scenario itself holds none, so a step never waits on the scenario.
import type { Topology } from '../model/types.js';
import type { System } from '../port/system.js';
import { JournalWriter } from '../state/journal.js';
import type { StateRoot } from '../state/root.js';
import { labJournal, labPaths } from '../state/store.js';
import type { LinkShape } from '../topology/impair-units.js';
import type { KernelFactory } from './kernel.js';
import { runAdhoc, stopRecords } from './processes.js';
import { heal, impair, linkState, partition, type RuntimeOptions } from './runtime.js';
import type { Impairment, ScenarioEnd, StepActions } from './scenario.js';

/** What the real actions work on. */
export interface LabActionsContext {
  readonly root: StateRoot;
  readonly topology: Topology;
  readonly system: System;
  readonly openKernel?: KernelFactory;
}

/** StepActions on a running lab. */
export function labActions(c: LabActionsContext): StepActions {
  const base: RuntimeOptions = { state: c.root, lab: c.topology.name, system: c.system, ...(c.openKernel ? { openKernel: c.openKernel } : {}) };
  const at = (end: ScenarioEnd): string => `${end.node}:${end.iface}`;
  return {
    linkState: async (end, up) => void (await linkState({ ...base, end: at(end), up })),
    impair: async (end, imp) => void (await impair({ ...base, end: at(end), shape: shapeOf(imp) })),
    clearImpair: async (end) => void (await impair({ ...base, end: at(end), clear: true })),
    partition: async (groups) => {
      // Every pair of groups is cut apart; heal undoes them all at once.
      for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) await partition({ ...base, a: groups[i]!, b: groups[j]! });
    },
    heal: async () => void (await heal(base)),
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

/** A scenario's impairment as a link shape (rates in bytes per second, times in microseconds). */
export function shapeOf(i: Impairment): LinkShape {
  return {
    ...(i.delayMs === undefined ? {} : { delayUs: Math.round(i.delayMs * 1000) }),
    ...(i.jitterMs === undefined ? {} : { jitterUs: Math.round(i.jitterMs * 1000) }),
    ...(i.lossPct === undefined ? {} : { lossPct: i.lossPct }),
    ...(i.rateBits === undefined ? {} : { rate: Math.round(i.rateBits / 8) }),
  };
}
