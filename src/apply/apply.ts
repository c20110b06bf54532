// Plan -> kernel, through the journal. Steps are cut into runs of one namespace each; a run's
// objects are journaled (one fsync) before the run goes to the kernel as one batch. Apply stops
// after the first run with a failure and reports every failure of that run.
import type { Kernel, OpResult } from '../port/kernel.js';
import { opNs } from '../ops/scope.js';
import type { PlanStep } from '../plan/steps.js';
import type { JournalRecord, JournalWriter } from '../state/journal.js';
import { journalOp } from '../state/records.js';
import type { StepFailure } from './errors.js';

/** Inputs of applySteps. */
export interface ApplyInput {
  readonly steps: readonly PlanStep[];
  readonly kernel: Kernel;
  readonly journal: JournalWriter;
  /** Errors that mean "already gone" count as done for removal steps (teardown and up tolerate them). */
  readonly goneIsDone?: boolean;
}

/** What happened: steps that ran without error, and the failures of the run that stopped. */
export interface ApplyOutcome {
  readonly done: number;
  readonly failures: readonly StepFailure[];
}

/** errno codes meaning the object is already absent. */
const GONE = new Set(['ENOENT', 'ENODEV', 'ESRCH', 'EADDRNOTAVAIL']);

/** Whether an op removes something (a stale object's delete before a re-create, too). */
function isRemoval(op: PlanStep['op']): boolean {
  return op.op.endsWith('.delete') || op.op === 'netns.detach';
}

/** Whether a failure means the object to remove was already gone. */
export function isGone(r: OpResult): boolean {
  return !r.ok && GONE.has(r.code);
}

/** Cut steps into maximal runs acting in one namespace. */
export function runsOf(steps: readonly PlanStep[]): PlanStep[][] {
  const runs: PlanStep[][] = [];
  for (const s of steps) {
    const last = runs[runs.length - 1];
    if (last && opNs(last[0]!.op) === opNs(s.op)) last.push(s);
    else runs.push([s]);
  }
  return runs;
}

/** Run steps in order, journaling ownership before and drops after each run. */
export function applySteps({ steps, kernel, journal, goneIsDone = false }: ApplyInput): ApplyOutcome {
  let done = 0;
  for (const run of runsOf(steps)) {
    journal.append(run.filter((s) => s.journal === 'own').map(ownRecord));
    const results = kernel.run(run.map((s) => s.op));
    const after: JournalRecord[] = [];
    const failures: StepFailure[] = [];
    run.forEach((step, i) => {
      const r = results[i]!;
      const ok = r.ok || (goneIsDone && (step.journal === 'drop' || isRemoval(step.op)) && isGone(r));
      if (ok) done++;
      else if (!r.ok) failures.push({ step, result: r });
      // A create that failed created nothing (an EEXIST object belongs to someone else): unclaim
      // it. One that was created but whose follow-up failed exists: it stays ours, so down removes it.
      if ((step.journal === 'drop' && ok) || (step.journal === 'own' && !r.ok && r.created !== true)) after.push({ t: 'drop', id: step.id });
    });
    journal.append(after);
    if (failures.length > 0) return { done, failures };
  }
  return { done, failures: [] };
}

function ownRecord(s: PlanStep): JournalRecord {
  return { t: 'own', id: s.id, op: journalOp(s.op), ...(s.prev === undefined ? {} : { prev: s.prev }) };
}
