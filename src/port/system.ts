// Everything lab/ does to the system besides the kernel port (port/kernel.ts), as one object:
// processes, /proc reads, locks, host limits and markers, output pipes, probes and capture.
// Implementations: kernel/system.ts (Linux) and test/helpers/fake-system.ts (in memory, test code).
import type { Capturer } from './capture.js';
import type { Host, Pipes } from './host.js';
import type { Locks } from './locks.js';
import type { ProbeEngine } from './probe.js';
import type { ProcFs } from './procfs.js';
import type { Processes } from './processes.js';

export interface System {
  readonly processes: Processes;
  readonly proc: ProcFs;
  readonly locks: Locks;
  readonly host: Host;
  readonly pipes: Pipes;
  readonly probe: ProbeEngine;
  readonly capture: Capturer;
}
