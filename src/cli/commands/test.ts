// `nslab test FILE|NAME [--all]`: a table of expectations (or Mininet-style rows for --all),
// coloured on a terminal; exit 0 when everything holds, 1 when something does not.
import type { TestResult } from '../../lab/test.js';
import { config } from '../config.js';
import { test } from '../../lab/test.js';
import { NslabError } from '../../util/errors.js';
import { duration, paint, printJson, table } from '../render.js';

/** Run `test`. */
export async function run(
  target: string,
  o: { all?: boolean; gateways?: boolean; json?: boolean; raiseNeighLimit?: boolean; timeout?: string; attempts?: string },
): Promise<void> {
  const probe = {
    ...(o.timeout ? { timeoutMs: count('--timeout', o.timeout, 60_000) } : {}),
    ...(o.attempts ? { attempts: count('--attempts', o.attempts, 100) } : {}),
  };
  const r = await test({
    state: config().state,
    ...config().kernel,
    target,
    ...(o.all ? { all: true } : {}),
    ...(o.gateways ? { gateways: true } : {}),
    ...(o.raiseNeighLimit ? { raiseNeighLimit: true } : {}),
    probe,
  });
  for (const n of r.notices) process.stderr.write(paint(`note: ${n}`, 'yellow') + '\n');
  if (o.json) printJson({ ...r, ms: Math.round(r.ms) });
  else process.stdout.write((r.mode === 'all' ? renderMatrix(r) : renderTable(r)) + '\n');
  process.exitCode = r.report.failed > 0 ? 1 : 0;
}

/** A whole number from 1 to max, or a usage error (exit 2). */
function count(flag: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new NslabError('usage', `${flag} wants a whole number from 1 to ${max}, not "${text}"`, 2);
  return n;
}

function renderTable(r: TestResult): string {
  const rows = r.report.rows.map((x) => [
    x.from,
    x.dst && x.dst !== x.to ? `${x.to} (${x.dst})` : x.to,
    x.probe,
    x.expected,
    x.got,
    x.ok ? paint('ok', 'green') : paint('FAIL', 'red'),
    x.rttMs !== undefined ? `${x.rttMs.toFixed(2)} ms` : (x.reason ?? ''),
  ]);
  return [table(['FROM', 'TO', 'PROBE', 'EXPECTED', 'GOT', 'RESULT', 'RTT/REASON'], rows), summary(r)].join('\n');
}

/** A grid for small labs (rows: from, columns: to); Mininet-style lines for big ones. */
function renderMatrix(r: TestResult): string {
  const names = [...new Set(r.report.rows.flatMap((x) => [x.from, x.to]))];
  if (names.length > 24) return renderLines(r);
  const cell = new Map(r.report.rows.map((x) => [`${x.from}>${x.to}`, x.ok ? paint('✓', 'green') : paint('X', 'red')]));
  const rows = names.map((from) => [from, ...names.map((to) => (from === to ? '·' : (cell.get(`${from}>${to}`) ?? ' ')))]);
  return [table(['FROM \\ TO', ...names], rows), summary(r)].join('\n');
}

/** One line per source node, like Mininet's pingall: each target's name, or X when unreached. */
function renderLines(r: TestResult): string {
  const lines = new Map<string, string[]>();
  for (const x of r.report.rows) {
    const line = lines.get(x.from) ?? [];
    line.push(x.ok ? x.to : paint('X', 'red'));
    lines.set(x.from, line);
  }
  return [...[...lines].map(([from, cells]) => `${from} -> ${cells.join(' ')}`), summary(r)].join('\n');
}

function summary(r: TestResult): string {
  const total = r.report.rows.length;
  const line = `lab ${r.lab}: ${r.report.passed}/${total} hold, ${r.report.failed} do not (${duration(r.ms)}${r.waves > 1 ? `, ${r.waves} waves` : ''})`;
  return paint(line, r.report.failed > 0 ? 'red' : 'green');
}
