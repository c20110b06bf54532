// Starting nslab itself again as a detached background process that outlives this one (down's
// finisher). It gets no terminal and its own session, so Ctrl-C on the shell does not reach it;
// an fd to hand over (a held lock) is passed as its fd 3.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';

/**
 * Start `argv` detached, with stdout and stderr appended to `logFile` and `passFd` as fd 3.
 * Returns the child's PID (undefined if it could not be started).
 */
export function spawnDetached(argv: readonly string[], logFile: string, passFd: number, env: Record<string, string>): number | undefined {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return undefined;
  const log = openSync(logFile, 'a', 0o600);
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log, passFd], env: { ...process.env, ...env } });
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
