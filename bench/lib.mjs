// What the benchmarks share: their command line, the root check, and the shared baselines
// (../shared/bench/baselines) as a scratch copy, since their scripts write logs beside
// themselves, with the C floor (netbl.c) built in it. Not a benchmark: imported by them.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This folder, and ../shared/bench beside the project. */
export const here = dirname(fileURLToPath(import.meta.url));
export const shared = join(here, '..', '..', 'shared', 'bench');

/** `--name VALUE` options of the command line: `opt` gives the text, `num` a number, `has` a bare flag. */
export function options(args = process.argv.slice(2)) {
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : dflt;
  };
  return { args, opt, num: (name, dflt) => Number(opt(name, dflt)), has: (name) => args.includes(name) };
}

/** Exit (2) unless root: the benchmarks build namespaces, inside a sandbox. */
export function needRoot() {
  if (process.getuid?.() === 0) return;
  console.error('run as root (the benchmark builds namespaces inside a sandbox)');
  process.exit(2);
}

/**
 * A scratch copy of the baselines, removed at exit; with `floor`, the C floor built in it as
 * `netbl`, and `build(dir)` for anything more to compile (exit 2 naming gcc when it cannot).
 */
export function baselines({ prefix = 'nslab-bl-', floor = true, build } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  cpSync(join(shared, 'baselines'), dir, { recursive: true });
  execFileSync('chmod', ['-R', 'u+w', dir]);
  if (!floor) return dir;
  try {
    execFileSync('gcc', ['-O2', '-o', join(dir, 'netbl'), join(dir, 'netbl.c')]);
    build?.(dir);
  } catch {
    console.error('cannot build the C floor (gcc missing?): apt-get install -y gcc');
    process.exit(2);
  }
  return dir;
}

/** Rows of cells as aligned text lines (columns two spaces apart; a missing cell is empty). */
export function tableLines(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd(),
  );
}

/** The median (the lower middle of an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
}
