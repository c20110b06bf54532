// The zod schema of `nodes.NAME.processes[i]`: long-running commands `up` starts inside a node
// (argv, never through a shell unless written), their environment and readiness check. Names
// become log file names; every text reaches exec(2) or the environment, so a NUL is refused.
import * as z from 'zod';
import { isProcessName } from '../names/rules.js';
import { checked, intRange, port } from './schema-util.js';

/** Text handed to exec(2) or the environment: a NUL would end it early (and Node refuses it). */
export function noNul(s: string): string | undefined {
  return s.includes('\0') ? 'it contains a NUL character, which a command line, an environment or a path cannot carry' : undefined;
}

/** Why s is not an environment variable name, or undefined. */
export function envNameProblem(s: string): string | undefined {
  return s === '' || s.includes('=') ? 'variable names are not empty and have no =' : noNul(s);
}

/** Why s is not a user name or number, or undefined. */
export function userProblem(s: string): string | undefined {
  return s === '' ? 'it is empty' : noNul(s);
}

const SIZE = /^(\d{1,13}(?:\.\d{1,3})?) ?([KMG]i?B?|[kMG]B|B)?$/;
/** Smallest and largest log file size: below a page it rotates on every line; above 1 GiB it is no cap in RAM. */
export const LOG_SIZE_MIN = 4096;
export const LOG_SIZE_MAX = 1024 ** 3;

/** Bytes of a size written as 10MiB, 512K, 1GB (powers of 1000) or 4096; undefined when it is not one. */
export function parseLogSize(s: string): number | undefined {
  const m = SIZE.exec(s);
  if (!m) return undefined;
  const unit = m[2] ?? 'B';
  const decimal = unit.endsWith('B') && !unit.includes('i') && unit !== 'B';
  const power = ({ k: 1, K: 1, M: 2, G: 3 } as Record<string, number>)[unit[0]!] ?? 0;
  return Math.round(Number(m[1]) * (decimal ? 1000 : 1024) ** power);
}

/** Why s is not a log size from 4 KiB to 1 GiB, or undefined. */
export function logSizeProblem(s: string): string | undefined {
  const n = parseLogSize(s);
  if (n === undefined) return 'a size is a number of bytes or one with a unit, such as 512KiB, 10MiB or 1GiB';
  return n < LOG_SIZE_MIN || n > LOG_SIZE_MAX ? 'a log file size is from 4KiB to 1GiB' : undefined;
}

/** A process name: it becomes part of a log file name. */
export function processNameProblem(s: string): string | undefined {
  return isProcessName(s) ? undefined : 'process names are 1 to 32 characters of a-z, 0-9, - and _, starting with a letter';
}

export const word = checked('must be text', noNul, 'word');
const ARGV = 'must be a command line or a non-empty list of its words';
/** A command: a list of words, or one string split at white space. */
export function argv(description: string): z.ZodType<string | string[]> {
  return z
    .union(
      [
        word.describe('The command line, split at white space (no shell: write [sh, -c, "..."] for one).'),
        z
          .array(word.describe('One word of the command, passed as is.'), { error: ARGV })
          .min(1, { error: ARGV })
          .describe('The words of the command; the first is looked up in PATH.'),
      ],
      { error: ARGV },
    )
    .describe(description);
}
export const envName = checked('must be a variable name', envNameProblem, 'envName');
export const envValue = z.union([word, z.number(), z.boolean()], { error: 'must be text, a number or true/false' }).transform(String);

/** `nodes.NAME.processes[i]`. */
export const processSchema = z
  .strictObject(
    {
      name: checked('must be a process name such as http', processNameProblem, 'processName')
        .optional()
        .describe(
          "The process's name in `nslab ps`, `nslab logs` and its log file: 1 to 32 of a-z 0-9 - _, starting with a letter. Default: the command's base name.",
        ),
      command: argv('The command to run in the node, as a list of words such as [node, server.js] (never through a shell unless written as [sh, -c, "..."]).'),
      env: z
        .record(envName, envValue.describe('The value (numbers and true/false become text).'), { error: 'must be a mapping of variable names to values' })
        .optional()
        .describe('Environment variables added to the process, such as { TZ: UTC }.'),
      cwd: checked('must be a directory', noNul, 'word').optional().describe('The working directory of the process.'),
      user: checked('must be a user name or number', userProblem, 'nonEmptyWord')
        .optional()
        .describe('Run as this user (a name or a number, through runuser) instead of root.'),
      ready: z
        .union(
          [
            z
              .strictObject({ tcp: port.describe('Ready once this TCP port accepts a connection inside the node.') })
              .describe('Ready once a TCP port inside the node accepts connections.'),
            z
              .strictObject({ command: argv('Ready once this command, run inside the node, exits 0 (retried until ready_timeout).') })
              .describe('Ready once a command run inside the node succeeds.'),
          ],
          { error: 'must be { tcp: PORT } or { command: [...] }' },
        )
        .optional()
        .describe('What `up` waits for before it starts the next process: { tcp: PORT } or { command: [...] }.'),
      ready_timeout: intRange(1, 3600).optional().describe('Seconds to wait for ready: before `up` fails (1 to 3600; default 10).'),
      log: z
        .strictObject(
          {
            max: z
              .union(
                [
                  intRange(LOG_SIZE_MIN, LOG_SIZE_MAX).describe('Bytes.'),
                  checked('must be a size such as 10MiB', logSizeProblem, 'logSize').transform((v) => parseLogSize(v)!),
                ],
                { error: 'must be a size such as 10MiB (4KiB to 1GiB)' },
              )
              .optional()
              .describe('Rotate the log file when it would grow past this size: bytes, or 512KiB, 10MiB, 1GiB (4KiB to 1GiB; default 10MiB).'),
            keep: intRange(0, 20).optional().describe('Rotated files to keep besides the current one (<log>.1 is the newest; 0 to 20; default 1).'),
          },
          { error: 'must be a mapping such as { max: 10MiB, keep: 1 }' },
        )
        .optional()
        .describe('Caps the output kept of this process (in /run, which is RAM): at most max × (keep + 1) bytes. Default { max: 10MiB, keep: 1 }.'),
    },
    { error: 'must be a mapping such as { name: http, command: [busybox, httpd, -f] }' },
  )
  .describe('A long-running process `up` starts inside the node after the network is ready (stopped by `down`).');
