// `nslab scenario FILE [--json] [--interval D]`: the timeline as it happens on stdout (JSON: one
// document at the end instead), then per flow its outage windows and recovery times, and the
// limits. Exit 0 when every limit holds, 1 when one does not (or a step failed), 2 for a bad
// file, 130 after Ctrl-C (every change undone first, what was measured so far printed).
import type { ScenarioResult, TimelineEvent } from '../../lab/scenario.js';
import { scenario, seconds } from '../../lab/scenario.js';
import { NslabError } from '../../util/errors.js';
import { config } from '../config.js';
import { paint, printJson, table } from '../render.js';

/** Run `scenario`. */
export async function run(file: string, o: { json?: boolean; interval?: string }): Promise<void> {
  const intervalMs = o.interval === undefined ? undefined : intervalOf(o.interval);
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await scenario({
      state: config().state,
      ...config().kernel,
      file,
      ...(intervalMs === undefined ? {} : { intervalMs }),
      signal: stop.signal,
      ...(o.json ? {} : { onEvent: (e: TimelineEvent) => process.stdout.write(`${eventLine(e)}\n`) }),
    });
    for (const n of r.notices) process.stderr.write(paint(`note: ${n}`, 'yellow') + '\n');
    for (const u of r.undoFailed) process.stderr.write(paint(`nslab: could not undo ${u}`, 'red') + '\n');
    if (o.json) printJson(r);
    else process.stdout.write(`${render(r)}\n`);
    process.exitCode = r.interrupted ? 130 : r.ok ? 0 : 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** --interval: a duration such as 50ms or 0.2s. */
function intervalOf(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : Number.NaN;
  if (!(ms >= 10 && ms <= 60_000)) throw new NslabError('usage', `--interval wants a duration from 10ms to 60s, such as 50ms or 0.5s, not "${text}"`, 2);
  return ms;
}

const at = (t: number): string => `${(t / 1000).toFixed(3).padStart(8)}s`;

/** One timeline line. */
export function eventLine(e: TimelineEvent): string {
  switch (e.kind) {
    case 'start':
      return `${at(e.t)}  start: ${e.flows} flow${e.flows === 1 ? '' : 's'}, a probe every ${e.intervalMs} ms (timeout ${e.timeoutMs} ms)`;
    case 'step':
      return `${at(e.t)}  step #${e.step}: ${e.text}`;
    case 'step-failed':
      return paint(`${at(e.t)}  step #${e.step} failed: ${e.error}`, 'red');
    case 'down':
      return paint(`${at(e.t)}  flow #${e.flow} ${e.label}: DOWN${e.reason ? ` (${e.reason})` : ''}`, 'red');
    case 'up':
      return paint(`${at(e.t)}  flow #${e.flow} ${e.label}: up again after ${seconds(e.outageMs)}`, 'green');
    case 'end':
      return `${at(e.t)}  end`;
    case 'interrupted':
      return paint(`${at(e.t)}  interrupted: undoing the changes`, 'yellow');
    case 'undo':
      return e.error ? paint(`${at(e.t)}  undo ${e.text} FAILED: ${e.error}`, 'red') : `${at(e.t)}  undo: ${e.text}`;
  }
}

function render(r: ScenarioResult): string {
  const out: string[] = [''];
  for (const f of r.flows) {
    out.push(paint(`flow #${f.id} ${f.label} (${f.dst}): ${f.probes} probes, ${f.failed} failed`, 'bold'));
    if (f.outages.length === 0) out.push('  no outage');
    else
      out.push(
        table(
          ['  OUTAGE', 'START', 'END', 'LENGTH', 'LOST'],
          f.outages.map((o, i) => [
            `  #${i}`,
            seconds(o.startMs),
            o.open ? `${seconds(o.endMs)} (still out)` : seconds(o.endMs),
            seconds(o.ms),
            String(o.failed),
          ]),
        ),
      );
    for (const rec of f.recoveries) {
      const step = r.steps.find((s) => s.index === rec.step);
      const what = !rec.disrupted ? 'not disrupted' : rec.recoverMs === undefined ? 'did not recover' : `recovered ${seconds(rec.recoverMs)} after it`;
      out.push(`  after step #${rec.step} (${step?.text ?? ''} at ${seconds(rec.atMs)}): ${what}`);
    }
  }
  out.push(paint(`outages are measured to the probe interval (${r.resolutionMs} ms) at each end`, 'dim'));
  for (const l of r.limits) out.push(`${l.ok ? paint('ok  ', 'green') : paint('FAIL', 'red')} probe #${l.limit.probe}: ${l.detail}`);
  if (r.error) out.push(paint(r.error, 'red'));
  const held = r.limits.filter((l) => l.ok).length;
  const head = r.interrupted ? `interrupted after ${seconds(r.ranMs)}; changes undone` : `ran ${seconds(r.ranMs)}`;
  out.push(paint(`scenario ${r.file} on lab ${r.lab}: ${head}; ${held}/${r.limits.length} limits hold`, r.ok ? 'green' : 'red'));
  return out.join('\n');
}
