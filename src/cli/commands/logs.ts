// `nslab logs LAB NODE [PROCESS] [-f]`: the output of a node's processes. A follow ends on Ctrl-C
// or when the reader of our output goes away (`nslab logs -f LAB NODE | head`), as tail -f does.
import { logs } from '../../lab/logs.js';
import { config } from '../config.js';
import { guardStdio } from '../stdio.js';

/** Run `logs`. */
export async function run(lab: string, node: string, proc: string | undefined, o: { follow?: boolean }): Promise<void> {
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  process.once('SIGINT', abort);
  guardStdio().stdout.onClosed(abort);
  try {
    await logs({
      state: config().state,
      lab,
      node,
      ...(proc === undefined ? {} : { process: proc }),
      ...(o.follow ? { follow: true } : {}),
      signal: stop.signal,
    });
  } finally {
    process.off('SIGINT', abort);
  }
}
