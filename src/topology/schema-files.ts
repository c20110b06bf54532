// The zod schemas of `nodes.NAME.files[i]` (what is placed in the node's own mount namespace
// before its processes start) and `nodes.NAME.exec[i]` (one-shot setup steps). Rules across the
// keys of one entry (exactly one of content/source/dir/bind) and across entries (one entry per
// path, nothing under a bind) are checked in parse-files.ts; whether a source or bind exists on
// the host is checked in model/files.ts through the host view.
import { posix } from 'node:path';
import * as z from 'zod';
import { duration } from './duration.js';
import { argv, envName, envValue, noNul, userProblem } from './schema-process.js';
import { bool, checked } from './schema-util.js';

/** An absolute path without `..` (normalised): what a path inside a node is. */
export function nodePathProblem(s: string): string | undefined {
  if (!s.startsWith('/')) return 'a path inside the node is absolute, such as /etc/frr/frr.conf';
  if (s.split('/').includes('..')) return 'a path inside the node has no .. components';
  if (posix.normalize(s) === '/') return 'it is the root directory, which cannot be replaced';
  return noNul(s);
}

/** A host file relative to the lab file's directory, never leaving it. */
export function sourcePathProblem(s: string): string | undefined {
  if (s === '') return 'it is empty';
  if (s.startsWith('/')) return "a source is relative to the lab file's directory; an absolute path is refused";
  const n = posix.normalize(s);
  if (n === '..' || n.startsWith('../')) return "it leaves the lab file's directory (..); keep sources beside the lab file";
  return noNul(s);
}

/** An absolute host directory. */
export function hostDirProblem(s: string): string | undefined {
  if (!s.startsWith('/')) return 'a bind source is an absolute host directory, such as /srv/data';
  return noNul(s);
}

/** Why a mode is not one: octal digits (as chmod reads them), at most 07777. */
export function modeProblem(v: string | number): string | undefined {
  const s = typeof v === 'number' ? (Number.isInteger(v) && v >= 0 ? String(v) : '') : v;
  return /^0?[0-7]{1,4}$/.test(s) ? undefined : 'a mode is octal digits as chmod takes them, such as "0640" or 755';
}

/** The mode bits of a valid mode ("0640" and 640 are both rw-r-----). */
export function parseMode(v: string | number): number {
  return Number.parseInt(String(v), 8);
}

const MODE = 'must be a mode such as "0640" (octal, as chmod takes it)';
const OWNER = 'must be an owner such as "frr", "frr:frrvty" or "100:101"';

/** `nodes.NAME.files[i]`. */
export const fileSchema = z
  .strictObject(
    {
      path: checked('must be an absolute path such as /etc/frr/frr.conf', nodePathProblem, 'word').describe(
        'Where the entry appears inside the node: an absolute path without .. (not /).',
      ),
      content: checked('must be text', noNul, 'word').optional().describe('The file holds this text.'),
      source: checked('must be a path relative to the lab file', sourcePathProblem, 'word')
        .optional()
        .describe("The file is a copy of this host file, a path relative to the lab file's directory (never leaving it)."),
      dir: z
        .literal(true, { error: 'must be true (a private empty directory); leave it out otherwise' })
        .optional()
        .describe('true: a private empty directory (tmpfs) the node alone sees.'),
      bind: checked('must be an absolute host directory', hostDirProblem, 'word')
        .optional()
        .describe('This host directory appears at path inside the node (read-only unless writable: true).'),
      writable: bool.optional().describe('With bind: the node may write to the host directory (default false: read-only).'),
      mode: z
        .union([checked(MODE, modeProblem), z.int({ error: MODE }).refine((v) => modeProblem(v) === undefined, { error: MODE })], { error: MODE })
        .optional()
        .describe('Permission bits, octal as chmod takes them: "0640" or 640 (default 0644 for a file, 0755 for a directory).'),
      owner: z
        .union([checked(OWNER, userProblem, 'nonEmptyWord'), z.int({ error: OWNER }).min(0, { error: OWNER })], { error: OWNER })
        .optional()
        .describe('Owner: "user", "user:group", or numbers such as "100:101" (default root).'),
    },
    { error: 'must be a mapping such as { path: /etc/frr/frr.conf, source: frr.conf }' },
  )
  .describe("An entry of the node's own mount namespace: exactly one of content:, source:, dir: true or bind:.");

/** The longest exec step timeout: a setup step is not a long-running process. */
export const EXEC_TIMEOUT_MAX_MS = 3_600_000;

/** `nodes.NAME.exec[i]` as a mapping. */
export const execStepSchema = z
  .strictObject(
    {
      command: argv('The command to run in the node, as a list of words (never through a shell unless written as [sh, -c, "..."]).'),
      after: z
        .literal('processes', { error: "must be 'processes' (run after the node's processes started); leave it out to run before them" })
        .optional()
        .describe("processes: run this step after the node's processes started (default: before them)."),
      user: checked('must be a user name or number', userProblem, 'nonEmptyWord').optional().describe('Run as this user instead of root.'),
      env: z
        .record(envName, envValue.describe('The value (numbers and true/false become text).'), { error: 'must be a mapping of variable names to values' })
        .optional()
        .describe('Environment variables added to the step.'),
      timeout: duration(EXEC_TIMEOUT_MAX_MS, '1h')
        .optional()
        .describe('How long the step may run before `up` fails: 500ms, 30s, 2m, 1h, or seconds (default 60s).'),
    },
    { error: 'must be a command, or a mapping such as { command: [vtysh, -b], after: processes }' },
  )
  .describe('A one-shot setup step.');

/** `nodes.NAME.exec[i]`: a command line or a mapping. */
export const execSchema = z
  .union([checked('must be a command line', noNul, 'word').describe('The command line, split at white space (no shell).'), execStepSchema], {
    error: 'must be a command, or a mapping such as { command: [vtysh, -b], after: processes }',
  })
  .describe(
    'A one-shot setup step `up` runs in the node after its network and files are in place, before its processes (or after them with after: processes).',
  );
