// What a report of `nslab test --json` must look like to be merged with others (verify/merge.ts):
// the fields the merge and the rendering read, checked, with unknown fields kept (a newer nslab
// may add some). Pure: it sees parsed JSON, never a file. It must not trust the file: a report is
// made on another machine, and its text ends up on this terminal.
import * as z from 'zod';
import type { ReportRow } from './matrix.js';

/**
 * Text a report made by nslab can hold: no control characters, none of the characters that
 * reorder what a terminal shows. A report with them was not written by nslab.
 */
const Text = z.string().regex(/^[^\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]*$/, 'holds control characters');
const Count = z.number().int().nonnegative();
const Ms = z.number().nonnegative();

const Row = z.looseObject({
  from: Text,
  to: Text,
  dst: Text.nullable(),
  probe: Text,
  expected: z.enum(['reach', 'blocked']),
  got: z.enum(['reached', 'blocked']),
  ok: z.boolean(),
  rttMs: Ms.optional(),
  reason: Text.optional(),
  loss: z.number(),
  heldMs: Ms.optional(),
  withinMs: Ms.optional(),
  live: z.looseObject({ dev: Text }).optional(),
});

const TestReport = z.looseObject({
  lab: Text.min(1),
  mode: z.enum(['expect', 'all']),
  machine: Text.min(1).optional(),
  digest: Text.min(1).optional(),
  report: z.looseObject({ rows: z.array(Row), passed: Count, failed: Count }),
  waves: Count,
  rounds: Count,
  ms: Ms,
  waited: z.boolean(),
  notices: z.array(Text),
});

/** One machine's report as merging reads it. */
export interface ParsedReport {
  readonly lab: string;
  readonly mode: 'expect' | 'all';
  /** Set by `nslab test --as MACHINE --json`; reports without it are named by their file. */
  readonly machine?: string;
  /** A digest of the topology file the report was made from, when the report has one. */
  readonly digest?: string;
  readonly rows: readonly ReportRow[];
  readonly waves: number;
  readonly rounds: number;
  readonly ms: number;
  readonly waited: boolean;
  readonly notices: readonly string[];
}

/** Why a value is not a report: the first problem, at its path (`report.rows.3.ok: ...`). */
export type ShapeResult = { readonly ok: true; readonly report: ParsedReport } | { readonly ok: false; readonly why: string };

/** Check a parsed JSON value against the report's shape. */
export function reportShape(value: unknown): ShapeResult {
  const r = TestReport.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    const at = first && first.path.length > 0 ? `${first.path.join('.')}: ` : '';
    return { ok: false, why: `${at}${first?.message ?? 'not the expected shape'}` };
  }
  const d = r.data;
  return {
    ok: true,
    report: {
      lab: d.lab,
      mode: d.mode,
      ...(d.machine === undefined ? {} : { machine: d.machine }),
      ...(d.digest === undefined ? {} : { digest: d.digest }),
      // Checked field by field above; the type differs only in how zod spells optional fields.
      rows: d.report.rows as readonly ReportRow[],
      waves: d.waves,
      rounds: d.rounds,
      ms: d.ms,
      waited: d.waited,
      notices: d.notices,
    },
  };
}

/** Whether a value looks like the output of a merge rather than one machine's report. */
export function isMergedReport(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Array.isArray((value as { machines?: unknown }).machines);
}
