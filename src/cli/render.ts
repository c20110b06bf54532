// Text output for people: aligned tables and colour on a terminal, plain when piped or when
// NO_COLOR is set. --json output bypasses this and prints the verbs' data as is.

const useColor = (): boolean => process.stdout.isTTY === true && !process.env['NO_COLOR'];

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
