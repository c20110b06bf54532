// `nslab up FILE`: print warnings, then a one-line summary (or the plan with --dry-run).
import { up } from '../../lab/up.js';
import { config } from '../config.js';
import { machineState } from '../../lab/machine.js';
import { busy, duration, paint, printJson } from '../render.js';

/** Run `up`. */
export async function run(
  file: string,
  o: { hostNetns?: string; dryRun?: boolean; full?: boolean; reset?: boolean; json?: boolean; as?: string },
): Promise<void> {
  const r = await interruptible((signal, onChanging) =>
    up({
      state: o.as === undefined ? config().state : machineState(config().state, o.as),
      ...(o.as === undefined ? {} : { machine: o.as }),
      ...config().kernel,
      file,
      onBusy: busy,
      signal,
      onChanging,
      ...(o.hostNetns ? { hostNetns: o.hostNetns } : {}),
      ...(o.dryRun ? { dryRun: true } : {}),
      ...(o.full ? { full: true } : {}),
      ...(o.reset ? { reset: true } : {}),
      ...(config().rootlessMode === 'inside' ? { rootless: { portStart: config().rootlessPortStart } } : {}),
    }),
  );
  for (const w of r.warnings) process.stderr.write(paint(w, 'yellow') + '\n');
  if (o.json) {
    printJson({
      lab: r.lab,
      nodes: r.nodes,
      networks: r.networks,
      changes: r.steps.length,
      unchanged: r.unchanged,
      ms: Math.round(r.ms),
      dryRun: o.dryRun === true,
      steps: o.dryRun ? r.commands : undefined,
      ...(o.as === undefined ? {} : { machine: o.as }),
      placement: o.dryRun ? r.placement : undefined,
      processes: r.processes,
    });
    return;
  }
  if (o.dryRun) {
    for (const line of r.placement ?? []) process.stdout.write(`# ${line}\n`);
    for (const c of r.commands) process.stdout.write(c + '\n');
    process.stdout.write(`# ${r.steps.length} step(s), ${r.unchanged} object(s) already as wanted\n`);
    return;
  }
  const what = `${r.nodes} node(s), ${r.networks} network(s)`;
  const p = r.processes;
  // Restarting a process (one that died, or failed its ready check last time) is a change too.
  const unchanged = r.steps.length === 0 && (p === undefined || (p.started.length === 0 && p.stopped.length === 0));
  process.stdout.write(
    unchanged ? `lab ${r.lab}: up to date (${what}; nothing changed)\n` : `lab ${r.lab}: up: ${what}, ${r.steps.length} change(s) in ${duration(r.ms)}\n`,
  );
  if (p && (p.started.length > 0 || p.stopped.length > 0)) {
    process.stdout.write(
      `processes: ${p.started.length} started${p.started.length ? ` (${p.started.join(', ')})` : ''}, ${p.stopped.length} stopped, ${p.unchanged} already running\n`,
    );
  }
}

/**
 * Run fn with Ctrl-C (SIGINT) and SIGTERM handled: before anything changed they end nslab at
 * once; after that the first one asks up to stop after the current kernel batch (up then says
 * what state the lab is in and how to finish or undo it, exit 130); a second one ends it at once,
 * which the journal makes safe too.
 */
async function interruptible<T>(fn: (signal: AbortSignal, onChanging: () => void) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let changing = false;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (!changing) {
      process.stderr.write(`nslab: interrupted (${sig}); nothing was changed\n`);
      process.exit(130);
    }
    if (ac.signal.aborted) {
      process.stderr.write(
        `nslab: interrupted again: stopping now; the journal records what was built (nslab up FILE finishes the lab, nslab down LAB removes it)\n`,
      );
      process.exit(130);
    }
    process.stderr.write(`nslab: interrupted (${sig}): stopping after the current step (press Ctrl-C again to stop at once)\n`);
    ac.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(ac.signal, () => (changing = true));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
