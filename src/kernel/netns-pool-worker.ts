// The worker thread of netns-pool.ts: creates empty network namespaces, one unshare(2) each on
// its own thread (namespace switches are per thread), and hands their fds to the main thread
// through shared memory: slot i of `fds` gets the fd, then `made` is raised to i+1 and notified.
// It stops at the first failure (not root: EPERM), with `made` telling how many there are.
import { workerData } from 'node:worker_threads';
import * as libc from './libc.js';

const { shared, count } = workerData as { shared: SharedArrayBuffer; count: number };
const made = new Int32Array(shared, 0, 2); // [made, stop]
const fds = new Int32Array(shared, 8, count);
try {
  for (let i = 0; i < count && Atomics.load(made, 1) === 0; i++) {
    libc.unshare(libc.CLONE_NEWNET);
    // Not fs.openSync: Node closes a worker's fs fds when it ends, and these outlive it.
    fds[i] = libc.openRaw('/proc/thread-self/ns/net');
    Atomics.store(made, 0, i + 1);
    Atomics.notify(made, 0);
  }
} catch {
  // No more: the main thread creates the rest itself (and reports any error in its own words).
} finally {
  Atomics.store(made, 1, 1);
  Atomics.notify(made, 0);
}
