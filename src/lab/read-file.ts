// Reading a topology file safely, for every verb that takes one: a regular file only, at most
// MAX_FILE_BYTES. Kept apart from lab/load.ts so that the verbs that may not need the parser
// (lab/load-lazy.ts, down's lab name) read files the same way without loading it.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { MAX_FILE_BYTES, tooBig } from '../topology/decode.js';
import { IssueSink, formatIssue } from '../topology/issues.js';
import { NslabError } from '../util/errors.js';

/**
 * The file's bytes, at most MAX_FILE_BYTES of them: a regular file only (a FIFO or /dev/zero would
 * block or never end), its size checked before reading and the read bounded (it may grow meanwhile).
 */
export function readTopologyFile(file: string): Uint8Array {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new NslabError('bad-file', `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NslabError('bad-file', `${file}: not a regular file`, 2);
    if (st.size > MAX_FILE_BYTES) throw tooBigError(file, st.size);
    const buf = Buffer.allocUnsafe(MAX_FILE_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    if (n > MAX_FILE_BYTES) throw tooBigError(file, n);
    return buf.subarray(0, n);
  } catch (e) {
    if (e instanceof NslabError) throw e;
    throw new NslabError('bad-file', `${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 2);
  } finally {
    closeSync(fd);
  }
}

function tooBigError(file: string, size: number): NslabError {
  const sink = new IssueSink(file);
  sink.add(tooBig(size));
  return new NslabError('bad-topology', sink.issues().map(formatIssue).join('\n'), 2);
}
