// `up --watch`: after the first up, watch the topology file and apply each saved change as a
// diff (a plain `up` of the new text: the plan holds only what changed). The file's directory is
// watched, not the file, so editors that save by writing a new file and renaming it are seen.
// Changes are debounced; one apply runs at a time, and changes saved meanwhile make one more
// apply after it (never a queue). A file with problems is reported and the lab stays as it was.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { StateRoot } from '../state/root.js';
import { isNslabError, type NslabError } from '../util/errors.js';
import type { KernelFactory } from './kernel.js';
import { up, type UpResult } from './up.js';
import { WarmLab } from './warm.js';

/** Options of `watchTopology`. */
export interface WatchOptions {
  readonly state: StateRoot;
  readonly file: string;
  readonly hostNetns?: string;
  /** Built rootless: each apply refuses what needs the real host, as up does. */
  readonly rootless?: { readonly portStart: number };
  readonly openKernel?: KernelFactory;
  /** Ends the watch; an apply in progress stops after its current kernel batch. */
  readonly signal: AbortSignal;
  /** Quiet time after the last change before applying, ms (default 150). */
  readonly debounceMs?: number;
  /** Called after each apply. */
  readonly onApplied: (r: UpResult) => void;
  /** Called when an apply is refused or fails (a problem in the file, a conflict); watching goes on. */
  readonly onError: (e: NslabError) => void;
}

/** Watch until the signal aborts; resolves then. Errors that are not NslabErrors (bugs) reject. */
export function watchTopology(o: WatchOptions): Promise<void> {
  const file = resolve(o.file);
  const name = basename(file);
  const debounce = o.debounceMs ?? 150;
  return new Promise<void>((done, fail) => {
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    let again = false;
    let watcher: FSWatcher | undefined;
    // Each apply lends the next what it read and checked (lab/warm.ts).
    const warm = new WarmLab(o.state);
    const finish = (e?: unknown): void => {
      clearTimeout(timer);
      watcher?.close();
      warm.flush();
      o.signal.removeEventListener('abort', onAbort);
      if (e === undefined) done();
      else fail(e);
    };
    const onAbort = (): void => {
      if (!running) finish();
    };
    const apply = async (): Promise<void> => {
      running = true;
      try {
        do {
          again = false;
          try {
            o.onApplied(
              await up({
                state: o.state,
                file,
                signal: o.signal,
                warm,
                ...(o.openKernel ? { openKernel: o.openKernel } : {}),
                ...(o.hostNetns === undefined ? {} : { hostNetns: o.hostNetns }),
                ...(o.rootless ? { rootless: o.rootless } : {}),
              }),
            );
          } catch (e) {
            if (!isNslabError(e)) throw e;
            o.onError(e);
          }
        } while (again && !o.signal.aborted);
      } catch (e) {
        running = false;
        finish(e);
        return;
      }
      running = false;
      if (o.signal.aborted) finish();
    };
    const changed = (): void => {
      if (o.signal.aborted) return;
      if (running) {
        again = true;
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => void apply(), debounce);
    };
    try {
      watcher = watch(dirname(file), { persistent: true }, (_event, f) => {
        if (f === null || f === name) changed();
      });
    } catch (e) {
      finish(e);
      return;
    }
    watcher.on('error', (e) => finish(e));
    if (o.signal.aborted) finish();
    else o.signal.addEventListener('abort', onAbort, { once: true });
  });
}
