// Text output for people: aligned tables and colour on a terminal, plain when piped, and what
// the environment asks for (colorEnabled). --json output bypasses this and prints the verbs' data as is.

/**
 * Whether to colour output, decided as Node's own util does (tty getColorDepth), so nslab
 * agrees with the tools around it:
 * 1. FORCE_COLOR, when set and non-empty, wins over everything: `0` or `false` turns colour
 *    off, any other value turns it on, also when not writing to a terminal (and despite NO_COLOR);
 * 2. else NO_COLOR, when non-empty (no-color.org), or TERM=dumb turns colour off;
 * 3. else colour exactly when writing to a terminal.
 * An empty FORCE_COLOR or NO_COLOR counts as unset (as both conventions say).
 */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env['FORCE_COLOR'];
  if (force) return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] || env['TERM'] === 'dumb') return false;
  return isTTY;
}

const useColor = (): boolean => colorEnabled(process.env, process.stdout.isTTY === true);

/** Wrap text in an ANSI colour when printing to a terminal. */
export function paint(text: string, color: 'red' | 'green' | 'yellow' | 'dim' | 'bold'): string {
  if (!useColor()) return text;
  const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
  return `\u001b[${codes[color]}m${text}\u001b[0m`;
}

/** Width of text as the terminal shows it (colour codes take no room). */
const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;

/** Render rows as an aligned table with a header line. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(visible(h), ...rows.map((r) => visible(r[i] ?? ''))));
  const pad = (c: string, i: number): string => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visible(c)));
  const line = (r: readonly string[]): string => r.map(pad).join('  ').trimEnd();
  return [paint(line(header), 'bold'), ...rows.map(line)].join('\n');
}

/** Print a value as indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Milliseconds as a short human duration. */
export function duration(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Said once when a lab is locked by another nslab and this command waits for it. */
export function busy(holder: number | undefined): void {
  process.stderr.write(paint(`waiting: another nslab${holder ? ` (PID ${holder})` : ''} is changing this lab...`, 'dim') + '\n');
}
