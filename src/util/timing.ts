// Phase timings for the benchmarks: `NSLAB_TIMING=1 nslab up FILE` prints how long each phase of
// a verb took (load, live read, plan, apply, ...) on stderr when the process exits, elapsed and
// on the CPU (user + system: on a loaded machine the elapsed time also counts waiting for a CPU,
// and what is left between the two is waiting, for the kernel or a timer), with the peak RSS.
// When off, a phase mark costs one comparison. Uses only globals (no imports). Off unless the
// edge turns it on (the CLI from NSLAB_TIMING=1): this module reads no environment.
let enabled = false;
const marks: Array<[string, number, number, NodeJS.MemoryUsage]> = [];
let last = 0;
let lastCpu = 0;

/** Turn the phase report on or off (the CLI, once, before any verb runs). */
export function setTiming(on: boolean): void {
  enabled = on;
}

/** Record that phase `name` ended now; it is timed from the previous mark (the first from process start). */
export function phase(name: string): void {
  if (!enabled) return;
  const t = performance.now();
  const u = process.cpuUsage();
  const cpu = (u.user + u.system) / 1000;
  if (marks.length === 0) process.on('exit', report);
  marks.push([name, t - last, cpu - lastCpu, process.memoryUsage()]);
  last = t;
  lastCpu = cpu;
}

function report(): void {
  const n = (ms: number): string => ms.toFixed(1).padStart(8);
  // Memory at the end of each phase: what the process holds (rss), V8's heap (used of total) and
  // what lives outside it (Buffers, koffi's memory): where a big build's peak comes from.
  const mb = (b: number): string => (b / 1048576).toFixed(0).padStart(4);
  const mem = (m: NodeJS.MemoryUsage): string => `rss ${mb(m.rss)} heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} ext ${mb(m.external)} MB`;
  const rows = marks.map(([name, ms, cpu, m]) => `  ${name.padEnd(18)} ${n(ms)} ms ${n(cpu)} ms cpu  ${mem(m)}`);
  const rss = `  ${'peak rss'.padEnd(18)} ${(process.resourceUsage().maxRSS / 1024).toFixed(0).padStart(8)} MB`;
  process.stderr.write(`nslab timing (NSLAB_TIMING=1):\n${rows.join('\n')}\n${rss}\n`);
}
