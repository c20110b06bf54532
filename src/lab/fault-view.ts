// The live view of `nslab ui` with faults: each sample also carries, per lab, its links' faults
// (lab/link-faults.ts: down, impaired, runtime changes) and its last scenario's timeline
// (lab/scenario-log.ts), so a `nslab link ... down` or a scenario's outage shows within one sample.
import { isNslabError } from '../util/errors.js';
import type { StateRoot } from './config.js';
import type { KernelFactory } from './kernel.js';
import { type LabFaults, linkFaults } from './link-faults.js';
import type { LiveTick, LiveView } from './live.js';
import { readScenarioLog, type ScenarioTimeline } from './scenario-log.js';

/** A live sample with faults and scenario timelines. */
export interface FaultTick extends LiveTick {
  /** Per lab, its edges' faults (a lab that cannot be read now is left out). */
  readonly faults: Readonly<Record<string, LabFaults>>;
  /** Per lab, the last scenario run against it (labs that never ran one are left out). */
  readonly scenarios: Readonly<Record<string, ScenarioTimeline>>;
}

/** A live view whose samples carry faults (a LiveView too). */
export interface FaultView {
  tick(): Promise<FaultTick>;
  close(): void;
}

/** Options of withFaults. */
export interface FaultViewOptions {
  readonly state: StateRoot;
  readonly openKernel?: KernelFactory;
}

/** A live view whose samples carry faults and scenario timelines too. */
export function withFaults(view: LiveView, opts: FaultViewOptions): FaultView {
  return {
    async tick() {
      const tick = await view.tick();
      const t0 = performance.now();
      const faults: Record<string, LabFaults> = {};
      const scenarios: Record<string, ScenarioTimeline> = {};
      for (const l of tick.labs) {
        if (l.error !== undefined) continue;
        try {
          faults[l.lab] = (await linkFaults({ state: opts.state, lab: l.lab, ...(opts.openKernel ? { openKernel: opts.openKernel } : {}) })).edges;
          const sc = readScenarioLog(opts.state, l.lab);
          if (sc) scenarios[l.lab] = sc;
        } catch (e) {
          // A lab going down between the two reads: it is gone from the next sample.
          if (!isNslabError(e)) throw e;
        }
      }
      return { ...tick, faults, scenarios, ms: tick.ms + performance.now() - t0 };
    },
    close: () => view.close(),
  };
}
