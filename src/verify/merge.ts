// Merging the reports of `nslab test --as MACHINE --json` made on the machines of one lab into one
// report: every row kept with the machine it was probed from, totals recomputed from the rows (a
// report's own totals are not trusted), and the reports refused, with what to do, when they are
// not of one run of one lab. Pure: files are read by lab/merge.ts.
import { NslabError } from '../util/errors.js';
import type { ReportRow } from './matrix.js';
import { isMergedReport, reportShape, type ParsedReport } from './report-shape.js';

/** One report to merge: the file it came from (to name it in messages) and its parsed JSON. */
export interface ReportInput {
  readonly file: string;
  readonly value: unknown;
}

/** A row of the merged report: the row as its machine reported it, and that machine. */
export type MergedRow = ReportRow & { readonly machine: string };

/** One machine's part of the merged report. */
export interface MachineSummary {
  readonly machine: string;
  readonly file: string;
  /** Where the name comes from: the report's `machine`, or the file name when it has none. */
  readonly namedBy: 'machine' | 'file';
  readonly passed: number;
  readonly failed: number;
  readonly ms: number;
}

/** The merged report (`nslab merge --json` prints it as is). */
export interface MergedReport {
  readonly lab: string;
  readonly mode: 'expect' | 'all';
  readonly digest?: string;
  /** True when every row of every machine holds. */
  readonly ok: boolean;
  readonly machines: readonly MachineSummary[];
  readonly report: { readonly rows: readonly MergedRow[]; readonly passed: number; readonly failed: number };
  /** The machines ran at once: the longest run, the most waves and rounds. */
  readonly ms: number;
  readonly waves: number;
  readonly rounds: number;
  readonly waited: boolean;
  /** Each machine's notices, prefixed with its name. */
  readonly notices: readonly string[];
}

const HOW = 'make each with `nslab test FILE --as MACHINE --json > MACHINE.json`';

/** A file's name without its folders and a `.json` ending: what a report without `machine` is called. */
export function machineOfFile(file: string): string {
  const base = file.replace(/\/+$/, '').replace(/^.*\//, '');
  return base.replace(/\.json$/i, '') || base;
}

/** Check one input; throws `bad-report` (exit 2) when it is not one machine's report. */
export function parseReport(input: ReportInput): ParsedReport {
  if (isMergedReport(input.value)) {
    throw new NslabError('bad-report', `${input.file}: a merged report, not one machine's; merge the machines' own reports (${HOW})`, 2);
  }
  const r = reportShape(input.value);
  if (!r.ok) throw new NslabError('bad-report', `${input.file}: not a report of \`nslab test --json\` (${r.why}); ${HOW}`, 2);
  return r.report;
}

interface Named {
  readonly file: string;
  readonly machine: string;
  readonly namedBy: 'machine' | 'file';
  readonly report: ParsedReport;
}

/** Merge the reports of one lab's machines, in the order given. */
export function mergeReports(inputs: readonly ReportInput[]): MergedReport {
  if (inputs.length === 0) throw new NslabError('usage', `merge needs at least one report; ${HOW}`, 2);
  const named: Named[] = inputs.map((i) => {
    const report = parseReport(i);
    return report.machine === undefined
      ? { file: i.file, machine: machineOfFile(i.file), namedBy: 'file', report }
      : { file: i.file, machine: report.machine, namedBy: 'machine', report };
  });
  checkOneRun(named);
  checkMachinesOnce(named);
  const rows = named.flatMap((n) => n.report.rows.map((r): MergedRow => ({ ...r, machine: n.machine })));
  const passed = rows.filter((r) => r.ok).length;
  const first = named[0]!.report;
  const digest = named.find((n) => n.report.digest !== undefined)?.report.digest;
  return {
    lab: first.lab,
    mode: first.mode,
    ...(digest === undefined ? {} : { digest }),
    ok: passed === rows.length,
    machines: named.map(summaryOf),
    report: { rows, passed, failed: rows.length - passed },
    ms: Math.max(...named.map((n) => n.report.ms)),
    waves: Math.max(...named.map((n) => n.report.waves)),
    rounds: Math.max(...named.map((n) => n.report.rounds)),
    waited: named.some((n) => n.report.waited),
    notices: named.flatMap((n) => n.report.notices.map((t) => `${n.machine}: ${t}`)),
  };
}

function summaryOf(n: Named): MachineSummary {
  const passed = n.report.rows.filter((r) => r.ok).length;
  return { machine: n.machine, file: n.file, namedBy: n.namedBy, passed, failed: n.report.rows.length - passed, ms: n.report.ms };
}

const MODE = { expect: 'the expect: entries (or gateways)', all: 'every pair of nodes (--all)' } as const;

/** Every report against the first: one lab, one file (when both name a digest), one kind of run. */
function checkOneRun(named: readonly Named[]): void {
  const a = named[0]!;
  for (const b of named.slice(1)) {
    if (b.report.lab !== a.report.lab) {
      throw new NslabError(
        'reports-differ',
        `${b.file} is a report of lab ${b.report.lab}, ${a.file} of lab ${a.report.lab}: merge the reports of one lab only`,
        2,
      );
    }
    const [x, y] = [a.report.digest, b.report.digest];
    // A report without a digest (an nslab that wrote none) is taken on its lab name alone.
    if (x !== undefined && y !== undefined && x !== y) {
      throw new NslabError(
        'reports-differ',
        `${a.file} and ${b.file} are reports of lab ${a.report.lab} made from different topology files (digest ${short(x)} and ${short(y)}): give every machine the same file, run nslab test again and merge the new reports`,
        2,
      );
    }
    if (b.report.mode !== a.report.mode) {
      throw new NslabError(
        'reports-differ',
        `${a.file} probed ${MODE[a.report.mode]}, ${b.file} ${MODE[b.report.mode]}: run the same nslab test (same flags) on every machine`,
        2,
      );
    }
  }
}

/** `sha256:` and the first 12 hex digits: enough to tell two files apart in a message. */
const short = (digest: string): string => digest.replace(/^([a-z0-9]+:)?(.{12}).+$/, '$1$2…');

/** A machine's report given twice (or two files named alike without `machine`) would count its rows twice. */
function checkMachinesOnce(named: readonly Named[]): void {
  const seen = new Map<string, Named>();
  for (const n of named) {
    const before = seen.get(n.machine);
    if (before) {
      const byFile = before.namedBy === 'file' && n.namedBy === 'file';
      const why = byFile ? ' (named by their file names: they have no machine field; rename one, or make them with --as)' : '';
      throw new NslabError('machine-twice', `${before.file} and ${n.file} are both reports of machine ${n.machine}${why}: give each machine's report once`, 2);
    }
    seen.set(n.machine, n);
  }
}
