// What shell completion knows about nslab, taken from the commander program (verbs, their
// descriptions and flags, so a new flag completes without touching this) plus the one thing
// commander cannot say: what each positional argument is (a file, a lab, a node...). The shell
// generators (bash.ts, zsh.ts, fish.ts) turn this into scripts. Pure.
import type { Command } from 'commander';

/** What a positional argument holds, which decides what is offered for it. */
export type ArgKind = 'file' | 'lab' | 'lab-or-file' | 'node' | 'target' | 'verb' | 'shell' | 'none';

/** What a flag's value holds: any file, one of fixed words, or nothing to offer. */
export type ValueKind = 'file' | readonly string[] | 'none';

/** One flag of a verb. */
export interface FlagSpec {
  readonly short?: string;
  readonly long?: string;
  readonly description: string;
  /** Set when the flag takes a value. */
  readonly value?: ValueKind;
}

/** One verb. */
export interface VerbSpec {
  readonly name: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** One kind per positional argument; the last repeats when `variadic`. */
  readonly args: readonly ArgKind[];
  readonly variadic: boolean;
}

/** Everything a completion script needs. */
export interface CompletionSpec {
  readonly verbs: readonly VerbSpec[];
  /** Flags of `nslab` itself (before a verb). */
  readonly rootFlags: readonly FlagSpec[];
}

/**
 * The positional arguments of each verb, in commander's order. `down` and `test` take a lab or a
 * file; capture's targets are nodes or networks; exec's and run's command is the node's business.
 */
export const ARG_KINDS: Readonly<Record<string, readonly ArgKind[]>> = {
  up: ['file'],
  down: ['lab-or-file'],
  clean: [],
  ls: [],
  show: ['lab', 'node'],
  exec: ['lab', 'node', 'none'],
  run: ['lab', 'node', 'none'],
  test: ['lab-or-file'],
  merge: ['file'],
  trace: ['lab', 'node', 'node'],
  scenario: ['file'],
  link: ['lab', 'none', 'none'],
  impair: ['lab', 'none'],
  partition: ['lab', 'node'],
  heal: ['lab'],
  ps: ['lab'],
  which: ['none'],
  logs: ['lab', 'node', 'none'],
  ui: ['lab'],
  graph: ['file'],
  capture: ['lab', 'target'],
  validate: ['file'],
  completion: ['shell'],
  doctor: [],
};

/** Flag values worth offering, by long flag. */
const VALUE_KINDS: Readonly<Record<string, ValueKind>> = {
  '--write': 'file',
  '--output': 'file',
  '--format': ['svg', 'mermaid', 'dot'],
};

/** The shells `nslab completion` writes scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

const HELP: FlagSpec = { short: '-h', long: '--help', description: 'display help for command' };

/** The completion spec of a program: its visible verbs (not `__`-prefixed ones) and `help`. */
export function completionSpec(program: Command): CompletionSpec {
  const verbs: VerbSpec[] = program.commands
    .filter((c) => !c.name().startsWith('__'))
    .map((c) => {
      const kinds = ARG_KINDS[c.name()];
      if (kinds === undefined) throw new Error(`completion: no argument kinds for verb ${c.name()}`);
      const flags: FlagSpec[] = c.options.map((o) => ({
        ...(o.short ? { short: o.short } : {}),
        ...(o.long ? { long: o.long } : {}),
        description: o.description,
        ...(o.required || o.optional ? { value: VALUE_KINDS[o.long ?? ''] ?? 'none' } : {}),
      }));
      return { name: c.name(), description: c.description(), flags: [...flags, HELP], args: kinds, variadic: c.registeredArguments.at(-1)?.variadic === true };
    });
  verbs.push({ name: 'help', description: 'display help for a command', flags: [], args: ['verb'], variadic: false });
  const rootFlags: FlagSpec[] = [HELP, { short: '-V', long: '--version', description: 'print the version' }];
  return { verbs, rootFlags };
}

/** A flag's spellings (`-f`, `--filter`). */
export function spellings(f: FlagSpec): string[] {
  return [f.short, f.long].filter((s): s is string => s !== undefined);
}
