// Network namespaces made ahead, in parallel with parsing the topology file. Making a namespace
// is the kernel's slowest step of a big build (unshare, ~0.4 ms each: 0.4 s for 1000) and needs
// no name: a worker thread makes empty ones while the main thread is still reading the file, and
// createNetns then only names them (one bind mount each). Unused ones vanish when their fds are
// closed (dispose), so a pool leaves nothing behind, also when nslab is killed.
import * as libc from './libc.js';
import { Worker } from 'node:worker_threads';
import type { NetnsPool } from '../port/host.js';
export type { NetnsPool } from '../port/host.js';

/** Start making `count` namespaces in a worker thread. */
export function startNetnsPool(count: number): NetnsPool {
  const shared = new SharedArrayBuffer(8 + 4 * count);
  const state = new Int32Array(shared, 0, 2);
  const fds = new Int32Array(shared, 8, count);
  // The worker only loops over two syscalls: a small heap keeps its isolate from adding ~10 MB to
  // the peak RSS of a big build (it then fails, if ever, like a worker that cannot make more).
  const resourceLimits = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 };
  let worker: Worker | undefined = new Worker(new URL('./netns-pool-worker.js', import.meta.url), { workerData: { shared, count }, resourceLimits });
  worker.on('error', () => Atomics.store(state, 1, 1));
  worker.unref();
  let next = 0;
  return {
    take() {
      if (next >= count) return undefined;
      // Wait (bounded) while the worker is still going and has not made this one yet.
      for (let spins = 0; Atomics.load(state, 0) <= next && Atomics.load(state, 1) === 0 && spins < 200; spins++) {
        Atomics.wait(state, 0, Atomics.load(state, 0), 50);
      }
      if (Atomics.load(state, 0) <= next) return undefined;
      return fds[next++];
    },
    dispose() {
      Atomics.store(state, 1, 1);
      void worker?.terminate();
      worker = undefined;
      const made = Atomics.load(state, 0);
      for (let i = next; i < made; i++) {
        try {
          libc.close(fds[i]!);
        } catch {
          // already closed
        }
      }
      next = count;
    },
  };
}
