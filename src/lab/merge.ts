// `merge`: the reports of `nslab test --as MACHINE --json`, one per machine of a lab, read from
// their files and merged into one (verify/merge.ts, pure). Reading is bounded and refuses what is
// not a regular file, as reading a topology file does (lab/read-file.ts): a FIFO would block.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { NslabError } from '../util/errors.js';
import { mergeReports, type MergedReport, type ReportInput } from '../verify/merge.js';

export type { MachineSummary, MergedReport, MergedRow } from '../verify/merge.js';

/** The largest report read: an --all run of a few thousand nodes is well below it. */
export const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** Merge the reports in these files, in this order. */
export function mergeReportFiles(files: readonly string[]): MergedReport {
  return mergeReports(files.map(readReport));
}

/** A report file as parsed JSON; a file that is not readable or not JSON is bad input (exit 2). */
export function readReport(file: string): ReportInput {
  const text = Buffer.from(readBounded(file)).toString('utf8');
  try {
    return { file, value: JSON.parse(text) as unknown };
  } catch (e) {
    const why = text.trim() === '' ? 'the file is empty' : `not JSON: ${(e as Error).message}`;
    throw new NslabError(
      'bad-report',
      `${file}: not a report of \`nslab test --json\` (${why}); make each with \`nslab test FILE --as MACHINE --json > MACHINE.json\``,
      2,
    );
  }
}

function readBounded(file: string): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw cannotRead(file, e);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NslabError('bad-file', `${file}: not a regular file; give the file a report was saved in`, 2);
    if (st.size > MAX_REPORT_BYTES) throw tooBig(file);
    const buf = Buffer.allocUnsafe(Math.min(st.size, MAX_REPORT_BYTES) + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    // The file may have grown since fstat: read one byte more than it had, and refuse if it came.
    if (n > st.size) throw new NslabError('bad-file', `${file}: it changed while it was read; read it again when it is complete`, 2);
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof NslabError) throw e;
    throw cannotRead(file, e);
  } finally {
    closeSync(fd);
  }
}

const cannotRead = (file: string, e: unknown): NslabError =>
  new NslabError('bad-file', `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);

const tooBig = (file: string): NslabError =>
  new NslabError('bad-file', `${file}: larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB, more than any report nslab writes`, 2);
