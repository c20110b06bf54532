// `nslab test FILE|NAME [--all] [--wait D]`: a table of expectations (or Mininet-style rows for --all),
// coloured on a terminal; exit 0 when everything holds, 1 when something does not. While waiting
// for entries to converge, a progress line on stderr (redrawn on a terminal, every few seconds otherwise).
import type { WaitProgress } from '../../lab/converge.js';
import type { TestResult } from '../../lab/test.js';
import { config } from '../config.js';
import { machineState } from '../../lab/machine.js';
import { test } from '../../lab/test.js';
import { NslabError } from '../../util/errors.js';
import { duration, paint, printJson, table } from '../render.js';

/** Run `test`. */
export async function run(
  target: string,
  o: { all?: boolean; gateways?: boolean; json?: boolean; raiseNeighLimit?: boolean; timeout?: string; attempts?: string; wait?: string; as?: string },
): Promise<void> {
  const waitMs = o.wait === undefined ? undefined : waitOf(o.wait);
  const progress = waitProgress(process.stderr, () => performance.now());
  const probe = {
    ...(o.timeout ? { timeoutMs: count('--timeout', o.timeout, 60_000) } : {}),
    ...(o.attempts ? { attempts: count('--attempts', o.attempts, 100) } : {}),
  };
  const r = await test({
    state: o.as === undefined ? config().state : machineState(config().state, o.as),
    ...config().kernel,
    target,
    ...(o.as === undefined ? {} : { machine: o.as }),
    ...(o.all ? { all: true } : {}),
    ...(o.gateways ? { gateways: true } : {}),
    ...(o.raiseNeighLimit ? { raiseNeighLimit: true } : {}),
    ...(waitMs === undefined ? {} : { waitMs }),
    onProgress: progress.update,
    probe,
  }).finally(progress.end);
  for (const n of r.notices) process.stderr.write(paint(`note: ${n}`, 'yellow') + '\n');
  if (o.json) printJson({ ...r, ms: Math.round(r.ms) });
  else process.stdout.write((r.mode === 'all' ? renderMatrix(r) : renderTable(r)) + '\n');
  process.exitCode = r.report.failed > 0 ? 1 : 0;
}

/** The longest --wait: an hour, like within:. */
const WAIT_MAX_MS = 3_600_000;

/** --wait: a duration such as 500ms, 30s, 2m, 1h or a number of seconds, up to an hour. */
export function waitOf(text: string): number {
  const m = /^(\d{1,9}(?:\.\d{1,3})?) ?(ms|s|m|h)?$/.exec(text);
  const ms = m ? Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!) : Number.NaN;
  if (!(ms > 0 && ms <= WAIT_MAX_MS)) throw new NslabError('usage', `--wait wants a duration up to 1h, such as 500ms, 30s or 2m, not "${text}"`, 2);
  return ms;
}

/** Where progress goes: stderr, or a fake in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(s: string): unknown;
}

/** Redraw on a terminal at most this often; print a line elsewhere at most this often. */
const TTY_EVERY_MS = 250;
const LINE_EVERY_MS = 2000;

/**
 * The `waiting: 3/5 hold (2.1 s)` line: redrawn in place on a terminal (and wiped at the end),
 * one line at most every 2 s when stderr is a file or a pipe. Nothing when nothing was waited for.
 */
export function waitProgress(out: ProgressStream, now: () => number): { update: (p: WaitProgress) => void; end: () => void } {
  const tty = out.isTTY === true;
  let last: number | undefined;
  let drawn = false;
  return {
    update: (p) => {
      const t = now();
      if (last !== undefined && t - last < (tty ? TTY_EVERY_MS : LINE_EVERY_MS)) return;
      last = t;
      const line = `waiting: ${p.holding}/${p.total} hold (${(p.ms / 1000).toFixed(1)} s)`;
      if (tty) {
        out.write(`\r\u001b[K${paint(line, 'dim')}`);
        drawn = true;
      } else out.write(`${line}\n`);
    },
    end: () => {
      if (drawn) out.write('\r\u001b[K');
      drawn = false;
    },
  };
}

/** A whole number from 1 to max, or a usage error (exit 2). */
function count(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new NslabError('usage', `${flag} wants a whole number from 1 to ${max}, not "${text}"`, 2);
  return n;
}

/** A row as the text output reads it; a merged report's rows also name their machine. */
type Row = TestResult['report']['rows'][number] & { readonly machine?: string };

/** What the text output reads of a run: a test's result, or the merge of several machines' reports (merge.ts). */
export interface Rendered {
  readonly lab: string;
  readonly report: { readonly rows: readonly Row[]; readonly passed: number; readonly failed: number };
  readonly ms: number;
  readonly waves: number;
  readonly rounds: number;
  readonly waited: boolean;
}

/** The expectations' table; `extra` lines go between it and the summary (merge's per-machine lines). */
export function renderTable(r: Rendered, extra: readonly string[] = []): string {
  // Only a merged report's rows name a machine: then it is the first column.
  const machines = r.report.rows.some((x) => x.machine !== undefined);
  const rows = r.report.rows.map((x) => [
    ...(machines ? [x.machine ?? ''] : []),
    x.from,
    x.dst && x.dst !== x.to ? `${x.to} (${x.dst})` : x.to,
    x.probe,
    x.expected,
    x.got,
    x.ok ? paint('ok', 'green') : paint('FAIL', 'red'),
    ...(r.waited ? [x.heldMs !== undefined ? duration(x.heldMs) : '-'] : []),
    x.rttMs !== undefined ? `${x.rttMs.toFixed(2)} ms` : `${x.reason ?? ''}${!x.ok && x.withinMs ? ` (not within ${seconds(x.withinMs)})` : ''}`,
  ]);
  const head = [...(machines ? ['MACHINE'] : []), 'FROM', 'TO', 'PROBE', 'EXPECTED', 'GOT', 'RESULT', ...(r.waited ? ['HELD AFTER'] : []), 'RTT/REASON'];
  return [table(head, rows), ...extra, summary(r)].join('\n');
}

/** A limit as people write it: 500ms, 10s, 1.5s. */
const seconds = (ms: number): string => (ms < 1000 ? `${ms}ms` : `${ms / 1000}s`);

/** A grid for small labs (rows: from, columns: to); Mininet-style lines for big ones. */
export function renderMatrix(r: Rendered, extra: readonly string[] = []): string {
  const declared = r.report.rows.filter((x) => x.live === undefined);
  const names = [...new Set(declared.flatMap((x) => [x.from, x.to]))];
  if (names.length > 24) return renderLines(r, extra);
  const cell = new Map(declared.map((x) => [`${x.from}>${x.to}`, x.ok ? paint('✓', 'green') : paint('X', 'red')]));
  const rows = names.map((from) => [from, ...names.map((to) => (from === to ? '·' : (cell.get(`${from}>${to}`) ?? ' ')))]);
  return [table(['FROM \\ TO', ...names], rows), ...liveLines(r), ...extra, summary(r)].join('\n');
}

/** The targets found live on the nodes (not in the file), one line each: who reaches them, who does not. */
function liveLines(r: Rendered): string[] {
  const byTarget = new Map<string, { from: string; ok: boolean }[]>();
  for (const x of r.report.rows) {
    if (x.live === undefined) continue;
    const key = `${x.to} ${x.dst ?? ''}`;
    byTarget.set(key, [...(byTarget.get(key) ?? []), { from: x.from, ok: x.ok }]);
  }
  if (byTarget.size === 0) return [];
  const lines = [...byTarget].map(([target, froms]) => {
    const ok = froms.filter((f) => f.ok).map((f) => f.from);
    const bad = froms.filter((f) => !f.ok).map((f) => f.from);
    return `  ${target}: ${ok.length > 0 ? paint(`✓ from ${ok.join(', ')}`, 'green') : ''}${ok.length > 0 && bad.length > 0 ? '; ' : ''}${bad.length > 0 ? paint(`X from ${bad.join(', ')}`, 'red') : ''}`;
  });
  return [`live addresses (found on the nodes, not in the file):`, ...lines];
}

/** One line per source node, like Mininet's pingall: each target's name, or X when unreached. */
function renderLines(r: Rendered, extra: readonly string[]): string {
  const lines = new Map<string, string[]>();
  for (const x of r.report.rows) {
    if (x.live !== undefined) continue;
    const line = lines.get(x.from) ?? [];
    line.push(x.ok ? x.to : paint('X', 'red'));
    lines.set(x.from, line);
  }
  return [...[...lines].map(([from, cells]) => `${from} -> ${cells.join(' ')}`), ...liveLines(r), ...extra, summary(r)].join('\n');
}

function summary(r: Rendered): string {
  const total = r.report.rows.length;
  const rounds = r.rounds > 1 ? `, ${r.rounds} rounds` : '';
  const line = `lab ${r.lab}: ${r.report.passed}/${total} hold, ${r.report.failed} do not (${duration(r.ms)}${r.waves > 1 ? `, ${r.waves} waves` : ''}${rounds})`;
  return paint(line, r.report.failed > 0 ? 'red' : 'green');
}
