// `nslab merge REPORT...`: the reports of `nslab test --as MACHINE --json`, one per machine of a
// lab, as one report: the same table (or matrix) as `nslab test` with each row's machine, a line
// per machine, the machines' notes on stderr, and the exit status of test (0 everything holds, 1
// something does not).
import { mergeReportFiles, type MergedReport } from '../../lab/merge.js';
import { paint, printJson, duration } from '../render.js';
import { renderMatrix, renderTable } from './test.js';

/** Run `merge`. */
export function run(files: readonly string[], o: { json?: boolean }): void {
  const m = mergeReportFiles(files);
  // As `nslab test` does: notes on stderr, also with --json (where they are in the report too).
  for (const n of m.notices) process.stderr.write(paint(`note: ${n}`, 'yellow') + '\n');
  if (o.json) printJson(m);
  else process.stdout.write(`${renderMerged(m)}\n`);
  process.exitCode = m.ok ? 0 : 1;
}

/** The merged report as `nslab test` prints one run, with a line per machine before the summary. */
export function renderMerged(m: MergedReport): string {
  return m.mode === 'all' ? renderMatrix(m, machineLines(m)) : renderTable(m, machineLines(m));
}

/** `machine m1 (m1.json): 3/4 hold, 1 do not (1.20 s)`, in the order the reports were given. */
export function machineLines(m: MergedReport): string[] {
  return m.machines.map((x) => {
    const where = x.namedBy === 'file' ? `${x.file}, named by its file` : x.file;
    const line = `machine ${x.machine} (${where}): ${x.passed}/${x.passed + x.failed} hold, ${x.failed} do not (${duration(x.ms)})`;
    return paint(line, x.failed > 0 ? 'red' : 'green');
  });
}
