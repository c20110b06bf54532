// Starting nslab itself again as a detached background process that outlives this one (down's
// finisher). It gets no terminal and its own session, so Ctrl-C on the shell does not reach it;
// an fd to hand over (a held lock) is passed as its fd 3.
import { spawn } from 'node:child_process';
import { closeSync, constants } from 'node:fs';
import { openNoFollow } from './safe-fs.js';

/**
 * Start `argv` detached, with stdout and stderr appended to `logFile` and `passFd` as fd 3.
 * Returns the child's PID (undefined if it could not be started).
 */
export function spawnDetached(argv: readonly string[], logFile: string, passFd: number, env: Record<string, string>): number | undefined {
  const [cmd, ...args] = argv;
  if (cmd === undefined) return undefined;
  // Never through a symlink: the log lives in the lab's (checked) state directory.
  const log = openNoFollow(logFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log, passFd], env: { ...process.env, ...env } });
  } finally {
    closeSync(log); // the child has its own copy
  }
  child.on('error', () => {});
  child.unref();
  return child.pid;
}
