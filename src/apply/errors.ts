// Failures of apply and teardown as data, and the one function that words them for people.
import type { OpResult } from '../port/kernel.js';
import { describeOp } from '../plan/steps.js';
import type { PlanStep } from '../plan/steps.js';
import { NslabError } from '../util/errors.js';

/** One step the kernel refused. */
export interface StepFailure {
  readonly step: PlanStep;
  readonly result: Extract<OpResult, { ok: false }>;
}

/** How a failure reads: the equivalent command and the kernel's reason. */
export function describeFailure(f: StepFailure): string {
  return `${describeOp(f.step.op)}: ${f.result.message} (${f.result.code})`;
}

/** Apply stopped: which steps failed, how many ran, where the journal is and what to do. */
export class StepError extends NslabError {
  constructor(
    readonly failures: readonly StepFailure[],
    readonly done: number,
    readonly journalPath: string,
    readonly lab: string,
  ) {
    const shown = failures.slice(0, 10).map((f) => `  ${describeFailure(f)}`);
    const more = failures.length > 10 ? [`  ... and ${failures.length - 10} more`] : [];
    super(
      'apply-failed',
      [
        `lab ${lab}: the kernel refused ${failures.length} operation(s) after ${done} succeeded:`,
        ...shown,
        ...more,
        `The lab is partly built (journal: ${journalPath}). Run \`nslab down ${lab}\` to remove what was created, or fix the cause and run \`nslab up\` again.`,
      ].join('\n'),
    );
  }
}
