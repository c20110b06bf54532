// `nslab up FILE --watch`, after the first up: apply each saved change of the file and print what
// changed, until Ctrl-C (exit 130; the lab stays up as last applied).
import type { UpResult } from '../../lab/up.js';
import { watchTopology } from '../../lab/watch.js';
import { config } from '../config.js';
import { duration, paint } from '../render.js';

function report(r: UpResult): void {
  for (const w of r.warnings) process.stderr.write(paint(w, 'yellow') + '\n');
  const p = r.processes;
  const procs = p && (p.started.length > 0 || p.stopped.length > 0);
  if (r.commands.length === 0 && !procs) {
    process.stdout.write(`lab ${r.lab}: saved, nothing changed\n`);
    return;
  }
  process.stdout.write(`lab ${r.lab}: applied ${r.commands.length} change(s) in ${duration(r.ms)}\n`);
  for (const c of r.commands) process.stdout.write(`  ${c}\n`);
  if (procs) process.stdout.write(`  processes: started ${p.started.join(', ') || 'none'}; stopped ${p.stopped.join(', ') || 'none'}\n`);
}

/** Watch the file until SIGINT or SIGTERM, then exit 130. */
export async function run(file: string, o: { hostNetns?: string; json?: boolean }): Promise<void> {
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.stderr.write(`watching ${file} (Ctrl-C stops watching; the lab stays up)\n`);
  try {
    await watchTopology({
      state: config().state,
      ...config().kernel,
      file,
      signal: ac.signal,
      ...(o.hostNetns ? { hostNetns: o.hostNetns } : {}),
      ...(config().rootlessMode === 'inside' ? { rootless: { portStart: config().rootlessPortStart } } : {}),
      onApplied: o.json
        ? (r) => process.stdout.write(`${JSON.stringify({ lab: r.lab, commands: r.commands, processes: r.processes, ms: Math.round(r.ms) })}\n`)
        : report,
      onError: (e) => process.stderr.write(`${paint(`nslab: ${e.message}`, 'red')}\nthe lab stays as it was; save the file again to retry\n`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  process.exitCode = 130;
}
