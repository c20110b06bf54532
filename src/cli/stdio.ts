// What happens when nslab's output goes away under it: a reader that stops early
// (`nslab ls | head -1`, `nslab show LAB | true`) closes the pipe and the next write fails with
// EPIPE. Node ignores SIGPIPE, so without this the failure surfaces as an 'error' event nobody
// handles (or, for a synchronous writer, an exception) and nslab dies with a stack trace. Here
// EPIPE only ends the output: later writes are dropped, the verb carries on and exits with its
// own status. That matters for `up`, which is changing kernel state: a closed pipe must never
// stop it halfway. Verbs that only produce output (`logs -f`) ask to be told (onClosed) and stop.

/** The part of a stream the guard needs (process.stdout/stderr, or a fake in tests). */
export interface GuardedStream {
  write(...args: unknown[]): boolean;
  on(event: 'error', fn: (e: Error) => void): unknown;
}

/** A guarded stream's state. */
export interface Guard {
  /** True once the reader has gone away (or the stream failed otherwise). */
  readonly closed: boolean;
  /** Call fn once when the stream closes (at once if it already has). */
  onClosed(fn: () => void): void;
}

const isEpipe = (e: unknown): boolean => (e as NodeJS.ErrnoException | null)?.code === 'EPIPE';

/**
 * Guard a stream: EPIPE, as an 'error' event or thrown by write(), closes it quietly; any other
 * write error closes it too, with one line on `complain` and exit status 1 (output was lost).
 */
export function guard(stream: GuardedStream, name: string, complain: (line: string) => void): Guard {
  let closed = false;
  const waiting: Array<() => void> = [];
  const close = (e: unknown): void => {
    if (closed) return;
    closed = true;
    if (!isEpipe(e)) {
      complain(`nslab: cannot write to ${name} (${(e as NodeJS.ErrnoException | null)?.code ?? String(e)})\n`);
      process.exitCode ||= 1;
    }
    waiting.splice(0).forEach((fn) => fn());
  };
  stream.on('error', close);
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = (...args: unknown[]): boolean => {
    if (!closed) {
      try {
        return write(...args);
      } catch (e) {
        // A synchronous writer (a file or pipe written with writeSync) throws instead.
        if (!isEpipe(e)) throw e;
        close(e);
      }
    }
    // Dropped: still call the callback, so no one waits for it forever.
    const cb = args.find((a) => typeof a === 'function') as ((err?: Error) => void) | undefined;
    if (cb) process.nextTick(cb);
    return true;
  };
  return {
    get closed() {
      return closed;
    },
    onClosed: (fn) => (closed ? fn() : void waiting.push(fn)),
  };
}

let guards: { stdout: Guard; stderr: Guard } | undefined;

/** Guard process.stdout and process.stderr (once); main() calls this before any verb runs. */
export function guardStdio(): { stdout: Guard; stderr: Guard } {
  guards ??= {
    stdout: guard(process.stdout as unknown as GuardedStream, 'standard output', (l) => void process.stderr.write(l)),
    // When stderr itself fails there is nowhere left to complain to.
    stderr: guard(process.stderr as unknown as GuardedStream, 'standard error', () => {}),
  };
  return guards;
}
