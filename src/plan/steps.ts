// Plan steps: one kernel operation each, tagged with the resource it creates or removes; their
// iproute2/sysctl wording (for errors and `up --dry-run`) comes from ops/describe.ts.
import type { KernelOp } from '../port/kernel.js';

/**
 * What the journal does with a step:
 * - own: record the created object before the step runs (teardown will remove it);
 * - drop: record after the step ran that the object is gone;
 * - none: configuration of an object already owned (link up, master): nothing to record.
 */
export type JournalEffect = 'own' | 'drop' | 'none';

/** One ordered step of a plan. */
export interface PlanStep {
  /** Resource id, e.g. `link:demo-web:eth0` or `addr:@host:demo-lan:172.20.0.10/16`. */
  readonly id: string;
  readonly op: KernelOp;
  readonly journal: JournalEffect;
  /** For sysctl.set steps that own a host setting: the value to restore on teardown. */
  readonly prev?: string;
}

/** A plan: ordered steps, how many resources are already as wanted, and clashes. */
export interface Plan {
  readonly lab: string;
  readonly steps: readonly PlanStep[];
  readonly unchanged: number;
  /** Foreign objects in the way, as messages naming them; a plan with conflicts is refused. */
  readonly conflicts: readonly string[];
}

/** The iproute2/sysctl command equivalent to one kernel operation (one wording, the kernel's). */
export { describeOp } from '../ops/describe.js';
